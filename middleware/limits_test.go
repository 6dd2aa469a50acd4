package middleware

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/labstack/echo/v4"

	"s3gateway/access"
	"s3gateway/errs"
)

const otherKey = "other-test-key-0123456789abcdefghij"

// limitRegistry has two tenants, acme and other.
func limitRegistry(t *testing.T) *access.Registry {
	t.Helper()
	reg, err := access.Parse([]byte(`
tenants:
  - id: acme
    bucketPrefix: acme-
    apiKeys: ["` + testKey + `"]
    s3: {accessKey: a, secretKey: b}
  - id: other
    bucketPrefix: other-
    apiKeys: ["` + otherKey + `"]
    s3: {accessKey: c, secretKey: d}
`))
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// limitEcho renders errors as "code" with their status, like the gateway's
// renderer, keeping a Retry-After set before.
func limitEcho(t *testing.T, mw ...echo.MiddlewareFunc) *echo.Echo {
	t.Helper()
	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		ee, _ := errs.As(err)
		if ee == nil {
			ee = errs.New(errs.InternalError, "internal")
		}
		_ = c.String(ee.Code.Status(), string(ee.Code))
	}
	e.Use(append([]echo.MiddlewareFunc{Auth(limitRegistry(t))}, mw...)...)
	return e
}

func call(e *echo.Echo, method, path, key string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	return serve(e, req)
}

func TestRateLimit(t *testing.T) {
	t.Run("rateLimit_perTenant", func(t *testing.T) {
		e := limitEcho(t, RateLimit(0.5, 2))
		e.GET("/api/v1/x", func(c echo.Context) error { return c.NoContent(200) })
		e.GET("/healthz", func(c echo.Context) error { return c.NoContent(200) })
		for i := 0; i < 2; i++ {
			if rec := call(e, "GET", "/api/v1/x", testKey); rec.Code != 200 {
				t.Fatalf("request %d within the burst: %d", i, rec.Code)
			}
		}
		rec := call(e, "GET", "/api/v1/x", testKey)
		if rec.Code != http.StatusTooManyRequests || rec.Body.String() != "SlowDown" {
			t.Fatalf("over the burst: %d %s", rec.Code, rec.Body)
		}
		// One token comes every 2 s.
		if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra < 1 || ra > 2 {
			t.Errorf("Retry-After %q", rec.Header().Get("Retry-After"))
		}
		if rec := call(e, "GET", "/api/v1/x", otherKey); rec.Code != 200 {
			t.Errorf("another tenant is limited too: %d", rec.Code)
		}
		for i := 0; i < 5; i++ {
			if rec := call(e, "GET", "/healthz", ""); rec.Code != 200 {
				t.Fatalf("a public path is limited: %d", rec.Code)
			}
		}
	})
	t.Run("rateLimit_off", func(t *testing.T) {
		e := limitEcho(t, RateLimit(0, 1))
		e.GET("/api/v1/x", func(c echo.Context) error { return c.NoContent(200) })
		for i := 0; i < 50; i++ {
			if rec := call(e, "GET", "/api/v1/x", testKey); rec.Code != 200 {
				t.Fatalf("request %d: %d", i, rec.Code)
			}
		}
	})
}

func TestUploadLimit(t *testing.T) {
	e := limitEcho(t)
	release := make(chan struct{})
	started := make(chan struct{}, 4)
	slow := func(c echo.Context) error {
		started <- struct{}{}
		<-release
		return c.NoContent(201)
	}
	e.PUT("/api/v1/up", slow, UploadLimit(2))
	e.GET("/api/v1/other", func(c echo.Context) error { return c.NoContent(200) })

	results := make(chan int, 2)
	for i := 0; i < 2; i++ {
		go func() { results <- call(e, "PUT", "/api/v1/up", testKey).Code }()
		<-started
	}
	rec := call(e, "PUT", "/api/v1/up", testKey)
	if rec.Code != http.StatusTooManyRequests || rec.Body.String() != "SlowDown" || rec.Header().Get("Retry-After") != "1" {
		t.Fatalf("third upload: %d %s, Retry-After %q", rec.Code, rec.Body, rec.Header().Get("Retry-After"))
	}
	if rec := call(e, "GET", "/api/v1/other", testKey); rec.Code != 200 {
		t.Errorf("another route is limited: %d", rec.Code)
	}
	go func() { results <- call(e, "PUT", "/api/v1/up", otherKey).Code }()
	<-started // another tenant has its own slots
	close(release)
	for i := 0; i < 3; i++ {
		if code := <-results; code != 201 {
			t.Errorf("upload: %d", code)
		}
	}
	if rec := call(e, "PUT", "/api/v1/up", testKey); rec.Code != 201 {
		t.Errorf("slots not given back: %d", rec.Code)
	}
}
