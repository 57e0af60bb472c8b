// Command native prints, as a JSON array, the statements that store.Open
// runs to create the browser benchmark's schema (tests/browser/pages:
// todos with title TEXT and n INTEGER): PowerSync's internal tables, the
// data table, the view and its triggers. The spike's runner
// (tests/browser/bench/sqlite-spike.js) hands them to both SQLite builds, so
// both run the store's own DDL.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/localfirst/gopowersync/store"
)

// benchSchema is the schema of tests/browser/pages/app-common.js.
var benchSchema = store.Schema{Tables: []store.Table{{
	Name:    "todos",
	Columns: []store.Column{{Name: "title", Type: store.Text}, {Name: "n", Type: store.Integer}},
}}}

func main() {
	ddl, err := schemaSQL(context.Background())
	if err == nil {
		err = json.NewEncoder(os.Stdout).Encode(ddl)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "native:", err)
		os.Exit(1)
	}
}

// schemaSQL opens an in-memory store with benchSchema and returns the SQL
// of every table, index, view and trigger it created, tables first (in
// creation order), so that running them in order recreates the layout.
func schemaSQL(ctx context.Context) ([]string, error) {
	db, err := store.Open(ctx, ":memory:", benchSchema, nil)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.GetAll(ctx, `SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND substr(name, 1, 7) != 'sqlite_'
		ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2 ELSE 3 END, rowid`)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rows.Values {
		out = append(out, r[0].(string))
	}
	// The rows the store writes at open that a write needs (ps_tx's
	// counter; ps_kv's client id), as INSERT statements.
	data, err := db.GetAll(ctx, `SELECT 'INSERT INTO ps_tx VALUES(' || quote(id) || ', ' || quote(current_tx) || ', ' || quote(next_tx) || ')' FROM ps_tx
		UNION ALL SELECT 'INSERT INTO ps_kv VALUES(' || quote(key) || ', ' || quote(value) || ')' FROM ps_kv`)
	if err != nil {
		return nil, err
	}
	for _, r := range data.Values {
		out = append(out, r[0].(string))
	}
	return out, nil
}
