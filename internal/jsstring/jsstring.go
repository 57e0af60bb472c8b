// Package jsstring holds JavaScript's string functions as Go functions:
// toUpperCase, toLowerCase and length. It is the one home for these rules:
// collection.Eval calls them in memory, and the store registers them as
// SQLite functions (powersync_js_upper, powersync_js_lower,
// powersync_js_length) so a where pushed down to SQLite selects the same rows.
package jsstring

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Upper is String.prototype.toUpperCase: Unicode's full case mapping,
// where one rune may become several (ß → SS, ﬁ → FI).
func Upper(s string) string {
	return strings.Map(unicode.ToUpper, expandCase(s, upperFull))
}

// Lower is String.prototype.toLowerCase: the full case mapping (İ → i̇)
// and the final sigma (Σ at the end of a word becomes ς).
func Lower(s string) string {
	s = expandCase(s, lowerFull)
	if !strings.ContainsRune(s, 'Σ') {
		return strings.ToLower(s)
	}
	var b strings.Builder
	for i, r := range s {
		if r == 'Σ' && finalSigma(s, i) {
			b.WriteRune('ς')
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// expandCase replaces the runes full maps by their mapping.
func expandCase(s string, full map[rune]string) string {
	for i, r := range s {
		if r < utf8.RuneSelf {
			continue
		}
		if _, ok := full[r]; ok {
			var b strings.Builder
			b.WriteString(s[:i])
			for _, r := range s[i:] {
				if m, ok := full[r]; ok {
					b.WriteString(m)
				} else {
					b.WriteRune(r)
				}
			}
			return b.String()
		}
	}
	return s
}

// finalSigma reports whether the Σ at i ends a word (Unicode's
// Final_Sigma condition, without case-ignorable runes): a letter before
// it and none after it.
func finalSigma(s string, i int) bool {
	before, _ := utf8.DecodeLastRuneInString(s[:i])
	after, _ := utf8.DecodeRuneInString(s[i+len("Σ"):])
	return i > 0 && unicode.IsLetter(before) && !unicode.IsLetter(after)
}

// Length is String.prototype.length: UTF-16 code units, two for a rune
// outside the Basic Multilingual Plane (👍 is 2).
func Length(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}
