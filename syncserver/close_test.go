package syncserver_test

import (
	"net/http"
	"testing"

	"github.com/localfirst/gopowersync/syncserver"
)

// Every route of a closed server answers 503, as Close promises; the
// stream used to answer 200 and end at once, which a client reads as a
// stream the service closed normally, not as a server that is down.
func TestEveryRouteAnswers503AfterClose(t *testing.T) {
	ts := newServer(t, syncserver.Config{})
	tok := ts.token(t, "u1")
	if err := ts.Close(); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct{ method, path, body string }{
		{http.MethodPost, "/sync/stream", `{"buckets":[]}`},
		{http.MethodGet, "/write-checkpoint2.json?client_id=c1", ""},
		{http.MethodGet, "/api/token?user_id=u1", ""},
		{http.MethodPost, "/api/upload", `{"batch":[]}`},
		{http.MethodPost, "/api/compact", ""},
	} {
		status, body := do(t, r.method, ts.URL+r.path, authHeader(tok), r.body)
		if status != http.StatusServiceUnavailable || errorBody(t, body).Code != "PSYNC_S2003" {
			t.Errorf("%s %s after Close: %d %s, want 503 PSYNC_S2003", r.method, r.path, status, body)
		}
	}
}
