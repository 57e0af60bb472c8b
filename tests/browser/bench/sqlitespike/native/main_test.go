package main

import (
	"context"
	"testing"

	"github.com/localfirst/gopowersync/tests/browser/bench/sqlitespike"
	"github.com/localfirst/gopowersync/tests/browser/bench/sqlitespike/gosqlite"
)

// The spike's workloads on the store's DDL, natively over go-sqlite3, at
// small sizes (well under a second): the SQL they run is valid on this
// layout, each write queues its upload entry (write checks it), and reads
// see what was written. The browser runs the same code at full size.
func TestWorkloads(t *testing.T) {
	ddl, err := schemaSQL(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	conn, err := gosqlite.Open()
	if err != nil {
		t.Fatal(err)
	}
	db := sqlitespike.NewSession(conn)
	defer db.Close()
	title, err := db.FirstUse(ddl)
	if err != nil || title != "the first todo" {
		t.Fatalf("FirstUse = %q, %v", title, err)
	}
	if ds, err := db.W1("one", 2, 5); err != nil || len(ds) != 5 {
		t.Fatalf("W1: %d durations, %v", len(ds), err)
	}
	if _, err := db.W3("r1", 100); err != nil {
		t.Fatal(err)
	}
	if _, err := db.W3("r1", 1); err == nil {
		t.Error("W3 inserting an existing id: no error")
	}
	_, rows, err := db.Scan()
	if err != nil || rows != 102 { // first, one, 100 of W3; the failed insert rolled back
		t.Fatalf("Scan: %d rows, %v", rows, err)
	}
	if _, n, err := db.ScanRows(); err != nil || n != rows {
		t.Fatalf("ScanRows: %d rows, %v; Scan read %d", n, err, rows)
	}
	if d := db.Calls(10); d <= 0 {
		t.Errorf("Calls: %v per call", d)
	}
	var queued int
	s, err := conn.Prepare(`SELECT count(*) FROM ps_crud`)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ok, err := s.Step(); !ok || err != nil {
		t.Fatal(ok, err)
	}
	queued = int(s.ColumnInt64(0))
	if queued != 1+1+7+100 { // FirstUse, W1's insert and 7 updates, W3
		t.Errorf("ps_crud holds %d entries, want 109", queued)
	}
}
