package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"

	"s3gateway/errs"
	"s3gateway/service"
)

func TestAuth(t *testing.T) {
	tests := []struct {
		name       string
		req        request
		wantStatus int
		wantTenant string
	}{
		{"auth_missing", request{method: "GET", target: "/api/v1/buckets", noAuth: true}, 401, ""},
		{"auth_unknownBearer", request{method: "GET", target: "/api/v1/buckets", noAuth: true, headers: map[string]string{"Authorization": "Bearer nope"}}, 401, ""},
		{"auth_unknownAPIKey", request{method: "GET", target: "/api/v1/buckets", noAuth: true, headers: map[string]string{"X-API-Key": "nope"}}, 401, ""},
		{"auth_basicScheme", request{method: "GET", target: "/api/v1/buckets", noAuth: true, headers: map[string]string{"Authorization": "Basic " + acmeKey}}, 401, ""},
		{"auth_emptyBearer", request{method: "GET", target: "/api/v1/buckets", noAuth: true, headers: map[string]string{"Authorization": "Bearer "}}, 401, ""},
		{"auth_bearer", request{method: "GET", target: "/api/v1/buckets", noAuth: true, headers: map[string]string{"Authorization": "Bearer " + acmeKey}}, 200, "acme"},
		{"auth_bearerLowercaseScheme", request{method: "GET", target: "/api/v1/buckets", noAuth: true, headers: map[string]string{"Authorization": "bearer " + acmeKey}}, 200, "acme"},
		{"auth_apiKey", request{method: "GET", target: "/api/v1/buckets", noAuth: true, headers: map[string]string{"X-API-Key": acmeKey}}, 200, "acme"},
		{"auth_hashedKey", request{method: "GET", target: "/api/v1/buckets", noAuth: true, headers: map[string]string{"X-API-Key": betaKey}}, 200, "beta"},
		{"auth_unknownRouteNeedsKey", request{method: "GET", target: "/api/v1/nothing", noAuth: true}, 401, ""},
		{"public_healthz", request{method: "GET", target: "/healthz", noAuth: true}, 200, ""},
		{"public_readyz", request{method: "GET", target: "/readyz", noAuth: true}, 200, ""},
		{"public_openapi", request{method: "GET", target: "/openapi.json", noAuth: true}, 200, ""},
		{"public_swagger", request{method: "GET", target: "/swagger/index.html", noAuth: true}, 200, ""},
		{"public_metricsNotYetServed", request{method: "GET", target: "/metrics", noAuth: true}, 404, ""},
		// OPTIONS reveals nothing without a key: a route and no route
		// get the same 401; a preflight from a configured origin is
		// answered, one from another origin is not.
		{"auth_optionsOfARoute", request{method: "OPTIONS", target: "/api/v1/buckets", noAuth: true}, 401, ""},
		{"auth_optionsOfNoRoute", request{method: "OPTIONS", target: "/api/v1/nothing", noAuth: true}, 401, ""},
		{"auth_preflightOtherOrigin", request{method: "OPTIONS", target: "/api/v1/buckets", noAuth: true,
			headers: map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}}, 401, ""},
		{"public_preflightConfiguredOrigin", request{method: "OPTIONS", target: "/api/v1/buckets", noAuth: true,
			headers: map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}}, 204, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t)
			rec := env.do(t, tt.req)
			wantStatus(t, rec, tt.wantStatus)
			if tt.wantStatus == 401 {
				if got := rec.Header().Get("WWW-Authenticate"); got != "Bearer" {
					t.Errorf("WWW-Authenticate = %q", got)
				}
				wantError(t, rec, 401, "Unauthorized")
				if allow := rec.Header().Get("Allow"); allow != "" {
					t.Errorf("Allow %q on a 401", allow)
				}
				if n := len(env.svc.Calls()); n != 0 {
					t.Errorf("service called %d times", n)
				}
			}
			if tt.wantTenant != "" {
				c, ok := env.svc.only()
				if !ok || c.Tenant != tt.wantTenant {
					t.Errorf("calls %+v, want one as %s", env.svc.Calls(), tt.wantTenant)
				}
			}
		})
	}
}

func TestRequestID(t *testing.T) {
	long := strings.Repeat("a", 129)
	tests := []struct {
		name string
		sent string
		keep bool
	}{
		{"requestID_sane", "abc-123_x.y:z", true},
		{"requestID_max", strings.Repeat("a", 128), true},
		{"requestID_tooLong", long, false},
		{"requestID_badChars", "abc def", false},
		{"requestID_injection", "a\"b<c>", false},
		{"requestID_absent", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t)
			h := map[string]string{}
			if tt.sent != "" {
				h["X-Request-ID"] = tt.sent
			}
			rec := env.do(t, request{method: "GET", target: "/api/v1/nothing", headers: h})
			got := rec.Header().Get("X-Request-ID")
			if tt.keep && got != tt.sent {
				t.Errorf("X-Request-ID = %q, want %q", got, tt.sent)
			}
			if !tt.keep && (got == tt.sent || len(got) != 32) {
				t.Errorf("X-Request-ID = %q, want a new one", got)
			}
			if e := errorOf(t, rec); e.RequestID != got {
				t.Errorf("body requestId %q", e.RequestID)
			}
		})
	}
}

func TestErrorRendering(t *testing.T) {
	env := newEnv(t)

	t.Run("unknownRoute_404", func(t *testing.T) {
		rec := env.do(t, request{method: "GET", target: "/api/v1/nothing/here"})
		e := wantError(t, rec, 404, "NotFound")
		if e.Message != "no such route" {
			t.Errorf("message %q", e.Message)
		}
	})
	t.Run("unknownRootRoute_404", func(t *testing.T) {
		rec := env.do(t, request{method: "GET", target: "/"})
		wantError(t, rec, 404, "NotFound")
	})
	t.Run("wrongMethod_405", func(t *testing.T) {
		rec := env.do(t, request{method: "PATCH", target: "/api/v1/buckets/photos"})
		wantError(t, rec, 405, "MethodNotAllowed")
		allow := rec.Header().Get("Allow")
		for _, m := range []string{"GET", "HEAD", "DELETE"} {
			if !strings.Contains(allow, m) {
				t.Errorf("Allow = %q, missing %s", allow, m)
			}
		}
	})
	t.Run("wrongMethodObject_405", func(t *testing.T) {
		rec := env.do(t, request{method: "POST", target: "/api/v1/buckets/photos/objects/a.txt"})
		wantError(t, rec, 405, "MethodNotAllowed")
	})
	t.Run("headError_noBody", func(t *testing.T) {
		rec := env.do(t, request{method: "HEAD", target: "/api/v1/nothing"})
		wantStatus(t, rec, 404)
		if rec.Body.Len() != 0 {
			t.Errorf("HEAD body %q", rec.Body.String())
		}
	})
}

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{"errsError_asIs", errs.New(errs.NoSuchBucket, `bucket "x" does not exist`), 404, "NoSuchBucket", `bucket "x" does not exist`},
		{"wrapped_errsError", errors.Join(errors.New("ctx"), errs.New(errs.BucketNotEmpty, "not empty")), 409, "BucketNotEmpty", "not empty"},
		{"plainError_internal", errors.New("dial tcp 10.1.2.3:9000: acme-photos secret"), 500, "InternalError", "internal error"},
		{"unavailable_retryAfter", errs.New(errs.BackendUnavailable, "down"), 503, "BackendUnavailable", "down"},
		{"slowDown_retryAfter", errs.New(errs.SlowDown, "slow down"), 429, "SlowDown", "slow down"},
		{"timeout", errs.New(errs.BackendTimeout, "late"), 504, "BackendTimeout", "late"},
		{"forbidden", errs.New(errs.AccessDenied, "no"), 403, "AccessDenied", "no"},
		{"causeHidden", errs.Wrap(errors.New("minio says acme-photos at 10.0.0.1"), errs.InternalError, "internal error"), 500, "InternalError", "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t)
			env.svc.listBuckets = func() ([]service.Bucket, error) { return nil, tt.err }
			rec := env.do(t, request{method: "GET", target: "/api/v1/buckets"})
			e := wantError(t, rec, tt.wantStatus, tt.wantCode)
			if e.Message != tt.wantMsg {
				t.Errorf("message %q, want %q", e.Message, tt.wantMsg)
			}
			if (tt.wantStatus == 503 || tt.wantStatus == 429) && rec.Header().Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
			entries := env.logs.All()
			if len(entries) != 1 {
				t.Fatalf("%d log lines, want 1", len(entries))
			}
			_, hasErr := entries[0].ContextMap()["error"]
			if hasErr != (tt.wantStatus >= 500) {
				t.Errorf("log line has error = %v for status %d", hasErr, tt.wantStatus)
			}
		})
	}
}

func TestPanic(t *testing.T) {
	env := newEnv(t)
	env.svc.listBuckets = func() ([]service.Bucket, error) { panic("boom at 10.0.0.1") }
	rec := env.do(t, request{method: "GET", target: "/api/v1/buckets"})
	e := wantError(t, rec, 500, "InternalError")
	if strings.Contains(e.Message, "boom") || strings.Contains(rec.Body.String(), "goroutine") {
		t.Errorf("panic leaked: %s", rec.Body.String())
	}
	entries := env.logs.All()
	if len(entries) != 1 {
		t.Fatalf("%d log lines, want 1", len(entries))
	}
	fields := entries[0].ContextMap()
	if entries[0].Level != zapcore.ErrorLevel || !strings.Contains(fields["error"].(string), "boom") {
		t.Errorf("log %v %v", entries[0].Level, fields)
	}
	if stack, _ := fields["stack"].(string); !strings.Contains(stack, "goroutine") {
		t.Errorf("no stack logged: %v", fields)
	}
}

func TestRequestLog(t *testing.T) {
	env := newEnv(t)
	env.svc.putObject = func(bucket, name string, body []byte, opts service.PutOptions) (service.UploadResult, error) {
		return service.UploadResult{Bucket: bucket, Name: name, Size: int64(len(body))}, nil
	}
	rec := env.do(t, request{method: "PUT", target: "/api/v1/buckets/photos/objects/a/b.txt", body: "hello", headers: map[string]string{"X-Request-ID": "req-1"}})
	wantStatus(t, rec, 201)
	entries := env.logs.All()
	if len(entries) != 1 {
		t.Fatalf("%d log lines, want 1", len(entries))
	}
	f := entries[0].ContextMap()
	want := map[string]any{
		"requestId": "req-1",
		"tenant":    "acme",
		"method":    "PUT",
		"route":     "/api/v1/buckets/:bucket/objects/*",
		"status":    int64(201),
		"bytesIn":   int64(5),
		"bytesOut":  int64(rec.Body.Len()),
	}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("log %s = %v (%T), want %v", k, f[k], f[k], v)
		}
	}
	if _, ok := f["duration"]; !ok {
		t.Error("no duration")
	}
	if entries[0].Level != zapcore.InfoLevel {
		t.Errorf("level %v", entries[0].Level)
	}

	t.Run("unauthenticated_warnNoTenant", func(t *testing.T) {
		env := newEnv(t)
		env.do(t, request{method: "GET", target: "/api/v1/buckets", noAuth: true})
		entries := env.logs.All()
		if len(entries) != 1 {
			t.Fatalf("%d log lines", len(entries))
		}
		if _, ok := entries[0].ContextMap()["tenant"]; ok || entries[0].Level != zapcore.WarnLevel {
			t.Errorf("entry %v %v", entries[0].Level, entries[0].ContextMap())
		}
	})
}

func TestCORS(t *testing.T) {
	t.Run("cors_allowedOrigin", func(t *testing.T) {
		env := newEnv(t)
		env.svc.statObject = func(bucket, name string) (service.ObjectInfo, error) {
			return service.ObjectInfo{Name: name, ETag: "e", Metadata: map[string]string{"Color": "red"}}, nil
		}
		rec := env.do(t, request{method: "HEAD", target: "/api/v1/buckets/b/objects/x", headers: map[string]string{"Origin": "https://app.example"}})
		wantStatus(t, rec, 200)
		if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "https://app.example" {
			t.Errorf("ACAO = %q", got)
		}
		expose := rec.Header().Get("Access-Control-Expose-Headers")
		for _, h := range []string{"ETag", "X-Request-ID", "Content-Range", "Content-Disposition", "Last-Modified", "X-Meta-Color"} {
			if !strings.Contains(expose, h) {
				t.Errorf("Expose-Headers %q lacks %s", expose, h)
			}
		}
	})
	t.Run("cors_allowedOriginOnError", func(t *testing.T) {
		env := newEnv(t)
		rec := env.do(t, request{method: "GET", target: "/api/v1/buckets", noAuth: true, headers: map[string]string{"Origin": "https://app.example"}})
		wantError(t, rec, 401, "Unauthorized")
		if rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example" {
			t.Error("a 401 must be readable by the allowed origin")
		}
	})
	t.Run("cors_deniedOrigin", func(t *testing.T) {
		env := newEnv(t)
		rec := env.do(t, request{method: "GET", target: "/api/v1/buckets", headers: map[string]string{"Origin": "https://evil.example"}})
		wantStatus(t, rec, 200)
		if rec.Header().Get("Access-Control-Allow-Origin") != "" || rec.Header().Get("Access-Control-Expose-Headers") != "" {
			t.Errorf("CORS headers for a denied origin: %v", rec.Header())
		}
		if !strings.Contains(strings.Join(rec.Header().Values("Vary"), ","), "Origin") {
			t.Error("no Vary: Origin")
		}
	})
	t.Run("cors_preflight", func(t *testing.T) {
		env := newEnv(t)
		rec := env.do(t, request{method: "OPTIONS", target: "/api/v1/buckets/b/objects/x", noAuth: true, headers: map[string]string{
			"Origin":                         "https://app.example",
			"Access-Control-Request-Method":  "PUT",
			"Access-Control-Request-Headers": "authorization, content-type, x-meta-color, X-Meta-Size",
		}})
		wantStatus(t, rec, 204)
		h := rec.Header()
		if h.Get("Access-Control-Allow-Origin") != "https://app.example" || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "PUT") {
			t.Errorf("preflight headers %v", h)
		}
		allow := strings.ToLower(h.Get("Access-Control-Allow-Headers"))
		for _, want := range []string{"authorization", "x-api-key", "content-type", "range", "if-none-match", "x-meta-color", "x-meta-size"} {
			if !strings.Contains(allow, want) {
				t.Errorf("Allow-Headers %q lacks %s", allow, want)
			}
		}
		if h.Get("Access-Control-Max-Age") == "" {
			t.Error("no Max-Age")
		}
		if len(env.svc.Calls()) != 0 {
			t.Error("preflight reached the service")
		}
	})
	t.Run("cors_preflightDeniedOrigin", func(t *testing.T) {
		env := newEnv(t)
		rec := env.do(t, request{method: "OPTIONS", target: "/api/v1/buckets", noAuth: true, headers: map[string]string{
			"Origin": "https://evil.example", "Access-Control-Request-Method": "GET",
		}})
		if rec.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("ACAO for a denied origin")
		}
	})
	t.Run("cors_noOriginsConfigured", func(t *testing.T) {
		env := newEnv(t, func(c *Config) { c.CORSOrigins = nil })
		rec := env.do(t, request{method: "GET", target: "/api/v1/buckets", headers: map[string]string{"Origin": "https://app.example"}})
		for k := range rec.Header() {
			if strings.HasPrefix(k, "Access-Control-") || k == "Vary" {
				t.Errorf("CORS header %s with no origins configured", k)
			}
		}
	})
}

func TestHealth(t *testing.T) {
	t.Run("healthz_ok", func(t *testing.T) {
		env := newEnv(t)
		rec := env.do(t, request{method: "GET", target: "/healthz", noAuth: true})
		wantStatus(t, rec, 200)
		jsonEq(t, rec.Body.String(), `{"status":"ok"}`)
	})
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantCode   string
	}{
		{"readyz_ready", nil, 200, ""},
		{"readyz_unavailable", errs.New(errs.BackendUnavailable, "the object store is unreachable"), 503, "BackendUnavailable"},
		{"readyz_internalIsUnavailable", errors.New("boom"), 503, "BackendUnavailable"},
		{"readyz_timeout", errs.New(errs.BackendTimeout, "late"), 504, "BackendTimeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t)
			env.svc.ready = func(ctx context.Context) error {
				if _, ok := ctx.Deadline(); !ok {
					t.Error("Ready without a deadline")
				}
				return tt.err
			}
			rec := env.do(t, request{method: "GET", target: "/readyz", noAuth: true})
			if tt.err == nil {
				wantStatus(t, rec, 200)
				jsonEq(t, rec.Body.String(), `{"status":"ready"}`)
				return
			}
			wantError(t, rec, tt.wantStatus, tt.wantCode)
		})
	}
	t.Run("readyz_deadline", func(t *testing.T) {
		env := newEnv(t, func(c *Config) { c.ReadyTimeout = 10 * time.Millisecond })
		env.svc.ready = func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
		rec := env.do(t, request{method: "GET", target: "/readyz", noAuth: true})
		wantError(t, rec, 504, "BackendTimeout")
	})
}

func TestOpenAPI(t *testing.T) {
	env := newEnv(t)
	t.Run("openapi_document", func(t *testing.T) {
		rec := env.do(t, request{method: "GET", target: "/openapi.json", noAuth: true})
		wantStatus(t, rec, 200)
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("Content-Type %q", ct)
		}
		jsonEq(t, rec.Body.String(), `{"openapi":"3.0.3"}`)
	})
	t.Run("swagger_index", func(t *testing.T) {
		rec := env.do(t, request{method: "GET", target: "/swagger/index.html", noAuth: true})
		wantStatus(t, rec, 200)
		if !strings.Contains(rec.Body.String(), `openapi.json"`) || strings.Contains(rec.Body.String(), "doc.json") {
			t.Errorf("the UI does not load /openapi.json only")
		}
	})
	t.Run("swagger_asset", func(t *testing.T) {
		rec := env.do(t, request{method: "GET", target: "/swagger/swagger-ui.css", noAuth: true})
		wantStatus(t, rec, 200)
	})
	t.Run("swagger_unknownFile_jsonNotFound", func(t *testing.T) {
		rec := env.do(t, request{method: "GET", target: "/swagger/nope.js", noAuth: true})
		wantError(t, rec, 404, "NotFound")
	})
	t.Run("swagger_docJSON_notServed", func(t *testing.T) {
		rec := env.do(t, request{method: "GET", target: "/swagger/doc.json", noAuth: true})
		wantError(t, rec, 404, "NotFound")
	})
	t.Run("openapi_absent", func(t *testing.T) {
		env := newEnv(t, func(c *Config) { c.OpenAPI = nil })
		rec := env.do(t, request{method: "GET", target: "/openapi.json", noAuth: true})
		wantError(t, rec, 404, "NotFound")
	})
}

var _ = http.StatusOK
