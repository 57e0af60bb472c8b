package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/internal/testutil"
)

var bg = context.Background()

// todoSchema is the schema most tests use: one plain synced table.
func todoSchema() Schema {
	return Schema{Tables: []Table{{
		Name:    "todos",
		Columns: []Column{{Name: "title", Type: Text}, {Name: "done", Type: Integer}, {Name: "weight", Type: Real}},
		Indexes: []Index{{Name: "by_title", Columns: ParseIndexShorthand([]string{"title", "-done"})}},
	}}}
}

func openMem(t testing.TB, s Schema) *DB {
	t.Helper()
	db, err := Open(bg, ":memory:", s, nil)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func openFile(t testing.TB, path string, s Schema) *DB {
	t.Helper()
	db, err := Open(bg, path, s, nil)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	return db
}

func tempPath(t testing.TB) string { return filepath.Join(t.TempDir(), "test.db") }

func mustExec(t testing.TB, q Querier, sql string, args ...any) Result {
	t.Helper()
	res, err := q.Execute(bg, sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return res
}

// crudRow is one ps_crud row as stored.
type crudRow struct {
	ID   int64
	TxID int64
	Data string
}

func crudRows(t testing.TB, db *DB) []crudRow {
	t.Helper()
	rows, err := db.GetAll(bg, `SELECT id, tx_id, data FROM ps_crud ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]crudRow, rows.Len())
	for i, r := range rows.Values {
		out[i] = crudRow{r[0].(int64), r[1].(int64), r[2].(string)}
	}
	return out
}

func crudData(t testing.TB, db *DB) []string {
	t.Helper()
	var out []string
	for _, r := range crudRows(t, db) {
		out = append(out, r.Data)
	}
	return out
}

// snapshot is every row of the tables a failed write must leave alone.
func snapshot(t testing.TB, db *DB) string {
	t.Helper()
	var s string
	for _, q := range []string{
		`SELECT * FROM ps_crud ORDER BY id`, `SELECT * FROM ps_tx`, `SELECT * FROM ps_kv ORDER BY key`,
		`SELECT * FROM ps_updated_rows ORDER BY 1, 2`, `SELECT * FROM ps_data__todos ORDER BY id`,
		`SELECT * FROM sqlite_sequence ORDER BY name`,
	} {
		rows, err := db.GetAll(bg, q)
		if err != nil {
			t.Fatal(err)
		}
		s += q + "\n" + formatRows(rows) + "\n"
	}
	return s
}

func formatRows(r Rows) string {
	s := ""
	for _, v := range r.Values {
		for i, x := range v {
			if i > 0 {
				s += " | "
			}
			s += formatValue(x)
		}
		s += "\n"
	}
	return s
}

func formatValue(x any) string {
	switch x := x.(type) {
	case nil:
		return "NULL"
	case string:
		return x
	default:
		return fmtAny(x)
	}
}

// eventually polls cond until it holds, for at most 5 seconds.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	testutil.Eventually(t, what, 5*time.Second, cond)
}

func wantErrIs(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
}

func fmtAny(x any) string { return fmt.Sprint(x) }

func containsStr(s, sub string) bool { return strings.Contains(s, sub) }
func hasPrefix(s, p string) bool     { return strings.HasPrefix(s, p) }
func countStr(s, sub string) int     { return strings.Count(s, sub) }
func itoa(i int) string              { return strconv.Itoa(i) }

func fileExists(path string) bool { _, err := os.Stat(path); return err == nil }

func sortedCopy(s []string) []string { c := append([]string(nil), s...); slices.Sort(c); return c }
