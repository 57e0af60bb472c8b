package pagevfs

import (
	"bytes"
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
