package syncserver

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/localfirst/gopowersync/syncserver/internal/auth"
)

// Token returns a token for userID that expires after lifetime: an HS256
// JWT with header kid "dev-key-1" and claims sub (userID), iat, exp and
// aud (Config.Audience), as the service expects of custom auth
// (powersync-docs configuration/auth/custom.mdx; powersync.md §5).
// lifetime 0 selects Config.TokenLifetime; a negative lifetime gives an
// already expired token (for tests of expiry); more than 24 h is an
// error, since the service refuses such tokens.
func (s *Server) Token(userID string, lifetime time.Duration) (string, error) {
	tok, _, err := s.token(userID, lifetime)
	return tok, err
}

func (s *Server) token(userID string, lifetime time.Duration) (string, time.Time, error) {
	if userID == "" {
		return "", time.Time{}, errors.New("syncserver: token: empty user id")
	}
	if lifetime == 0 {
		lifetime = s.cfg.TokenLifetime
	}
	if lifetime > MaxTokenLifetime {
		return "", time.Time{}, fmt.Errorf("syncserver: token: lifetime %v is over %v", lifetime, MaxTokenLifetime)
	}
	tok, exp, err := s.keys.Mint(userID, s.now(), lifetime)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("syncserver: token: %w", err)
	}
	return tok, exp, nil
}

// tokenResponse is the body of GET /api/token: what a connector's
// fetchCredentials returns (endpoint and token; expires_at is extra).
type tokenResponse struct {
	Token     string `json:"token"`
	Endpoint  string `json:"endpoint"`
	ExpiresAt string `json:"expires_at"`
}

// handleToken serves GET /api/token?user_id=ID[&expires_in=SECONDS].
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	user := q.Get("user_id")
	if user == "" {
		user = DefaultUserID
	}
	var lifetime time.Duration
	if v := q.Get("expires_in"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n == 0 || n > int64(MaxTokenLifetime/time.Second) || n < -int64(MaxTokenLifetime/time.Second) {
			badRequest(w, fmt.Sprintf("syncserver: token: expires_in %q is not a non-zero number of seconds of at most %d", v, int64(MaxTokenLifetime/time.Second)))
			return
		}
		lifetime = time.Duration(n) * time.Second
	}
	tok, exp, err := s.token(user, lifetime)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	writeJSON(w, http.StatusOK, tokenResponse{Token: tok, Endpoint: scheme + "://" + r.Host, ExpiresAt: exp.UTC().Format(time.RFC3339)})
}

// authenticate checks the request's Authorization header, answering 401
// with the service's code and message when it fails
// (protocol-vectors.md §6).
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (auth.Claims, bool) {
	claims, aerr := s.keys.Verify(r.Header.Get("Authorization"), s.now())
	if aerr != nil {
		s.log.Info("syncserver: unauthorized", "path", r.URL.Path, "code", aerr.Code, "reason", aerr.Message)
		writeError(w, http.StatusUnauthorized, aerr.Code, "AuthorizationError", aerr.Message)
		return claims, false
	}
	return claims, true
}
