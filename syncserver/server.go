package syncserver

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/syncserver/internal/auth"
	"github.com/localfirst/gopowersync/syncserver/internal/rules"
	"github.com/localfirst/gopowersync/syncserver/internal/storage"
)

// Server is a dev sync server. It is safe for concurrent use; serve its
// Handler with net/http.
type Server struct {
	cfg     Config
	db      *storage.DB
	keys    auth.Keys
	log     *slog.Logger
	handler http.Handler

	// afterDataLine, when set (by tests), runs after each data line a
	// stream writes.
	afterDataLine func()

	// done is closed by Close; open streams end when it is.
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// New opens the database at cfg.Path and returns a server for it.
//
// cfg.Rules, when set, is a sync-rules YAML text limited to this subset
// of PowerSync's bucket_definitions (powersync.md §5;
// powersync-docs usage/sync-rules):
//
//	bucket_definitions:
//	  user_lists:
//	    parameters: SELECT request.user_id() as user_id   # optional; string or one-item list
//	    data:
//	      - SELECT * FROM lists WHERE owner_id = bucket.user_id
//	    priority: 1                                        # optional, 0-3, default 3
//
// A definition without parameters is one bucket "<name>[]" every user
// syncs; with the parameter, each user syncs "<name>["<user id>"]" and a
// row belongs to the bucket its column names. Anything else (other keys,
// other SQL, joins, streams:, functions other than request.user_id()) is
// refused with an error naming the YAML line and its text. When the
// rules differ from those the database was last opened with, rows are
// placed into the new buckets (with REMOVE and PUT ops) before New
// returns.
//
// New fails on an invalid Config, rules it refuses, or a database it
// cannot open.
func New(ctx context.Context, cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	r := rules.Default()
	if cfg.Rules != "" {
		if r, err = rules.Parse(cfg.Rules); err != nil {
			return nil, fmt.Errorf("syncserver: sync rules: %w", err)
		}
	}
	db, err := storage.Open(ctx, cfg.Path, r)
	if err != nil {
		return nil, fmt.Errorf("syncserver: %w", err)
	}
	secret := cfg.Secret
	if len(secret) == 0 {
		if secret, err = db.Secret(ctx, randomKey); err != nil {
			return nil, errors.Join(fmt.Errorf("syncserver: %w", err), db.Close())
		}
	}
	s := &Server{cfg: cfg, db: db, keys: auth.Keys{Secret: secret, Audience: cfg.Audience}, log: cfg.Logger, done: make(chan struct{})}
	s.handler = s.routes()
	return s, nil
}

func randomKey() ([]byte, error) {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	return k, nil
}

// Close ends open streams and closes the database. Requests after Close
// fail with 503.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		if err := s.db.Close(); err != nil {
			s.closeErr = fmt.Errorf("syncserver: close: %w", err)
		}
	})
	return s.closeErr
}

// Handler returns the server's HTTP handler (routes in the package
// documentation).
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/sync/stream", only(http.MethodPost, s.handleStream))
	mux.Handle("/write-checkpoint2.json", only(http.MethodGet, s.handleWriteCheckpoint))
	mux.Handle("/api/token", only(http.MethodGet, s.handleToken))
	mux.Handle("/api/upload", only(http.MethodPost, s.handleUpload))
	mux.Handle("/api/compact", only(http.MethodPost, s.handleCompact))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "PSYNC_S2002", "RouteNotFound", fmt.Sprintf("no route %s %s", r.Method, r.URL.Path))
	})
	return cors(s.unlessClosed(mux))
}

// unlessClosed answers every request after Close with 503, as Close
// promises. Without it, routes that do not reach the database (tokens)
// or answer before they do (the stream's 200 goes out first) would
// answer a closed server's requests as if it were running: a stream
// would end at once without an error, and a client would retry forever
// without knowing why.
func (s *Server) unlessClosed(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-s.done:
			writeError(w, http.StatusServiceUnavailable, "PSYNC_S2003", "ServiceUnavailable", "the sync server is closed")
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// only answers requests of other methods with 405.
func only(method string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method {
			w.Header().Set("Allow", method+", OPTIONS")
			writeError(w, http.StatusMethodNotAllowed, "PSYNC_S2002", "MethodNotAllowed", fmt.Sprintf("%s takes %s, not %s", r.URL.Path, method, r.Method))
			return
		}
		h(w, r)
	})
}

// corsHeaders are the request headers pages may send: the official
// client sends Authorization, Content-Type, Accept and x-user-agent
// (powersync-js AbstractRemote.ts); a preflight's own list is allowed too.
const corsHeaders = "Authorization, Content-Type, Accept, X-User-Agent, User-Agent"

// cors lets pages served from another local origin call every route:
// preflights (OPTIONS, any path) get 204, and every answer names the
// request's Origin (or *) as allowed.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if origin := r.Header.Get("Origin"); origin != "" {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
		} else {
			h.Set("Access-Control-Allow-Origin", "*")
		}
		if r.Method == http.MethodOptions {
			allow := corsHeaders
			if asked := r.Header.Get("Access-Control-Request-Headers"); asked != "" {
				allow += ", " + asked
			}
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", allow)
			h.Set("Access-Control-Max-Age", "86400")
			if r.Header.Get("Access-Control-Request-Private-Network") == "true" {
				h.Set("Access-Control-Allow-Private-Network", "true")
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"PSYNC_S2001","status":500,"description":"encode response","name":"InternalServerError"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// A failed write means the client went away; there is no one to tell.
	w.Write(append(b, '\n'))
}

// writeError writes the service's error body
// (lib-services-framework errors.ts: ServiceError's toJSON).
func writeError(w http.ResponseWriter, status int, code, name, description string) {
	writeJSON(w, status, protocol.ErrorResponse{Error: protocol.ErrorBody{Code: code, Status: status, Description: description, Name: name}})
}

func badRequest(w http.ResponseWriter, description string) {
	writeError(w, http.StatusBadRequest, "PSYNC_S2001", "ValidationError", description)
}

// internalError answers a failure of the server itself: 503 once the
// server is closed (the service's "unavailable due to restart"), else
// 500.
func (s *Server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, storage.ErrClosed) {
		writeError(w, http.StatusServiceUnavailable, "PSYNC_S2003", "ServiceUnavailable", "the sync server is closed")
		return
	}
	if r.Context().Err() != nil {
		return
	}
	s.log.Error("syncserver: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, "PSYNC_S2001", "InternalServerError", err.Error())
}

// now is the server's clock.
func (s *Server) now() time.Time { return time.Now() }
