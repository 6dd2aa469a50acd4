package handlers

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"s3gateway/middleware"
	"s3gateway/service"
)

// The server's shutdown signal ends event streams with a last message.
func TestStreamEndsOnShutdown(t *testing.T) {
	shutdown, begin := context.WithCancel(context.Background())
	metrics, err := middleware.NewMetrics(prometheus.NewRegistry(), middleware.MetricsOptions{TenantLabels: true})
	if err != nil {
		t.Fatal(err)
	}
	env := newEnv(t, func(c *Config) { c.Shutdown = shutdown; c.Metrics = metrics })
	listenerDone := make(chan struct{})
	env.svc.listenBucket = func(ctx context.Context, b string, f service.EventFilter) (<-chan service.StreamItem, error) {
		ch := make(chan service.StreamItem)
		go func() {
			<-ctx.Done()
			close(ch)
			close(listenerDone)
		}()
		return ch, nil
	}
	srv := httptest.NewServer(env.e)
	t.Cleanup(srv.Close)
	c := openStream(t, context.Background(), srv, "/api/v1/buckets/photos/events")
	c.expect(": connected", "")
	if !strings.Contains(scrape(t, srv), "gateway_event_streams_open 1") {
		t.Error("open stream not counted")
	}
	begin()
	c.expect("event: shutdown", `data: {"notice":"shutdown"}`, "")
	if !c.ended() {
		t.Fatal("stream did not end at shutdown")
	}
	select {
	case <-listenerDone:
	case <-time.After(5 * time.Second):
		t.Fatal("the store listener was not stopped")
	}
	if !strings.Contains(scrape(t, srv), "gateway_event_streams_open 0") {
		t.Error("closed stream still counted")
	}
}

func scrape(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + "/metrics") // no key: public
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return string(b)
}

func TestLimitsWired(t *testing.T) {
	t.Run("limits_rateRetryAfterKept", func(t *testing.T) {
		env := newEnv(t, func(c *Config) { c.RateLimit = 0.2; c.RateBurst = 1 })
		env.svc.listBuckets = func() ([]service.Bucket, error) { return nil, nil }
		if rec := env.do(t, request{method: "GET", target: "/api/v1/buckets"}); rec.Code != 200 {
			t.Fatalf("first: %d", rec.Code)
		}
		rec := env.do(t, request{method: "GET", target: "/api/v1/buckets"})
		wantError(t, rec, 429, "SlowDown")
		if ra := rec.Header().Get("Retry-After"); ra != "5" {
			t.Errorf("Retry-After %q, want 5 (one token every 5 s)", ra)
		}
	})
	t.Run("limits_uploads", func(t *testing.T) {
		env := newEnv(t, func(c *Config) { c.MaxUploads = 1 })
		release, started := make(chan struct{}), make(chan struct{})
		env.svc.putBody = func(r io.Reader) ([]byte, error) {
			close(started) // only the first upload gets this far
			<-release
			return io.ReadAll(r)
		}
		first := make(chan int)
		go func() {
			first <- env.do(t, request{method: "PUT", target: "/api/v1/buckets/photos/objects/a", body: "x"}).Code
		}()
		<-started
		rec := env.do(t, request{method: "POST", target: "/api/v1/buckets/photos/objects",
			body:    "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\ny\r\n--b--\r\n",
			headers: map[string]string{"Content-Type": "multipart/form-data; boundary=b"}})
		wantError(t, rec, 429, "SlowDown")
		if rec.Header().Get("Retry-After") != "1" {
			t.Errorf("Retry-After %q", rec.Header().Get("Retry-After"))
		}
		close(release)
		if code := <-first; code != 201 {
			t.Errorf("first upload: %d", code)
		}
	})
}
