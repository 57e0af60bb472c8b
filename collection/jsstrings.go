package collection

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// jsUpper is String.prototype.toUpperCase: Unicode's full case mapping,
// where one rune may become several (ß → SS, ﬁ → FI).
func jsUpper(s string) string {
	return strings.Map(unicode.ToUpper, expandCase(s, upperFull))
}

// jsLower is String.prototype.toLowerCase: the full case mapping (İ → i̇)
// and the final sigma (Σ at the end of a word becomes ς).
func jsLower(s string) string {
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

// jsLength is String.prototype.length: UTF-16 code units, two for a rune
// outside the Basic Multilingual Plane (👍 is 2).
func jsLength(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}
