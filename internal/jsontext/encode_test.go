package jsontext

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// writerStrings are edge cases and random strings for the string writers:
// every ASCII byte, the characters encoding/json escapes beyond ASCII,
// UTF-8 of each length, invalid UTF-8 and surrogates spelled in UTF-8.
func writerStrings() []string {
	out := []string{"", "plain", `"`, `\`, "\b\f\n\r\t", "\x00\x1f\x7f", "<a & b>", "\u2028\u2029",
		"é€𝄞", "\xff", "a\xc3", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\ufffd", `\u0008`, "x\by\fz"}
	for c := range 0x80 {
		out = append(out, string(rune(c)), "a"+string(rune(c))+"b")
	}
	alphabet := []string{"a", "Z", " ", `"`, `\`, "\b", "\f", "\n", "\x01", "\x1f", "<", "&", "é", "€", "𝄞",
		"\u2028", "\u2029", "\xff", "\xc3", "\x80", "\xed\xa0\x80"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		var b strings.Builder
		for range r.IntN(24) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		out = append(out, b.String())
	}
	for range 2000 {
		b := make([]byte, r.IntN(16))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		out = append(out, string(b))
	}
	return out
}

func decodeString(t *testing.T, text []byte) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(text, &s); err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return s
}

// AppendString writes the store's bytes for every string the store can
// hand it (decoded JSON text, so valid UTF-8), and the bridge's bytes
// except \b and \f, which the bridge spelled \u0008 and \u000c; JSON.parse
// reads both spellings as the same string.
func TestAppendStringMatchesTheWritersItReplaced(t *testing.T) {
	for _, s := range writerStrings() {
		got := AppendString(nil, s)
		if !utf8.Valid(got) {
			t.Errorf("%q: invalid UTF-8 %q", s, got)
		}
		if utf8.ValidString(s) {
			if want := legacyStoreString(nil, s); !bytes.Equal(got, want) {
				t.Errorf("%q: got %s, the store wrote %s", s, got, want)
			}
			if d := decodeString(t, got); d != s {
				t.Errorf("%q: reads back as %q", s, d)
			}
		}
		old := legacyBridgeString(nil, s)
		if !strings.ContainsAny(s, "\b\f") && !bytes.Equal(got, old) {
			t.Errorf("%q: got %s, the bridge wrote %s", s, got, old)
		}
		if a, b := decodeString(t, got), decodeString(t, old); a != b {
			t.Errorf("%q: reads as %q, the bridge's text as %q", s, a, b)
		}
	}
}

// AppendString escapes what JSON.stringify escapes, with its short forms.
func TestAppendStringIsJSONStringify(t *testing.T) {
	for in, want := range map[string]string{
		"\b\f\n\r\t": `"\b\f\n\r\t"`, "\x00\x1f": `"\u0000\u001f"`, "\x7f<>&/": "\"\x7f<>&/\"",
		"\u2028é": "\"\u2028é\"", `a"b\c`: `"a\"b\\c"`, "\xffz": `"\ufffdz"`,
	} {
		if got := string(AppendString(nil, in)); got != want {
			t.Errorf("%q: got %s, want %s", in, got, want)
		}
	}
}

func TestAppendStringEscapeHTMLIsJSONMarshal(t *testing.T) {
	for _, s := range writerStrings() {
		got := AppendStringEscapeHTML(nil, s)
		if want := legacyProtocolString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s, internal/protocol wrote %s", s, got, want)
		}
		if want, _ := json.Marshal(s); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s, json.Marshal writes %s", s, got, want)
		}
	}
}

func TestAppendCompactEscapeHTMLIsJSONMarshal(t *testing.T) {
	for _, in := range []string{`{ "a" : [1, 2 ,"<x & y>"] }`, "\t[ \"\u2028\u2029\" ,\n\"\\\"<\" ]\r", `"\\"`, `{}`, ` null `} {
		want, err := json.Marshal(json.RawMessage(in))
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendCompactEscapeHTML(nil, []byte(in)); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s, json.Marshal writes %s", in, got, want)
		}
	}
}

// writerFloats are edge cases and random float64s: random bit patterns
// (every exponent) and random decimals of few digits (the spellings'
// thresholds).
func writerFloats() []float64 {
	out := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1.5, 100, 1e15, 1e16, 1e17, 1e20, 1e21, 1e22, 1.2345e20,
		1e-4, 1e-5, 1e-6, 1e-7, 1.5e-7, 123456.789, 1234567.5, 5e-324, math.MaxFloat64, -math.MaxFloat64,
		math.SmallestNonzeroFloat64, 1 << 53, 1<<53 + 2, 0.1 + 0.2, 1.0 / 3, 4.35, 1e100, 1e-100, 9.999999999999999e15}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		if f := math.Float64frombits(r.Uint64()); !math.IsNaN(f) && !math.IsInf(f, 0) {
			out = append(out, f)
		}
		f := float64(r.Int64N(1000000)) * math.Pow10(r.IntN(50)-25)
		if r.IntN(2) == 0 {
			f = -f
		}
		out = append(out, f, math.Trunc(f))
	}
	return out
}

func TestAppendFloatSerdeMatchesTheStore(t *testing.T) {
	for _, f := range writerFloats() {
		if got, want := AppendFloatSerde(nil, f), legacyStoreFloat(nil, f); !bytes.Equal(got, want) {
			t.Errorf("%v: got %s, the store wrote %s", f, got, want)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got := string(AppendFloatSerde(nil, f)); got != "null" {
			t.Errorf("%v: got %s, want null", f, got)
		}
	}
}

// The bridge's floats are read by JSON.parse only, so its old spelling
// (Go's %g, whole numbers plain) and Number::toString's must give the same
// value; whole numbers below 1e21 are spelled the same.
func TestAppendFloatESReadsAsTheBridgeWrote(t *testing.T) {
	for _, f := range append(writerFloats(), math.NaN(), math.Inf(1), math.Inf(-1)) {
		got, old := AppendFloatES(nil, f), legacyBridgeFloat(nil, f)
		if f == math.Trunc(f) && math.Abs(f) < 1e21 && !bytes.Equal(got, old) {
			t.Errorf("%v: got %s, the bridge wrote %s", f, got, old)
		}
		var a, b any
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("%v: %s: %v", f, got, err)
		}
		if err := json.Unmarshal(old, &b); err != nil {
			t.Fatalf("%v: %s: %v", f, old, err)
		}
		if a != b || f == 0 && math.Signbit(f) != math.Signbit(a.(float64)) {
			t.Errorf("%v: %s reads as %v, the bridge's %s as %v", f, got, a, old, b)
		}
	}
}

// Number::toString's spellings, from Node (String(x)), but for -0 (see
// AppendFloatES).
func TestAppendFloatESIsNumberToString(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want string
	}{
		{1, "1"}, {-1, "-1"}, {0, "0"}, {math.Copysign(0, -1), "-0"}, {0.1, "0.1"}, {1.5, "1.5"}, {100, "100"},
		{1e15, "1000000000000000"}, {1e20, "100000000000000000000"}, {1e21, "1e+21"},
		{1.2345e20, "123450000000000000000"}, {123456789012345680000, "123456789012345680000"},
		{1e-6, "0.000001"}, {1e-7, "1e-7"}, {1.5e-6, "0.0000015"}, {1.5e-7, "1.5e-7"}, {1e-4, "0.0001"},
		{123456.789, "123456.789"}, {1234567.5, "1234567.5"}, {5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"}, {-2.5e-300, "-2.5e-300"}, {1 << 53, "9007199254740992"},
		{0.30000000000000004, "0.30000000000000004"}, {1.0 / 3, "0.3333333333333333"}, {4.35, "4.35"}, {1e100, "1e+100"},
		{-0.000123, "-0.000123"}, {math.NaN(), "null"}, {math.Inf(-1), "null"},
	} {
		if got := string(AppendFloatES(nil, c.f)); got != c.want {
			t.Errorf("%v: got %s, want %s", c.f, got, c.want)
		}
	}
}

func TestAppendFloatsReadBack(t *testing.T) {
	for _, f := range writerFloats() {
		for _, text := range [][]byte{AppendFloatSerde(nil, f), AppendFloatES(nil, f)} {
			if g, err := strconv.ParseFloat(string(text), 64); err != nil || g != f && f != 0 {
				t.Fatalf("%v: %s reads as %v, %v", f, text, g, err)
			}
		}
	}
}

// Floats print the way serde_json (ryu) prints them (moved from the store).
func TestAppendFloatSerdeIsRyu(t *testing.T) {
	cases := map[float64]string{
		1: "1.0", 1.5: "1.5", 0.1: "0.1", 100: "100.0", 1e15: "1000000000000000.0", 1e16: "1e16",
		1.2345e20: "1.2345e20", 0.0001: "0.0001", 0.00001: "0.00001", 0.000001: "1e-6", -2.5: "-2.5", 123456.789: "123456.789",
	}
	for f, want := range cases {
		if got := string(AppendFloatSerde(nil, f)); got != want {
			t.Errorf("AppendFloatSerde(%v) = %s, want %s", f, got, want)
		}
	}
}

// BenchmarkWriters runs each writer beside the one it replaced
// (encode_legacy_test.go) on the same inputs: a row's worth of short
// ASCII strings with a few escapes and non-ASCII, and floats of a
// typical row (thirds, money, whole numbers).
func BenchmarkWriters(b *testing.B) {
	strs := []string{"id-000123", "doc 123", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "café au lait", "line\nbreak \"q\"", "<b>&</b>"}
	floats := []float64{1.0 / 3, 12.5, 1999.99, 42, 0.0001, 1e-7, 6.02214076e23, 1234567.891}
	str := func(name string, f func([]byte, string) []byte) {
		b.Run(name, func(b *testing.B) {
			buf := make([]byte, 0, 512)
			for b.Loop() {
				buf = buf[:0]
				for _, s := range strs {
					buf = f(buf, s)
				}
			}
		})
	}
	flt := func(name string, f func([]byte, float64) []byte) {
		b.Run(name, func(b *testing.B) {
			buf := make([]byte, 0, 512)
			for b.Loop() {
				buf = buf[:0]
				for _, x := range floats {
					buf = f(buf, x)
				}
			}
		})
	}
	str("String/store", legacyStoreString)
	str("String/bridge", legacyBridgeString)
	str("String/new", AppendString)
	str("StringEscapeHTML/protocol", legacyProtocolString)
	str("StringEscapeHTML/new", AppendStringEscapeHTML)
	flt("FloatSerde/store", legacyStoreFloat)
	flt("FloatSerde/new", AppendFloatSerde)
	flt("FloatES/bridge", legacyBridgeFloat)
	flt("FloatES/new", AppendFloatES)
}

// FuzzWriters holds the writers to their rules on any string and any
// float64 (by its bits): AppendStringEscapeHTML writes what json.Marshal
// writes; AppendString writes valid UTF-8 that json.Unmarshal reads as
// json.Marshal's text reads, and the store's old bytes for valid UTF-8;
// AppendFloatSerde writes the store's old bytes; both float spellings read
// back as the float. Seeds: the f.Add calls.
func FuzzWriters(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c", "\b\f\n\r\t\x00\x1f\x7f", "<>&\u2028\u2029", "é€𝄞", "\xff\xc3\xed\xa0\x80"} {
		f.Add(s, math.Float64bits(1.0/3))
	}
	f.Add("x", math.Float64bits(1e-7))
	f.Add("x", math.Float64bits(1e21))
	f.Add("x", math.Float64bits(math.Copysign(0, -1)))
	f.Fuzz(func(t *testing.T, s string, bits uint64) {
		want, _ := json.Marshal(s)
		if got := AppendStringEscapeHTML(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s, json.Marshal writes %s", s, got, want)
		}
		got := AppendString(nil, s)
		if !utf8.Valid(got) || decodeString(t, got) != decodeString(t, want) {
			t.Fatalf("%q: got %s, json.Marshal writes %s", s, got, want)
		}
		if utf8.ValidString(s) && !bytes.Equal(got, legacyStoreString(nil, s)) {
			t.Fatalf("%q: got %s, the store wrote %s", s, got, legacyStoreString(nil, s))
		}
		x := math.Float64frombits(bits)
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		if got, want := AppendFloatSerde(nil, x), legacyStoreFloat(nil, x); !bytes.Equal(got, want) {
			t.Fatalf("%v: got %s, the store wrote %s", x, got, want)
		}
		for _, text := range [][]byte{AppendFloatSerde(nil, x), AppendFloatES(nil, x)} {
			if g, err := strconv.ParseFloat(string(text), 64); err != nil || math.Float64bits(g) != bits {
				t.Fatalf("%v: %s reads as %v, %v", x, text, g, err)
			}
		}
	})
}
