// Package testwait waits in tests for a condition that becomes true
// asynchronously, polling often at first and less as the wait grows.
package testwait

import (
	"testing"
	"time"
)

// Longest pause between two polls: a condition that costs a request is not
// asked more than a few times a second.
const maxInterval = 200 * time.Millisecond

// Within polls cond until it holds (true) or limit passes (false).
func Within(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for interval := 5 * time.Millisecond; ; interval = min(2*interval, maxInterval) {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(interval)
	}
}

// Until polls cond until it holds, and fails t when limit passes first;
// what names the condition in the failure.
func Until(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	if !Within(limit, cond) {
		t.Fatalf("waited %v for %s", limit, what)
	}
}
