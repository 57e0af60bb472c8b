package store

// ColumnType is the declared type of a column, as in PowerSync's schema.
type ColumnType string

// The column types PowerSync supports.
const (
	Text    ColumnType = "TEXT"
	Integer ColumnType = "INTEGER"
	Real    ColumnType = "REAL"
)

// Column is one typed column of a table. The implicit "id" column is never
// declared.
type Column struct {
	Name string
	Type ColumnType
}

// IndexedColumn is one column of an index.
type IndexedColumn struct {
	Name      string
	Ascending bool
	Type      ColumnType
}

// Index is a named index over columns of a table.
type Index struct {
	Name    string
	Columns []IndexedColumn
}

// Table describes one PowerSync table: its columns and how writes to it are
// recorded in the upload queue.
type Table struct {
	Name       string
	Columns    []Column // never contains "id" (implicit TEXT primary key)
	Indexes    []Index
	LocalOnly  bool   // no upload queue entries; stored in ps_data_local__<name>
	InsertOnly bool   // inserts go to the upload queue only; no data row is kept
	ViewName   string // "" means Name

	// TrackMetadata adds the _metadata and _deleted view columns; _metadata
	// is copied into the upload queue entry.
	TrackMetadata bool
	// TrackPrevious records previous values ("old") on updates and deletes.
	TrackPrevious bool
	// TrackPreviousColumns restricts TrackPrevious to these columns; nil
	// means all columns.
	TrackPreviousColumns []string
	// TrackPreviousOnlyWhenChanged records only previous values that changed.
	TrackPreviousOnlyWhenChanged bool
	// IgnoreEmptyUpdates skips PATCH entries that change nothing.
	IgnoreEmptyUpdates bool
}

// View returns the name of the SQL view users query: ViewName, or Name when
// ViewName is empty.
func (t Table) View() string {
	if t.ViewName != "" {
		return t.ViewName
	}
	return t.Name
}

// DataTable returns the name of the SQLite table holding the rows:
// "ps_data__<name>", or "ps_data_local__<name>" for local-only tables.
func (t Table) DataTable() string {
	if t.LocalOnly {
		return "ps_data_local__" + t.Name
	}
	return "ps_data__" + t.Name
}

// Column returns the declared column with the given name.
func (t Table) Column(name string) (Column, bool) {
	for _, c := range t.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// Schema is a PowerSync client schema: the set of tables.
type Schema struct {
	Tables []Table
}

// Table returns the table declared with the given Name.
func (s Schema) Table(name string) (Table, bool) {
	for _, t := range s.Tables {
		if t.Name == name {
			return t, true
		}
	}
	return Table{}, false
}

// ParseIndexShorthand turns PowerSync's index shorthand into indexed
// columns: "a" is ascending a, "-b" is descending b. The column types are
// left empty; they are resolved against the table (TEXT when unknown).
func ParseIndexShorthand(cols []string) []IndexedColumn {
	out := make([]IndexedColumn, 0, len(cols))
	for _, c := range cols {
		if len(c) > 1 && c[0] == '-' {
			out = append(out, IndexedColumn{Name: c[1:], Ascending: false})
		} else {
			out = append(out, IndexedColumn{Name: c, Ascending: true})
		}
	}
	return out
}
