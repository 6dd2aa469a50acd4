package handlers

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"s3gateway/service"
)

// Every response says X-Content-Type-Options: nosniff, so that no browser
// runs or renders a body as anything but its Content-Type.
func TestNoSniffEverywhere(t *testing.T) {
	env := newEnv(t)
	env.svc.getObject = func(bucket, name string, _ service.GetOptions) (*service.Object, error) {
		return &service.Object{
			Info: service.ObjectInfo{Bucket: bucket, Name: name, Size: 21, ContentType: "text/plain"},
			Body: io.NopCloser(strings.NewReader("<script>1</script>!!!")),
		}, nil
	}
	for name, r := range map[string]request{
		"jsonAnswer":    {method: "GET", target: "/api/v1/buckets"},
		"error":         {method: "GET", target: "/api/v1/buckets", noAuth: true},
		"unknownRoute":  {method: "GET", target: "/api/v1/nothing/here"},
		"download":      {method: "GET", target: "/api/v1/buckets/photos/objects/page.html"},
		"health":        {method: "GET", target: "/healthz", noAuth: true},
		"corsPreflight": {method: "OPTIONS", target: "/api/v1/buckets", noAuth: true, headers: map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}},
	} {
		t.Run(name, func(t *testing.T) {
			rec := env.do(t, r)
			if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("%d response: X-Content-Type-Options %q", rec.Code, got)
			}
		})
	}
	if rec := env.do(t, request{method: "GET", target: "/api/v1/nothing/here"}); rec.Code != 404 {
		t.Errorf("unknown route: %d", rec.Code)
	}
	if rec := env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/objects/page.html"}); rec.Code != 200 || rec.Body.String() != "<script>1</script>!!!" {
		t.Errorf("download: %d %q", rec.Code, rec.Body.String())
	}
}

// A tenant may have at most MaxStreams event streams open: one more is
// 429 SlowDown with Retry-After, another tenant is not affected, and a
// stream that ends frees its slot.
func TestStreamLimit(t *testing.T) {
	const limit = 3
	env := newEnv(t, func(c *Config) { c.MaxStreams = limit })
	srv := httptest.NewServer(env.e)
	t.Cleanup(srv.Close)

	var cancels []context.CancelFunc
	for range limit {
		ctx, cancel := context.WithCancel(context.Background())
		cancels = append(cancels, cancel)
		c := openStream(t, ctx, srv, "/api/v1/buckets/photos/events")
		if c.res.StatusCode != 200 {
			t.Fatalf("stream: %d", c.res.StatusCode)
		}
		c.expect(": connected", "")
	}
	defer func() {
		for _, cancel := range cancels {
			cancel()
		}
	}()

	get := func(key string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/buckets/photos/events", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		resp, err := srv.Client().Do(req.WithContext(ctx))
		if err != nil {
			return nil, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return resp, string(b)
	}
	resp, body := get(acmeKey)
	if resp == nil || resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, `"SlowDown"`) {
		t.Fatalf("stream %d: %v %s", limit+1, resp, body)
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// Another tenant has slots of its own.
	if resp, body := get(betaKey); resp == nil || resp.StatusCode != 200 {
		t.Fatalf("beta's stream: %v %s", resp, body)
	}

	// Closing one stream frees a slot (once the server sees it gone).
	cancels[0]()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, body := get(acmeKey)
		if resp != nil && resp.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no slot after a stream closed: %v %s", resp, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
