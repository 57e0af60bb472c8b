package store

import (
	"slices"
	"strings"
)

// This file generates the SQL that materializes a table as PowerSync's
// core extension does: the view and the indexes are byte for byte the
// core's; the INSTEAD OF triggers have the core's names, checks and
// statements, but record upload queue entries with SQL instead of the
// core's powersync_crud virtual table (see crudInsertSQL). The entries
// they write are the core's (testdata/crud.golden).

// maxJSONObjectPairs is how many key/value pairs go into one json_object
// call: half of SQLite's default limit of 100 function arguments.
const maxJSONObjectPairs = 50

const viewMarker = " -- powersync-auto-generated"

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func quoteString(s string) string {
	return `'` + strings.ReplaceAll(s, `'`, `''`) + `'`
}

// insertOnly reports whether inserts only go to the upload queue. Like
// PowerSync, insert-only is ignored on local-only tables.
func (t Table) insertOnly() bool { return t.InsertOnly && !t.LocalOnly }

func castExtract(b *strings.Builder, name string, typ ColumnType) {
	b.WriteString("CAST(json_extract(data, ")
	b.WriteString(quoteString("$." + name))
	b.WriteString(") as ")
	b.WriteString(string(typ))
	b.WriteByte(')')
}

// viewSQL is the CREATE VIEW statement for t.
func (t Table) viewSQL() string {
	var b strings.Builder
	b.WriteString("CREATE VIEW ")
	b.WriteString(quoteIdent(t.View()))
	b.WriteString(`("id"`)
	for _, c := range t.Columns {
		b.WriteString(", ")
		b.WriteString(quoteIdent(c.Name))
	}
	if t.TrackMetadata {
		b.WriteString(`, "_metadata", "_deleted"`)
	}
	b.WriteString(") AS SELECT id")
	for _, c := range t.Columns {
		b.WriteString(", ")
		castExtract(&b, c.Name, c.Type)
	}
	if t.TrackMetadata {
		b.WriteString(", NULL, NULL")
	}
	b.WriteString(" FROM ")
	b.WriteString(quoteIdent(t.DataTable()))
	b.WriteString(viewMarker)
	return b.String()
}

// indexSQL is the CREATE INDEX statement for one index of t.
func (t Table) indexSQL(idx Index) string {
	var b strings.Builder
	b.WriteString("CREATE INDEX ")
	b.WriteString(quoteIdent(t.indexName(idx)))
	b.WriteString(" ON ")
	b.WriteString(quoteIdent(t.DataTable()))
	b.WriteByte('(')
	for i, c := range idx.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		castExtract(&b, c.Name, t.indexColumnType(c))
		if !c.Ascending {
			b.WriteString(" DESC")
		}
	}
	b.WriteByte(')')
	return b.String()
}

func (t Table) indexName(idx Index) string { return t.DataTable() + "__" + idx.Name }

// stripped is the value of column name read from prefix (NEW or OLD)
// without a JSON subtype, so that text produced by a JSON function is
// stored as a string rather than embedded as JSON by json_object.
// Concatenation makes a new value, which carries no subtype. (PowerSync's
// core calls its powersync_strip_subtype function for this; an expression
// avoids a call into Go for every column of every row.)
func stripped(prefix, name string) string {
	v := prefix + "." + quoteIdent(name)
	return "CASE typeof(" + v + ") WHEN 'text' THEN " + v + " || '' ELSE " + v + " END"
}

// jsonObject builds the json_object(...) expression over cols read from
// prefix (NEW or OLD). Wide tables are built in chunks merged with
// powersync_json_merge, as PowerSync does, because SQLite limits the
// arguments of one function call.
func jsonObject(prefix string, cols []Column) string {
	var chunks []string
	var b strings.Builder
	n := 0
	flush := func() {
		b.WriteByte(')')
		chunks = append(chunks, b.String())
		b.Reset()
		n = 0
	}
	b.WriteString("json_object(")
	for _, c := range cols {
		if n == maxJSONObjectPairs {
			flush()
			b.WriteString("json_object(")
		}
		if n > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteString(c.Name))
		b.WriteString(", ")
		b.WriteString(stripped(prefix, c.Name))
		n++
	}
	flush()
	if len(chunks) == 1 {
		return chunks[0]
	}
	return "powersync_json_merge(" + strings.Join(chunks, ", ") + ")"
}

// columns returns t's columns named in filter (all when filter is nil),
// in declared order, or sorted by name when sorted is set: the upload
// queue's JSON lists keys sorted, as PowerSync's serde_json maps do.
func (t Table) columns(filter []string, sorted bool) []Column {
	out := make([]Column, 0, len(t.Columns))
	for _, c := range t.Columns {
		if filter == nil || slices.Contains(filter, c.Name) {
			out = append(out, c)
		}
	}
	if sorted {
		slices.SortStableFunc(out, func(a, b Column) int { return strings.Compare(a.Name, b.Name) })
	}
	return out
}

// unchanged is true when an update leaves column name as it was, in the
// sense of PowerSync's powersync_diff: equal value of the same type (1 and
// 1.0 differ), or NULL before and after.
func unchanged(name string) string {
	o, n := "OLD."+quoteIdent(name), "NEW."+quoteIdent(name)
	return "(" + o + " IS " + n + " AND typeof(" + o + ") = typeof(" + n + "))"
}

// anyChanged is true when an update changes any of cols.
func anyChanged(cols []Column) string {
	if len(cols) == 0 {
		return "0"
	}
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = unchanged(c.Name)
	}
	return "NOT (" + strings.Join(parts, " AND ") + ")"
}

// withoutUnchanged removes from obj the keys of the columns an update
// leaves unchanged. Unaffected columns get the path of a key no column can
// have (names are never empty), because json_remove returns NULL for a
// NULL path.
func withoutUnchanged(obj string, cols []Column) string {
	for len(cols) > 0 {
		chunk := cols[:min(len(cols), maxJSONObjectPairs)]
		cols = cols[len(chunk):]
		var b strings.Builder
		b.WriteString("json_remove(")
		b.WriteString(obj)
		for _, c := range chunk {
			b.WriteString(", CASE WHEN ")
			b.WriteString(unchanged(c.Name))
			b.WriteString(" THEN ")
			b.WriteString(quoteString(`$."` + c.Name + `"`))
			b.WriteString(` ELSE '$.""' END`)
		}
		b.WriteByte(')')
		obj = b.String()
	}
	return obj
}

// Upload queue entries are written by the triggers straight into ps_crud,
// with SQLite building the JSON, in exactly the form PowerSync's core
// writes: {"op","id","type","data"?,"old"?,"metadata"?} with the keys of
// data sorted, nulls left out of PUT data, and PATCH data holding only the
// changed columns (a column set to NULL appears as null).
//
// Transaction ids: every entry takes ps_tx.next_tx as its tx_id, and the
// store increments next_tx right before committing a transaction that
// wrote entries (see DB.beforeCommit). So each SQLite transaction that
// records writes gets one id, the value before the increment, as with
// PowerSync's powersync_crud virtual table, and a rolled back transaction
// uses none. The core allocates the id in a virtual table's xBegin, which
// means a call into Go per row here; the SQL form is about three times
// faster in the browser.

type crudEntry struct {
	op       string // PUT, PATCH, DELETE
	idExpr   string
	data     string // "" when absent
	old      string // "" when absent
	metadata bool   // append NEW._metadata when it is text
	onlyIf   string // "" or a condition for writing the entry at all
}

func (t Table) crudInsertSQL(b *strings.Builder, e crudEntry) {
	var obj strings.Builder
	obj.WriteString("json_object('op', ")
	obj.WriteString(quoteString(e.op))
	obj.WriteString(", 'id', ")
	obj.WriteString(e.idExpr)
	obj.WriteString(", 'type', ")
	obj.WriteString(quoteString(t.Name))
	if e.data != "" {
		obj.WriteString(", 'data', ")
		obj.WriteString(e.data)
	}
	if e.old != "" {
		obj.WriteString(", 'old', ")
		obj.WriteString(e.old)
	}
	obj.WriteByte(')')
	entry := obj.String()
	if e.metadata {
		entry = "json_patch(" + entry + ", json_object('metadata', CASE WHEN typeof(NEW._metadata) = 'text' THEN NEW._metadata END))"
	}
	b.WriteString("INSERT INTO ps_crud(tx_id, data) SELECT next_tx, ")
	b.WriteString(entry)
	b.WriteString(" FROM ps_tx WHERE id = 1")
	if e.onlyIf != "" {
		b.WriteString(" AND ")
		b.WriteString(e.onlyIf)
	}
	b.WriteString(";\n")
	b.WriteString("INSERT OR IGNORE INTO ps_updated_rows(row_type, row_id) SELECT ")
	b.WriteString(quoteString(t.Name))
	b.WriteString(", ")
	b.WriteString(e.idExpr)
	if e.onlyIf != "" {
		b.WriteString(" WHERE ")
		b.WriteString(e.onlyIf)
	}
	b.WriteString(";\n")
}

// oldValues is the "old" object of an entry, or "" when t does not track
// previous values.
func (t Table) oldValues(op string) string {
	if !t.TrackPrevious {
		return ""
	}
	if op == "PATCH" && t.TrackPreviousOnlyWhenChanged {
		cols := t.columns(t.TrackPreviousColumns, true)
		return withoutUnchanged(jsonObject("OLD", cols), cols)
	}
	return jsonObject("OLD", t.columns(t.TrackPreviousColumns, false))
}

// putData is the data of a PUT: the non-null columns, keys sorted.
func (t Table) putData() string {
	return "json_patch('{}', " + jsonObject("NEW", t.columns(nil, true)) + ")"
}

func triggerHead(b *strings.Builder, prefix, view, event string) {
	b.WriteString("CREATE TRIGGER ")
	b.WriteString(quoteIdent(prefix + view))
	b.WriteString(" INSTEAD OF ")
	b.WriteString(event)
	b.WriteString(" ON ")
	b.WriteString(quoteIdent(view))
	b.WriteString(" FOR EACH ROW ")
}

// insertTriggerSQL is the INSTEAD OF INSERT trigger of t's view.
func (t Table) insertTriggerSQL() string {
	var b strings.Builder
	triggerHead(&b, "ps_view_insert_", t.View(), "INSERT")
	b.WriteString("BEGIN\n")
	if !t.LocalOnly {
		b.WriteString("SELECT CASE WHEN (NEW.id IS NULL) THEN RAISE (FAIL, 'id is required') WHEN (typeof(NEW.id) != 'text') THEN RAISE (FAIL, 'id should be text') END;\n")
	}
	switch {
	case t.insertOnly():
		// No data row, no ps_updated_rows and no checkpoint target:
		// inserts into insert-only tables must not hold back downloads.
		b.WriteString("INSERT INTO ps_crud(tx_id, data) SELECT next_tx, json_object('op', 'PUT', 'type', ")
		b.WriteString(quoteString(t.Name))
		b.WriteString(", 'id', NEW.id, 'data', ")
		b.WriteString(t.putData())
		b.WriteString(") FROM ps_tx WHERE id = 1;\n")
	default:
		b.WriteString("INSERT INTO ")
		b.WriteString(quoteIdent(t.DataTable()))
		b.WriteString(" SELECT NEW.id, ")
		b.WriteString(jsonObject("NEW", t.Columns))
		b.WriteString(";\n")
		if !t.LocalOnly {
			t.crudInsertSQL(&b, crudEntry{op: "PUT", idExpr: "NEW.id", data: t.putData(), metadata: t.TrackMetadata})
		}
	}
	b.WriteString("END")
	return b.String()
}

// updateTriggerSQL is the INSTEAD OF UPDATE trigger of t's view, or ""
// for insert-only tables.
func (t Table) updateTriggerSQL() string {
	if t.insertOnly() {
		return ""
	}
	var b strings.Builder
	triggerHead(&b, "ps_view_update_", t.View(), "UPDATE")
	if t.TrackMetadata {
		b.WriteString(" WHEN NEW._deleted IS NOT TRUE ")
	}
	b.WriteString("BEGIN\n")
	b.WriteString("SELECT CASE WHEN (OLD.id != NEW.id) THEN RAISE (FAIL, 'Cannot update id') END;\n")
	b.WriteString("UPDATE ")
	b.WriteString(quoteIdent(t.DataTable()))
	b.WriteString(" SET data = ")
	b.WriteString(jsonObject("NEW", t.Columns))
	b.WriteString(" WHERE id = NEW.id;\n")
	if !t.LocalOnly {
		sorted := t.columns(nil, true)
		e := crudEntry{op: "PATCH", idExpr: "NEW.id", metadata: t.TrackMetadata,
			data: withoutUnchanged(jsonObject("NEW", sorted), sorted), old: t.oldValues("PATCH")}
		if t.IgnoreEmptyUpdates {
			e.onlyIf = anyChanged(sorted)
		}
		t.crudInsertSQL(&b, e)
	}
	b.WriteString("END")
	return b.String()
}

// deleteTriggerSQL is the INSTEAD OF DELETE trigger of t's view and, for
// tables tracking metadata, the second trigger that turns
// UPDATE ... SET _deleted = TRUE into a delete carrying metadata. It
// returns nothing for insert-only tables.
func (t Table) deleteTriggerSQL() []string {
	if t.insertOnly() {
		return nil
	}
	var b strings.Builder
	triggerHead(&b, "ps_view_delete_", t.View(), "DELETE")
	b.WriteString("BEGIN\n")
	b.WriteString("DELETE FROM ")
	b.WriteString(quoteIdent(t.DataTable()))
	b.WriteString(" WHERE id = OLD.id;\n")
	if !t.LocalOnly {
		t.crudInsertSQL(&b, crudEntry{op: "DELETE", idExpr: "OLD.id", old: t.oldValues("DELETE")})
	}
	b.WriteString("END")
	if t.LocalOnly || !t.TrackMetadata {
		return []string{b.String()}
	}
	first := b.String()
	b.Reset()
	triggerHead(&b, "ps_view_delete2_", t.View(), "UPDATE")
	b.WriteString("WHEN NEW._deleted IS TRUE BEGIN DELETE FROM ")
	b.WriteString(quoteIdent(t.DataTable()))
	b.WriteString(" WHERE id = OLD.id;\n")
	t.crudInsertSQL(&b, crudEntry{op: "DELETE", idExpr: "OLD.id", old: t.oldValues("DELETE"), metadata: true})
	b.WriteString("END")
	return []string{first, b.String()}
}

// viewObjects is every view and trigger statement of t, in creation order.
func (t Table) viewObjects() []string {
	out := []string{t.viewSQL()}
	out = append(out, t.deleteTriggerSQL()...)
	out = append(out, t.insertTriggerSQL())
	if u := t.updateTriggerSQL(); u != "" {
		out = append(out, u)
	}
	return out
}
