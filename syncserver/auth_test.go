package syncserver_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/syncserver"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

// sign makes a token as a third party would, with golang-jwt.
func sign(t *testing.T, kid string, key []byte, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The codes and messages of protocol-vectors.md §6 (the service's
// KeyStore.ts and auth/utils.ts).
func TestAuthFailuresGetTheServicesCodes(t *testing.T) {
	now := time.Now().Unix()
	claims := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"sub": "u1", "iat": now, "exp": now + 300, "aud": "powersync-dev"}
		if edit != nil {
			edit(c)
		}
		return c
	}
	cases := []struct {
		name, header, code, message string
	}{
		{"no header", "", "PSYNC_S2106", "Authentication required"},
		{"other scheme", "Basic dTE6cHc=", "PSYNC_S2106", "Authentication required"},
		{"malformed", "Token not.a.jwt", "PSYNC_S2101", "Token is not a well-formed JWT. Check the token format."},
		{"missing sub", "Token " + sign(t, "dev-key-1", testSecret, claims(func(c jwt.MapClaims) { delete(c, "sub") })),
			"PSYNC_S2101", `JWT payload is missing a required claim "sub"`},
		{"missing aud", "Token " + sign(t, "dev-key-1", testSecret, claims(func(c jwt.MapClaims) { delete(c, "aud") })),
			"PSYNC_S2101", `JWT payload is missing a required claim "aud"`},
		{"expired", "Token " + sign(t, "dev-key-1", testSecret, claims(func(c jwt.MapClaims) { c["iat"], c["exp"] = now-500, now-400 })),
			"PSYNC_S2103", "JWT has expired"},
		{"lifetime too long", "Token " + sign(t, "dev-key-1", testSecret, claims(func(c jwt.MapClaims) { c["exp"] = now + 90000 })),
			"PSYNC_S2104", "Token must expire in a maximum of 86400 seconds, got 90000s"},
		{"wrong aud", "Token " + sign(t, "dev-key-1", testSecret, claims(func(c jwt.MapClaims) { c["aud"] = "tests" })),
			"PSYNC_S2105", `Unexpected "aud" claim value: "tests"`},
		{"no kid", "Token " + sign(t, "", testSecret, claims(nil)),
			"PSYNC_S2101", "Could not find an appropriate key in the keystore. The key is missing or no key matched the token KID"},
		{"other kid", "Bearer " + sign(t, "other", testSecret, claims(nil)),
			"PSYNC_S2101", "Could not find an appropriate key in the keystore. The key is missing or no key matched the token KID"},
		{"other key", "Token " + sign(t, "dev-key-1", []byte("another secret, of the same size!"), claims(nil)),
			"PSYNC_S2101", "signature verification failed"},
	}
	ts := newServer(t, syncserver.Config{Secret: testSecret})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{}
			if c.header != "" {
				h.Set("Authorization", c.header)
			}
			status, body := do(t, http.MethodPost, ts.URL+"/sync/stream", h, `{"buckets":[]}`)
			e := errorBody(t, body)
			if status != http.StatusUnauthorized || e.Status != 401 || e.Code != c.code || e.Description != c.message || e.Name != "AuthorizationError" {
				t.Fatalf("HTTP %d %s\nwant 401 %s %q", status, body, c.code, c.message)
			}
			status, body = do(t, http.MethodGet, ts.URL+"/write-checkpoint2.json?client_id=c1", h, "")
			if status != http.StatusUnauthorized || errorBody(t, body).Code != c.code {
				t.Fatalf("write checkpoint: HTTP %d %s, want 401 %s", status, body, c.code)
			}
		})
	}
}

func TestATokenFromAnotherIssuerWithTheSecretIsAccepted(t *testing.T) {
	ts := newServer(t, syncserver.Config{Secret: testSecret, Audience: "my-app"})
	now := time.Now().Unix()
	tok := sign(t, "dev-key-1", testSecret, jwt.MapClaims{"sub": "u7", "iat": now, "exp": now + 60, "aud": []string{"other", "my-app"}})
	s := openStream(t, ts, tok, protocol.StreamRequest{})
	if l := s.next(); l.Checkpoint == nil {
		t.Fatalf("got %s, want a checkpoint", lineJSON(l))
	}
}

// The service validates the request before the token.
func TestABadStreamBodyIs400EvenWithABadToken(t *testing.T) {
	ts := newServer(t, syncserver.Config{})
	status, body := do(t, http.MethodPost, ts.URL+"/sync/stream", http.Header{"Authorization": {"Token nope"}}, `{"buckets":[{"name":"a","after":12}]}`)
	if status != http.StatusBadRequest || errorBody(t, body).Code != "PSYNC_S2001" {
		t.Fatalf("HTTP %d %s, want 400", status, body)
	}
}

func TestTheTokenRouteIssuesDevTokens(t *testing.T) {
	ts := newServer(t, syncserver.Config{})
	cases := []struct {
		query, user string
		lifetime    int64
	}{
		{"", syncserver.DefaultUserID, 3600},
		{"?user_id=u9", "u9", 3600},
		{"?user_id=u9&expires_in=30", "u9", 30},
	}
	for _, c := range cases {
		status, body := do(t, http.MethodGet, ts.URL+"/api/token"+c.query, nil, "")
		var resp struct {
			Token, Endpoint string
			ExpiresAt       string `json:"expires_at"`
		}
		if err := json.Unmarshal(body, &resp); status != http.StatusOK || err != nil {
			t.Fatalf("%s: HTTP %d %s", c.query, status, body)
		}
		if resp.Endpoint != ts.URL {
			t.Errorf("%s: endpoint %q, want %q", c.query, resp.Endpoint, ts.URL)
		}
		tok, _, err := jwt.NewParser().ParseUnverified(resp.Token, jwt.MapClaims{})
		if err != nil {
			t.Fatal(err)
		}
		cl := tok.Claims.(jwt.MapClaims)
		exp, _ := cl.GetExpirationTime()
		iat, _ := cl.GetIssuedAt()
		if tok.Header["kid"] != "dev-key-1" || tok.Method.Alg() != "HS256" || cl["sub"] != c.user || cl["aud"] != "powersync-dev" ||
			exp.Unix()-iat.Unix() != c.lifetime || exp.UTC().Format(time.RFC3339) != resp.ExpiresAt {
			t.Errorf("%s: token header %v claims %v expires_at %s", c.query, tok.Header, cl, resp.ExpiresAt)
		}
		// The token works.
		if status, body := do(t, http.MethodGet, ts.URL+"/write-checkpoint2.json?client_id=c", authHeader(resp.Token), ""); status != http.StatusOK {
			t.Errorf("%s: the token is refused: %s", c.query, body)
		}
	}
	for _, q := range []string{"?expires_in=soon", "?expires_in=90000", "?expires_in=0"} {
		if status, body := do(t, http.MethodGet, ts.URL+"/api/token"+q, nil, ""); status != http.StatusBadRequest {
			t.Errorf("%s: HTTP %d %s, want 400", q, status, body)
		}
	}
	if _, err := ts.Token("u1", 25*time.Hour); err == nil {
		t.Errorf("Token with a 25 h lifetime: no error")
	}
}

func TestPreflightsAndAnswersCarryCORSHeaders(t *testing.T) {
	ts := newServer(t, syncserver.Config{})
	origin := "http://127.0.0.1:5173"
	req, err := http.NewRequest(http.MethodOptions, ts.URL+"/sync/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization,content-type,x-user-agent,x-extra")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h := resp.Header
	allowed := strings.ToLower(h.Get("Access-Control-Allow-Headers"))
	if resp.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != origin ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") ||
		!strings.Contains(allowed, "authorization") || !strings.Contains(allowed, "x-user-agent") || !strings.Contains(allowed, "x-extra") {
		t.Fatalf("preflight: HTTP %d %v", resp.StatusCode, h)
	}

	for _, path := range []string{"/api/token", "/nowhere"} {
		req, err := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Origin", origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("Access-Control-Allow-Origin") != origin {
			t.Errorf("GET %s: Access-Control-Allow-Origin %q, want %q", path, resp.Header.Get("Access-Control-Allow-Origin"), origin)
		}
	}
}

func TestUnknownRoutesAndMethodsGetJSONErrors(t *testing.T) {
	ts := newServer(t, syncserver.Config{})
	cases := []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/nowhere", http.StatusNotFound},
		{http.MethodGet, "/sync/stream", http.StatusMethodNotAllowed},
		{http.MethodPost, "/api/token", http.StatusMethodNotAllowed},
	}
	for _, c := range cases {
		status, body := do(t, c.method, ts.URL+c.path, nil, "")
		if e := errorBody(t, body); status != c.status || e.Status != c.status || e.Code == "" {
			t.Errorf("%s %s: HTTP %d %s, want %d", c.method, c.path, status, body, c.status)
		}
	}
}
