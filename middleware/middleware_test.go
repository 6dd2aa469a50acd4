package middleware

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"s3gateway/access"
	"s3gateway/errs"
	"s3gateway/internal/logctx"
)

const testKey = "acme-test-key-0123456789abcdefghijk"

func testRegistry(t *testing.T) *access.Registry {
	t.Helper()
	reg, err := access.Parse([]byte(`
tenants:
  - id: acme
    bucketPrefix: acme-
    apiKeys: ["` + access.HashKey(testKey) + `"]
    s3: {accessKey: a, secretKey: b}
`))
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// newEcho builds the middleware chain as the gateway does, with a renderer
// that writes the error code as the body.
func newEcho(t *testing.T, origins []string) (*echo.Echo, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		status, code := http.StatusInternalServerError, "InternalError"
		if e, ok := errs.As(err); ok {
			status, code = e.Code.Status(), string(e.Code)
		}
		var he *echo.HTTPError
		if errors.As(err, &he) {
			status, code = he.Code, "echo"
		}
		_ = c.String(status, code)
	}
	e.Use(RequestID(), Logger(zap.New(core)), Recover(), CORS(origins), Auth(testRegistry(t)))
	return e, logs
}

func serve(e *echo.Echo, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

func TestRequestIDMiddleware(t *testing.T) {
	tests := []struct {
		name string
		sent string
		keep bool
	}{
		{"requestID_kept", "client-id_1.2:3", true},
		{"requestID_tooLong", strings.Repeat("x", 129), false},
		{"requestID_badChar", "a/b", false},
		{"requestID_unicode", "idé", false},
		{"requestID_missing", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := newEcho(t, nil)
			var inCtx string
			e.GET("/healthz", func(c echo.Context) error {
				inCtx = RequestIDFrom(c.Request().Context())
				return c.NoContent(200)
			})
			req := httptest.NewRequest("GET", "/healthz", nil)
			if tt.sent != "" {
				req.Header.Set(HeaderRequestID, tt.sent)
			}
			rec := serve(e, req)
			got := rec.Header().Get(HeaderRequestID)
			if got != inCtx || got == "" {
				t.Errorf("header %q, context %q", got, inCtx)
			}
			if tt.keep != (got == tt.sent) {
				t.Errorf("X-Request-ID %q for %q", got, tt.sent)
			}
		})
	}
	t.Run("requestID_unique", func(t *testing.T) {
		e, _ := newEcho(t, nil)
		a := serve(e, httptest.NewRequest("GET", "/healthz", nil)).Header().Get(HeaderRequestID)
		b := serve(e, httptest.NewRequest("GET", "/healthz", nil)).Header().Get(HeaderRequestID)
		if a == b {
			t.Errorf("same id twice: %q", a)
		}
	})
}

func TestLoggerMiddleware(t *testing.T) {
	tests := []struct {
		name      string
		handler   echo.HandlerFunc
		auth      bool
		status    int
		level     zapcore.Level
		withError bool
	}{
		{"log_ok", func(c echo.Context) error { return c.String(200, "hello") }, true, 200, zapcore.InfoLevel, false},
		{"log_clientError", func(c echo.Context) error { return errs.New(errs.NoSuchKey, "missing") }, true, 404, zapcore.InfoLevel, false},
		{"log_unauthorized", nil, false, 401, zapcore.WarnLevel, false},
		{"log_serverError", func(c echo.Context) error { return errors.New("backend at 10.0.0.1 down") }, true, 500, zapcore.ErrorLevel, true},
		{"log_panic", func(c echo.Context) error { panic("boom") }, true, 500, zapcore.ErrorLevel, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, logs := newEcho(t, nil)
			h := tt.handler
			if h == nil {
				h = func(c echo.Context) error { return c.NoContent(200) }
			}
			e.POST("/api/v1/buckets/:bucket/objects/*", func(c echo.Context) error {
				if _, err := io.Copy(io.Discard, c.Request().Body); err != nil {
					return err
				}
				logctx.From(c.Request().Context()).Debug("inside")
				return h(c)
			})
			req := httptest.NewRequest("POST", "/api/v1/buckets/b/objects/x/y", strings.NewReader("12345"))
			req.Header.Set(HeaderRequestID, "rid")
			if tt.auth {
				req.Header.Set("X-API-Key", testKey)
			}
			rec := serve(e, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			var lines []observer.LoggedEntry
			for _, l := range logs.All() {
				if l.Message == "request" {
					lines = append(lines, l)
				} else if l.ContextMap()["requestId"] != "rid" {
					t.Errorf("handler log without request id: %v", l.ContextMap())
				}
			}
			if len(lines) != 1 {
				t.Fatalf("%d request lines, want 1", len(lines))
			}
			l := lines[0]
			f := l.ContextMap()
			if l.Level != tt.level {
				t.Errorf("level %v, want %v", l.Level, tt.level)
			}
			checks := map[string]any{
				"requestId": "rid", "method": "POST", "route": "/api/v1/buckets/:bucket/objects/*",
				"status": int64(tt.status), "bytesOut": int64(rec.Body.Len()),
			}
			if tt.auth {
				checks["tenant"] = "acme"
				checks["bytesIn"] = int64(5)
			}
			for k, v := range checks {
				if f[k] != v {
					t.Errorf("%s = %v (%T), want %v", k, f[k], f[k], v)
				}
			}
			if _, ok := f["duration"]; !ok {
				t.Error("no duration")
			}
			if _, ok := f["error"]; ok != tt.withError {
				t.Errorf("error field present = %v: %v", ok, f)
			}
			if _, ok := f["stack"]; ok != (tt.name == "log_panic") {
				t.Errorf("stack field present = %v", ok)
			}
			if !tt.auth {
				if _, ok := f["tenant"]; ok {
					t.Error("tenant logged for an unauthenticated request")
				}
			}
		})
	}
}

func TestLoggerClientGone(t *testing.T) {
	e, logs := newEcho(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	e.PUT("/api/v1/x", func(c echo.Context) error {
		cancel() // the client hangs up during the upload
		return errs.Wrap(c.Request().Context().Err(), errs.InternalError, "the request was cancelled")
	})
	req := httptest.NewRequest("PUT", "/api/v1/x", strings.NewReader("abc")).WithContext(ctx)
	req.Header.Set("X-API-Key", testKey)
	serve(e, req)
	entries := logs.All()
	if len(entries) != 1 {
		t.Fatalf("%d lines", len(entries))
	}
	if f := entries[0].ContextMap(); entries[0].Level != zapcore.WarnLevel || f["clientGone"] != true || f["status"] != int64(500) {
		t.Errorf("%v %v", entries[0].Level, f)
	}
}

func TestRecoverMiddleware(t *testing.T) {
	t.Run("recover_panicIsInternalError", func(t *testing.T) {
		var got error
		h := Recover()(func(c echo.Context) error { panic("secret detail") })
		e := echo.New()
		got = h(e.NewContext(httptest.NewRequest("GET", "/", nil), httptest.NewRecorder()))
		ee, ok := errs.As(got)
		if !ok || ee.Code != errs.InternalError || strings.Contains(ee.Message, "secret") {
			t.Fatalf("error %v", got)
		}
		var p *PanicError
		if !errors.As(got, &p) || p.Value != "secret detail" || len(p.Stack) == 0 {
			t.Errorf("cause %#v", p)
		}
	})
	t.Run("recover_abortHandlerRepanics", func(t *testing.T) {
		defer func() {
			if r := recover(); r != http.ErrAbortHandler {
				t.Errorf("recovered %v", r)
			}
		}()
		h := Recover()(func(c echo.Context) error { panic(http.ErrAbortHandler) })
		e := echo.New()
		_ = h(e.NewContext(httptest.NewRequest("GET", "/", nil), httptest.NewRecorder()))
		t.Error("no panic")
	})
}

func TestCORSMiddleware(t *testing.T) {
	const origin = "https://app.example"
	tests := []struct {
		name        string
		origins     []string
		method      string
		headers     map[string]string
		wantStatus  int
		wantHeaders map[string]string // "" means absent
	}{
		{
			name: "cors_allowed", origins: []string{origin}, method: "GET",
			headers:    map[string]string{"Origin": origin},
			wantStatus: 200,
			wantHeaders: map[string]string{
				"Access-Control-Allow-Origin":      origin,
				"Access-Control-Expose-Headers":    "ETag, X-Request-ID, Content-Range, Content-Disposition, Last-Modified, Accept-Ranges, Retry-After, WWW-Authenticate, X-Meta-A, X-Meta-Color",
				"Access-Control-Allow-Credentials": "",
				"Vary":                             "Origin",
			},
		},
		{
			name: "cors_deniedOrigin", origins: []string{origin}, method: "GET",
			headers:     map[string]string{"Origin": "https://app.example.evil"},
			wantStatus:  200,
			wantHeaders: map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Expose-Headers": "", "Vary": "Origin"},
		},
		{
			name: "cors_noOrigin", origins: []string{origin}, method: "GET",
			wantStatus:  200,
			wantHeaders: map[string]string{"Access-Control-Allow-Origin": ""},
		},
		{
			name: "cors_disabled", origins: nil, method: "GET",
			headers:     map[string]string{"Origin": origin},
			wantStatus:  200,
			wantHeaders: map[string]string{"Access-Control-Allow-Origin": "", "Vary": ""},
		},
		{
			name: "cors_preflight", origins: []string{"https://other.example", origin}, method: "OPTIONS",
			headers: map[string]string{
				"Origin":                         origin,
				"Access-Control-Request-Method":  "PUT",
				"Access-Control-Request-Headers": "Content-Type,X-Meta-Color, x-meta-a,x-meta-color,x-other,bad header",
			},
			wantStatus: 204,
			wantHeaders: map[string]string{
				"Access-Control-Allow-Origin":  origin,
				"Access-Control-Allow-Methods": "GET, HEAD, PUT, POST, DELETE",
				"Access-Control-Allow-Headers": "Authorization, X-API-Key, Content-Type, Range, If-None-Match, X-Request-ID, x-meta-color, x-meta-a",
				"Access-Control-Max-Age":       "600",
			},
		},
		{
			name: "cors_preflightDenied", origins: []string{origin}, method: "OPTIONS",
			headers:     map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"},
			wantStatus:  401, // as any request without a key: no route is revealed
			wantHeaders: map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Headers": "", "Allow": ""},
		},
		{
			name: "cors_preflightNoOriginsConfigured", origins: nil, method: "OPTIONS",
			headers:     map[string]string{"Origin": origin, "Access-Control-Request-Method": "PUT"},
			wantStatus:  401,
			wantHeaders: map[string]string{"Access-Control-Allow-Origin": "", "Allow": ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := newEcho(t, tt.origins)
			e.GET("/api/v1/x", func(c echo.Context) error {
				c.Response().Header().Set("X-Meta-Color", "red")
				c.Response().Header().Set("X-Meta-A", "1")
				return c.NoContent(200)
			})
			e.PUT("/api/v1/x", func(c echo.Context) error { return c.NoContent(200) })
			req := httptest.NewRequest(tt.method, "/api/v1/x", nil)
			if tt.method != "OPTIONS" { // browsers send preflights without credentials
				req.Header.Set("X-API-Key", testKey)
			}
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			rec := serve(e, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			for k, want := range tt.wantHeaders {
				if got := strings.Join(rec.Header().Values(k), ", "); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestAuthMiddleware(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		path       string
		headers    map[string]string
		wantStatus int
		wantTenant string
	}{
		{"auth_missing", "GET", "/api/v1/x", nil, 401, ""},
		{"auth_unknownKey", "GET", "/api/v1/x", map[string]string{"Authorization": "Bearer wrong"}, 401, ""},
		{"auth_bearer", "GET", "/api/v1/x", map[string]string{"Authorization": "Bearer " + testKey}, 200, "acme"},
		{"auth_bearerExtraSpaces", "GET", "/api/v1/x", map[string]string{"Authorization": "  Bearer   " + testKey + " "}, 200, "acme"},
		{"auth_apiKey", "GET", "/api/v1/x", map[string]string{"X-API-Key": testKey}, 200, "acme"},
		{"auth_authorizationWins", "GET", "/api/v1/x", map[string]string{"Authorization": "Bearer wrong", "X-API-Key": testKey}, 401, ""},
		{"auth_otherScheme", "GET", "/api/v1/x", map[string]string{"Authorization": "Token " + testKey}, 401, ""},
		{"auth_keyIsCaseSensitive", "GET", "/api/v1/x", map[string]string{"X-API-Key": strings.ToUpper(testKey)}, 401, ""},
		{"public_healthz", "GET", "/healthz", nil, 200, ""},
		{"public_readyz", "GET", "/readyz", nil, 200, ""},
		{"public_metrics", "GET", "/metrics", nil, 200, ""},
		{"public_openapi", "GET", "/openapi.json", nil, 200, ""},
		{"public_swagger", "GET", "/swagger/index.html", nil, 200, ""},
		{"private_optionsOfARoute", "OPTIONS", "/api/v1/x", nil, 401, ""},
		{"private_optionsOfNoRoute", "OPTIONS", "/api/v1/nothing", nil, 401, ""},
		{"auth_optionsWithKey", "OPTIONS", "/api/v1/x", map[string]string{"X-API-Key": testKey}, 204, ""}, // Echo answers it
		{"private_lookalike", "GET", "/healthz2", nil, 401, ""},
		{"private_swaggerlike", "GET", "/swaggerx", nil, 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := newEcho(t, nil)
			var tenant string
			h := func(c echo.Context) error {
				if tn, ok := access.FromContext(c.Request().Context()); ok {
					tenant = tn.ID
				}
				return c.NoContent(200)
			}
			for _, p := range []string{"/api/v1/x", "/healthz", "/readyz", "/metrics", "/openapi.json", "/swagger/*", "/healthz2", "/swaggerx"} {
				e.GET(p, h)
			}
			req := httptest.NewRequest(tt.method, tt.path, nil)
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			rec := serve(e, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d (%s)", rec.Code, tt.wantStatus, rec.Body.String())
			}
			if tt.wantStatus == 401 && rec.Body.String() != "Unauthorized" {
				t.Errorf("body %q", rec.Body.String())
			}
			if tenant != tt.wantTenant {
				t.Errorf("tenant %q, want %q", tenant, tt.wantTenant)
			}
		})
	}
}

// The apiKey query parameter authenticates only on the routes given to
// AllowQueryKey, and only when no key header is sent.
func TestAuthQueryKey(t *testing.T) {
	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) { _ = c.String(errs.CodeOf(err).Status(), string(errs.CodeOf(err))) }
	e.Use(Auth(testRegistry(t), AllowQueryKey("/stream/:id")))
	ok := func(c echo.Context) error { return c.String(http.StatusOK, "ok") }
	e.GET("/stream/:id", ok)
	e.GET("/other", ok)

	tests := []struct {
		name   string
		target string
		header string
		want   int
	}{
		{"queryKey_allowedRoute", "/stream/1?apiKey=" + testKey, "", http.StatusOK},
		{"queryKey_wrongKey", "/stream/1?apiKey=nope", "", http.StatusUnauthorized},
		{"queryKey_otherRoute", "/other?apiKey=" + testKey, "", http.StatusUnauthorized},
		{"queryKey_headerWins", "/stream/1?apiKey=" + testKey, "Bearer nope", http.StatusUnauthorized},
		{"queryKey_missing", "/stream/1", "", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.target, nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			if rec := serve(e, req); rec.Code != tt.want {
				t.Fatalf("status %d, want %d", rec.Code, tt.want)
			}
		})
	}
}
