//go:build js

package psync

import (
	"context"
	"errors"
)

// errNoHTTP is the error of the default HTTPClient on js.
var errNoHTTP = errors.New("sync: no HTTP client: set Options.HTTP (the JS package passes its fetch client)")

// defaultHTTP is the HTTPClient of a Client created without Options.HTTP.
// On js there is none: NetHTTP is not built there (nethttp.go says why).
func defaultHTTP() HTTPClient { return noHTTP{} }

type noHTTP struct{}

func (noHTTP) Do(context.Context, *Request) (*Response, error) { return nil, errNoHTTP }
