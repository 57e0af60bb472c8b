package powersync

import (
	"sort"
	"strconv"
	"strings"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/store"
)

// TableValidator returns the Validator the reference derives from a table:
// id a string (a missing or nil id is left to the key check, which reports
// UndefinedKeyError), TEXT columns strings, INTEGER and REAL columns
// numbers, null (or absent) allowed for every column, and no field that is
// not a column. It returns a shallow copy. This is the one place that
// states the table's rules: the JS package's convertPowerSyncSchemaToSpecs
// calls it too.
func TableValidator(t store.Table) collection.Validator {
	kinds := make(map[string]store.ColumnType, len(t.Columns))
	for _, c := range t.Columns {
		kinds[c.Name] = c.Type
	}
	return collection.ValidatorFunc(func(item collection.Row) (collection.Row, []collection.Issue) {
		var issues []collection.Issue
		if id, ok := item["id"]; ok && id != nil {
			if _, ok := id.(string); !ok {
				issues = append(issues, collection.Issue{Message: "id field must be a string", Path: []string{"id"}})
			}
		}
		for k, v := range item {
			if k == "id" {
				continue
			}
			typ, ok := kinds[k]
			if !ok {
				if !isTableField(t, k) {
					issues = append(issues, unknownField(t, k))
				}
				continue
			}
			if v == nil {
				continue
			}
			if typ == store.Text {
				if _, ok := v.(string); !ok {
					issues = append(issues, collection.Issue{Message: k + " field must be a string", Path: []string{k}})
				}
				continue
			}
			switch v.(type) {
			case int64, float64, int, int32, float32:
			default:
				issues = append(issues, collection.Issue{Message: k + " field must be a number", Path: []string{k}})
			}
		}
		if len(issues) > 0 {
			sortIssues(t, issues)
			return nil, issues
		}
		out := make(collection.Row, len(item))
		for k, v := range item {
			out[k] = v
		}
		return out, nil
	})
}

// columnsValidator checks only that every field of an item is a field of
// the table, after next (another validator) has run: the output of any
// schema must fit the table it is written to.
func columnsValidator(t store.Table, next collection.Validator) collection.Validator {
	return collection.ValidatorFunc(func(item collection.Row) (collection.Row, []collection.Issue) {
		if next != nil {
			out, issues := next.Validate(item)
			if len(issues) > 0 {
				return nil, issues
			}
			item = out
		}
		var issues []collection.Issue
		for k := range item {
			if !isTableField(t, k) {
				issues = append(issues, unknownField(t, k))
			}
		}
		if len(issues) > 0 {
			sortIssues(t, issues)
			return nil, issues
		}
		return item, nil
	})
}

// isTableField reports whether name is a field items of t may carry: id,
// a column, or _metadata and _deleted where t tracks metadata.
func isTableField(t store.Table, name string) bool {
	if name == "id" {
		return true
	}
	if _, ok := t.Column(name); ok {
		return true
	}
	return t.TrackMetadata && (name == "_metadata" || name == "_deleted")
}

func unknownField(t store.Table, name string) collection.Issue {
	return collection.Issue{Message: strconv.Quote(name) + " is not a column of table " + strconv.Quote(t.Name), Path: []string{name}}
}

// sortIssues orders issues as the table orders its fields (id, the
// columns, then other fields by name), so that an item's issues come in
// the same order every time: fields are read from a map.
func sortIssues(t store.Table, issues []collection.Issue) {
	rank := func(is collection.Issue) (int, string) {
		name := strings.Join(is.Path, ".")
		if name == "id" {
			return 0, ""
		}
		for i, c := range t.Columns {
			if c.Name == name {
				return i + 1, ""
			}
		}
		return len(t.Columns) + 1, name
	}
	sort.SliceStable(issues, func(i, j int) bool {
		ri, ni := rank(issues[i])
		rj, nj := rank(issues[j])
		return ri < rj || ri == rj && ni < nj
	})
}
