package middleware

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"

	"s3gateway/errs"
)

// metricsEcho is the gateway's chain with metrics, over testRegistry.
func metricsEcho(t *testing.T, opts MetricsOptions) (*echo.Echo, *Metrics) {
	t.Helper()
	m, err := NewMetrics(prometheus.NewRegistry(), opts)
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		status := http.StatusInternalServerError
		if ee, ok := errs.As(err); ok {
			status = ee.Code.Status()
		}
		var he *echo.HTTPError
		if errors.As(err, &he) {
			status = he.Code
		}
		_ = c.NoContent(status)
	}
	e.Use(RequestID(), Measure(m), Logger(zap.NewNop()), Recover(), Auth(testRegistry(t)))
	return e, m
}

func TestMetrics(t *testing.T) {
	e, m := metricsEcho(t, MetricsOptions{TenantLabels: true})
	inFlight := -1.0
	e.PUT("/api/v1/buckets/:bucket/objects/*", func(c echo.Context) error {
		inFlight = testutil.ToFloat64(m.inFlight)
		if _, err := io.Copy(io.Discard, c.Request().Body); err != nil {
			return err
		}
		return c.String(201, "created")
	})
	e.GET("/api/v1/buckets/:bucket", func(c echo.Context) error { return errs.New(errs.NoSuchBucket, "no") })

	send := func(method, target, body, key string) int {
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req := httptest.NewRequest(method, target, r)
		if key != "" {
			req.Header.Set("X-API-Key", key)
		}
		return serve(e, req).Code
	}
	send("PUT", "/api/v1/buckets/b1/objects/a/b.txt", "12345", testKey)
	send("PUT", "/api/v1/buckets/b2/objects/c", "678", testKey)
	send("GET", "/api/v1/buckets/b3", "", testKey)
	send("GET", "/api/v1/no/such/route/1", "", testKey)
	send("GET", "/api/v1/no/such/route/2", "", "")
	send("BREW", "/api/v1/buckets/b3", "", testKey)

	counts := map[[4]string]float64{
		{"/api/v1/buckets/:bucket/objects/*", "PUT", "201", "acme"}: 2,
		{"/api/v1/buckets/:bucket", "GET", "404", "acme"}:           1,
		{UnmatchedRoute, "GET", "404", "acme"}:                      1,
		{UnmatchedRoute, "GET", "401", ""}:                          1,
		{"/api/v1/buckets/:bucket", "other", "405", "acme"}:         1,
	}
	for l, want := range counts {
		if got := testutil.ToFloat64(m.requests.WithLabelValues(l[:]...)); got != want {
			t.Errorf("requests%v = %v, want %v", l, got, want)
		}
	}
	// Templates, not paths: every distinct label set is one of the above.
	if n := testutil.CollectAndCount(m.requests); n != len(counts) {
		t.Errorf("%d request series, want %d", n, len(counts))
	}
	if n := testutil.CollectAndCount(m.duration); n != len(counts) {
		t.Errorf("%d duration series, want %d", n, len(counts))
	}
	if got := testutil.ToFloat64(m.bytesIn.WithLabelValues("/api/v1/buckets/:bucket/objects/*", "acme")); got != 8 {
		t.Errorf("bytes in %v, want 8", got)
	}
	if got := testutil.ToFloat64(m.bytesOut.WithLabelValues("/api/v1/buckets/:bucket/objects/*", "acme")); got != float64(2*len("created")) {
		t.Errorf("bytes out %v", got)
	}
	if inFlight != 1 || testutil.ToFloat64(m.inFlight) != 0 {
		t.Errorf("in flight %v during a request, %v after", inFlight, testutil.ToFloat64(m.inFlight))
	}

	m.BackendError(errs.BackendTimeout)
	closed := m.StreamOpened()
	if testutil.ToFloat64(m.eventStreams) != 1 {
		t.Error("stream not counted")
	}
	closed()
	if testutil.ToFloat64(m.eventStreams) != 0 || testutil.ToFloat64(m.backendErrors.WithLabelValues("BackendTimeout")) != 1 {
		t.Error("stream or backend error miscounted")
	}

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{
		`gateway_http_requests_total{method="PUT",route="/api/v1/buckets/:bucket/objects/*",status="201",tenant="acme"} 2`,
		`gateway_backend_errors_total{code="BackendUnavailable"} 0`,
		`gateway_http_request_duration_seconds_bucket{method="GET",route="unmatched",status="401",tenant="",le="+Inf"} 1`,
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("exposition lacks %s", want)
		}
	}
}

// Without TenantLabels (the default), no series names a tenant: /metrics is
// public, and tenant ids and their traffic are not.
func TestMetricsWithoutTenantLabels(t *testing.T) {
	e, m := metricsEcho(t, MetricsOptions{})
	e.PUT("/api/v1/buckets/:bucket/objects/*", func(c echo.Context) error {
		if _, err := io.Copy(io.Discard, c.Request().Body); err != nil {
			return err
		}
		return c.String(201, "created")
	})
	for range 2 {
		req := httptest.NewRequest("PUT", "/api/v1/buckets/b/objects/x", strings.NewReader("1234"))
		req.Header.Set("X-API-Key", testKey)
		serve(e, req)
	}
	serve(e, httptest.NewRequest("GET", "/api/v1/buckets", nil))

	if got := testutil.ToFloat64(m.requests.WithLabelValues("/api/v1/buckets/:bucket/objects/*", "PUT", "201")); got != 2 {
		t.Errorf("uploads counted %v, want 2", got)
	}
	if got := testutil.ToFloat64(m.bytesIn.WithLabelValues("/api/v1/buckets/:bucket/objects/*")); got != 8 {
		t.Errorf("bytes in %v, want 8", got)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	text := rec.Body.String()
	if strings.Contains(text, "tenant=") || strings.Contains(text, "acme") {
		t.Errorf("the exposition names tenants:\n%s", text)
	}
	for _, want := range []string{
		`gateway_http_requests_total{method="PUT",route="/api/v1/buckets/:bucket/objects/*",status="201"} 2`,
		`gateway_http_requests_total{method="GET",route="unmatched",status="401"} 1`,
		`gateway_http_response_bytes_total{route="/api/v1/buckets/:bucket/objects/*"} 14`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("exposition lacks %s", want)
		}
	}
}

// A nil *Metrics records nothing and gets in no one's way.
func TestMetricsNil(t *testing.T) {
	var m *Metrics
	m.BackendError(errs.InternalError)
	m.StreamOpened()()
	e := echo.New()
	e.Use(Measure(nil))
	e.GET("/x", func(c echo.Context) error { return c.NoContent(204) })
	if rec := serve(e, httptest.NewRequest("GET", "/x", nil)); rec.Code != 204 {
		t.Fatal(rec.Code)
	}
}
