package pagevfs

import (
	"bytes"
	"errors"
	"testing"
)

// A paced record is the same record, paced every recordSlice bytes.
func TestAppendRecordPaced(t *testing.T) {
	var c Commit
	for i := range 3*recordSlice/4096 + 5 {
		c.Pages = append(c.Pages, Page{Offset: int64(i) * 4096, Data: bytes.Repeat([]byte{byte(i)}, 4096)})
	}
	c.Size = int64(len(c.Pages)) * 4096
	paces := 0
	got := AppendRecordPaced([]byte("prefix"), 7, c, func() { paces++ })
	want := AppendRecord([]byte("prefix"), 7, c)
	if !bytes.Equal(got, want) {
		t.Fatal("the paced record differs")
	}
	if paces != 3 {
		t.Errorf("%d paces, want 3", paces)
	}
	if r, _, err := DecodeRecord(got[len("prefix"):]); err != nil || len(r.Commit.Pages) != len(c.Pages) {
		t.Fatalf("decode: %v, %d pages", err, len(r.Commit.Pages))
	}
}

// A record checked with pace decodes as without it, paced every
// recordSlice bytes, and a flipped byte past the first slice is still
// caught.
func TestDecodeRecordPaced(t *testing.T) {
	var c Commit
	for i := range 3*recordSlice/4096 + 5 {
		c.Pages = append(c.Pages, Page{Offset: int64(i) * 4096, Data: bytes.Repeat([]byte{byte(i)}, 4096)})
	}
	c.Size = int64(len(c.Pages)) * 4096
	rec := AppendRecord(nil, 9, c)
	paces := 0
	got, n, err := DecodeRecordPaced(rec, func() { paces++ })
	if err != nil || n != len(rec) || got.Seq != 9 || len(got.Commit.Pages) != len(c.Pages) {
		t.Fatalf("paced decode: %v, %d of %d bytes, seq %d, %d pages", err, n, len(rec), got.Seq, len(got.Commit.Pages))
	}
	for i, p := range got.Commit.Pages {
		if p.Offset != c.Pages[i].Offset || !bytes.Equal(p.Data, c.Pages[i].Data) {
			t.Fatalf("page %d differs", i)
		}
	}
	if paces != 3 {
		t.Errorf("%d paces, want 3", paces)
	}
	rec[2*recordSlice+100] ^= 1
	if _, _, err := DecodeRecordPaced(rec, func() {}); !errors.Is(err, ErrTornRecord) {
		t.Errorf("a flipped byte in the third slice: %v, want ErrTornRecord", err)
	}
}
