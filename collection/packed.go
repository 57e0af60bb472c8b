package collection

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"
)

// The synced state keeps each item packed into one string when its values
// are all scalars (nil, bool, int64, float64, string, []byte), which is
// every row a SQLite-backed source produces. A string holds no pointers, so
// the garbage collector neither scans nor follows anything inside it: a
// 100,000-row collection kept as maps cost 458 heap bytes and five or so
// objects per row, and a 53 ms mark phase under GOOS=js; packed, 158 bytes,
// two objects and 10 ms. In wasm a mark phase runs in one piece on the only
// thread, so this is what keeps a large collection from pausing its page.
// Items with other values (nested maps and slices, other number types) are
// kept as they are.
//
// Reads unpack into a new map, so callers may keep or change what they get.

// held is one synced item: packed, or the row itself.
type held struct {
	packed string
	row    Row
}

// Value tags of the packed form.
const (
	tagNil byte = iota
	tagFalse
	tagTrue
	tagInt
	tagFloat
	tagString
	tagBytes
)

// shapes interns the column lists of packed items: a packed item starts
// with the index of its shape, so column names are stored once per
// collection, not once per row.
type shapes struct {
	cols  [][]string
	index map[string]int
	last  int // the shape of the last packed item
}

// pack returns r as the synced state keeps it.
func (s *shapes) pack(r Row) held {
	size := 0
	for _, v := range r {
		n, ok := packedSize(v)
		if !ok {
			return held{row: r}
		}
		size += n
	}
	id := s.of(r)
	buf := make([]byte, 0, binary.MaxVarintLen64+size)
	buf = binary.AppendUvarint(buf, uint64(id))
	for _, k := range s.cols[id] {
		buf = appendValue(buf, r[k])
	}
	return held{packed: string(buf)}
}

// unpack returns the item h holds as a new row.
func (s *shapes) unpack(h held) Row { return unpackWith(s.cols, h) }

// unpackWith is unpack with the shapes' column lists: a list never changes
// once added, so a copy of the outer slice taken under the runtime's lock
// unpacks the items packed until then without it.
func unpackWith(shapes [][]string, h held) Row {
	if h.packed == "" {
		return h.row
	}
	p := h.packed
	id, n := uvarint(p)
	p = p[n:]
	cols := shapes[id]
	r := make(Row, len(cols))
	for _, k := range cols {
		var v any
		v, p = readValue(p)
		r[k] = v
	}
	return r
}

// heldField returns the value at path of the item h holds, reading a
// packed item without unpacking the rest of it: its values are scalars,
// so a path longer than one name finds nothing there.
func heldField(shapes [][]string, h held, path []string) any {
	if h.packed == "" {
		return lookup(h.row, path)
	}
	if len(path) != 1 {
		return nil
	}
	p := h.packed
	id, n := uvarint(p)
	p = p[n:]
	for _, k := range shapes[id] {
		if k == path[0] {
			v, _ := readValue(p)
			return v
		}
		p = skipValue(p)
	}
	return nil
}

// skipValue returns p after its first value.
func skipValue(p string) string {
	tag, p := p[0], p[1:]
	switch tag {
	case tagInt:
		_, n := uvarint(p)
		return p[n:]
	case tagFloat:
		return p[8:]
	case tagString, tagBytes:
		l, n := uvarint(p)
		return p[n+int(l):]
	}
	return p
}

// equal reports whether a and b hold equal items (rowsEqual): the same
// packed text is the same item, anything else is compared unpacked.
func (s *shapes) equal(a, b held) bool {
	if a.packed != "" && a.packed == b.packed {
		return true
	}
	return rowsEqual(s.unpack(a), s.unpack(b))
}

// of returns the index of r's shape, adding it when new. Rows of one
// collection nearly always share their columns, so the last shape is tried
// first, without sorting or allocating.
func (s *shapes) of(r Row) int {
	if s.index != nil && len(s.cols[s.last]) == len(r) {
		same := true
		for _, k := range s.cols[s.last] {
			if _, ok := r[k]; !ok {
				same = false
				break
			}
		}
		if same {
			return s.last
		}
	}
	names := make([]string, 0, len(r))
	for k := range r {
		names = append(names, k)
	}
	slices.Sort(names)
	key := strings.Join(names, "\x00")
	id, ok := s.index[key]
	if !ok {
		if s.index == nil {
			s.index = make(map[string]int)
		}
		id = len(s.cols)
		s.cols = append(s.cols, names)
		s.index[key] = id
	}
	s.last = id
	return id
}

// packedSize reports how many bytes v takes packed (at most), and whether
// it can be packed at all.
func packedSize(v any) (int, bool) {
	switch v := v.(type) {
	case nil, bool:
		return 1, true
	case int64:
		return 1 + binary.MaxVarintLen64, true
	case float64:
		return 9, true
	case string:
		return 1 + binary.MaxVarintLen64 + len(v), true
	case []byte:
		return 1 + binary.MaxVarintLen64 + len(v), true
	}
	return 0, false
}

func appendValue(buf []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(buf, tagNil)
	case bool:
		if v {
			return append(buf, tagTrue)
		}
		return append(buf, tagFalse)
	case int64:
		return binary.AppendVarint(append(buf, tagInt), v)
	case float64:
		return binary.LittleEndian.AppendUint64(append(buf, tagFloat), math.Float64bits(v))
	case string:
		return append(binary.AppendUvarint(append(buf, tagString), uint64(len(v))), v...)
	case []byte:
		return append(binary.AppendUvarint(append(buf, tagBytes), uint64(len(v))), v...)
	}
	panic("collection: pack: unsupported value") // packedSize rules this out
}

// readValue reads one value of p and returns it and the rest of p.
func readValue(p string) (any, string) {
	tag, p := p[0], p[1:]
	switch tag {
	case tagNil:
		return nil, p
	case tagFalse:
		return false, p
	case tagTrue:
		return true, p
	case tagInt:
		u, n := uvarint(p)
		return int64(u>>1) ^ -int64(u&1), p[n:] // zigzag, as binary.AppendVarint writes
	case tagFloat:
		return math.Float64frombits(binary.LittleEndian.Uint64([]byte(p[:8]))), p[8:]
	case tagString:
		l, n := uvarint(p)
		return p[n : n+int(l)], p[n+int(l):]
	case tagBytes:
		l, n := uvarint(p)
		return []byte(p[n : n+int(l)]), p[n+int(l):]
	}
	panic("collection: unpack: corrupt item")
}

// uvarint decodes an unsigned varint at the start of p.
func uvarint(p string) (uint64, int) {
	var x uint64
	var s uint
	for i := 0; i < len(p); i++ {
		b := p[i]
		if b < 0x80 {
			return x | uint64(b)<<s, i + 1
		}
		x |= uint64(b&0x7f) << s
		s += 7
	}
	panic("collection: unpack: truncated varint")
}
