package query

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// TestLocaleCompareMatchesNode sorts sample words (Latin with accents,
// ligatures and letters of their own, Greek, Cyrillic, digits,
// punctuation) and wants the order Node's String.prototype.localeCompare
// gave them (scripts/gen-unicode.mjs wrote testdata/localecompare.json).
func TestLocaleCompareMatchesNode(t *testing.T) {
	raw, err := os.ReadFile("testdata/localecompare.json")
	if err != nil {
		t.Fatal(err)
	}
	var want struct{ Words, Sorted []string }
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	got := slices.Clone(want.Words)
	slices.SortStableFunc(got, localeCompare)
	if !slices.Equal(got, want.Sorted) {
		for i := range got {
			if got[i] != want.Sorted[i] {
				t.Errorf("at %d: got %q, Node has %q", i, got[i], want.Sorted[i])
			}
		}
	}
	for _, w := range want.Words {
		if c := localeCompare(w, w); c != 0 {
			t.Errorf("localeCompare(%q, itself) = %d", w, c)
		}
	}
}
