package integration

import (
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"s3gateway/internal/minitest"
	"s3gateway/internal/testwait"
)

// faultsTenants is the tenant of the store that the fault tests break.
const faultsTenants = `
tenants:
  - id: gamma
    bucketPrefix: gamma-
    apiKeys: ["gamma-key-0123456789abcdefghijklmn"]
    s3: {accessKey: gamma-svc, secretKey: gamma-secret-value}
`

// TestBackendFaults breaks a store of its own (the shared suite's store is
// untouched) under a gateway with a 2 s backend timeout and a 1 s
// fail-fast cool-down: a hung store gives 504 BackendTimeout within the
// timeout and, once it is known down, 503 BackendUnavailable at once; a
// stopped store gives 503 at once; /healthz stays 200 and /readyz follows
// the store; and when the store is back, calls work again without a
// restart of the gateway, through /readyz or through the next call alone.
//
// Object reads have a transport of their own unless GATEWAY_ZERO_COPY_READS
// is false: both ways are held to the same.
func TestBackendFaults(t *testing.T) {
	for _, zeroCopy := range []string{"true", "false"} {
		t.Run("zeroCopyReads="+zeroCopy, func(t *testing.T) {
			backendFaults(t, map[string]string{
				"GATEWAY_BACKEND_TIMEOUT":  "2s",
				"GATEWAY_BACKEND_COOLDOWN": "1s",
				"GATEWAY_ZERO_COPY_READS":  zeroCopy,
			})
		})
	}
}

func backendFaults(t *testing.T, env map[string]string) {
	store := minitest.Start(t, minitest.Options{})
	reg := store.Tenants(t, faultsTenants)
	gw := serveGateway(t, store.Endpoint, reg, env)
	const key = "gamma-key-0123456789abcdefghijklmn"
	listBuckets := func() (*http.Response, []byte, time.Duration) {
		start := time.Now()
		resp, body := gw.do(http.MethodGet, "/api/v1/buckets", key, nil, nil)
		return resp, body, time.Since(start)
	}
	status := func(path string) int {
		resp, _ := gw.do(http.MethodGet, path, "", nil, nil)
		return resp.StatusCode
	}
	quickHealthz := func(t *testing.T) {
		t.Helper()
		start := time.Now()
		if s := status("/healthz"); s != http.StatusOK || time.Since(start) > time.Second {
			t.Errorf("/healthz %d after %v, want 200 at once", s, time.Since(start))
		}
	}

	gw.call(http.MethodGet, "/api/v1/buckets", key, nil, http.StatusOK)
	gw.call(http.MethodPost, "/api/v1/buckets", key, map[string]string{"name": "faults"}, http.StatusCreated)
	gw.call(http.MethodPut, "/api/v1/buckets/faults/objects/kept.txt", key, "kept", http.StatusCreated)
	if s := status("/readyz"); s != http.StatusOK {
		t.Fatalf("/readyz %d with the store up", s)
	}

	t.Run("faults_hungStore", func(t *testing.T) {
		if err := store.Pause(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = store.Continue() })

		resp, body, took := listBuckets()
		wantCode(t, resp, body, http.StatusGatewayTimeout, "BackendTimeout")
		if took < 1500*time.Millisecond || took > 5*time.Second {
			t.Errorf("BackendTimeout after %v, want about the 2 s backend timeout", took)
		}
		quickHealthz(t)
		// Object reads too.
		for _, path := range []string{"/api/v1/buckets/faults/objects/kept.txt", "/api/v1/buckets/faults/stat/kept.txt"} {
			start := time.Now()
			resp, body := gw.do(http.MethodGet, path, key, nil, nil)
			took := time.Since(start)
			wantCode(t, resp, body, http.StatusGatewayTimeout, "BackendTimeout")
			if took < 1500*time.Millisecond || took > 5*time.Second {
				t.Errorf("GET %s: BackendTimeout after %v, want about the 2 s backend timeout", path, took)
			}
		}

		// Two more unanswered calls in a row: the store is known down.
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, _ := gw.do(http.MethodGet, "/api/v1/buckets", key, nil, nil)
				if resp.StatusCode != http.StatusGatewayTimeout && resp.StatusCode != http.StatusServiceUnavailable {
					t.Errorf("status %d with the store hung", resp.StatusCode)
				}
			}()
		}
		wg.Wait()
		resp, body, took = listBuckets()
		wantCode(t, resp, body, http.StatusServiceUnavailable, "BackendUnavailable")
		if took > time.Second {
			t.Errorf("fail-fast took %v", took)
		}
		if resp.Header.Get("Retry-After") == "" {
			t.Error("503 without Retry-After")
		}
		if s := status("/readyz"); s != http.StatusGatewayTimeout && s != http.StatusServiceUnavailable {
			t.Errorf("/readyz %d with the store hung", s)
		}

		// The store is back: a readiness check that gets an answer lets
		// traffic through at once.
		if err := store.Continue(); err != nil {
			t.Fatal(err)
		}
		testwait.Until(t, 10*time.Second, "/readyz to be 200", func() bool { return status("/readyz") == http.StatusOK })
		gw.call(http.MethodGet, "/api/v1/buckets", key, nil, http.StatusOK)
	})

	t.Run("faults_stoppedStore", func(t *testing.T) {
		store.Kill()
		resp, body, took := listBuckets()
		wantCode(t, resp, body, http.StatusServiceUnavailable, "BackendUnavailable")
		if took > 3*time.Second {
			t.Errorf("BackendUnavailable after %v", took)
		}
		if resp.Header.Get("Retry-After") == "" {
			t.Error("503 without Retry-After")
		}
		for range 3 { // known down now: still 503, at once
			resp, body, took := listBuckets()
			wantCode(t, resp, body, http.StatusServiceUnavailable, "BackendUnavailable")
			if took > time.Second {
				t.Errorf("BackendUnavailable after %v", took)
			}
		}
		if s := status("/readyz"); s != http.StatusServiceUnavailable {
			t.Errorf("/readyz %d with the store stopped, want 503", s)
		}
		quickHealthz(t)

		_, metrics := gw.do(http.MethodGet, "/metrics", "", nil, nil)
		for _, code := range []string{"BackendUnavailable", "BackendTimeout"} {
			m := regexp.MustCompile(`(?m)^gateway_backend_errors_total\{code="` + code + `"\} (\S+)$`).FindSubmatch(metrics)
			if n, _ := strconv.ParseFloat(string(firstGroup(m)), 64); n < 1 {
				t.Errorf("backend errors %s not counted: %q", code, m)
			}
		}

		// Started again: the next calls find it, without /readyz and
		// without a restart of the gateway.
		if err := store.Resume(); err != nil {
			t.Fatal(err)
		}
		testwait.Until(t, 15*time.Second, "a call to succeed", func() bool {
			resp, _, _ := listBuckets()
			return resp.StatusCode == http.StatusOK
		})
		if s := status("/readyz"); s != http.StatusOK {
			t.Errorf("/readyz %d with the store back", s)
		}
	})
}

// firstGroup is a regexp match's first group, or nil.
func firstGroup(m [][]byte) []byte {
	if len(m) < 2 {
		return nil
	}
	return m[1]
}
