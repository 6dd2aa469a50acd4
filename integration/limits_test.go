package integration

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"s3gateway/internal/testwait"
)

// TestLimits runs gateways of their own over the suite's store, each limit
// set through its GATEWAY_* variable.
func TestLimits(t *testing.T) {
	reg := suiteTenants(t)

	t.Run("limits_rateIsPerTenant", func(t *testing.T) {
		gw := serveGateway(t, suite.store.Endpoint, reg, map[string]string{
			"GATEWAY_RATE_LIMIT": "0.2", // a token every 5 s
			"GATEWAY_RATE_BURST": "2",
		})
		for range 2 {
			gw.call(http.MethodGet, "/api/v1/buckets", alphaKey, nil, http.StatusOK)
		}
		resp, body := gw.do(http.MethodGet, "/api/v1/buckets", alphaKey, nil, nil)
		wantCode(t, resp, body, http.StatusTooManyRequests, "SlowDown")
		if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 5 {
			t.Errorf("Retry-After %q, want 1 to 5 seconds", resp.Header.Get("Retry-After"))
		}
		// The other key of the same tenant shares its budget; another
		// tenant and the public routes do not.
		resp, body = gw.do(http.MethodGet, "/api/v1/buckets", alphaHashedKey, nil, nil)
		wantCode(t, resp, body, http.StatusTooManyRequests, "SlowDown")
		gw.call(http.MethodGet, "/api/v1/buckets", betaKey, nil, http.StatusOK)
		for range 3 {
			gw.call(http.MethodGet, "/healthz", "", nil, http.StatusOK)
		}
	})

	t.Run("limits_uploadsPerTenant", func(t *testing.T) {
		gw := serveGateway(t, suite.store.Endpoint, reg, map[string]string{"GATEWAY_MAX_UPLOADS_PER_TENANT": "1"})
		alpha, beta := as(t, alphaKey), as(t, betaKey)
		alphaBucket, betaBucket := alpha.newBucket(), beta.newBucket()

		// A slow upload holds alpha's only slot.
		body, feed := io.Pipe()
		req, err := http.NewRequest(http.MethodPut, gw.URL+objectPath("objects", alphaBucket, "slow"), body)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+alphaKey)
		slow := make(chan int, 1)
		go func() {
			resp, err := gw.client.Do(req)
			if err != nil {
				slow <- 0
				return
			}
			resp.Body.Close()
			slow <- resp.StatusCode
		}()
		if _, err := feed.Write([]byte("first bytes")); err != nil {
			t.Fatal(err)
		}

		// The slow upload is being read, so it holds the slot; other
		// uploads of alpha are refused, until it is done.
		var resp *http.Response
		var b []byte
		testwait.Until(t, 5*time.Second, "a second upload to be refused", func() bool {
			resp, b = gw.do(http.MethodPut, objectPath("objects", alphaBucket, "second"), alphaKey, strings.NewReader("x"), nil)
			return resp.StatusCode == http.StatusTooManyRequests
		})
		wantCode(t, resp, b, http.StatusTooManyRequests, "SlowDown")
		if resp.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		form := "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\ny\r\n--b--\r\n"
		resp, b = gw.do(http.MethodPost, "/api/v1/buckets/"+alphaBucket+"/objects", alphaKey, strings.NewReader(form),
			map[string]string{"Content-Type": "multipart/form-data; boundary=b"})
		wantCode(t, resp, b, http.StatusTooManyRequests, "SlowDown")
		// Downloads and other tenants' uploads are not held up.
		gw.call(http.MethodGet, "/api/v1/buckets/"+alphaBucket+"/objects", alphaKey, nil, http.StatusOK)
		resp, b = gw.do(http.MethodPut, objectPath("objects", betaBucket, "other"), betaKey, strings.NewReader("z"), nil)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("beta's upload: %d %s", resp.StatusCode, b)
		}

		feed.Close()
		if code := <-slow; code != http.StatusCreated {
			t.Fatalf("slow upload: %d", code)
		}
		resp, b = gw.do(http.MethodPut, objectPath("objects", alphaBucket, "third"), alphaKey, strings.NewReader("x"), nil)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("upload after the slot was freed: %d %s", resp.StatusCode, b)
		}
	})

	t.Run("limits_jsonBodyAndBatchFromEnv", func(t *testing.T) {
		gw := serveGateway(t, suite.store.Endpoint, reg, map[string]string{
			"GATEWAY_MAX_JSON_BODY_KIB": "1",
			"GATEWAY_MAX_DELETE_NAMES":  "2",
		})
		bucket := as(t, alphaKey).newBucket()
		path := "/api/v1/buckets/" + bucket + "/delete"
		resp, b := gw.do(http.MethodPost, path, alphaKey,
			strings.NewReader(`{"names":["`+strings.Repeat("n", 1100)+`"]}`), nil)
		wantCode(t, resp, b, http.StatusRequestEntityTooLarge, "EntityTooLarge")
		resp, b = gw.do(http.MethodPost, path, alphaKey, strings.NewReader(`{"names":["a","b","c"]}`), nil)
		wantCode(t, resp, b, http.StatusBadRequest, "InvalidArgument")
		gw.call(http.MethodPost, path, alphaKey, map[string]any{"names": []string{"a", "b"}}, http.StatusOK)
	})

	t.Run("limits_headerTooLarge", func(t *testing.T) {
		gw := serveGateway(t, suite.store.Endpoint, reg, nil)
		resp, b := gw.do(http.MethodGet, "/api/v1/buckets", alphaKey, nil,
			map[string]string{"X-Padding": strings.Repeat("p", 128<<10)})
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("a 128 KiB header: %d %s", resp.StatusCode, b)
		}
		// Headers just under the bound are served.
		gw.call(http.MethodGet, "/healthz", "", nil, http.StatusOK)
		resp, _ = gw.do(http.MethodGet, "/api/v1/buckets", alphaKey, nil,
			map[string]string{"X-Padding": strings.Repeat("p", 48<<10)})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("a 48 KiB header: %d", resp.StatusCode)
		}
	})
}

// TestMetricsEndpoint checks what /metrics says about requests made to a
// gateway of its own: series by route template and, when configured, by
// tenant, never by raw path, and bytes in and out.
func TestMetricsEndpoint(t *testing.T) {
	gw := serveGateway(t, suite.store.Endpoint, suiteTenants(t), map[string]string{"GATEWAY_METRICS_TENANT_LABELS": "true"})
	bucket := as(t, alphaKey).newBucket()
	data := bytes.Repeat([]byte("m"), 1000)
	for _, name := range []string{"a/1.txt", "b/2.txt"} {
		resp, b := gw.do(http.MethodPut, objectPath("objects", bucket, name), alphaKey, bytes.NewReader(data), nil)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("put: %d %s", resp.StatusCode, b)
		}
	}
	gw.call(http.MethodGet, "/api/v1/buckets/"+bucket+"/nothing-here", alphaKey, nil, http.StatusNotFound)
	gw.call(http.MethodGet, "/api/v1/buckets", betaKey, nil, http.StatusOK)
	gw.call(http.MethodGet, "/api/v1/buckets", "", nil, http.StatusUnauthorized)

	resp, body := gw.do(http.MethodGet, "/metrics", "", nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	text := string(body)
	value := func(series string) float64 {
		t.Helper()
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(text)
		if m == nil {
			t.Errorf("no series %s", series)
			return 0
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		return v
	}
	const put = `route="/api/v1/buckets/:bucket/objects/*",tenant="alpha"`
	checks := map[string]float64{
		`gateway_http_requests_total{method="PUT",route="/api/v1/buckets/:bucket/objects/*",status="201",tenant="alpha"}`:                 2,
		`gateway_http_requests_total{method="GET",route="/api/v1/buckets",status="200",tenant="beta"}`:                                    1,
		`gateway_http_requests_total{method="GET",route="/api/v1/buckets",status="401",tenant=""}`:                                        1,
		`gateway_http_requests_total{method="GET",route="unmatched",status="404",tenant="alpha"}`:                                         1,
		`gateway_http_request_duration_seconds_count{method="PUT",route="/api/v1/buckets/:bucket/objects/*",status="201",tenant="alpha"}`: 2,
		`gateway_http_request_bytes_total{` + put + `}`:                                                                                   2000,
		`gateway_http_requests_in_flight`: 1, // this scrape
		`gateway_event_streams_open`:      0,
	}
	for series, want := range checks {
		if got := value(series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if got := value(`gateway_http_response_bytes_total{` + put + `}`); got < 2*float64(len(`{"bucket":"","name":"","etag":"","size":1000}`)) {
		t.Errorf("response bytes of the uploads: %v", got)
	}
	if strings.Contains(text, bucket) || strings.Contains(text, "nothing-here") {
		t.Error("a raw path became a label")
	}
	if !strings.Contains(text, "go_goroutines") || !strings.Contains(text, `gateway_backend_errors_total{code="BackendUnavailable"} 0`) {
		t.Error("runtime or backend error series missing")
	}
}

// TestMetricsNameNoTenantByDefault: /metrics is public, so by default it
// lists no tenant id, and so nobody learns the tenants or their traffic.
func TestMetricsNameNoTenantByDefault(t *testing.T) {
	gw := serveGateway(t, suite.store.Endpoint, suiteTenants(t), nil)
	gw.call(http.MethodGet, "/api/v1/buckets", alphaKey, nil, http.StatusOK)
	gw.call(http.MethodGet, "/api/v1/buckets", betaKey, nil, http.StatusOK)
	_, body := gw.do(http.MethodGet, "/metrics", "", nil, nil)
	text := string(body)
	if !strings.Contains(text, `gateway_http_requests_total{method="GET",route="/api/v1/buckets",status="200"} 2`) {
		t.Errorf("the two requests are not counted together")
	}
	for _, tenant := range []string{"tenant=", "alpha", "beta"} {
		if strings.Contains(text, tenant) {
			t.Errorf("/metrics says %q", tenant)
		}
	}
}
