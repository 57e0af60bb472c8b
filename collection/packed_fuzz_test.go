package collection

import (
	"encoding/binary"
	"math"
	"testing"
)

// FuzzPacked packs rows built from fuzzed bytes (every scalar kind the
// packed form holds, any key and value, NaN and -0 included) and checks
// that unpacking gives the same row back, bit for bit, and that equal
// rows compare equal. Seeds: testdata/fuzz/FuzzPacked.
func FuzzPacked(f *testing.F) {
	f.Add([]byte("\x00id\x00\x05a\x00n\x00\x03\x80\x01\x00r\x00\x04\x00\x00\x00\x00\x00\x00\xf8\x7f"))
	f.Add([]byte("\x00\x00\x06\x00\x00b\x00\x01\x00t\x00\x02"))
	f.Add([]byte("k\x00\x05\xff\xfe\x00x\x00\x00"))
	f.Fuzz(func(t *testing.T, spec []byte) {
		row := rowFrom(spec)
		var s shapes
		h := s.pack(row)
		if h.packed == "" && len(row) > 0 {
			t.Fatalf("a row of scalars was not packed: %#v", row)
		}
		got := s.unpack(h)
		if !sameRow(got, row) {
			t.Fatalf("packed %#v, unpacked %#v", row, got)
		}
		// A second row of the same shape, and the same row again.
		if !s.equal(h, s.pack(row)) {
			t.Fatal("a row does not equal itself packed again")
		}
	})
}

// rowFrom reads a row from spec: key bytes up to 0, a tag, the value.
func rowFrom(spec []byte) Row {
	row := Row{}
	for len(spec) > 1 {
		i := 0
		for i < len(spec) && spec[i] != 0 {
			i++
		}
		key := string(spec[:i])
		if i+1 >= len(spec) {
			break
		}
		tag, p := spec[i+1], spec[i+2:]
		var v any
		switch tag % 7 {
		case 0:
			v = nil
		case 1:
			v = false
		case 2:
			v = true
		case 3:
			x, n := binary.Varint(p)
			if n <= 0 {
				n = len(p)
			}
			v, p = x, p[n:]
		case 4:
			var b [8]byte
			n := copy(b[:], p)
			v, p = math.Float64frombits(binary.LittleEndian.Uint64(b[:])), p[n:]
		case 5, 6:
			n := 0
			if len(p) > 0 {
				n = int(p[0]) % (len(p))
				p = p[1:]
			}
			if n > len(p) {
				n = len(p)
			}
			if tag%7 == 5 {
				v = string(p[:n])
			} else {
				v = append([]byte{}, p[:n]...)
			}
			p = p[n:]
		}
		row[key] = v
		spec = p
	}
	return row
}

// sameRow compares rows bit for bit: NaN equals NaN, -0 is not 0.
func sameRow(a, b Row) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		y, ok := b[k]
		if !ok {
			return false
		}
		switch x := x.(type) {
		case float64:
			yf, ok := y.(float64)
			if !ok || math.Float64bits(x) != math.Float64bits(yf) {
				return false
			}
		case []byte:
			yb, ok := y.([]byte)
			if !ok || string(x) != string(yb) {
				return false
			}
		default:
			if x != y {
				return false
			}
		}
	}
	return true
}
