package store

import (
	"github.com/google/uuid"
	"github.com/ncruces/go-sqlite3"

	"github.com/localfirst/gopowersync/internal/jsstring"
)

// PowerSync's SQL functions, as Go functions on the connection. The
// generated triggers only call powersync_json_merge (for tables of more
// than 50 columns); the others are there for SQL written against
// PowerSync's core. They are INNOCUOUS because this SQLite build does not trust
// the schema (SQLITE_TRUSTED_SCHEMA=0), and triggers may only call
// innocuous functions then.
const pureFunc = sqlite3.DETERMINISTIC | sqlite3.INNOCUOUS

// funcState holds the buffers the functions reuse between calls, so that a
// row written through a view costs no allocations for its JSON. The
// connection is used by one goroutine at a time, so the buffers are too.
type funcState struct {
	out     []byte
	members []member
}

func registerFunctions(c *sqlite3.Conn, clientID func() string) error {
	st := &funcState{}
	if err := c.CreateFunction("powersync_diff", 2, pureFunc, st.diff); err != nil {
		return err
	}
	if err := c.CreateFunction("powersync_strip_subtype", 1, pureFunc, stripSubtype); err != nil {
		return err
	}
	if err := c.CreateFunction("powersync_json_merge", -1, pureFunc, st.jsonMerge); err != nil {
		return err
	}
	if err := c.CreateFunction("powersync_client_id", 0, sqlite3.INNOCUOUS, func(ctx sqlite3.Context, _ ...sqlite3.Value) {
		ctx.ResultText(clientID())
	}); err != nil {
		return err
	}
	// JavaScript's toUpperCase, toLowerCase and length, for the where
	// clauses collection/powersync compiles: SQLite's UPPER and LOWER
	// change ASCII letters only and its LENGTH counts runes, so a where
	// pushed down with them would select other rows than collection.Eval.
	for name, fn := range map[string]func(sqlite3.Context, ...sqlite3.Value){
		"powersync_js_upper":  jsText(jsstring.Upper),
		"powersync_js_lower":  jsText(jsstring.Lower),
		"powersync_js_length": jsLength,
	} {
		if err := c.CreateFunction(name, 1, pureFunc, fn); err != nil {
			return err
		}
	}
	// uuid() and its alias gen_random_uuid() give a random (version 4)
	// UUID as text, as the core's do: PowerSync's docs insert rows with
	// `VALUES (uuid(), ...)`. Not deterministic, so a new one per call.
	for _, name := range []string{"uuid", "gen_random_uuid"} {
		if err := c.CreateFunction(name, 0, sqlite3.INNOCUOUS, newUUID); err != nil {
			return err
		}
	}
	return nil
}

func newUUID(ctx sqlite3.Context, _ ...sqlite3.Value) {
	ctx.ResultText(uuid.NewString())
}

// jsText makes powersync_js_upper and powersync_js_lower(x) from f: f of
// text; NULL, numbers and blobs as they are (as collection.Eval leaves
// values other than text).
func jsText(f func(string) string) func(sqlite3.Context, ...sqlite3.Value) {
	return func(ctx sqlite3.Context, arg ...sqlite3.Value) {
		if arg[0].Type() != sqlite3.TEXT {
			ctx.ResultValue(arg[0])
			return
		}
		ctx.ResultText(f(arg[0].Text()))
	}
}

// jsLength implements powersync_js_length(x): the UTF-16 code units of
// text (JavaScript's length, 👍 is 2), 0 for anything else (as
// collection.Eval).
func jsLength(ctx sqlite3.Context, arg ...sqlite3.Value) {
	if arg[0].Type() != sqlite3.TEXT {
		ctx.ResultInt(0)
		return
	}
	ctx.ResultInt(jsstring.Length(arg[0].Text()))
}

// diff implements powersync_diff(old, new).
func (st *funcState) diff(ctx sqlite3.Context, arg ...sqlite3.Value) {
	var err error
	st.out, st.members, err = diffObjects(st.out[:0], st.members, arg[0].RawText(), arg[1].RawText())
	if err != nil {
		ctx.ResultError(err)
		return
	}
	ctx.ResultRawText(st.out)
}

// stripSubtype implements powersync_strip_subtype(x): x without its
// subtype, so that a text produced by a JSON function is stored as text
// rather than embedded as JSON by json_object. Setting the result by type
// (not copying the value) is what drops the subtype.
func stripSubtype(ctx sqlite3.Context, arg ...sqlite3.Value) {
	v := arg[0]
	switch v.Type() {
	case sqlite3.INTEGER:
		ctx.ResultInt64(v.Int64())
	case sqlite3.FLOAT:
		ctx.ResultFloat(v.Float())
	case sqlite3.TEXT:
		ctx.ResultRawText(v.RawText())
	case sqlite3.BLOB:
		ctx.ResultBlob(v.RawBlob())
	default:
		ctx.ResultNull()
	}
}

// jsonMerge implements powersync_json_merge(obj...): the members of all
// objects in one object. The triggers use it for tables with more columns
// than one json_object call takes, so keys never repeat.
func (st *funcState) jsonMerge(ctx sqlite3.Context, arg ...sqlite3.Value) {
	out := append(st.out[:0], '{')
	for _, a := range arg {
		raw := a.RawText()
		var err error
		st.members, err = parseObject(st.members[:0], raw)
		if err != nil {
			ctx.ResultError(err)
			return
		}
		for _, m := range st.members {
			if len(out) > 1 {
				out = append(out, ',')
			}
			out = appendKey(out, m.key)
			out = append(out, ':')
			out = append(out, m.raw...)
		}
	}
	st.out = append(out, '}')
	ctx.ResultRawText(st.out)
}
