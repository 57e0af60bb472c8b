// Package auth mints and checks the dev sync server's HS256 tokens, with
// the PowerSync service's rules and error codes
// (powersync-service packages/service-core/src/auth/KeyStore.ts and
// auth/utils.ts). JWT encoding,
// decoding and signatures are golang-jwt's; this package only applies
// the service's claim policy.
package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// KeyID is the kid header of the server's tokens; the service selects
// keys by kid, so a token must carry it.
const KeyID = "dev-key-1"

// MaxLifetime is the longest exp - iat the service accepts by default
// (token_max_expiration '1d').
const MaxLifetime = 24 * time.Hour

// ClockTolerance is how long past exp the service still accepts a token.
const ClockTolerance = 60 * time.Second

// Keys signs and verifies tokens.
type Keys struct {
	Secret   []byte
	Audience string
}

// Claims are what a verified token says.
type Claims struct {
	UserID    string
	ExpiresAt time.Time
}

// Error is an authentication failure, answered with HTTP 401.
type Error struct {
	Code    string
	Message string
}

// Error returns "[CODE] message", as the service logs it.
func (e *Error) Error() string { return "[" + e.Code + "] " + e.Message }

var (
	errNoKey     = errors.New("Could not find an appropriate key in the keystore. The key is missing or no key matched the token KID")
	errNotNumber = errors.New("not a number")
)

// Mint returns a token for userID issued at now that expires after
// lifetime, and its expiry.
func (k Keys) Mint(userID string, now time.Time, lifetime time.Duration) (string, time.Time, error) {
	exp := now.Add(lifetime)
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": userID,
		"iat": now.Unix(),
		"exp": exp.Unix(),
		"aud": k.Audience,
	})
	t.Header["kid"] = KeyID
	s, err := t.SignedString(k.Secret)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: sign token: %w", err)
	}
	return s, time.Unix(exp.Unix(), 0), nil
}

// Verify checks an Authorization header ("Token <jwt>" or "Bearer
// <jwt>") at now, in the service's order: header, token form, key,
// signature, required claims (aud, sub, iat, exp), expiry with
// ClockTolerance, audience, lifetime.
func (k Keys) Verify(header string, now time.Time) (Claims, *Error) {
	scheme, raw, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || (!strings.EqualFold(scheme, "Token") && !strings.EqualFold(scheme, "Bearer")) || strings.TrimSpace(raw) == "" {
		return Claims{}, &Error{"PSYNC_S2106", "Authentication required"}
	}
	p := jwt.NewParser(jwt.WithoutClaimsValidation(), jwt.WithJSONNumber())
	claims := jwt.MapClaims{}
	_, err := p.ParseWithClaims(strings.TrimSpace(raw), claims, func(t *jwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid != KeyID {
			return nil, errNoKey
		}
		switch alg := t.Method.Alg(); alg {
		case "HS256", "HS384", "HS512":
			return k.Secret, nil
		default:
			return nil, fmt.Errorf("Unexpected token algorithm %s", alg)
		}
	})
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenMalformed):
		return Claims{}, &Error{"PSYNC_S2101", "Token is not a well-formed JWT. Check the token format."}
	case errors.Is(err, errNoKey):
		return Claims{}, &Error{"PSYNC_S2101", errNoKey.Error()}
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return Claims{}, &Error{"PSYNC_S2101", "signature verification failed"}
	default:
		return Claims{}, &Error{"PSYNC_S2101", lastMessage(err)}
	}
	for _, c := range []string{"aud", "sub", "iat", "exp"} {
		if _, ok := claims[c]; !ok {
			return Claims{}, &Error{"PSYNC_S2101", fmt.Sprintf("JWT payload is missing a required claim %q", c)}
		}
	}
	sub, ok := claims["sub"].(string)
	if !ok {
		return Claims{}, &Error{"PSYNC_S2101", `JWT payload is missing a required claim "sub"`}
	}
	iat, err1 := number(claims["iat"])
	exp, err2 := number(claims["exp"])
	if err1 != nil || err2 != nil {
		return Claims{}, &Error{"PSYNC_S2101", "Token is not a well-formed JWT. Check the token format."}
	}
	if exp <= float64(now.Unix())-ClockTolerance.Seconds() {
		return Claims{}, &Error{"PSYNC_S2103", "JWT has expired"}
	}
	auds, err := claims.GetAudience()
	if err != nil || !slices.Contains(auds, k.Audience) {
		raw, jerr := json.Marshal(claims["aud"])
		if jerr != nil {
			raw = []byte("?")
		}
		return Claims{}, &Error{"PSYNC_S2105", fmt.Sprintf("Unexpected \"aud\" claim value: %s", raw)}
	}
	if d := exp - iat; d > MaxLifetime.Seconds() {
		return Claims{}, &Error{"PSYNC_S2104", fmt.Sprintf("Token must expire in a maximum of %d seconds, got %ss",
			int64(MaxLifetime.Seconds()), strconv.FormatFloat(d, 'f', -1, 64))}
	}
	sec, frac := math.Modf(exp)
	return Claims{UserID: sub, ExpiresAt: time.Unix(int64(sec), int64(frac*1e9))}, nil
}

func number(v any) (float64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, errNotNumber
	}
	return n.Float64()
}

// lastMessage returns the innermost error's message, which is the one
// that says what went wrong.
func lastMessage(err error) string {
	for {
		var next error
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			if es := u.Unwrap(); len(es) > 0 {
				next = es[len(es)-1]
			}
		case interface{ Unwrap() error }:
			next = u.Unwrap()
		}
		if next == nil {
			return err.Error()
		}
		err = next
	}
}
