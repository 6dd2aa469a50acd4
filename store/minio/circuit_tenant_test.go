package miniostore

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"s3gateway/errs"
)

// stallTransport holds every request signed with stalledKey until its
// context ends, as a store would that never answers that user; the other
// requests go through base.
type stallTransport struct {
	base       http.RoundTripper
	stalledKey string
}

func (s stallTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.Contains(req.Header.Get("Authorization"), "Credential="+s.stalledKey+"/") {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	return s.base.RoundTrip(req)
}

// One tenant's unanswered calls open its circuit only: its calls then fail
// fast, while another tenant's keep going to the store and succeeding. Here
// tb's requests stall; ta's (the readiness probe's tenant) are answered.
func TestCircuitPerTenant(t *testing.T) {
	env := coreEnv(t, func(cfg *Config) {
		cfg.BackendTimeout = 500 * time.Millisecond
		cfg.FailFastAfter = 3
		cfg.FailFastCooldown = time.Minute
		cfg.Transport = stallTransport{base: newTransport(5 * time.Second), stalledKey: "core-tb-svc"}
	})
	for i := range 3 {
		_, err := env.svc.ListBuckets(env.ctxB)
		if got := errs.CodeOf(err); got != errs.BackendTimeout {
			t.Fatalf("stalled call %d of tb: %v, want BackendTimeout", i+1, err)
		}
	}
	start := time.Now()
	_, err := env.svc.ListBuckets(env.ctxB)
	if got := errs.CodeOf(err); got != errs.BackendUnavailable || time.Since(start) > 250*time.Millisecond {
		t.Fatalf("tb with its circuit open: %v after %v, want BackendUnavailable at once", err, time.Since(start))
	}

	// ta is not tb: its calls reach the store while tb's circuit is open.
	coreBucket(t, env, env.ctxA, "still-up")
	for range 5 {
		if _, err := env.svc.ListBuckets(env.ctxA); err != nil {
			t.Fatalf("ta while tb's circuit is open: %v", err)
		}
	}
	if !env.store.mustClient(t, env.b).circuit.open() || env.store.mustClient(t, env.a).circuit.open() {
		t.Fatal("tb's circuit must be open and ta's closed")
	}

	// A readiness probe that gets an answer closes every circuit.
	if err := env.store.Ready(t.Context()); err != nil {
		t.Fatalf("ready: %v", err)
	}
	if env.store.mustClient(t, env.b).circuit.open() {
		t.Fatal("tb's circuit still open after the store answered a probe")
	}
}
