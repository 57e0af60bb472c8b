// Command gosync-bench is our side of tests/interop/bench/initial-sync.js:
// it opens a fresh client database, connects it (package psync) to a dev
// sync server, waits for the first complete sync, checks that every row
// arrived, and prints one JSON line:
//
//	{"client":"ours","ms":…,"rows":…,"opsPerSec":…,"peakHeapMB":…,"rssBeforeMB":…,"peakRssMB":…}
//
// ms runs from Connect to WaitForFirstSync returning (the token fetch
// included, opening the database not). peakHeapMB is the highest Go heap
// (runtime/metrics, sampled every 2 ms) during that time; peakRssMB is the
// process's high-water resident set (VmHWM), rssBeforeMB its resident set
// just before Connect. It exits non-zero when the sync fails or the table
// does not hold -rows rows.
//
//	go run ./tests/interop/bench/gosync-bench -url http://127.0.0.1:8181 -rows 100000
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	"github.com/localfirst/gopowersync/psync"
	"github.com/localfirst/gopowersync/store"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8181", "dev sync server")
	rows := flag.Int("rows", 100_000, "rows the todos table must hold after the first sync")
	timeout := flag.Duration("timeout", 5*time.Minute, "give up after")
	flag.Parse()
	if err := run(*base, *rows, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "gosync-bench:", err)
		os.Exit(1)
	}
}

// schema is the table initial-sync.js seeds (5 columns, ~150 bytes of
// JSON a row); the official client's run declares the same.
var schema = store.Schema{Tables: []store.Table{{Name: "todos", Columns: []store.Column{
	{Name: "list_id", Type: store.Text},
	{Name: "description", Type: store.Text},
	{Name: "completed", Type: store.Integer},
	{Name: "created_at", Type: store.Text},
	{Name: "priority", Type: store.Integer},
}}}}

func run(base string, want int, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	dir, err := os.MkdirTemp("", "gosync-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, filepath.Join(dir, "client.sqlite"), schema, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := psync.New(ctx, db, nil)
	if err != nil {
		return err
	}
	rssBefore := procStatusKB("VmRSS")
	peak := sampleHeap()
	t0 := time.Now()
	err = c.Connect(ctx, tokenConnector{base: strings.TrimRight(base, "/")}, psync.ConnectOptions{RetryDelay: 200 * time.Millisecond, CrudUploadThrottle: -1})
	if err == nil {
		err = c.WaitForFirstSync(ctx, -1)
	}
	elapsed := time.Since(t0)
	heapPeak := peak()
	if err != nil {
		st := c.Status()
		return fmt.Errorf("first sync: %w (download error: %v)", err, st.DataFlow.DownloadError)
	}
	if err := c.Disconnect(ctx); err != nil {
		return err
	}
	row, err := db.Get(ctx, `SELECT count(*) AS n FROM todos`)
	if err != nil {
		return err
	}
	n, _ := row["n"].(int64)
	if n != int64(want) {
		return fmt.Errorf("the client holds %d rows after its first sync, want %d", n, want)
	}
	out, err := json.Marshal(map[string]any{
		"client":      "ours",
		"ms":          round(float64(elapsed.Microseconds())/1e3, 1),
		"rows":        n,
		"opsPerSec":   round(float64(n)/elapsed.Seconds(), 0),
		"peakHeapMB":  round(float64(heapPeak)/1e6, 1),
		"rssBeforeMB": round(float64(rssBefore)/1e3, 1),
		"peakRssMB":   round(float64(procStatusKB("VmHWM"))/1e3, 1),
	})
	if err != nil {
		return err
	}
	fmt.Println(string(out))
	return nil
}

// tokenConnector takes credentials from the dev server's /api/token;
// the benchmark uploads nothing.
type tokenConnector struct{ base string }

func (c tokenConnector) FetchCredentials(ctx context.Context) (*psync.Credentials, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/api/token?user_id="+url.QueryEscape("bench"), nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /api/token: HTTP %d", res.StatusCode)
	}
	var tr struct{ Token, Endpoint string }
	if err := json.NewDecoder(res.Body).Decode(&tr); err != nil {
		return nil, err
	}
	return &psync.Credentials{Endpoint: tr.Endpoint, Token: tr.Token}, nil
}

func (tokenConnector) UploadData(context.Context, *store.DB) error {
	return errors.New("gosync-bench uploads nothing")
}

// sampleHeap samples the Go heap every 2 ms until the returned function is
// called, which returns the highest value seen.
func sampleHeap() func() uint64 {
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var peak uint64
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-stop:
				done <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(stop); return <-done }
}

// procStatusKB reads a "kB" field of /proc/self/status (0 when absent).
func procStatusKB(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func round(x float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	return float64(int64(x*p+0.5)) / p
}
