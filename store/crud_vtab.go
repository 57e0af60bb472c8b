package store

import (
	"errors"
	"fmt"

	"github.com/ncruces/go-sqlite3"
)

// The generated triggers record local writes by inserting into two
// insert-only virtual tables, as in PowerSync's core:
//
//	powersync_crud(op, id, type, data, old_values, metadata, options HIDDEN)
//	powersync_crud_(data, options HIDDEN)
//
// Going through a virtual table (rather than inserting into ps_crud from
// the trigger) gives a hook on the transaction: xBegin runs once per SQLite
// transaction that records a write, and allocates that transaction's id
// from ps_tx (tx_id = next_tx before the increment). Rolling back the
// transaction rolls back the increment with it. Transactions that record
// nothing (reads, local-only tables, sync) never touch ps_tx.

const (
	crudVTabSimple = "powersync_crud"
	crudVTabManual = "powersync_crud_"
)

// maxOpID is the "no checkpoint yet" target PowerSync stores after a local
// write: the largest int64.
const maxOpID = "9223372036854775807"

// crudState is shared by both virtual tables of one connection: whichever
// sees the transaction first allocates its id, the other reuses it.
type crudState struct {
	conn      *sqlite3.Conn
	txID      int64
	inTx      bool
	hadWrites bool // the transaction already set the checkpoint target

	// Statements, prepared on first use and closed by close.
	nextTx, insertCrud, insertManual, updatedRows, markTarget, clearSeen *sqlite3.Stmt

	buf []byte // the entry JSON, reused between rows
}

func (s *crudState) prepare(p **sqlite3.Stmt, sql string) (*sqlite3.Stmt, error) {
	if *p == nil {
		stmt, _, err := s.conn.Prepare(sql)
		if err != nil {
			return nil, fmt.Errorf("store: upload queue: prepare: %w", err)
		}
		*p = stmt
	}
	return *p, nil
}

func (s *crudState) close() error {
	var errs []error
	for _, p := range []**sqlite3.Stmt{&s.nextTx, &s.insertCrud, &s.insertManual, &s.updatedRows, &s.markTarget, &s.clearSeen} {
		if *p != nil {
			errs = append(errs, (*p).Close())
			*p = nil
		}
	}
	return errors.Join(errs...)
}

// begin allocates the transaction id, once per transaction.
func (s *crudState) begin() error {
	if s.inTx {
		return nil
	}
	stmt, err := s.prepare(&s.nextTx, `UPDATE ps_tx SET next_tx = next_tx + 1 WHERE id = 1 RETURNING next_tx`)
	if err != nil {
		return err
	}
	defer stmt.Reset()
	if !stmt.Step() {
		if err := stmt.Err(); err != nil {
			return err
		}
		return errors.New("store: upload queue: ps_tx has no row")
	}
	s.txID = stmt.ColumnInt64(0) - 1
	s.inTx = true
	s.hadWrites = false
	return nil
}

func (s *crudState) end() {
	s.inTx = false
	s.hadWrites = false
}

func execStmt(stmt *sqlite3.Stmt) error {
	err := stmt.Exec()
	if rerr := stmt.Reset(); err == nil {
		err = rerr
	}
	return err
}

// put records one entry of the simple table: the args are op, id, type,
// data, old_values, metadata, options.
func (s *crudState) put(args []sqlite3.Value) error {
	if !s.inTx {
		return errors.New("store: upload queue: write outside a transaction")
	}
	op, id, typ := args[0].RawText(), args[1].RawText(), args[2].RawText()
	var flags int64
	if args[6].Type() != sqlite3.NULL {
		flags = args[6].Int64()
	}
	data := jsonArg(args[3])
	if flags&flagIgnoreEmptyUpdate != 0 && string(op) == "PATCH" && string(data) == "{}" {
		return nil
	}

	b := append(s.buf[:0], `{"op":`...)
	b = appendString(b, string(op))
	b = append(b, `,"id":`...)
	b = appendString(b, string(id))
	b = append(b, `,"type":`...)
	b = appendString(b, string(typ))
	if data != nil {
		b = append(b, `,"data":`...)
		b = append(b, data...)
	}
	if old := jsonArg(args[4]); old != nil {
		b = append(b, `,"old":`...)
		b = append(b, old...)
	}
	if args[5].Type() == sqlite3.TEXT {
		b = append(b, `,"metadata":`...)
		b = appendString(b, string(args[5].RawText()))
	}
	b = append(b, '}')
	s.buf = b

	// Copy what the next statements need before running them: the
	// argument values belong to the statement that called us.
	idStr, typStr := string(id), string(typ)

	stmt, err := s.prepare(&s.insertCrud, `INSERT INTO ps_crud(tx_id, data) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	stmt.BindInt64(1, s.txID)
	stmt.BindRawText(2, b)
	if err := execStmt(stmt); err != nil {
		return err
	}

	stmt, err = s.prepare(&s.updatedRows, `INSERT OR IGNORE INTO ps_updated_rows(row_type, row_id) VALUES(?, ?)`)
	if err != nil {
		return err
	}
	stmt.BindText(1, typStr)
	stmt.BindText(2, idStr)
	if err := execStmt(stmt); err != nil {
		return err
	}
	return s.markLocalWrite()
}

// markLocalWrite, on the first recorded write of a transaction, sets the
// checkpoint target to "unknown yet" and forgets the checkpoints seen so
// far: none of them can include this write, so downloaded data must not
// overwrite it until a new write checkpoint arrives.
func (s *crudState) markLocalWrite() error {
	if s.hadWrites {
		return nil
	}
	stmt, err := s.prepare(&s.markTarget, `INSERT OR REPLACE INTO ps_kv(key, value) VALUES('target_checkpoint_request_id', `+maxOpID+`)`)
	if err != nil {
		return err
	}
	if err := execStmt(stmt); err != nil {
		return err
	}
	stmt, err = s.prepare(&s.clearSeen, `DELETE FROM ps_kv WHERE key IN ('last_seen_checkpoint_request_id', 'last_applied_checkpoint_request_id')`)
	if err != nil {
		return err
	}
	if err := execStmt(stmt); err != nil {
		return err
	}
	s.hadWrites = true
	return nil
}

// putManual records one entry of powersync_crud_: the args are data and
// options. The data is the entry JSON already.
func (s *crudState) putManual(args []sqlite3.Value) error {
	if !s.inTx {
		return errors.New("store: upload queue: write outside a transaction")
	}
	stmt, err := s.prepare(&s.insertManual, `WITH insertion (tx_id, data) AS (VALUES (?1, ?2))
INSERT INTO ps_crud(tx_id, data)
SELECT * FROM insertion WHERE (NOT (?3 & 16)) OR data->>'op' != 'PATCH' OR data->'data' != '{}'`)
	if err != nil {
		return err
	}
	stmt.BindInt64(1, s.txID)
	stmt.BindRawText(2, args[0].RawText())
	if args[1].Type() == sqlite3.NULL {
		stmt.BindInt64(3, 0)
	} else {
		stmt.BindInt64(3, args[1].Int64())
	}
	return execStmt(stmt)
}

// jsonArg returns the JSON text of a TEXT argument, nil otherwise.
func jsonArg(v sqlite3.Value) []byte {
	if v.Type() != sqlite3.TEXT {
		return nil
	}
	return v.RawText()
}

// crudVTab is one of the two virtual tables.
type crudVTab struct {
	state  *crudState
	manual bool
}

func registerCrudVTabs(c *sqlite3.Conn, st *crudState) error {
	for _, name := range []string{crudVTabSimple, crudVTabManual} {
		manual := name == crudVTabManual
		err := sqlite3.CreateModule(c, name, nil, func(db *sqlite3.Conn, _, _, _ string, _ ...string) (*crudVTab, error) {
			decl := `CREATE TABLE x(op TEXT, id TEXT, type TEXT, data TEXT, old_values TEXT, metadata TEXT, options INT HIDDEN)`
			if manual {
				decl = `CREATE TABLE x(data TEXT, options INT HIDDEN)`
			}
			if err := db.DeclareVTab(decl); err != nil {
				return nil, err
			}
			// Triggers may only use innocuous virtual tables when the
			// schema is not trusted.
			if err := db.VTabConfig(sqlite3.VTAB_INNOCUOUS); err != nil {
				return nil, err
			}
			return &crudVTab{state: st, manual: manual}, nil
		})
		if err != nil {
			return fmt.Errorf("store: register %s: %w", name, err)
		}
	}
	return nil
}

var errInsertOnly = errors.New("store: the upload queue virtual tables are insert-only")

// BestIndex refuses reads: the tables are insert-only.
func (v *crudVTab) BestIndex(*sqlite3.IndexInfo) error { return errInsertOnly }

// Open refuses reads: the tables are insert-only.
func (v *crudVTab) Open() (sqlite3.VTabCursor, error) { return nil, errInsertOnly }

// Update records an insert; updates and deletes are refused.
func (v *crudVTab) Update(arg ...sqlite3.Value) (int64, error) {
	if len(arg) == 1 || arg[0].Type() != sqlite3.NULL {
		return 0, errInsertOnly
	}
	if v.manual {
		return 0, v.state.putManual(arg[2:])
	}
	return 0, v.state.put(arg[2:])
}

// Begin allocates the transaction id.
func (v *crudVTab) Begin() error { return v.state.begin() }

// Sync does nothing: the writes went to ordinary tables.
func (v *crudVTab) Sync() error { return nil }

// Commit ends the transaction.
func (v *crudVTab) Commit() error { v.state.end(); return nil }

// Rollback ends the transaction; SQLite undoes the ps_tx increment.
func (v *crudVTab) Rollback() error { v.state.end(); return nil }
