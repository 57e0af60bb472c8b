package pagevfs

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestImageTruncateThenGrowReadsZerosAndReportsTheNewSize(t *testing.T) {
	data := bytes.Repeat([]byte{0xab}, 2*chunkSize+100)
	m := newImage(bytes.Clone(data))
	m.truncate(chunkSize + 10)
	m.writeAt([]byte{1, 2, 3}, 2*chunkSize+50) // grows past the cut
	got := m.bytes()
	if int64(len(got)) != 2*chunkSize+53 {
		t.Fatalf("size = %d", len(got))
	}
	if !bytes.Equal(got[:chunkSize+10], data[:chunkSize+10]) {
		t.Fatal("kept bytes changed")
	}
	if !bytes.Equal(got[chunkSize+10:2*chunkSize+50], make([]byte, chunkSize+40)) {
		t.Fatal("bytes between the cut and the new write are not zero")
	}
	c := m.commit()
	if c.Size != 2*chunkSize+53 || len(c.Pages) == 0 || c.Pages[0].Offset != chunkSize+10 {
		t.Fatalf("commit = size %d, %d pages, want size %d from offset %d", c.Size, len(c.Pages), 2*chunkSize+53, chunkSize+10)
	}
	if !bytes.Equal(Apply(bytes.Clone(data), c), got) {
		t.Fatal("the commit applied to the previous file does not give the new one")
	}
}

func TestImageCommitMergesTouchingWritesIntoOneRange(t *testing.T) {
	m := newImage(make([]byte, 3*4096))
	for _, off := range []int64{4096, 0, 2 * 4096, 5 * 4096} {
		m.writeAt(bytes.Repeat([]byte{byte(off / 4096)}, 4096), off)
	}
	c := m.commit()
	var got [][2]int64
	for _, p := range c.Pages {
		got = append(got, [2]int64{p.Offset, int64(len(p.Data))})
	}
	// Pages 0-2 touch; 3-4 (zeros from growth) and 5 join them, as the file
	// grew from 3 pages to 6.
	want := [][2]int64{{0, 6 * 4096}}
	if len(got) != len(want) || got[0] != want[0] {
		t.Fatalf("pages = %v, want %v", got, want)
	}
	if m.pending() {
		t.Fatal("still pending after commit")
	}
}

func TestImageCommitsAppliedToACopyAlwaysReproduceTheImage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := newImage(nil)
	var copyOf []byte
	for step := range 5000 {
		switch op := rng.IntN(10); {
		case op < 6: // a page-sized write somewhere, possibly growing the file
			size := int64(512) << rng.IntN(8) // 512 B to 64 KiB
			off := size * rng.Int64N(int64(4*chunkSize)/size)
			m.writeAt(bytes.Repeat([]byte{byte(step)}, int(size)), off)
		case op < 8:
			m.truncate(rng.Int64N(4 * chunkSize))
		default:
			copyOf = Apply(copyOf, m.commit())
			if !bytes.Equal(copyOf, m.bytes()) {
				t.Fatalf("step %d: copy built from commits differs from the image", step)
			}
		}
	}
}
