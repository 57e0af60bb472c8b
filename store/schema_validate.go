package store

import (
	"fmt"
	"strings"
)

// maxColumns is PowerSync's limit on declared columns per table: SQLite's
// default SQLITE_MAX_COLUMN (2000) minus the implicit id.
const maxColumns = 1999

// invalidNameChars are the characters PowerSync rejects in table, view,
// column and index names (its /["'%,.#\s[\]]/ pattern): they would need
// quoting in the JSON paths and identifiers the triggers are built from.
const invalidNameChars = "\"'%,.#[] \t\n\r\f\v"

func checkName(kind, name string) string {
	if name == "" {
		return "empty " + kind + " name"
	}
	if strings.ContainsAny(name, invalidNameChars) {
		return fmt.Sprintf("invalid characters in %s name", kind)
	}
	return ""
}

// internalTables are the tables of PowerSync's layout (layout.go): a view
// of the same name cannot be created.
var internalTables = []string{"ps_migration", "ps_oplog", "ps_buckets", "ps_untyped", "ps_crud", "ps_tx", "ps_kv",
	"ps_updated_rows", "ps_sync_state", "ps_stream_subscriptions"}

// reservedName reports whether a view name collides with an internal
// table, a data table, or SQLite's reserved sqlite_ prefix (names compare
// case-insensitively in SQLite).
func reservedName(name string) bool {
	n := strings.ToLower(name)
	for _, prefix := range []string{"sqlite_", "ps_data__", "ps_data_local__"} {
		if strings.HasPrefix(n, prefix) {
			return true
		}
	}
	for _, t := range internalTables {
		if n == t {
			return true
		}
	}
	return false
}

// Validate checks the schema against PowerSync's rules and returns a
// *SchemaError naming the first offending table and column.
func (s Schema) Validate() error {
	// SQLite compares names case-insensitively (ASCII): "t" and "T" would
	// share ps_data__t and one view.
	tables := make(map[string]string, len(s.Tables))
	views := make(map[string]string, len(s.Tables))
	for _, t := range s.Tables {
		if err := t.validate(); err != nil {
			return err
		}
		if other, ok := tables[strings.ToLower(t.Name)]; ok {
			reason := "duplicate table"
			if other != t.Name {
				reason = fmt.Sprintf("duplicate table: SQLite names ignore case, so it is the same table as %q", other)
			}
			return &SchemaError{Table: t.Name, Reason: reason}
		}
		tables[strings.ToLower(t.Name)] = t.Name
		if other, ok := views[strings.ToLower(t.View())]; ok {
			reason := fmt.Sprintf("duplicate view name %q", t.View())
			if other != t.View() {
				reason += fmt.Sprintf(": SQLite names ignore case, so it is the same as %q", other)
			}
			return &SchemaError{Table: t.Name, Reason: reason}
		}
		views[strings.ToLower(t.View())] = t.View()
	}
	return nil
}

func (t Table) validate() error {
	fail := func(column, reason string) error {
		return &SchemaError{Table: t.Name, Column: column, Reason: reason}
	}
	if r := checkName("table", t.Name); r != "" {
		return fail("", r)
	}
	if t.ViewName != "" {
		if r := checkName("view", t.ViewName); r != "" {
			return fail("", r)
		}
	}
	if reservedName(t.View()) {
		return fail("", fmt.Sprintf("view name %q is taken by PowerSync's or SQLite's own tables", t.View()))
	}
	if len(t.Columns) > maxColumns {
		return fail("", fmt.Sprintf("too many columns (%d), the maximum is %d", len(t.Columns), maxColumns))
	}
	if t.LocalOnly && t.TrackMetadata {
		return fail("", "local-only tables cannot track metadata")
	}
	if t.LocalOnly && t.TrackPrevious {
		return fail("", "local-only tables cannot track previous values")
	}
	if !t.TrackPrevious && (t.TrackPreviousColumns != nil || t.TrackPreviousOnlyWhenChanged) {
		return fail("", "previous-value options need TrackPrevious")
	}

	seen := make(map[string]bool, len(t.Columns)+1)
	seen["id"] = true
	for _, c := range t.Columns {
		if c.Name == "id" {
			return fail(c.Name, "id is implicit and must not be declared")
		}
		if r := checkName("column", c.Name); r != "" {
			return fail(c.Name, r)
		}
		if seen[c.Name] {
			return fail(c.Name, "duplicate column")
		}
		switch c.Type {
		case Text, Integer, Real:
		default:
			return fail(c.Name, fmt.Sprintf("unknown column type %q", c.Type))
		}
		seen[c.Name] = true
	}
	for _, c := range t.TrackPreviousColumns {
		if c == "id" || !seen[c] {
			return fail(c, "previous values tracked for an unknown column")
		}
	}

	indexes := make(map[string]bool, len(t.Indexes))
	for _, idx := range t.Indexes {
		if r := checkName("index", idx.Name); r != "" {
			return fail("", fmt.Sprintf("index %q: %s", idx.Name, r))
		}
		if indexes[idx.Name] {
			return fail("", fmt.Sprintf("duplicate index %q", idx.Name))
		}
		indexes[idx.Name] = true
		if len(idx.Columns) == 0 {
			return fail("", fmt.Sprintf("index %q has no columns", idx.Name))
		}
		for _, c := range idx.Columns {
			if !seen[c.Name] {
				return fail(c.Name, fmt.Sprintf("index %q uses an unknown column", idx.Name))
			}
		}
	}
	return nil
}
