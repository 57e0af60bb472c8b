//go:build goccy

package main

import (
	goccy "github.com/goccy/go-json"

	"github.com/localfirst/gopowersync/internal/protocol"
)

func decode(b []byte) int {
	var l protocol.Line
	if goccy.Unmarshal(b, &l) != nil || l.Data == nil {
		return -1
	}
	return len(l.Data.Data)
}
