package protocol

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/localfirst/gopowersync/internal/jsontext"
)

// This file is the part of the scanner under DecodeLine that is the
// protocol's own: where the line's strings and pointers live, and how
// keys match fields. The JSON text itself is read by internal/jsontext.
// DecodeLine accepts exactly what encoding/json's Unmarshal into a Line
// accepts, and decodes to the same Line (FuzzReader compares the two):
// jsontext gives the grammar, the nesting limit and the strings; keys
// are matched case-insensitively as encoding/json matches them, null
// leaves non-pointer fields alone, and a repeated key decodes into what
// the first one left. RATIONALE.md says why it replaced encoding/json here.

// decoder reads one line. The strings it decodes share one allocation
// (strs), and the pointers the line's optional fields need come from
// pools, so a data line of a thousand ops costs a few dozen allocations
// instead of several per op; keeping any string of a line keeps that
// line's strings alive.
type decoder struct {
	jsontext.Decoder
	strs  strings.Builder
	raws  []byte // backing store of the line's json.RawMessage values
	sptrs pool[string]
	iptrs pool[int]
	lptrs pool[int64]
	optrs pool[OpID]
}

// pool hands out pointers to elements of chunks it allocates: one
// allocation for many small values. A full chunk is left to the pointers
// into it, never reallocated.
type pool[T any] struct{ chunk []T }

func (p *pool[T]) new() *T {
	if len(p.chunk) == cap(p.chunk) {
		p.chunk = make([]T, 0, min(max(2*cap(p.chunk), 8), 1024))
	}
	p.chunk = p.chunk[:len(p.chunk)+1]
	return &p.chunk[len(p.chunk)-1]
}

// string reads a string value into the line's shared string storage.
func (d *decoder) string() (string, error) {
	text, err := d.ReadString()
	if err != nil || len(text) == 0 {
		return "", err
	}
	if d.strs.Cap() == 0 {
		// Room for the rest of the line: strings never come out longer
		// than their JSON text, except bytes of bad UTF-8 (3 each).
		d.strs.Grow(max(len(d.Input())-d.Offset()+len(text), 64))
	}
	start := d.strs.Len()
	d.strs.Write(text)
	// A Builder never changes bytes it has handed out: this substring
	// stays as it is while later strings are appended.
	return d.strs.String()[start:], nil
}

// field returns the index of key in names as encoding/json matches a
// struct's fields: the exact name first, else one equal under case
// folding ("OP_ID" is op_id). -1 means an unknown key, whose value is
// skipped.
func field(key []byte, names []string) int {
	for i, n := range names {
		if string(key) == n {
			return i
		}
	}
	for i, n := range names {
		if foldEqual(key, n) {
			return i
		}
	}
	return -1
}

// foldEqual compares key with a lower-case ASCII name as encoding/json's
// foldName does: ASCII letters without case, other runes by their
// smallest case-fold equivalent (U+017F long s is "S", U+212A Kelvin is "K").
func foldEqual(key []byte, name string) bool {
	j := 0
	for i := 0; i < len(key); {
		var r rune
		if c := key[i]; c < utf8.RuneSelf {
			r = rune(c)
			i++
		} else {
			var n int
			r, n = utf8.DecodeRune(key[i:])
			i += n
		}
		r = foldRune(r)
		if j >= len(name) || r != foldRune(rune(name[j])) {
			return false
		}
		j++
	}
	return j == len(name)
}

func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			r -= 'a' - 'A'
		}
		return r
	}
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}
