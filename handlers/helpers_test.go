package handlers

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"s3gateway/access"
)

// The test tenants: acme with a plain key, beta with a hashed one.
const (
	acmeKey = "acme-test-key-0123456789abcdefghijk"
	betaKey = "beta-test-key"
)

func testRegistry(t *testing.T) *access.Registry {
	t.Helper()
	reg, err := access.Parse([]byte(`
tenants:
  - id: acme
    bucketPrefix: acme-
    apiKeys: ["` + acmeKey + `"]
    s3: {accessKey: acme-svc, secretKey: acme-secret}
  - id: beta
    bucketPrefix: beta-
    apiKeys: ["` + access.HashKey(betaKey) + `"]
    s3: {accessKey: beta-svc, secretKey: beta-secret}
`))
	if err != nil {
		t.Fatalf("tenants: %v", err)
	}
	return reg
}

// env is a gateway over a fake service, with its log observed.
type env struct {
	e    *echo.Echo
	svc  *fakeService
	logs *observer.ObservedLogs
}

func newEnv(t *testing.T, mod ...func(*Config)) *env {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	svc := &fakeService{}
	cfg := Config{
		Service:        svc,
		Tenants:        testRegistry(t),
		Logger:         zap.New(core),
		CORSOrigins:    []string{"https://app.example"},
		MaxJSONBody:    1 << 10,
		MaxDeleteNames: 3,
		OpenAPI:        []byte(`{"openapi":"3.0.3"}`),
		EventHeartbeat: time.Hour,
	}
	for _, m := range mod {
		m(&cfg)
	}
	return &env{e: New(cfg), svc: svc, logs: logs}
}

// request is one test request; the key defaults to acme's.
type request struct {
	method  string
	target  string
	body    string
	headers map[string]string
	noAuth  bool
}

func (env *env) do(t *testing.T, r request) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req := httptest.NewRequest(r.method, r.target, body)
	if !r.noAuth {
		req.Header.Set("Authorization", "Bearer "+acmeKey)
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	env.e.ServeHTTP(rec, req)
	return rec
}

// errorOf decodes an error body, failing when the body is not one.
func errorOf(t *testing.T, rec *httptest.ResponseRecorder) errorBody {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("error Content-Type = %q, want JSON; body %q", ct, rec.Body.String())
	}
	var resp struct {
		Error *errorBody `json:"error"`
	}
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&resp); err != nil || resp.Error == nil {
		t.Fatalf("not an error body: %q (%v)", rec.Body.String(), err)
	}
	if resp.Error.RequestID == "" || resp.Error.RequestID != rec.Header().Get("X-Request-ID") {
		t.Errorf("requestId %q, X-Request-ID %q", resp.Error.RequestID, rec.Header().Get("X-Request-ID"))
	}
	return *resp.Error
}

// wantError checks status and code of an error response.
func wantError(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) errorBody {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status = %d, want %d; body %s", rec.Code, status, rec.Body.String())
	}
	e := errorOf(t, rec)
	if e.Code != code {
		t.Fatalf("code = %q, want %q (message %q)", e.Code, code, e.Message)
	}
	return e
}

// jsonEq compares a body with the expected JSON, ignoring formatting.
func jsonEq(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("body is not JSON: %q", got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation %q", want)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("body\n got %s\nwant %s", gb, wb)
	}
}

func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, status int) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status = %d, want %d; body %s", rec.Code, status, rec.Body.String())
	}
}

// runCase checks a table case: the status, the error code or the exact
// body, and the one service call when given.
func runCase(t *testing.T, env *env, rec *httptest.ResponseRecorder, status int, code, body string, want *call) {
	t.Helper()
	switch {
	case code != "":
		wantError(t, rec, status, code)
	default:
		wantStatus(t, rec, status)
		if body != "" {
			jsonEq(t, rec.Body.String(), body)
		}
		if (status == 204 || rec.Header().Get("Content-Type") == "") && rec.Body.Len() != 0 {
			t.Errorf("unexpected body %q", rec.Body.String())
		}
	}
	if want != nil {
		got, ok := env.svc.only()
		if !ok {
			t.Fatalf("calls %+v, want exactly one", env.svc.Calls())
		}
		if !reflect.DeepEqual(got, *want) {
			t.Errorf("call\n got %#v\nwant %#v", got, *want)
		}
	}
}
