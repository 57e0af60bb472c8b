package query

import (
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
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

// BenchmarkLocaleSort sorts 10,000 texts (ASCII words, accented words,
// Cyrillic) by the locale order, and by the order it replaced (lower-case
// bytes, then case) for a side-by-side ratio:
// go test ./collection/query -run '^$' -bench LocaleSort
func BenchmarkLocaleSort(b *testing.B) {
	stems := []string{"apple", "Äpfel", "zoo", "école", "Straße", "Привет", "Øre", "item ", "co-op"}
	words := make([]string, 10_000)
	for i := range words {
		words[i] = stems[i%len(stems)] + strconv.Itoa(i*7919%10_000)
	}
	lowerThenCase := func(a, b string) int {
		if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
			return c
		}
		return -strings.Compare(a, b)
	}
	for _, c := range []struct {
		name string
		cmp  func(a, b string) int
	}{{"order=locale", localeCompare}, {"order=lower-then-case(before)", lowerThenCase}, {"order=lexical", strings.Compare}} {
		b.Run(c.name, func(b *testing.B) {
			s := make([]string, len(words))
			for i := 0; i < b.N; i++ {
				copy(s, words)
				slices.SortFunc(s, c.cmp)
			}
		})
	}
}
