package store

import (
	"bytes"
	"fmt"
	"strings"

	"encoding/json"
)

// The wire form of a schema, field for field what PowerSync's JS SDK
// produces with Schema.toJSON and what its core reads.
type (
	schemaJSON struct {
		Tables    []tableJSON       `json:"tables"`
		RawTables []json.RawMessage `json:"raw_tables,omitempty"`
	}
	tableJSON struct {
		Name                      string          `json:"name"`
		ViewName                  string          `json:"view_name,omitempty"`
		Columns                   []columnJSON    `json:"columns"`
		Indexes                   []indexJSON     `json:"indexes"`
		LocalOnly                 bool            `json:"local_only"`
		InsertOnly                bool            `json:"insert_only"`
		IncludeOld                json.RawMessage `json:"include_old"`
		IncludeOldOnlyWhenChanged bool            `json:"include_old_only_when_changed"`
		IncludeMetadata           bool            `json:"include_metadata"`
		IgnoreEmptyUpdate         bool            `json:"ignore_empty_update"`
	}
	columnJSON struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	indexJSON struct {
		Name    string              `json:"name"`
		Columns []indexedColumnJSON `json:"columns"`
	}
	indexedColumnJSON struct {
		Name      string `json:"name"`
		Ascending bool   `json:"ascending"`
		Type      string `json:"type"`
	}
)

// MarshalJSON encodes the schema in PowerSync's serialized form, the JSON
// PowerSync's SDKs hand to powersync_replace_schema.
func (s Schema) MarshalJSON() ([]byte, error) {
	out := schemaJSON{Tables: make([]tableJSON, len(s.Tables))}
	for i, t := range s.Tables {
		tj := tableJSON{
			Name:                      t.Name,
			ViewName:                  t.View(),
			Columns:                   make([]columnJSON, len(t.Columns)),
			Indexes:                   make([]indexJSON, len(t.Indexes)),
			LocalOnly:                 t.LocalOnly,
			InsertOnly:                t.InsertOnly,
			IncludeOld:                json.RawMessage("false"),
			IncludeOldOnlyWhenChanged: t.TrackPrevious && t.TrackPreviousOnlyWhenChanged,
			IncludeMetadata:           t.TrackMetadata,
			IgnoreEmptyUpdate:         t.IgnoreEmptyUpdates,
		}
		for j, c := range t.Columns {
			tj.Columns[j] = columnJSON{Name: c.Name, Type: string(c.Type)}
		}
		for j, idx := range t.Indexes {
			ij := indexJSON{Name: idx.Name, Columns: make([]indexedColumnJSON, len(idx.Columns))}
			for k, c := range idx.Columns {
				ij.Columns[k] = indexedColumnJSON{Name: c.Name, Ascending: c.Ascending, Type: string(t.indexColumnType(c))}
			}
			tj.Indexes[j] = ij
		}
		if t.TrackPrevious {
			if t.TrackPreviousColumns == nil {
				tj.IncludeOld = json.RawMessage("true")
			} else {
				b, err := json.Marshal(t.TrackPreviousColumns)
				if err != nil {
					return nil, fmt.Errorf("store: schema: marshal table %q: %w", t.Name, err)
				}
				tj.IncludeOld = b
			}
		}
		out.Tables[i] = tj
	}
	return json.Marshal(out)
}

// UnmarshalJSON decodes PowerSync's serialized schema form. Raw tables are
// not supported and make it fail.
func (s *Schema) UnmarshalJSON(b []byte) error {
	var in schemaJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return fmt.Errorf("store: schema: unmarshal: %w", err)
	}
	if len(in.RawTables) > 0 {
		return fmt.Errorf("store: schema: unmarshal: raw tables are not supported")
	}
	out := Schema{Tables: make([]Table, len(in.Tables))}
	for i, tj := range in.Tables {
		t := Table{
			Name:                         tj.Name,
			LocalOnly:                    tj.LocalOnly,
			InsertOnly:                   tj.InsertOnly && !tj.LocalOnly, // PowerSync ignores insert_only on local-only tables
			TrackMetadata:                tj.IncludeMetadata,
			TrackPreviousOnlyWhenChanged: tj.IncludeOldOnlyWhenChanged,
			IgnoreEmptyUpdates:           tj.IgnoreEmptyUpdate,
		}
		if tj.ViewName != tj.Name {
			t.ViewName = tj.ViewName
		}
		for _, c := range tj.Columns {
			t.Columns = append(t.Columns, Column{Name: c.Name, Type: parseColumnType(c.Type)})
		}
		for _, ij := range tj.Indexes {
			idx := Index{Name: ij.Name}
			for _, c := range ij.Columns {
				idx.Columns = append(idx.Columns, IndexedColumn{Name: c.Name, Ascending: c.Ascending, Type: parseColumnType(c.Type)})
			}
			t.Indexes = append(t.Indexes, idx)
		}
		switch old := bytes.TrimSpace(tj.IncludeOld); {
		case len(old) == 0, string(old) == "null", string(old) == "false":
		case string(old) == "true":
			t.TrackPrevious = true
		default:
			t.TrackPrevious = true
			t.TrackPreviousColumns = []string{}
			if err := json.Unmarshal(old, &t.TrackPreviousColumns); err != nil {
				return fmt.Errorf("store: schema: unmarshal table %q include_old: %w", tj.Name, err)
			}
		}
		if !t.TrackPrevious {
			t.TrackPreviousOnlyWhenChanged = false
		}
		out.Tables[i] = t
	}
	*s = out
	return nil
}

// parseColumnType accepts PowerSync's type names in any case.
func parseColumnType(s string) ColumnType {
	switch ColumnType(s) {
	case Text, Integer, Real:
		return ColumnType(s)
	}
	switch {
	case strings.EqualFold(s, "text"):
		return Text
	case strings.EqualFold(s, "integer"):
		return Integer
	case strings.EqualFold(s, "real"):
		return Real
	}
	return ColumnType(s)
}

// indexColumnType is the type an index casts a column to: the declared
// type, else the column's type in the table, else TEXT (as PowerSync).
func (t Table) indexColumnType(c IndexedColumn) ColumnType {
	if c.Type != "" {
		return c.Type
	}
	if col, ok := t.Column(c.Name); ok {
		return col.Type
	}
	return Text
}
