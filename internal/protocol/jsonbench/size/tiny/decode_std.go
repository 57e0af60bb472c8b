//go:build std

package main

import (
	"encoding/json"

	"github.com/localfirst/gopowersync/internal/protocol"
)

func decode(b []byte) int {
	var l protocol.Line
	if json.Unmarshal(b, &l) != nil || l.Data == nil {
		return -1
	}
	return len(l.Data.Data)
}
