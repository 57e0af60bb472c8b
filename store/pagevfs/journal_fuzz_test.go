package pagevfs

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"
)

// FuzzReplay feeds Replay arbitrary journals: no input panics, the valid
// prefix is never longer than the journal, and replaying that prefix
// alone gives the same image. Seeds: testdata/fuzz/FuzzReplay.
func FuzzReplay(f *testing.F) {
	one := AppendRecord(nil, 1, Commit{Size: 8, Pages: []Page{{Offset: 0, Data: []byte("abcd")}}})
	two := AppendRecord(one, 2, Commit{Size: 4, Pages: []Page{{Offset: 2, Data: []byte("zz")}}})
	f.Add([]byte("12345678"), two)
	f.Add([]byte(nil), one[:len(one)-1])
	f.Add([]byte("x"), append(append([]byte(nil), two...), "garbage"...))
	f.Fuzz(func(t *testing.T, image, journal []byte) {
		got, res := Replay(append([]byte(nil), image...), journal)
		if res.Valid < 0 || res.Valid > len(journal) {
			t.Fatalf("valid prefix %d of a %d-byte journal", res.Valid, len(journal))
		}
		again, res2 := Replay(append([]byte(nil), image...), journal[:res.Valid])
		if res2 != res || !bytes.Equal(again, got) {
			t.Fatalf("replaying the valid prefix gave %+v, the whole journal %+v", res2, res)
		}
	})
}

// FuzzRecord builds records from fuzzed fields, with a checksum that
// holds, so that decoding gets past the checksum to the fields: no input
// panics or allocates beyond the record, what AppendRecord writes decodes
// to the same commit, and Replay applies exactly the records it decodes.
func FuzzRecord(f *testing.F) {
	f.Add(uint64(1), uint32(64), []byte("\x00\x04abcd\x10\x02zz"), uint32(0), []byte(nil))
	f.Add(uint64(7), uint32(0), []byte(nil), uint32(3), []byte("\xff\xff\xff\xff\xff\xff\xff\xff\x01\x00\x00\x00x"))
	f.Fuzz(func(t *testing.T, seq uint64, size uint32, spec []byte, count uint32, body []byte) {
		// A commit of pages inside size, from spec: offset byte, length byte, data.
		size %= 1 << 16
		c := Commit{Size: int64(size)}
		for len(spec) >= 2 {
			off, n := int64(spec[0])*int64(size)/256, int(spec[1])
			spec = spec[2:]
			if n > len(spec) {
				n = len(spec)
			}
			if off+int64(n) > int64(size) {
				n = int(int64(size) - off)
			}
			c.Pages = append(c.Pages, Page{Offset: off, Data: spec[:n:n]})
			spec = spec[n:]
		}
		rec := AppendRecord(nil, seq, c)
		r, n, err := DecodeRecord(rec)
		if err != nil || n != len(rec) || r.Seq != seq || r.Commit.Size != c.Size || len(r.Commit.Pages) != len(c.Pages) {
			t.Fatalf("record of %+v decoded to %+v, %d, %v", c, r, n, err)
		}
		for i, p := range c.Pages {
			if r.Commit.Pages[i].Offset != p.Offset || !bytes.Equal(r.Commit.Pages[i].Data, p.Data) {
				t.Fatalf("page %d: %+v, want %+v", i, r.Commit.Pages[i], p)
			}
		}
		image, res := Replay(nil, append(rec, body...))
		if res.Applied < 1 || !bytes.Equal(image, Apply(nil, c)) {
			t.Fatalf("replay applied %d records", res.Applied)
		}
		// Any header and body, checksummed: decoding must not trust count,
		// offsets or lengths.
		forged := make([]byte, headerSize, headerSize+len(body)+trailerSize)
		copy(forged, recordMagic)
		le := binary.LittleEndian
		le.PutUint64(forged[4:], seq)
		le.PutUint64(forged[12:], uint64(size))
		le.PutUint32(forged[20:], count)
		le.PutUint32(forged[24:], uint32(len(body)))
		forged = append(forged, body...)
		forged = le.AppendUint32(forged, crc32.ChecksumIEEE(forged))
		forged = append(forged, commitMarker...)
		if r, _, err := DecodeRecord(forged); err == nil {
			for _, p := range r.Commit.Pages {
				if p.Offset < 0 || p.Offset+int64(len(p.Data)) > r.Commit.Size {
					t.Fatalf("decoded a page outside the file: %d+%d > %d", p.Offset, len(p.Data), r.Commit.Size)
				}
			}
			Replay(nil, forged)
		}
	})
}
