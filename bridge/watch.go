//go:build js

package bridge

import (
	"context"
	"strings"
	"syscall/js"

	"github.com/localfirst/gopowersync/store"
)

// watch(sql, params, fn): fn(ok, payloadOrError) with each result of sql,
// first at once, then after each committed change to a table it reads.
// Returns a subscription id. Changes that arrive while the query runs are
// folded into one more run.
//
// The tables come from the query plan (EXPLAIN's OpenRead root pages), as
// PowerSync's JS SDK finds them; they are then watched with OnChange.
func (d *database) watch(args []js.Value) (any, error) {
	if err := argCount(args, 3, "watch(sql, params, handler)"); err != nil {
		return nil, err
	}
	sql, params, err := d.b.sqlArgs(args[:2])
	if err != nil {
		return nil, err
	}
	fn, err := goFunc(args[2], "handler")
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(d.b.ctx)
	dirty := make(chan struct{}, 1)
	dirty <- struct{}{}
	go func() {
		tables, err := d.tablesRead(ctx, sql, params)
		if err != nil {
			d.b.invoke(fn, false, d.b.jsError(err))
			return
		}
		if len(tables) > 0 {
			cancel := d.db.OnChange(tables, func([]string) {
				select {
				case dirty <- struct{}{}:
				default:
				}
			})
			defer cancel()
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-dirty:
			}
			rows, err := d.db.GetAll(ctx, sql, params...)
			if ctx.Err() != nil {
				return
			}
			if err == nil {
				var e Encoder
				if err = e.Rows(rows.Columns, rows.Values); err == nil {
					d.b.invoke(fn, true, d.b.jsonPayload(&e))
					continue
				}
			}
			d.b.invoke(fn, false, d.b.jsError(err))
		}
	}()
	return d.subscribe(stop), nil
}

// tablesRead returns the user tables sql reads: the b-trees its plan
// opens for reading, mapped through sqlite_master to their tables and from
// PowerSync's data tables to the names users declared.
func (d *database) tablesRead(ctx context.Context, sql string, params []any) ([]string, error) {
	plan, err := d.db.GetAll(ctx, "EXPLAIN "+sql, params...)
	if err != nil {
		return nil, err
	}
	col := func(name string) int {
		for i, c := range plan.Columns {
			if c == name {
				return i
			}
		}
		return -1
	}
	opcode, p2 := col("opcode"), col("p2")
	if opcode < 0 || p2 < 0 {
		return nil, nil
	}
	var pages []any
	for _, row := range plan.Values {
		if op, _ := row[opcode].(string); op == "OpenRead" {
			pages = append(pages, row[p2])
		}
	}
	if len(pages) == 0 {
		return nil, nil
	}
	q := "SELECT DISTINCT tbl_name FROM sqlite_master WHERE rootpage IN (?" + strings.Repeat(",?", len(pages)-1) + ")"
	rows, err := d.db.GetAll(ctx, q, pages...)
	if err != nil {
		return nil, err
	}
	var tables []string
	for _, row := range rows.Values {
		name, _ := row[0].(string)
		if t, ok := userTable(d.schema, name); ok {
			tables = append(tables, t)
		}
	}
	return tables, nil
}

// userTable maps a PowerSync data table to the table's declared name.
func userTable(s store.Schema, sqlName string) (string, bool) {
	for _, t := range s.Tables {
		if t.DataTable() == sqlName {
			return t.Name, true
		}
	}
	return "", false
}
