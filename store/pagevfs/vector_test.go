package pagevfs_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/localfirst/gopowersync/store/pagevfs"
)

var update = flag.Bool("update", false, "rewrite testdata/vector.* from the generator")

// vector is the shared test vector of the journal format, read by this test
// and by the storage worker's test in tests/browser (js/opfs-worker.js must
// produce and replay exactly these bytes).
type vector struct {
	Comment string `json:"comment"`
	// Base is the database file before replay.
	Base string `json:"base"`
	// Records are the commits encoded, in order, in vector.journal.
	Records []vectorRecord `json:"records"`
	// TornBytes is how many bytes of one more record follow them (a torn
	// record that replay must drop).
	TornBytes int `json:"tornBytes"`
	// Replayed is the file after replaying vector.journal onto Base.
	Replayed string `json:"replayed"`
}

type vectorRecord struct {
	Seq   uint64       `json:"seq"`
	Size  int64        `json:"size"`
	Pages []vectorPage `json:"pages"`
}

type vectorPage struct {
	Offset int64  `json:"offset"`
	Data   string `json:"data"` // hex
}

func (r vectorRecord) commit(t *testing.T) pagevfs.Commit {
	c := pagevfs.Commit{Size: r.Size}
	for _, p := range r.Pages {
		data, err := hex.DecodeString(p.Data)
		if err != nil {
			t.Fatal(err)
		}
		c.Pages = append(c.Pages, pagevfs.Page{Offset: p.Offset, Data: data})
	}
	return c
}

// pattern returns n bytes counting up from start.
func pattern(start byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = start + byte(i*7)
	}
	return b
}

// generateVector builds the vector: three commits that grow, shrink and
// grow the file again, the last one torn.
func generateVector(t *testing.T) (vector, []byte) {
	base := pattern(1, 256)
	page := func(off int64, start byte) vectorPage {
		return vectorPage{Offset: off, Data: hex.EncodeToString(pattern(start, 64))}
	}
	v := vector{
		Comment: "pagevfs journal test vector; regenerate with: go test ./store/pagevfs -run Vector -update",
		Base:    hex.EncodeToString(base),
		Records: []vectorRecord{
			{Seq: 7, Size: 320, Pages: []vectorPage{page(0, 0xa0), page(256, 0x10)}},
			{Seq: 8, Size: 192, Pages: []vectorPage{page(128, 0x55)}},
		},
	}
	torn := vectorRecord{Seq: 9, Size: 256, Pages: []vectorPage{page(192, 0xee)}}
	var journal []byte
	image := base
	for _, r := range v.Records {
		journal = pagevfs.AppendRecord(journal, r.Seq, r.commit(t))
		image = pagevfs.Apply(image, r.commit(t))
	}
	tornBytes := pagevfs.AppendRecord(nil, torn.Seq, torn.commit(t))
	v.TornBytes = len(tornBytes) - 3
	journal = append(journal, tornBytes[:v.TornBytes]...)
	v.Replayed = hex.EncodeToString(image)
	return v, journal
}

func TestJournalMatchesTheSharedTestVector(t *testing.T) {
	want, wantJournal := generateVector(t)
	jsonPath, journalPath := filepath.Join("testdata", "vector.json"), filepath.Join("testdata", "vector.journal")
	if *update {
		b, _ := json.MarshalIndent(want, "", "  ")
		if err := os.WriteFile(jsonPath, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(journalPath, wantJournal, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var got vector
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	journal, err := os.ReadFile(journalPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(journal, wantJournal) {
		t.Fatal("testdata/vector.journal is not what AppendRecord encodes")
	}
	base, _ := hex.DecodeString(got.Base)
	image, res := pagevfs.Replay(base, journal)
	if res.Applied != len(got.Records) || res.LastSeq != got.Records[len(got.Records)-1].Seq {
		t.Fatalf("replay = %+v, want %d records up to seq %d", res, len(got.Records), got.Records[len(got.Records)-1].Seq)
	}
	if res.Valid != len(journal)-got.TornBytes {
		t.Fatalf("valid prefix = %d, want %d", res.Valid, len(journal)-got.TornBytes)
	}
	if hex.EncodeToString(image) != got.Replayed {
		t.Fatal("replayed image differs from the vector's")
	}
}
