// Package testutil holds helpers shared by the project's tests.
package testutil

import (
	"errors"
	"testing"
	"time"
)

// Eventually polls cond every millisecond until it holds, failing t if it
// does not hold within the given time. Tests wait this way instead of
// sleeping a fixed time, which is either too short on a loaded machine or
// too long everywhere else.
func Eventually(t testing.TB, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// WantErr fails t unless err's chain holds an E, and returns that E.
func WantErr[E error](t testing.TB, err error) E {
	t.Helper()
	var target E
	if !errors.As(err, &target) {
		t.Fatalf("error %v (%T), want %T", err, err, target)
	}
	return target
}
