package store

import (
	"strconv"
	"strings"
)

// This file generates the SQL PowerSync's core extension creates for a
// table: the view, its INSTEAD OF triggers and the indexes. The text is
// byte for byte what the core produces (see testdata/*.golden), so a
// database written here can be opened by PowerSync's SDKs and vice versa
// without rebuilding anything.

// Flag bits of the "options" value the update trigger passes to
// powersync_crud, as PowerSync's core numbers them.
const (
	flagLocalOnly              = 1
	flagInsertOnly             = 2
	flagIncludeMetadata        = 4
	flagIncludeOldOnlyWhenChgd = 8
	flagIgnoreEmptyUpdate      = 16
)

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

func (t Table) flags() int {
	f := 0
	if t.LocalOnly {
		f |= flagLocalOnly
	}
	if t.InsertOnly {
		f |= flagInsertOnly
	}
	if t.TrackMetadata {
		f |= flagIncludeMetadata
	}
	if t.TrackPrevious && t.TrackPreviousOnlyWhenChanged {
		f |= flagIncludeOldOnlyWhenChgd
	}
	if t.IgnoreEmptyUpdates {
		f |= flagIgnoreEmptyUpdate
	}
	return f
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

// jsonObject builds the json_object(...) expression over the columns of t
// (all, or only those in filter when filter is non-nil) read from prefix
// (NEW or OLD). Wide tables are built in chunks merged with
// powersync_json_merge, as PowerSync does.
func (t Table) jsonObject(prefix string, filter []string) string {
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
	for _, c := range t.Columns {
		if filter != nil && !contains(filter, c.Name) {
			continue
		}
		if n == maxJSONObjectPairs {
			flush()
			b.WriteString("json_object(")
		}
		if n > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteString(c.Name))
		b.WriteString(", powersync_strip_subtype(")
		b.WriteString(prefix)
		b.WriteByte('.')
		b.WriteString(quoteIdent(c.Name))
		b.WriteByte(')')
		n++
	}
	flush()
	if len(chunks) == 1 {
		return chunks[0]
	}
	return "powersync_json_merge(" + strings.Join(chunks, ", ") + ")"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

type crudInsert struct {
	op       string // PUT, PATCH, DELETE
	idExpr   string
	data     string // "" when absent
	metadata string // "" when absent
	options  bool   // pass the table flags (updates only)
}

// crudInsertSQL writes the INSERT INTO powersync_crud statement of a
// trigger body, including previous values when t tracks them.
func (t Table) crudInsertSQL(b *strings.Builder, in crudInsert) {
	old := ""
	if in.op != "PUT" && t.TrackPrevious {
		filter := t.TrackPreviousColumns // nil: all columns
		old = t.jsonObject("OLD", filter)
		if in.op == "PATCH" && t.TrackPreviousOnlyWhenChanged {
			old = "json(powersync_diff(" + t.jsonObject("NEW", filter) + ", " + old + "))"
		}
	}
	b.WriteString("INSERT INTO powersync_crud(op,id,type")
	if in.data != "" {
		b.WriteString(",data")
	}
	if old != "" {
		b.WriteString(",old_values")
	}
	if in.metadata != "" {
		b.WriteString(",metadata")
	}
	if in.options {
		b.WriteString(",options")
	}
	b.WriteString(") VALUES (")
	b.WriteString(quoteString(in.op))
	b.WriteString(", ")
	b.WriteString(in.idExpr)
	b.WriteString(", ")
	b.WriteString(quoteString(t.Name))
	for _, s := range []string{in.data, old, in.metadata} {
		if s != "" {
			b.WriteString(", ")
			b.WriteString(s)
		}
	}
	if in.options {
		b.WriteString(", ")
		b.WriteString(strconv.Itoa(t.flags()))
	}
	b.WriteString(");\n")
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
	obj := t.jsonObject("NEW", nil)
	switch {
	case t.insertOnly():
		b.WriteString("INSERT INTO powersync_crud_(data) VALUES(json_object('op', 'PUT', 'type', ")
		b.WriteString(quoteString(t.Name))
		b.WriteString(", 'id', NEW.id, 'data', json(powersync_diff('{}', ")
		b.WriteString(obj)
		b.WriteString("))));")
	default:
		b.WriteString("INSERT INTO ")
		b.WriteString(quoteIdent(t.DataTable()))
		b.WriteString(" SELECT NEW.id, ")
		b.WriteString(obj)
		b.WriteString(";\n")
		if !t.LocalOnly {
			in := crudInsert{op: "PUT", idExpr: "NEW.id", data: "json(powersync_diff('{}', " + obj + "))"}
			if t.TrackMetadata {
				in.metadata = "NEW._metadata"
			}
			t.crudInsertSQL(&b, in)
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
	newObj := t.jsonObject("NEW", nil)
	b.WriteString("UPDATE ")
	b.WriteString(quoteIdent(t.DataTable()))
	b.WriteString(" SET data = ")
	b.WriteString(newObj)
	b.WriteString(" WHERE id = NEW.id;\n")
	if !t.LocalOnly {
		in := crudInsert{op: "PATCH", idExpr: "NEW.id", options: true,
			data: "json(powersync_diff(" + t.jsonObject("OLD", nil) + ", " + newObj + "))"}
		if t.TrackMetadata {
			in.metadata = "NEW._metadata"
		}
		t.crudInsertSQL(&b, in)
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
	if t.LocalOnly {
		b.WriteString("END")
		return []string{b.String()}
	}
	t.crudInsertSQL(&b, crudInsert{op: "DELETE", idExpr: "OLD.id"})
	b.WriteString("END")
	if !t.TrackMetadata {
		return []string{b.String()}
	}
	first := b.String()
	b.Reset()
	triggerHead(&b, "ps_view_delete2_", t.View(), "UPDATE")
	b.WriteString("WHEN NEW._deleted IS TRUE BEGIN DELETE FROM ")
	b.WriteString(quoteIdent(t.DataTable()))
	b.WriteString(" WHERE id = OLD.id; ")
	t.crudInsertSQL(&b, crudInsert{op: "DELETE", idExpr: "OLD.id", metadata: "NEW._metadata"})
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
