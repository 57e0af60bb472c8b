package powersync

import (
	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/store"
)

// TableValidator returns the Validator the reference derives from a table:
// id a string, TEXT columns strings, INTEGER and REAL columns numbers,
// null (or absent) allowed for every column. Other fields pass unchecked
// (the serializer refuses them on write). It returns a shallow copy.
func TableValidator(t store.Table) collection.Validator {
	kinds := make(map[string]store.ColumnType, len(t.Columns))
	for _, c := range t.Columns {
		kinds[c.Name] = c.Type
	}
	return collection.ValidatorFunc(func(item collection.Row) (collection.Row, []collection.Issue) {
		var issues []collection.Issue
		if _, ok := item["id"].(string); !ok {
			issues = append(issues, collection.Issue{Message: "id field must be a string", Path: []string{"id"}})
		}
		for k, v := range item {
			typ, ok := kinds[k]
			if !ok || v == nil {
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
			return nil, issues
		}
		out := make(collection.Row, len(item))
		for k, v := range item {
			out[k] = v
		}
		return out, nil
	})
}
