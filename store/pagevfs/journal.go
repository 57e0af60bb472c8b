package pagevfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// The journal is a sequence of records, one per commit, each self-checking,
// so that a crash in the middle of appending one leaves a torn record that
// replay recognises and drops. The storage worker (js/opfs-worker.js)
// writes and replays the same bytes; testdata/vector.* pins them down.
//
// Record layout, all integers little-endian:
//
//	offset  size  field
//	0       4     magic "PVJ1"
//	4       8     seq: the commit's sequence number, consecutive from the first record
//	12      8     size: database file size after the commit
//	20      4     count: number of pages
//	24      4     body: byte length of the pages section
//	28      body  count × { offset uint64, length uint32, data [length]byte }
//	28+body 4     CRC-32 (IEEE) of bytes [0, 28+body)
//	32+body 4     commit marker "PVJE"
const (
	recordMagic  = "PVJ1"
	commitMarker = "PVJE"
	headerSize   = 28
	pageHeadSize = 12
	trailerSize  = 8
)

// ErrTornRecord is returned (wrapped) by [DecodeRecord] for bytes that are not
// a complete, intact record: cut short, or failing the checksum or a marker.
var ErrTornRecord = errors.New("pagevfs: torn journal record")

// Record is one decoded journal record.
type Record struct {
	// Seq is the sequence number the writer gave the commit.
	Seq uint64
	// Commit is the commit; its Page data aliases the decoded bytes.
	Commit Commit
}

// RecordSize returns the encoded length of a record holding c.
func RecordSize(c Commit) int {
	n := headerSize + trailerSize
	for _, p := range c.Pages {
		n += pageHeadSize + len(p.Data)
	}
	return n
}

// AppendRecord appends the journal record of commit c with sequence number
// seq to dst and returns the extended slice.
func AppendRecord(dst []byte, seq uint64, c Commit) []byte {
	return AppendRecordPaced(dst, seq, c, nil)
}

// recordSlice is how many bytes of pages AppendRecordPaced copies and
// checksums between two calls of pace: about a millisecond of work in
// Chromium.
const recordSlice = 1 << 20

// AppendRecordPaced is AppendRecord with pace, when non-nil, called each
// time about recordSlice more bytes of pages are encoded: a commit of
// 100,000 rows (tens of MB of pages) is otherwise one long task in a
// browser. The record is the same.
func AppendRecordPaced(dst []byte, seq uint64, c Commit, pace func()) []byte {
	start := len(dst)
	body := RecordSize(c) - headerSize - trailerSize
	dst = append(dst, recordMagic...)
	dst = binary.LittleEndian.AppendUint64(dst, seq)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(c.Size))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(c.Pages)))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(body))
	var crc uint32
	summed := start // dst[start:summed] is in crc
	for _, p := range c.Pages {
		dst = binary.LittleEndian.AppendUint64(dst, uint64(p.Offset))
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(p.Data)))
		dst = append(dst, p.Data...)
		if pace != nil && len(dst)-summed >= recordSlice {
			crc = crc32.Update(crc, crc32.IEEETable, dst[summed:])
			summed = len(dst)
			pace()
		}
	}
	crc = crc32.Update(crc, crc32.IEEETable, dst[summed:])
	dst = binary.LittleEndian.AppendUint32(dst, crc)
	return append(dst, commitMarker...)
}

// DecodeRecord decodes the record at the start of b and returns it with its
// encoded length. Bytes that do not hold a whole intact record give an
// error wrapping [ErrTornRecord].
func DecodeRecord(b []byte) (Record, int, error) {
	return DecodeRecordPaced(b, nil)
}

// DecodeRecordPaced is DecodeRecord with pace, when non-nil, called each
// time about recordSlice more bytes have been checksummed: checking a
// record of tens of MB (another tab's commit of 100,000 rows) is otherwise
// one long task in a browser. The pages of the result share b's storage.
func DecodeRecordPaced(b []byte, pace func()) (Record, int, error) {
	torn := func(why string) (Record, int, error) {
		return Record{}, 0, fmt.Errorf("%w: %s", ErrTornRecord, why)
	}
	if len(b) < headerSize+trailerSize {
		return torn("short header")
	}
	if string(b[:4]) != recordMagic {
		return torn("bad magic")
	}
	le := binary.LittleEndian
	seq := le.Uint64(b[4:])
	size := le.Uint64(b[12:])
	count := le.Uint32(b[20:])
	body := uint64(le.Uint32(b[24:]))
	end := headerSize + body
	if uint64(len(b)) < end+trailerSize {
		return torn("short body")
	}
	var crc uint32
	for lo := uint64(0); lo < end; lo += recordSlice {
		if lo > 0 && pace != nil {
			pace()
		}
		crc = crc32.Update(crc, crc32.IEEETable, b[lo:min(lo+recordSlice, end)])
	}
	if crc != le.Uint32(b[end:]) {
		return torn("checksum mismatch")
	}
	if string(b[end+4:end+8]) != commitMarker {
		return torn("no commit marker")
	}
	if size > 1<<62 {
		return torn("impossible size")
	}
	if uint64(count) > body/pageHeadSize {
		return torn("more pages than the body holds")
	}
	r := Record{Seq: seq, Commit: Commit{Size: int64(size), Pages: make([]Page, 0, count)}}
	pages := b[headerSize:end]
	for range count {
		if len(pages) < pageHeadSize {
			return torn("page header past body")
		}
		off, n := le.Uint64(pages), uint64(le.Uint32(pages[8:]))
		pages = pages[pageHeadSize:]
		if uint64(len(pages)) < n || off > size || n > size-off { // no off+n: it could wrap
			return torn("page past body or size")
		}
		r.Commit.Pages = append(r.Commit.Pages, Page{Offset: int64(off), Data: pages[:n:n]})
		pages = pages[n:]
	}
	if len(pages) != 0 {
		return torn("body longer than its pages")
	}
	return r, int(end + trailerSize), nil
}

// ReplayResult says what [Replay] did.
type ReplayResult struct {
	// Applied is the number of records applied.
	Applied int
	// LastSeq is the Seq of the last record applied (0 if none).
	LastSeq uint64
	// Valid is the length of the journal prefix that held those records;
	// anything after it is a torn record (or garbage) and was ignored.
	Valid int
}

// Replay applies to image, the database file, every complete record at the
// start of journal, in order, stopping at the first torn record or at a
// record whose Seq does not follow its predecessor's. It returns the new
// image (which may share image's storage) and what it applied.
func Replay(image, journal []byte) ([]byte, ReplayResult) {
	var res ReplayResult
	for res.Valid < len(journal) {
		r, n, err := DecodeRecord(journal[res.Valid:])
		if err != nil || (res.Applied > 0 && r.Seq != res.LastSeq+1) {
			break
		}
		image = Apply(image, r.Commit)
		res.Applied++
		res.LastSeq = r.Seq
		res.Valid += n
	}
	return image, res
}
