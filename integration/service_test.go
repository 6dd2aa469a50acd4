package integration

import (
	"net/http"
	"testing"
)

func TestHealthAndReadiness(t *testing.T) {
	anon := as(t, "")
	var health map[string]string
	anon.call(http.MethodGet, "/healthz", nil, http.StatusOK, &health)
	if health["status"] != "ok" {
		t.Fatalf("healthz: %v", health)
	}
	anon.call(http.MethodGet, "/readyz", nil, http.StatusOK, nil)
}

func TestAuthentication(t *testing.T) {
	cases := []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"noKey", nil, http.StatusUnauthorized},
		{"unknownKey", map[string]string{"Authorization": "Bearer nope"}, http.StatusUnauthorized},
		{"emptyBearer", map[string]string{"Authorization": "Bearer "}, http.StatusUnauthorized},
		{"basicScheme", map[string]string{"Authorization": "Basic YWxwaGEta2V5"}, http.StatusUnauthorized},
		{"bearer", map[string]string{"Authorization": "Bearer " + alphaKey}, http.StatusOK},
		{"apiKeyHeader", map[string]string{"X-API-Key": alphaKey}, http.StatusOK},
		{"hashedKey", map[string]string{"X-API-Key": alphaHashedKey}, http.StatusOK},
		{"hashItselfIsNoKey", map[string]string{"X-API-Key": "sha256:0000"}, http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := as(t, "").do(request{method: http.MethodGet, path: "/api/v1/buckets", headers: tc.headers})
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want, body)
			}
			if tc.want == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") != "Bearer" {
				t.Fatalf("WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

func TestRequestID(t *testing.T) {
	c := as(t, alphaKey)
	resp, _ := c.do(request{method: http.MethodGet, path: "/api/v1/buckets", headers: map[string]string{"X-Request-ID": "trace-42.a:b"}})
	if got := resp.Header.Get("X-Request-ID"); got != "trace-42.a:b" {
		t.Fatalf("sane request id not kept: %q", got)
	}
	resp, _ = c.do(request{method: http.MethodGet, path: "/api/v1/buckets", headers: map[string]string{"X-Request-ID": "bad id\twith<junk>"}})
	if got := resp.Header.Get("X-Request-ID"); got == "" || got == "bad id\twith<junk>" {
		t.Fatalf("insane request id kept: %q", got)
	}
}

func TestUnknownRoutesAndMethodsAreJSON(t *testing.T) {
	c := as(t, alphaKey)
	c.wantError(http.MethodGet, "/api/v1/nothing-here", nil, http.StatusNotFound, "NotFound")
	c.wantError(http.MethodGet, "/nothing", nil, http.StatusNotFound, "NotFound")
	c.wantError(http.MethodPatch, "/api/v1/buckets", nil, http.StatusMethodNotAllowed, "MethodNotAllowed")
}

func TestCORS(t *testing.T) {
	resp, _ := as(t, "").do(request{method: http.MethodOptions, path: "/api/v1/buckets", headers: map[string]string{
		"Origin":                         "http://app.example",
		"Access-Control-Request-Method":  "PUT",
		"Access-Control-Request-Headers": "authorization, x-meta-color",
	}})
	if resp.StatusCode >= 300 || resp.Header.Get("Access-Control-Allow-Origin") != "http://app.example" {
		t.Fatalf("preflight from an allowed origin: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = as(t, alphaKey).do(request{method: http.MethodGet, path: "/api/v1/buckets", headers: map[string]string{"Origin": "http://evil.example"}})
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Fatalf("origin not configured got Access-Control-Allow-Origin %q", got)
	}
}
