package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// Watch runs sql at once and again whenever a table it reads changes,
// calling fn with each result. The tables are found the way PowerSync
// does: the root pages the query's plan opens for reading, looked up in
// sqlite_master. Runs never overlap. Watching ends when the returned
// function is called or ctx ends.
func (db *DB) Watch(ctx context.Context, sql string, args []any, fn func(Rows, error)) (cancel func(), err error) {
	tables, err := db.readTables(ctx, sql, args)
	if err != nil {
		return nil, fmt.Errorf("store: watch %q: %w", sql, err)
	}
	var mu sync.Mutex
	stopped := false
	run := func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped || ctx.Err() != nil {
			return
		}
		rows, err := db.GetAll(ctx, sql, args...)
		fn(rows, err)
	}
	unsubscribe := db.OnChange(tables, func([]string) { run() })
	stopWatch := context.AfterFunc(ctx, unsubscribe)
	cancel = func() {
		stopWatch()
		unsubscribe()
		mu.Lock()
		stopped = true
		mu.Unlock()
	}
	run()
	return cancel, nil
}

// readTables returns the tables (user names for data tables) sql reads.
func (db *DB) readTables(ctx context.Context, sql string, args []any) ([]string, error) {
	if err := db.acquire(ctx); err != nil {
		return nil, err
	}
	defer db.release()
	res, err := db.run(ctx, "EXPLAIN "+sql, args, true)
	if err != nil {
		return nil, err
	}
	col := func(name string) int {
		for i, c := range res.Rows.Columns {
			if c == name {
				return i
			}
		}
		return -1
	}
	opcode, p2, p3 := col("opcode"), col("p2"), col("p3")
	var pages []string
	for _, r := range res.Rows.Values {
		if r[opcode] == "OpenRead" && r[p3] == int64(0) {
			pages = append(pages, fmt.Sprint(r[p2]))
		}
	}
	if len(pages) == 0 {
		return []string{}, nil
	}
	names, err := db.run(ctx, `SELECT DISTINCT tbl_name FROM sqlite_master WHERE rootpage IN (`+strings.Join(pages, ",")+`)`, nil, true)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, names.Rows.Len())
	for _, r := range names.Rows.Values {
		name, _ := r[0].(string)
		if user, _, ok := userTableName(name); ok {
			name = user
		}
		out = append(out, name)
	}
	return out, nil
}
