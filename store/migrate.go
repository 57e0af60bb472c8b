package store

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ncruces/go-sqlite3"
)

// applySchema materializes schema the way PowerSync's core does on
// powersync_replace_schema: data tables are created or kept (rows of
// tables leaving the schema are parked in ps_untyped and return with the
// table), indexes and views are rebuilt where their SQL differs. It runs
// inside a write transaction.
func applySchema(c *sqlite3.Conn, s Schema) error {
	if err := updateTables(c, s); err != nil {
		return fmt.Errorf("tables: %w", err)
	}
	if err := updateIndexes(c, s); err != nil {
		return fmt.Errorf("indexes: %w", err)
	}
	if err := updateViews(c, s); err != nil {
		return fmt.Errorf("views: %w", err)
	}
	return nil
}

// userTableName maps a data table name back to the declared table name.
func userTableName(internal string) (name string, localOnly, ok bool) {
	if n, ok := strings.CutPrefix(internal, "ps_data_local__"); ok {
		return n, true, true
	}
	if n, ok := strings.CutPrefix(internal, "ps_data__"); ok {
		return n, false, true
	}
	return "", false, false
}

// queryStrings runs a query and collects its first column.
func queryStrings(c *sqlite3.Conn, sql string, args ...string) ([]string, error) {
	stmt, _, err := c.Prepare(sql)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	for i, a := range args {
		if err := stmt.BindText(i+1, a); err != nil {
			return nil, err
		}
	}
	var out []string
	for stmt.Step() {
		out = append(out, stmt.ColumnText(0))
	}
	return out, stmt.Err()
}

// execText runs one statement with text arguments.
func execText(c *sqlite3.Conn, sql string, args ...string) error {
	stmt, _, err := c.Prepare(sql)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, a := range args {
		if err := stmt.BindText(i+1, a); err != nil {
			return err
		}
	}
	return stmt.Exec()
}

func updateTables(c *sqlite3.Conn, s Schema) error {
	names, err := queryStrings(c, `SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'ps_data_*'`)
	if err != nil {
		return err
	}
	existing := make(map[string]bool, len(names)) // internal name -> still wanted
	for _, n := range names {
		if _, _, ok := userTableName(n); ok {
			existing[n] = false
		}
	}
	for _, t := range s.Tables {
		internal := t.DataTable()
		if _, ok := existing[internal]; ok {
			existing[internal] = true
			continue
		}
		// A table switching between local-only and synced gets a new
		// data table; the old one is dropped below, as in PowerSync.
		if err := c.Exec(`CREATE TABLE ` + quoteIdent(internal) + `(id TEXT PRIMARY KEY NOT NULL, data TEXT)`); err != nil {
			return err
		}
		if t.LocalOnly {
			continue
		}
		if err := execText(c, `INSERT INTO `+quoteIdent(internal)+`(id, data) SELECT id, data FROM ps_untyped WHERE type = ?`, t.Name); err != nil {
			return err
		}
		if err := execText(c, `DELETE FROM ps_untyped WHERE type = ?`, t.Name); err != nil {
			return err
		}
	}
	for _, internal := range names {
		wanted, ok := existing[internal]
		if !ok || wanted {
			continue
		}
		name, local, _ := userTableName(internal)
		if !local {
			if err := execText(c, `INSERT INTO ps_untyped(type, id, data) SELECT ?, id, data FROM `+quoteIdent(internal), name); err != nil {
				return err
			}
		}
		if err := c.Exec(`DROP TABLE ` + quoteIdent(internal)); err != nil {
			return err
		}
	}
	return nil
}

func updateIndexes(c *sqlite3.Conn, s Schema) error {
	var stmts []string
	wanted := map[string]bool{}
	for _, t := range s.Tables {
		for _, idx := range t.Indexes {
			name := t.indexName(idx)
			sql := t.indexSQL(idx)
			wanted[name] = true
			have, err := queryStrings(c, `SELECT sql FROM sqlite_master WHERE name = ? AND type = 'index'`, name)
			if err != nil {
				return err
			}
			switch {
			case len(have) == 0:
				stmts = append(stmts, sql)
			case have[0] != sql:
				stmts = append(stmts, `DROP INDEX `+quoteIdent(name), sql)
			}
		}
	}
	names, err := queryStrings(c, `SELECT name FROM sqlite_master WHERE type = 'index' AND name GLOB 'ps_data_*'`)
	if err != nil {
		return err
	}
	for _, n := range names {
		if !wanted[n] {
			stmts = append(stmts, `DROP INDEX `+quoteIdent(n))
		}
	}
	for _, sql := range stmts {
		if err := c.Exec(sql); err != nil {
			return err
		}
	}
	return nil
}

// existingViews returns, for every view PowerSync generated, its SQL and
// that of its triggers, in the order viewObjects produces them.
func existingViews(c *sqlite3.Conn) (map[string][]string, error) {
	stmt, _, err := c.Prepare(`
SELECT v.name, v.sql, t.sql
  FROM sqlite_master v
  LEFT JOIN sqlite_master t ON t.type = 'trigger' AND t.tbl_name = v.name AND t.name GLOB 'ps_view_*'
 WHERE v.type = 'view' AND v.sql GLOB '*-- powersync-auto-generated'
 ORDER BY v.name,
   CASE WHEN t.name GLOB 'ps_view_delete_*' THEN 0 WHEN t.name GLOB 'ps_view_delete2_*' THEN 1
        WHEN t.name GLOB 'ps_view_insert_*' THEN 2 ELSE 3 END`)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	out := map[string][]string{}
	for stmt.Step() {
		name := stmt.ColumnText(0)
		if _, ok := out[name]; !ok {
			out[name] = []string{stmt.ColumnText(1)}
		}
		if stmt.ColumnType(2) != sqlite3.NULL {
			out[name] = append(out[name], stmt.ColumnText(2))
		}
	}
	return out, stmt.Err()
}

func updateViews(c *sqlite3.Conn, s Schema) error {
	existing, err := existingViews(c)
	if err != nil {
		return err
	}
	for _, t := range s.Tables {
		want := t.viewObjects()
		have, ok := existing[t.View()]
		delete(existing, t.View())
		if ok && slices.Equal(have, want) {
			continue
		}
		if err := c.Exec(`DROP VIEW IF EXISTS ` + quoteIdent(t.View())); err != nil {
			return err
		}
		for _, sql := range want {
			if err := c.Exec(sql); err != nil {
				return fmt.Errorf("table %q: %w", t.Name, err)
			}
		}
	}
	for name := range existing {
		if err := c.Exec(`DROP VIEW IF EXISTS ` + quoteIdent(name)); err != nil {
			return err
		}
	}
	return nil
}
