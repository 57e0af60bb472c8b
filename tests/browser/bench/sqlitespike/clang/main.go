//go:build js

// Command clang is the spike's module without SQLite: it drives a
// clang-built SQLite that the page instantiated with the browser's own
// WebAssembly engine (the wa-sqlite build that @powersync/web ships, an
// Emscripten module the page publishes as globalThis.waSQLite), calling its
// exported C functions through syscall/js. Every call is Go -> JS ->
// wasm and back; strings cross by copying through a scratch buffer in
// SQLite's memory.
package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"syscall/js"

	"github.com/localfirst/gopowersync/tests/browser/bench/sqlitespike"
	"github.com/localfirst/gopowersync/tests/browser/bench/sqlitespike/jsglue"
)

func main() { jsglue.Serve(open) }

// SQLite's result codes and open flags that the glue needs.
const (
	sqliteOK        = 0
	sqliteRow       = 100
	sqliteDone      = 101
	openReadWrite   = 0x2
	openCreate      = 0x4
	sqliteTransient = -1 // SQLITE_TRANSIENT: SQLite copies the bound text
)

// module holds the Emscripten module and its exports, looked up once: a
// js.Value's Invoke is one call into JS, a Call would add a property lookup.
type module struct {
	m js.Value
	// C functions, exported by the module with a leading underscore. A
	// 64-bit integer crosses as two 32-bit halves (the build has no
	// BigInt integration): bind_int64 takes (lo, hi), column_int64 returns
	// lo and leaves hi for getTempRet0.
	openV2, exec, prepare, errmsg, changes, step, reset, finalize,
	bindInt64, bindText, colInt64, colText, colBytes, colCount, tempRet0,
	malloc, free js.Value

	heap         js.Value // Module.HEAPU8, replaced when the memory grows
	scratch, cap int      // a buffer in SQLite's memory for strings going in
	scratchView  js.Value // a Uint8Array over it
	outPtr       int      // 4 bytes for the out-parameters (sqlite3**, sqlite3_stmt**)
	buf          []byte

	// rows is the JS side of Stmt.Rows (rowsJS), fill its function.
	rows, fill js.Value
	rowBuf     []byte
}

// rowsJS steps a statement and packs as many rows as fit into out, so that
// reading rows costs Go one call into JS per batch instead of one per
// step and column. fill(stmt) returns the bytes used: a header (rows in
// the batch: u32; done: u8; SQLite's error code if any: u32), then per row
// per column a type byte and the value: an integer or a double in 8 bytes,
// text or a blob as a u32 length and its bytes, NULL as nothing. A row
// that did not fit is packed first by the next call (SQLite still holds
// it); out grows for a row larger than it.
const rowsJS = `
const M = this;
let out = new Uint8Array(1 << 16), view = new DataView(out.buffer), pending = false;
const r = { out };
const put = (stmt, ncol, at) => {
  const heap = M.HEAPU8;
  for (let c = 0; c < ncol; c++) {
    const t = M._sqlite3_column_type(stmt, c);
    if (at + 9 > out.length) return -1;
    out[at++] = t;
    if (t === 1) {
      view.setInt32(at, M._sqlite3_column_int64(stmt, c), true);
      view.setInt32(at + 4, M.getTempRet0(), true);
      at += 8;
    } else if (t === 2) {
      view.setFloat64(at, M._sqlite3_column_double(stmt, c), true);
      at += 8;
    } else if (t === 3 || t === 4) {
      const p = t === 3 ? M._sqlite3_column_text(stmt, c) : M._sqlite3_column_blob(stmt, c);
      const n = M._sqlite3_column_bytes(stmt, c);
      if (at + 4 + n > out.length) return -1;
      view.setUint32(at, n, true);
      out.set(heap.subarray(p, p + n), at + 4);
      at += 4 + n;
    }
  }
  return at;
};
r.fill = (stmt) => {
  const ncol = M._sqlite3_column_count(stmt);
  let at = 9, rows = 0, done = 0, rc = 0;
  for (;;) {
    if (!pending) {
      rc = M._sqlite3_step(stmt);
      if (rc !== 100) {
        done = 1;
        if (rc === 101) rc = 0;
        break;
      }
    }
    const next = put(stmt, ncol, at);
    if (next < 0) {
      pending = true;
      if (rows > 0) break;
      out = new Uint8Array(out.length * 2); // one row larger than out
      view = new DataView(out.buffer);
      r.out = out;
      continue;
    }
    pending = false;
    at = next;
    rows++;
  }
  view.setUint32(0, rows, true);
  out[4] = done;
  view.setUint32(5, rc, true);
  return at;
};
return r;
`

func open() (sqlitespike.DB, error) {
	m := js.Global().Get("waSQLite")
	if m.IsUndefined() {
		return nil, errors.New("clang: globalThis.waSQLite is not set")
	}
	w := &module{m: m}
	for p, name := range map[*js.Value]string{
		&w.openV2: "_sqlite3_open_v2", &w.exec: "_sqlite3_exec", &w.prepare: "_sqlite3_prepare_v2",
		&w.errmsg: "_sqlite3_errmsg", &w.changes: "_sqlite3_changes64", &w.step: "_sqlite3_step",
		&w.reset: "_sqlite3_reset", &w.finalize: "_sqlite3_finalize", &w.bindInt64: "_sqlite3_bind_int64",
		&w.bindText: "_sqlite3_bind_text", &w.colInt64: "_sqlite3_column_int64", &w.colText: "_sqlite3_column_text",
		&w.colBytes: "_sqlite3_column_bytes", &w.colCount: "_sqlite3_column_count", &w.tempRet0: "getTempRet0", &w.malloc: "_malloc", &w.free: "_free",
	} {
		if *p = m.Get(name); p.Type() != js.TypeFunction {
			return nil, fmt.Errorf("clang: the module has no %s", name)
		}
	}
	w.rows = js.Global().Get("Function").New(rowsJS).Call("call", m)
	w.fill = w.rows.Get("fill")
	w.outPtr = w.malloc.Invoke(8).Int()
	w.grow(64 << 10)
	w.in(":memory:", true)
	if rc := w.openV2.Invoke(w.scratch, w.outPtr, openReadWrite|openCreate, 0).Int(); rc != sqliteOK {
		return nil, fmt.Errorf("clang: open: code %d", rc)
	}
	return &conn{w: w, db: w.out()}, nil
}

// grow makes the scratch buffer at least n bytes.
func (w *module) grow(n int) {
	if n <= w.cap {
		return
	}
	if w.scratch != 0 {
		w.free.Invoke(w.scratch)
	}
	w.cap = max(n, 2*w.cap)
	w.scratch = w.malloc.Invoke(w.cap).Int()
	w.views()
}

// views (re)makes the views over SQLite's memory: growing it detaches the
// old ArrayBuffer, and a view of a detached buffer has length 0.
func (w *module) views() {
	w.heap = w.m.Get("HEAPU8")
	w.scratchView = w.heap.Call("subarray", w.scratch, w.scratch+w.cap)
}

// in copies s (NUL-terminated if nul) into the scratch buffer and returns
// its length without the NUL.
func (w *module) in(s string, nul bool) int {
	w.buf = append(append(w.buf[:0], s...), 0)
	if !nul {
		w.buf = w.buf[:len(s)]
	}
	w.grow(len(w.buf))
	if len(w.buf) > 0 && js.CopyBytesToJS(w.scratchView, w.buf) == 0 {
		w.views()
		js.CopyBytesToJS(w.scratchView, w.buf)
	}
	return len(s)
}

// out reads the pointer SQLite stored at outPtr.
func (w *module) out() int {
	if w.heap.Get("length").Int() == 0 {
		w.views()
	}
	b := make([]byte, 4)
	js.CopyBytesToGo(b, w.heap.Call("subarray", w.outPtr, w.outPtr+4))
	return int(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24)
}

// text copies n bytes at p out of SQLite's memory.
func (w *module) text(p, n int) string {
	if n == 0 {
		return ""
	}
	b := make([]byte, n)
	if js.CopyBytesToGo(b, w.heap.Call("subarray", p, p+n)) < n {
		w.views()
		js.CopyBytesToGo(b, w.heap.Call("subarray", p, p+n))
	}
	return string(b)
}

// cstring reads the NUL-terminated string at p (an error message).
func (w *module) cstring(p int) string { return w.m.Call("UTF8ToString", p).String() }

type conn struct {
	w  *module
	db int // sqlite3*
}

func (c *conn) err(what string, rc int) error {
	return fmt.Errorf("clang: %s: %s (code %d)", what, c.w.cstring(c.w.errmsg.Invoke(c.db).Int()), rc)
}

func (c *conn) Exec(sql string) error {
	c.w.in(sql, true)
	if rc := c.w.exec.Invoke(c.db, c.w.scratch, 0, 0, 0).Int(); rc != sqliteOK {
		return c.err("exec", rc)
	}
	return nil
}

func (c *conn) Prepare(sql string) (sqlitespike.Stmt, error) {
	n := c.w.in(sql, false)
	if rc := c.w.prepare.Invoke(c.db, c.w.scratch, n, c.w.outPtr, 0).Int(); rc != sqliteOK {
		return nil, c.err("prepare", rc)
	}
	return &stmt{c: c, s: c.w.out()}, nil
}

// Changes returns the low half of sqlite3_changes64: one call, as the
// high half (getTempRet0) is zero for any count this spike makes.
func (c *conn) Changes() int64 { return int64(c.w.changes.Invoke(c.db).Int()) }

func (c *conn) Close() error { return nil } // the page's module goes with the page

type stmt struct {
	c *conn
	s int // sqlite3_stmt*
}

func (s *stmt) check(what string, rc int) error {
	if rc != sqliteOK {
		return s.c.err(what, rc)
	}
	return nil
}

func (s *stmt) BindInt64(p int, v int64) error {
	return s.check("bind", s.c.w.bindInt64.Invoke(s.s, p, int32(v), int32(v>>32)).Int())
}

func (s *stmt) BindText(p int, v string) error {
	n := s.c.w.in(v, false)
	return s.check("bind", s.c.w.bindText.Invoke(s.s, p, s.c.w.scratch, n, sqliteTransient).Int())
}

func (s *stmt) Step() (bool, error) {
	switch rc := s.c.w.step.Invoke(s.s).Int(); rc {
	case sqliteRow:
		return true, nil
	case sqliteDone:
		return false, nil
	default:
		return false, s.c.err("step", rc)
	}
}

func (s *stmt) ColumnInt64(col int) int64 {
	lo := s.c.w.colInt64.Invoke(s.s, col).Int()
	hi := s.c.w.tempRet0.Invoke().Int()
	return int64(hi)<<32 | int64(uint32(lo))
}

func (s *stmt) ColumnText(col int) string {
	p := s.c.w.colText.Invoke(s.s, col).Int()
	return s.c.w.text(p, s.c.w.colBytes.Invoke(s.s, col).Int())
}

func (s *stmt) Rows(fn func(row []any)) error {
	w := s.c.w
	row := make([]any, w.colCount.Invoke(s.s).Int())
	for {
		n := w.fill.Invoke(s.s).Int()
		if n > len(w.rowBuf) {
			w.rowBuf = make([]byte, max(n, 2*len(w.rowBuf)))
		}
		b := w.rowBuf[:n]
		js.CopyBytesToGo(b, w.rows.Get("out"))
		rows, done, rc := binary.LittleEndian.Uint32(b), b[4] == 1, int(binary.LittleEndian.Uint32(b[5:]))
		b = b[9:]
		for range rows {
			for c := range row {
				row[c], b = decode(b)
			}
			fn(row)
		}
		if done {
			if rc != sqliteOK {
				return errors.Join(s.c.err("step", rc), s.Reset())
			}
			return s.Reset()
		}
	}
}

// decode reads one value that rowsJS packed from the front of b.
func decode(b []byte) (any, []byte) {
	switch b[0] {
	case 1:
		return int64(binary.LittleEndian.Uint64(b[1:])), b[9:]
	case 2:
		return math.Float64frombits(binary.LittleEndian.Uint64(b[1:])), b[9:]
	case 3, 4:
		n := int(binary.LittleEndian.Uint32(b[1:]))
		v := b[5 : 5+n]
		if b[0] == 3 {
			return string(v), b[5+n:]
		}
		return append([]byte(nil), v...), b[5+n:]
	default:
		return nil, b[1:]
	}
}

func (s *stmt) Reset() error { return s.check("reset", s.c.w.reset.Invoke(s.s).Int()) }
func (s *stmt) Close() error { return s.check("finalize", s.c.w.finalize.Invoke(s.s).Int()) }
