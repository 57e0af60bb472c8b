//go:build hand

package main

import "github.com/localfirst/gopowersync/internal/protocol"

func decode(b []byte) int {
	l, err := protocol.DecodeLine(b)
	if err != nil || l.Data == nil {
		return -1
	}
	return len(l.Data.Data)
}
