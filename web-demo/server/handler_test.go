package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"
	"time"
)

func testRoot() fstest.MapFS {
	now := time.Now()
	return fstest.MapFS{
		"web-demo/index.html":      {Data: []byte("<html>demo</html>"), ModTime: now},
		"js/index.js":              {Data: []byte("export {}"), ModTime: now},
		"dist/gopowersync.wasm":    {Data: []byte("\x00asm-raw"), ModTime: now},
		"dist/gopowersync.wasm.gz": {Data: []byte("gzipped"), ModTime: now},
		"secret/notes.txt":         {Data: []byte("nope"), ModTime: now},
	}
}

func get(t *testing.T, h http.Handler, url, acceptEncoding string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", url, nil)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestRootServesTheDemoPage(t *testing.T) {
	rec := get(t, newHandler(testRoot(), nil), "/", "")
	if rec.Code != 200 || rec.Body.String() != "<html>demo</html>" {
		t.Fatalf("GET / = %d %q", rec.Code, rec.Body.String())
	}
}

func TestModuleIsServedAsWasmAndCompressedWhenAccepted(t *testing.T) {
	h := newHandler(testRoot(), nil)
	rec := get(t, h, "/dist/gopowersync.wasm", "gzip, deflate, br")
	if got := rec.Header().Get("Content-Type"); got != "application/wasm" {
		t.Errorf("Content-Type = %q", got)
	}
	if got := rec.Header().Get("Content-Encoding"); got != "gzip" {
		t.Errorf("Content-Encoding = %q, want gzip (no .br sibling)", got)
	}
	if rec.Body.String() != "gzipped" {
		t.Errorf("body = %q", rec.Body.String())
	}

	plain := get(t, h, "/dist/gopowersync.wasm", "")
	if plain.Header().Get("Content-Encoding") != "" || plain.Body.String() != "\x00asm-raw" {
		t.Errorf("without Accept-Encoding: %q %q", plain.Header().Get("Content-Encoding"), plain.Body.String())
	}
}

func TestJavaScriptHasAModuleMIMEType(t *testing.T) {
	rec := get(t, newHandler(testRoot(), nil), "/js/index.js", "")
	if got := rec.Header().Get("Content-Type"); got != "text/javascript; charset=utf-8" {
		t.Fatalf("Content-Type = %q", got)
	}
}

func TestOnlyThePublishedDirectoriesAreServed(t *testing.T) {
	h := newHandler(testRoot(), nil)
	for _, url := range []string{"/secret/notes.txt", "/js/../secret/notes.txt", "/js/missing.js", "/js/"} {
		if rec := get(t, h, url, ""); rec.Code == 200 {
			t.Errorf("GET %s = 200 %q, want an error", url, rec.Body.String())
		}
	}
}
