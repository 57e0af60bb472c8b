// Command gosync is our Go sync client (psync over a store.DB) as a one-shot
// process, for the interop tests in tests/interop: it opens a database with
// a PowerSync schema, connects to a dev sync server, waits for the first
// sync, optionally writes rows and waits until they are uploaded and
// acknowledged, optionally waits for expected row counts, then prints every
// table's rows as JSON on stdout and exits.
//
//	gosync -url http://127.0.0.1:8181 -schema '{"tables":[...]}' \
//	  [-user u1] [-db path] [-expect todos=3,lists=1] \
//	  [-insert 'todos={"id":"g1","description":"x"}'] [-update 'todos={"id":"t1","completed":1}'] \
//	  [-delete todos=t2] [-timeout 30s]
//
// -schema is PowerSync's serialized schema, what the official client's
// Schema.toJSON() gives. Output: {"client_id", "tables": {name: [rows ordered
// by id]}, "warnings": [psync log records of level WARN and above],
// "status": {...}}. It exits 1 with a message on stderr when anything fails
// or times out. Used only by tests.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/localfirst/gopowersync/psync"
	"github.com/localfirst/gopowersync/store"
)

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	base := flag.String("url", "", "dev sync server base URL (serves /api/token and /api/upload)")
	user := flag.String("user", "", "user id for /api/token (empty: the server's dev user)")
	schemaJSON := flag.String("schema", "", "PowerSync serialized schema (JSON, as Schema.toJSON() gives)")
	dbPath := flag.String("db", "", `database file (empty: a fresh temp dir, removed at exit; ":memory:" for none)`)
	expect := flag.String("expect", "", "wait until tables have these row counts, e.g. todos=3,lists=1")
	timeout := flag.Duration("timeout", 30*time.Second, "give up after this long")
	var inserts, updates, deletes listFlag
	flag.Var(&inserts, "insert", `insert a row after the first sync: table={"id":..., "col":...} (repeatable)`)
	flag.Var(&updates, "update", `update a row after the first sync: table={"id":..., "col":...} (repeatable)`)
	flag.Var(&deletes, "delete", "delete a row after the first sync: table=id (repeatable)")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	out, err := run(ctx, config{
		base: strings.TrimRight(*base, "/"), user: *user, schema: *schemaJSON, dbPath: *dbPath,
		expect: *expect, inserts: inserts, updates: updates, deletes: deletes,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "gosync:", err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "gosync:", err)
		os.Exit(1)
	}
}

type config struct {
	base, user, schema, dbPath, expect string
	inserts, updates, deletes          []string
}

type output struct {
	ClientID string                      `json:"client_id"`
	Tables   map[string][]map[string]any `json:"tables"`
	Warnings []string                    `json:"warnings"`
	Status   statusJSON                  `json:"status"`
	Uploads  int                         `json:"uploads"`
}

type statusJSON struct {
	Connected     bool   `json:"connected"`
	HasSynced     bool   `json:"has_synced"`
	DownloadError string `json:"download_error,omitempty"`
	UploadError   string `json:"upload_error,omitempty"`
}

func run(ctx context.Context, cfg config) (*output, error) {
	if cfg.base == "" || cfg.schema == "" {
		return nil, errors.New("-url and -schema are required")
	}
	var schema store.Schema
	if err := json.Unmarshal([]byte(cfg.schema), &schema); err != nil {
		return nil, fmt.Errorf("-schema: %w", err)
	}
	expected, err := parseCounts(cfg.expect)
	if err != nil {
		return nil, err
	}
	path := cfg.dbPath
	if path == "" {
		dir, err := os.MkdirTemp("", "gosync-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "gosync.sqlite")
	}
	db, err := store.Open(ctx, path, schema, nil)
	if err != nil {
		return nil, err
	}
	defer db.Close()

	logs := newRecorder(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	client, err := psync.New(ctx, db, &psync.Options{Logger: slog.New(logs), UserAgent: "gopowersync-interop"})
	if err != nil {
		return nil, err
	}
	conn := &connector{base: cfg.base, user: cfg.user}
	if err := client.Connect(ctx, conn, psync.ConnectOptions{RetryDelay: 200 * time.Millisecond, CrudUploadThrottle: 50 * time.Millisecond}); err != nil {
		return nil, err
	}
	defer client.Disconnect(context.Background())
	if err := client.WaitForFirstSync(ctx, -1); err != nil {
		return nil, fmt.Errorf("waiting for the first sync: %w (status %s)", err, describe(client.Status()))
	}

	if len(cfg.inserts)+len(cfg.updates)+len(cfg.deletes) > 0 {
		if err := write(ctx, db, cfg); err != nil {
			return nil, err
		}
		if err := settle(ctx, db, client); err != nil {
			return nil, err
		}
	}
	if err := waitCounts(ctx, db, expected); err != nil {
		return nil, fmt.Errorf("%w (status %s)", err, describe(client.Status()))
	}

	out := &output{ClientID: db.ClientID(), Tables: map[string][]map[string]any{}, Warnings: logs.warnings(), Uploads: conn.uploads()}
	for _, t := range schema.Tables {
		rows, err := db.GetAll(ctx, `SELECT * FROM "`+t.View()+`" ORDER BY id`)
		if err != nil {
			return nil, err
		}
		list := make([]map[string]any, rows.Len())
		for i := range list {
			list[i] = rows.Map(i)
		}
		out.Tables[t.View()] = list
	}
	st := client.Status()
	out.Status = statusJSON{Connected: st.Connected, HasSynced: st.HasSynced()}
	if e := st.DataFlow.DownloadError; e != nil {
		out.Status.DownloadError = e.Error()
	}
	if e := st.DataFlow.UploadError; e != nil {
		out.Status.UploadError = e.Error()
	}
	return out, nil
}

// write applies the -insert, -update and -delete flags through the views,
// in one transaction, so they reach the upload queue as one batch.
func write(ctx context.Context, db *store.DB, cfg config) error {
	return db.WriteTx(ctx, func(tx *store.Tx) error {
		for _, spec := range cfg.inserts {
			table, row, err := parseRow(spec)
			if err != nil {
				return fmt.Errorf("-insert %s: %w", spec, err)
			}
			cols, marks, args := []string{}, []string{}, []any{}
			for _, k := range sortedKeys(row) {
				cols, marks, args = append(cols, quote(k)), append(marks, "?"), append(args, row[k])
			}
			if _, err := tx.Execute(ctx, fmt.Sprintf(`INSERT INTO %s (%s) VALUES (%s)`, quote(table), strings.Join(cols, ", "), strings.Join(marks, ", ")), args...); err != nil {
				return fmt.Errorf("-insert %s: %w", spec, err)
			}
		}
		for _, spec := range cfg.updates {
			table, row, err := parseRow(spec)
			if err != nil {
				return fmt.Errorf("-update %s: %w", spec, err)
			}
			sets, args := []string{}, []any{}
			for _, k := range sortedKeys(row) {
				if k != "id" {
					sets, args = append(sets, quote(k)+" = ?"), append(args, row[k])
				}
			}
			if err := mustExist(ctx, tx, table, row["id"]); err != nil {
				return fmt.Errorf("-update %s: %w", spec, err)
			}
			if _, err := tx.Execute(ctx, fmt.Sprintf(`UPDATE %s SET %s WHERE id = ?`, quote(table), strings.Join(sets, ", ")), append(args, row["id"])...); err != nil {
				return fmt.Errorf("-update %s: %w", spec, err)
			}
		}
		for _, spec := range cfg.deletes {
			table, id, ok := strings.Cut(spec, "=")
			if !ok {
				return fmt.Errorf("-delete %s: want table=id", spec)
			}
			if err := mustExist(ctx, tx, table, id); err != nil {
				return fmt.Errorf("-delete %s: %w", spec, err)
			}
			if _, err := tx.Execute(ctx, fmt.Sprintf(`DELETE FROM %s WHERE id = ?`, quote(table)), id); err != nil {
				return fmt.Errorf("-delete %s: %w", spec, err)
			}
		}
		return nil
	})
}

// mustExist fails unless the table has a row with this id (UPDATE and
// DELETE on a view report no affected rows, so check first).
func mustExist(ctx context.Context, tx *store.Tx, table string, id any) error {
	row, err := tx.Get(ctx, `SELECT count(*) AS n FROM `+quote(table)+` WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if row["n"].(int64) != 1 {
		return fmt.Errorf("no row %v in %s", id, table)
	}
	return nil
}

// settle waits until the writes are uploaded and acknowledged: the upload
// queue is empty and a checkpoint carrying the write checkpoint asked for
// after the upload has been applied, so the rows are the server's again
// (ps_kv target_checkpoint_request_id <= last_applied_checkpoint_request_id,
// the rule in psync's package doc).
func settle(ctx context.Context, db *store.DB, client *psync.Client) error {
	for {
		row, err := db.Get(ctx, `SELECT (SELECT count(*) FROM ps_crud) AS queued,
  ifnull((SELECT CAST(value AS INTEGER) FROM ps_kv WHERE key = 'target_checkpoint_request_id'), 0) AS target,
  ifnull((SELECT CAST(value AS INTEGER) FROM ps_kv WHERE key = 'last_applied_checkpoint_request_id'), 0) AS applied`)
		if err != nil {
			return err
		}
		queued, target, applied := row["queued"].(int64), row["target"].(int64), row["applied"].(int64)
		if queued == 0 && target != math.MaxInt64 && applied >= target {
			return nil
		}
		if err := pause(ctx); err != nil {
			return fmt.Errorf("waiting for the upload to be acknowledged (queued %d, target %d, applied %d): %w (status %s)",
				queued, target, applied, err, describe(client.Status()))
		}
	}
}

func waitCounts(ctx context.Context, db *store.DB, expected map[string]int) error {
	for table, want := range expected {
		for {
			row, err := db.Get(ctx, `SELECT count(*) AS n FROM `+quote(table))
			if err != nil {
				return err
			}
			got := row["n"].(int64)
			if got == int64(want) {
				break
			}
			if err := pause(ctx); err != nil {
				return fmt.Errorf("waiting for %d rows in %s (have %d): %w", want, table, got, err)
			}
		}
	}
	return nil
}

func pause(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(20 * time.Millisecond):
		return nil
	}
}

func parseCounts(s string) (map[string]int, error) {
	out := map[string]int{}
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		table, n, ok := strings.Cut(part, "=")
		count, err := strconv.Atoi(n)
		if !ok || err != nil || count < 0 {
			return nil, fmt.Errorf("-expect: %q is not table=count", part)
		}
		out[table] = count
	}
	return out, nil
}

// parseRow parses table={"id":...,...}; numbers stay exact (int64 when
// integral, else float64).
func parseRow(spec string) (string, map[string]any, error) {
	table, text, ok := strings.Cut(spec, "=")
	if !ok || table == "" {
		return "", nil, errors.New(`want table={"id":...}`)
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return "", nil, err
	}
	if id, _ := raw["id"].(string); id == "" {
		return "", nil, errors.New(`the row has no string "id"`)
	}
	row := make(map[string]any, len(raw))
	for k, v := range raw {
		switch v := v.(type) {
		case json.Number:
			if i, err := v.Int64(); err == nil {
				row[k] = i
			} else if f, err := v.Float64(); err == nil {
				row[k] = f
			} else {
				return "", nil, fmt.Errorf("column %s: %w", k, err)
			}
		case string, nil, bool:
			row[k] = v
		default:
			b, _ := json.Marshal(v) // objects and arrays are stored as JSON text
			row[k] = string(b)
		}
	}
	return table, row, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

func describe(s psync.SyncStatus) string {
	b, _ := json.Marshal(map[string]any{
		"connected": s.Connected, "connecting": s.Connecting, "has_synced": s.HasSynced(),
		"download_error": errText(s.DataFlow.DownloadError), "upload_error": errText(s.DataFlow.UploadError),
	})
	return string(b)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// connector is the README's dev-server connector in Go: credentials from
// GET /api/token, uploads one transaction at a time to POST /api/upload
// as {"batch": [...], "client_id": ...} (as psync/devserver_test.go does).
type connector struct {
	base, user string
	mu         sync.Mutex
	n          int
}

func (c *connector) uploads() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func (c *connector) FetchCredentials(ctx context.Context) (*psync.Credentials, error) {
	u := c.base + "/api/token"
	if c.user != "" {
		u += "?user_id=" + url.QueryEscape(c.user)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(res.Body)
		return nil, fmt.Errorf("GET /api/token: HTTP %d: %s", res.StatusCode, msg)
	}
	var tr struct{ Token, Endpoint string }
	if err := json.NewDecoder(res.Body).Decode(&tr); err != nil {
		return nil, fmt.Errorf("GET /api/token: %w", err)
	}
	return &psync.Credentials{Endpoint: tr.Endpoint, Token: tr.Token}, nil
}

func (c *connector) UploadData(ctx context.Context, db *store.DB) error {
	tx, err := db.GetNextCrudTransaction(ctx)
	if err != nil || tx == nil {
		return err
	}
	body, err := json.Marshal(map[string]any{"batch": tx.Crud, "client_id": db.ClientID()})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/upload", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	msg, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("POST /api/upload: HTTP %d: %s", res.StatusCode, msg)
	}
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return tx.Complete(ctx)
}

// recorder is a slog.Handler that passes records on to next and keeps
// those of level WARN and above.
type recorder struct {
	next  slog.Handler
	mu    *sync.Mutex
	warns *[]string
	attrs []slog.Attr
}

func newRecorder(next slog.Handler) *recorder {
	return &recorder{next: next, mu: &sync.Mutex{}, warns: &[]string{}}
}

func (r *recorder) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn || r.next.Enabled(ctx, l)
}

func (r *recorder) Handle(ctx context.Context, rec slog.Record) error {
	if rec.Level >= slog.LevelWarn {
		var b strings.Builder
		b.WriteString(rec.Level.String() + " " + rec.Message)
		for _, a := range r.attrs {
			b.WriteString(" " + a.String())
		}
		rec.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
		r.mu.Lock()
		*r.warns = append(*r.warns, b.String())
		r.mu.Unlock()
	}
	if r.next.Enabled(ctx, rec.Level) {
		return r.next.Handle(ctx, rec)
	}
	return nil
}

func (r *recorder) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &recorder{next: r.next.WithAttrs(attrs), mu: r.mu, warns: r.warns, attrs: append(append([]slog.Attr{}, r.attrs...), attrs...)}
}

func (r *recorder) WithGroup(name string) slog.Handler {
	return &recorder{next: r.next.WithGroup(name), mu: r.mu, warns: r.warns, attrs: r.attrs}
}

func (r *recorder) warnings() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string{}, *r.warns...)
}
