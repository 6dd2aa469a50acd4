package testwait

import (
	"testing"
	"time"
)

func TestWithin(t *testing.T) {
	start, calls := time.Now(), 0
	if !Within(time.Second, func() bool { calls++; return time.Since(start) > 30*time.Millisecond }) {
		t.Fatal("a condition that comes true was not seen")
	}
	if calls < 2 {
		t.Errorf("%d polls", calls)
	}
	start = time.Now()
	if Within(50*time.Millisecond, func() bool { return false }) {
		t.Fatal("a condition that never holds was reported")
	}
	if waited := time.Since(start); waited < 50*time.Millisecond || waited > time.Second {
		t.Errorf("gave up after %v, want about 50ms", waited)
	}
}
