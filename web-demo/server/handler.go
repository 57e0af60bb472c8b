package main

import (
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// contentTypes are set explicitly: the module must be served as
// application/wasm for instantiateStreaming, and .js as a JavaScript MIME
// type for module scripts and workers, whatever the host's mime tables say.
var contentTypes = map[string]string{
	".wasm": "application/wasm",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json",
	".ts":   "text/plain; charset=utf-8",
}

// encodings are the precompressed siblings `make build` writes, best first.
var encodings = []struct{ token, suffix string }{{"br", ".br"}, {"gzip", ".gz"}}

// syncRoutes are the dev sync server's routes (package syncserver): the
// PowerSync service endpoints and its backend API. The demo mounts them
// beside its files so that the page syncs with its own origin.
var syncRoutes = []string{"/sync/stream", "/write-checkpoint2.json", "/api/"}

// newHandler serves the demo page at / and the repository's js/ and dist/
// files, and, when sync is not nil, the sync server's routes on the same
// origin. Files are revalidated on every load (no-cache plus
// Last-Modified), which keeps V8's code cache for the module usable across
// reloads while a rebuilt module is picked up at once.
func newHandler(root fs.FS, sync http.Handler) http.Handler {
	mux := http.NewServeMux()
	if sync != nil {
		// Every method: the sync server answers its own 405s and CORS preflights.
		for _, route := range syncRoutes {
			mux.Handle(route, sync)
		}
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		serveFile(w, r, root, "web-demo/index.html")
	})
	for _, dir := range []string{"js", "dist", "web-demo"} {
		mux.HandleFunc("GET /"+dir+"/", func(w http.ResponseWriter, r *http.Request) {
			serveFile(w, r, root, strings.TrimPrefix(path.Clean(r.URL.Path), "/"))
		})
	}
	return mux
}

func serveFile(w http.ResponseWriter, r *http.Request, root fs.FS, name string) {
	ext := path.Ext(name)
	ctype := contentTypes[ext]
	if ctype == "" {
		ctype = mime.TypeByExtension(ext)
	}
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Add("Vary", "Accept-Encoding")
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}

	accept := r.Header.Get("Accept-Encoding")
	for _, enc := range encodings {
		if !strings.Contains(accept, enc.token) {
			continue
		}
		if f, err := root.Open(name + enc.suffix); err == nil {
			defer f.Close()
			h.Set("Content-Encoding", enc.token)
			serveOpen(w, r, name, f)
			return
		}
	}
	f, err := root.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	serveOpen(w, r, name, f)
}

// serveOpen hands an open file to http.ServeContent, which answers ranges
// and If-Modified-Since; directories are not listed.
func serveOpen(w http.ResponseWriter, r *http.Request, name string, f fs.File) {
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		http.NotFound(w, r)
		return
	}
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		http.Error(w, "not seekable", http.StatusInternalServerError)
		return
	}
	http.ServeContent(w, r, name, st.ModTime(), rs)
}
