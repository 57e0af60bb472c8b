// Package jsontext is the one home of the JSON text rules (RFC 8259,
// https://www.rfc-editor.org/rfc/rfc8259) that the sync lines
// (internal/protocol), the bridge's values from JS (bridge), the store's
// row and ps_crud objects (store) and the synced rows on their way into
// collections (collection/powersync) are read by.
//
// It holds scanning primitives, not a value model: a [Decoder] walks one
// JSON text token by token (objects and their members, arrays, strings,
// numbers kept as their spelling, literals), and each caller builds its
// own values from them without reflection or maps of raw values.
//
// The contract, the same for every caller:
//   - Accept exactly what encoding/json accepts (RFC 8259's grammar, no
//     trailing commas, no comments, no leading zeros, no raw control
//     characters in strings) and reject the rest with a [*SyntaxError]
//     that gives the byte offset; FuzzDecoder compares the two on every
//     input, valid or not.
//   - Nest at most [MaxDepth] containers deep, encoding/json's limit.
//   - Decode strings as encoding/json does: escapes resolved, a
//     surrogate pair joined, a lone surrogate and each byte of invalid
//     UTF-8 read as U+FFFD.
//   - Keep a number's text as it was written ([Decoder.Number]): each
//     caller applies its own typing (an int64 op id, a checksum, SQLite's
//     INTEGER or REAL, a JS number); internal/jsonnum holds the rule for a
//     number beyond float64.
//   - Never write to the input, and allocate nothing on the paths that
//     need no copy: strings without escapes alias the input.
//
// It is also where JSON text is written: strings and floats, each rule
// named for its source (encode.go): JSON.stringify's escapes
// ([AppendString], also serde_json's and SQLite's), json.Marshal's
// ([AppendStringEscapeHTML], the sync lines), serde_json's float spelling
// ([AppendFloatSerde], the store's ps_crud and diff text, as PowerSync's
// core writes it) and ECMAScript's Number::toString ([AppendFloatES], the
// bridge's text for JS). Each caller writes its own structure (key order,
// field names) with them.
package jsontext
