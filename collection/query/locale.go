package query

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// localeBase is a letter's primary base (see localeBases).
type localeBase struct {
	s     string // the plain lower-case letters it equals
	after bool   // it sorts right after s instead of equal to it
}

// Primary weight classes: the root collation puts punctuation and symbols
// before digits, digits before letters.
const (
	classMark   = 1 << 23
	classDigit  = 2 << 23
	classLetter = 3 << 23
)

// localeCompare orders two strings as String.prototype.localeCompare
// does under the root locale (Unicode's collation algorithm with CLDR's
// root order) for Latin, Greek and Cyrillic text, in three passes:
//
//  1. primary: letters by base letter, ignoring accents and case (é = e,
//     ß = ss, æ = ae; a letter of its own, as þ, right after its
//     neighbour), combining marks ignored, punctuation and symbols (in the
//     root's order) before digits before letters; Latin before Greek
//     before Cyrillic; other scripts by code point;
//  2. secondary, on a primary tie: accents, rune by rune, a plain letter
//     before an accented one and accented ones by code point;
//  3. tertiary: lower case before upper case.
//
// The full algorithm's tables cost 425 KB of brotli in the browser module
// (docs/API.md, "String order", lists where this order differs from it).
// It allocates nothing.
func localeCompare(a, b string) int {
	if c := comparePrimary(a, b); c != 0 {
		return c
	}
	if a == b {
		return 0
	}
	if c := compareFolded(a, b); c != 0 {
		return c
	}
	return -strings.Compare(a, b) // upper case has the lower code points
}

// primaryIter walks a string's primary weights.
type primaryIter struct {
	s       string
	pending string // the rest of an expansion (ß → ss)
	after   bool   // pending's last weight sorts after its letter
}

// next returns the next primary weight, or 0 at the end.
func (it *primaryIter) next() uint32 {
	for {
		if it.pending != "" {
			r, n := utf8.DecodeRuneInString(it.pending)
			it.pending = it.pending[n:]
			w := classLetter | uint32(r)<<1
			if it.pending == "" && it.after {
				w |= 1
			}
			return w
		}
		if it.s == "" {
			return 0
		}
		r, n := rune(it.s[0]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(it.s)
		}
		it.s = it.s[n:]
		switch {
		case 'a' <= r && r <= 'z':
			return classLetter | uint32(r)<<1
		case 'A' <= r && r <= 'Z':
			return classLetter | uint32(r+'a'-'A')<<1
		case '0' <= r && r <= '9':
			return classDigit | uint32(r)
		}
		if w, ok := localeMarks[r]; ok {
			return classMark | uint32(w)
		}
		if b, ok := localeBases[r]; ok {
			it.pending, it.after = b.s, b.after
			continue
		}
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // accents weigh only in the secondary pass
		case unicode.IsLetter(r):
			return classLetter | uint32(unicode.ToLower(r))<<1
		case unicode.IsDigit(r):
			return classDigit | uint32(r)
		}
		return classMark | 0x8000 | uint32(r)&0x7fffff // after the ranked marks
	}
}

func comparePrimary(a, b string) int {
	ia, ib := primaryIter{s: a}, primaryIter{s: b}
	for {
		wa, wb := ia.next(), ib.next()
		if wa != wb {
			if wa < wb {
				return -1
			}
			return 1
		}
		if wa == 0 {
			return 0
		}
	}
}

// secondary is a rune's accent weight: 0 for a plain letter, else its
// lower case's code point.
func secondary(r rune) rune {
	if r < utf8.RuneSelf {
		return 0
	}
	r = unicode.ToLower(r)
	if b, ok := localeBases[r]; ok && !b.after {
		return r
	}
	return 0
}

// compareFolded compares the texts' accents rune by rune.
func compareFolded(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		a, b = a[na:], b[nb:]
		if ra, rb = secondary(ra), secondary(rb); ra != rb {
			if ra < rb {
				return -1
			}
			return 1
		}
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}
