//go:build js

package bridge

import (
	"encoding/binary"
	"math"
	"strconv"
	"syscall/js"
)

// maxSafeInt is the largest integer a JS number holds exactly.
const maxSafeInt = 1<<53 - 1

// goValue converts one SQL parameter from JS: null and undefined to nil,
// booleans, numbers (whole ones to int64, as SQLite INTEGER), strings,
// Uint8Array to []byte, Date to ISO text (as PowerSync's serializer does).
// Anything else is a TypeError naming arg.
func (b *Bridge) goValue(v js.Value, arg string) (_ any, err error) {
	// syscall/js panics on a type it does not know (a bigint): the JS
	// package converts bigints first, so this is only a safety net.
	defer func() {
		if r := recover(); r != nil {
			err = typeErrorf(arg, "want null, boolean, number, string, Uint8Array or Date, got a value Go cannot read (a bigint?)")
		}
	}()
	switch v.Type() {
	case js.TypeNull, js.TypeUndefined:
		return nil, nil
	case js.TypeBoolean:
		return v.Bool(), nil
	case js.TypeNumber:
		return number(v.Float()), nil
	case js.TypeString:
		return v.String(), nil
	case js.TypeObject:
		if v.InstanceOf(b.deps.uint8Array) {
			buf := make([]byte, v.Length())
			js.CopyBytesToGo(buf, v)
			return buf, nil
		}
		if v.InstanceOf(b.deps.bigInt64Array) && v.Length() == 1 {
			return b.goInt64(v), nil
		}
		if v.InstanceOf(b.deps.date) {
			return v.Call("toISOString").String(), nil
		}
	}
	return nil, typeErrorf(arg, "want null, boolean, number, bigint, string, Uint8Array or Date, got %s", v.Type())
}

// goInt64 reads the one element of a BigInt64Array: the form the JS package
// gives a bigint (syscall/js cannot read a bigint itself), after checking
// that it fits.
func (b *Bridge) goInt64(v js.Value) int64 {
	var buf [8]byte
	js.CopyBytesToGo(buf[:], b.deps.uint8Array.New(v.Get("buffer"), v.Get("byteOffset"), 8))
	return int64(binary.LittleEndian.Uint64(buf[:])) // wasm and typed arrays are little-endian
}

// number keeps whole, safe numbers as int64 so SQLite stores INTEGER.
func number(f float64) any {
	if f == math.Trunc(f) && math.Abs(f) <= maxSafeInt {
		return int64(f)
	}
	return f
}

// goParams converts SQL parameters: an array, or null/undefined for none.
func (b *Bridge) goParams(v js.Value) ([]any, error) {
	switch v.Type() {
	case js.TypeNull, js.TypeUndefined:
		return nil, nil
	case js.TypeObject:
		if v.InstanceOf(b.deps.array) {
			n := v.Length()
			out := make([]any, n)
			for i := 0; i < n; i++ {
				x, err := b.goValue(v.Index(i), "params["+strconv.Itoa(i)+"]")
				if err != nil {
					return nil, err
				}
				out[i] = x
			}
			return out, nil
		}
	}
	return nil, typeErrorf("params", "want an array, got %s", v.Type())
}

// goString returns v as a string or a TypeError naming arg.
func goString(v js.Value, arg string) (string, error) {
	if v.Type() != js.TypeString {
		return "", typeErrorf(arg, "want a string, got %s", v.Type())
	}
	return v.String(), nil
}

// goStrings converts an array of strings; null/undefined give nil.
func (b *Bridge) goStrings(v js.Value, arg string) ([]string, error) {
	if v.Type() == js.TypeNull || v.Type() == js.TypeUndefined {
		return nil, nil
	}
	if v.Type() != js.TypeObject || !v.InstanceOf(b.deps.array) {
		return nil, typeErrorf(arg, "want an array of strings, got %s", v.Type())
	}
	out := make([]string, v.Length())
	for i := range out {
		s, err := goString(v.Index(i), arg+"["+strconv.Itoa(i)+"]")
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// goFunc checks that v is a function.
func goFunc(v js.Value, arg string) (js.Value, error) {
	if v.Type() != js.TypeFunction {
		return v, typeErrorf(arg, "want a function, got %s", v.Type())
	}
	return v, nil
}

// jsonPayload is JSON text plus the binary values set aside from it, as
// the JS package's revive() expects them: the text alone when there are
// no blobs (one crossing fewer), else [text, blobs].
func (b *Bridge) jsonPayload(e *Encoder) js.Value {
	if len(e.Blobs) == 0 && !e.Escaped {
		return js.ValueOf(string(e.Buf))
	}
	return b.jsonArray(e)
}

// jsonArray is jsonPayload always in the [text, blobs|undefined] form,
// for results that carry more fields. blobs is an array (maybe empty)
// exactly when keys were escaped or values set aside (see blobKey).
func (b *Bridge) jsonArray(e *Encoder) js.Value {
	arr := b.deps.array.New(2)
	arr.SetIndex(0, string(e.Buf))
	if len(e.Blobs) > 0 || e.Escaped {
		blobs := b.deps.array.New(len(e.Blobs))
		for i, x := range e.Blobs {
			switch x := x.(type) {
			case []byte:
				u := b.deps.uint8Array.New(len(x))
				js.CopyBytesToJS(u, x)
				blobs.SetIndex(i, u)
			case int64:
				blobs.SetIndex(i, b.deps.bigInt.Invoke(strconv.FormatInt(x, 10)))
			case float64:
				blobs.SetIndex(i, x)
			}
		}
		arr.SetIndex(1, blobs)
	}
	return arr
}

// goBlobs reads the side values that travel beside JSON text from JS:
// Uint8Array for bytes, a one-element BigInt64Array for a bigint.
func (b *Bridge) goBlobs(v js.Value) ([]any, error) {
	if v.Type() == js.TypeUndefined || v.Type() == js.TypeNull {
		return nil, nil
	}
	if !v.InstanceOf(b.deps.array) {
		return nil, typeErrorf("blobs", "want an array of Uint8Array or BigInt64Array")
	}
	out := make([]any, v.Length())
	for i := range out {
		u := v.Index(i)
		switch {
		case u.InstanceOf(b.deps.uint8Array):
			buf := make([]byte, u.Length())
			js.CopyBytesToGo(buf, u)
			out[i] = buf
		case u.InstanceOf(b.deps.bigInt64Array) && u.Length() == 1:
			out[i] = b.goInt64(u)
		case u.InstanceOf(b.deps.float64Array) && u.Length() == 1:
			// ±Infinity, which JSON text cannot carry (JSON.stringify writes null).
			out[i] = u.Index(0).Float()
		default:
			return nil, typeErrorf("blobs", "want an array of Uint8Array, BigInt64Array or Float64Array")
		}
	}
	return out, nil
}
