package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"s3gateway/access"
	"s3gateway/service"
)

// scopedKey is the plain key of the test's scoped key named id.
func scopedKey(id string) string { return "scoped-" + id + "-0123456789abcdefghijklmnop" }

// scopedRegistry is acme with, for every scope, a key holding only it
// ("only-<scope>") and a key holding every other ("but-<scope>"), all
// confined to bucket photos and prefix users/alice/, plus a few more.
func scopedRegistry(t *testing.T) *access.Registry {
	t.Helper()
	var b strings.Builder
	b.WriteString("tenants:\n  - id: acme\n    bucketPrefix: acme-\n    apiKeys: [\"" + acmeKey + "\"]\n    s3: {accessKey: acme-svc, secretKey: acme-secret}\n    scopedKeys:\n")
	entry := func(id string, scopes []access.Scope, extra string) {
		names := make([]string, len(scopes))
		for i, s := range scopes {
			names[i] = string(s)
		}
		fmt.Fprintf(&b, "      - {id: %s, key: %q, scopes: [%s], buckets: [photos], prefix: users/alice/%s}\n",
			id, scopedKey(id), strings.Join(names, ", "), extra)
	}
	for _, s := range access.AllScopes() {
		var others []access.Scope
		for _, o := range access.AllScopes() {
			if o != s {
				others = append(others, o)
			}
		}
		entry("only-"+strings.ReplaceAll(string(s), ":", "-"), []access.Scope{s}, "")
		entry("but-"+strings.ReplaceAll(string(s), ":", "-"), others, "")
	}
	entry("all", access.AllScopes(), "")
	entry("soon", access.AllScopes(), ", expires: "+time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	entry("gone", access.AllScopes(), ", expires: 2020-01-01T00:00:00Z")
	reg, err := access.Parse([]byte(b.String()))
	if err != nil {
		t.Fatalf("tenants: %v", err)
	}
	return reg
}

// scopedEnv is a gateway over the fake service wrapped by the scope checks.
func scopedEnv(t *testing.T) *env {
	return newEnv(t, func(c *Config) {
		c.Tenants = scopedRegistry(t)
		c.Service = service.Authorize(c.Service)
		c.MaxDeleteNames = 100
	})
}

func as(id string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + scopedKey(id)}
}

// scopedRoutes is every route with the scope it needs (API.md, "Access").
var scopedRoutes = []struct {
	method, target, body string
	scope                access.Scope
}{
	{"GET", "/api/v1/buckets", "", access.BucketsRead},
	{"POST", "/api/v1/buckets", `{"name":"photos"}`, access.BucketsManage},
	{"GET", "/api/v1/buckets/photos", "", access.BucketsRead},
	{"HEAD", "/api/v1/buckets/photos", "", access.BucketsRead},
	{"DELETE", "/api/v1/buckets/photos", "", access.BucketsManage},
	{"GET", "/api/v1/buckets/photos/objects", "", access.ObjectsList},
	{"PUT", "/api/v1/buckets/photos/objects/users/alice/a.txt", "x", access.ObjectsWrite},
	{"GET", "/api/v1/buckets/photos/objects/users/alice/a.txt", "", access.ObjectsRead},
	{"HEAD", "/api/v1/buckets/photos/objects/users/alice/a.txt", "", access.ObjectsRead},
	{"DELETE", "/api/v1/buckets/photos/objects/users/alice/a.txt", "", access.ObjectsDelete},
	{"GET", "/api/v1/buckets/photos/stat/users/alice/a.txt", "", access.ObjectsRead},
	{"POST", "/api/v1/buckets/photos/delete", `{"names":["users/alice/a"]}`, access.ObjectsDelete},
	{"POST", "/api/v1/buckets/photos/copy", `{"name":"users/alice/b","source":{"bucket":"photos","name":"users/alice/a"}}`, access.ObjectsWrite},
	{"POST", "/api/v1/buckets/photos/copy", `{"name":"users/alice/b","source":{"bucket":"photos","name":"users/alice/a"}}`, access.ObjectsRead},
	{"GET", "/api/v1/buckets/photos/uploads", "", access.ObjectsList},
	{"DELETE", "/api/v1/buckets/photos/uploads/users/alice/a", "", access.ObjectsDelete},
	{"GET", "/api/v1/buckets/photos/policy", "", access.BucketsManage},
	{"PUT", "/api/v1/buckets/photos/policy", `{"prefix":"","policy":"readonly"}`, access.BucketsManage},
	{"DELETE", "/api/v1/buckets/photos/policy", "", access.BucketsManage},
	{"GET", "/api/v1/buckets/photos/notifications", "", access.BucketsManage},
	{"PUT", "/api/v1/buckets/photos/notifications", `{"queueConfigurations":[{"arn":"arn:minio:sqs::PRIMARY:webhook","events":["s3:ObjectCreated:*"]}]}`, access.BucketsManage},
	{"DELETE", "/api/v1/buckets/photos/notifications", "", access.BucketsManage},
	{"POST", "/api/v1/buckets/photos/presign", `{"method":"GET","name":"users/alice/a"}`, access.ObjectsRead},
	{"POST", "/api/v1/buckets/photos/presign", `{"method":"PUT","name":"users/alice/a"}`, access.ObjectsWrite},
	{"POST", "/api/v1/buckets/photos/presign-post", `{"name":"users/alice/a"}`, access.ObjectsWrite},
}

func TestScopedKeyPerRoute(t *testing.T) {
	for _, r := range scopedRoutes {
		scope := strings.ReplaceAll(string(r.scope), ":", "-")
		t.Run(r.method+" "+r.target+" "+string(r.scope), func(t *testing.T) {
			env := scopedEnv(t)
			rec := env.do(t, request{method: r.method, target: r.target, body: r.body, headers: as("but-" + scope)})
			wantStatus(t, rec, http.StatusForbidden)
			if r.method != http.MethodHead {
				if e := errorOf(t, rec); e.Code != "AccessDenied" || !strings.Contains(e.Message, string(r.scope)) {
					t.Errorf("refusal %+v does not name %s", e, r.scope)
				}
			}
			if n := len(env.svc.Calls()); n != 0 {
				t.Errorf("refused, yet the service was called %d times", n)
			}
			rec = env.do(t, request{method: r.method, target: r.target, body: r.body, headers: as("all")})
			if rec.Code == http.StatusForbidden || rec.Code == http.StatusUnauthorized || len(env.svc.Calls()) == 0 {
				t.Errorf("with every scope: %d %s, %d calls", rec.Code, rec.Body, len(env.svc.Calls()))
			}
		})
	}
	env := scopedEnv(t)
	rec := env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/events", headers: as("but-events-read")})
	wantError(t, rec, http.StatusForbidden, "AccessDenied")
}

func TestScopedKeyPrefixEscapes(t *testing.T) {
	cases := []struct {
		name, method, target, body string
	}{
		{"otherBucket", "GET", "/api/v1/buckets/secrets/objects/users/alice/a", ""},
		{"outside", "GET", "/api/v1/buckets/photos/objects/users/bob/a", ""},
		{"dotDot", "GET", "/api/v1/buckets/photos/objects/users/alice/../bob/a", ""},
		{"encodedDotDot", "GET", "/api/v1/buckets/photos/objects/users/alice/%2E%2E/bob/a", ""},
		{"encodedSlashes", "GET", "/api/v1/buckets/photos/objects/users%2Falice%2F..%2Fbob%2Fa", ""},
		{"backslash", "PUT", "/api/v1/buckets/photos/objects/users/alice/..%5Cbob", "x"},
		{"statOutside", "GET", "/api/v1/buckets/photos/stat/users/bob/a", ""},
		{"listOtherPrefix", "GET", "/api/v1/buckets/photos/objects?prefix=users/bob/", ""},
		{"listWiderPrefix", "GET", "/api/v1/buckets/photos/objects?prefix=users/", ""},
		{"listTraversal", "GET", "/api/v1/buckets/photos/objects?prefix=users/alice/../bob/", ""},
		{"uploadsOtherPrefix", "GET", "/api/v1/buckets/photos/uploads?prefix=users/bob/", ""},
		{"copyFromOutside", "POST", "/api/v1/buckets/photos/copy", `{"name":"users/alice/b","source":{"bucket":"photos","name":"users/bob/a"}}`},
		{"copyToOutside", "POST", "/api/v1/buckets/photos/copy", `{"name":"users/bob/b","source":{"bucket":"photos","name":"users/alice/a"}}`},
		{"batchDeleteOutside", "POST", "/api/v1/buckets/photos/delete", `{"names":["users/alice/a","users/bob/a"]}`},
		{"presignOutside", "POST", "/api/v1/buckets/photos/presign", `{"method":"GET","name":"users/bob/a"}`},
		{"presignPostPrefixOutside", "POST", "/api/v1/buckets/photos/presign-post", `{"namePrefix":"users/"}`},
		{"eventsOutside", "GET", "/api/v1/buckets/photos/events?prefix=users/bob/", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := scopedEnv(t)
			rec := env.do(t, request{method: c.method, target: c.target, body: c.body, headers: as("all")})
			if rec.Code != http.StatusForbidden && rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d %s; want 403 (or 400 for a name refused outright)", rec.Code, rec.Body)
			}
			if n := len(env.svc.Calls()); n != 0 {
				t.Errorf("refused, yet the service was called: %+v", env.svc.Calls())
			}
		})
	}
}

func TestScopedKeyConfinement(t *testing.T) {
	env := scopedEnv(t)
	env.svc.listBuckets = func() ([]service.Bucket, error) {
		return []service.Bucket{{Name: "photos"}, {Name: "secrets"}}, nil
	}
	rec := env.do(t, request{method: "GET", target: "/api/v1/buckets", headers: as("all")})
	wantStatus(t, rec, http.StatusOK)
	if strings.Contains(rec.Body.String(), "secrets") {
		t.Errorf("a bucket outside the key's list is listed: %s", rec.Body)
	}
	env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/objects", headers: as("all")})
	env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/uploads", headers: as("all")})
	calls := env.svc.Calls()
	if opts := calls[1].Args.(service.ListOptions); opts.Prefix != "users/alice/" {
		t.Errorf("listing without a prefix: the service got prefix %q", opts.Prefix)
	}
	if fmt.Sprint(calls[2].Args) == "" || !strings.Contains(fmt.Sprint(calls[2].Args), "users/alice/") {
		t.Errorf("uploads listing without a prefix: %+v", calls[2].Args)
	}

	// The filter of an event stream is narrowed to the key's prefix.
	env.svc.listenBucket = func(context.Context, string, service.EventFilter) (<-chan service.StreamItem, error) {
		ch := make(chan service.StreamItem)
		close(ch)
		return ch, nil
	}
	env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/events?prefix=users/", headers: as("all")})
	calls = env.svc.Calls()
	if f := calls[len(calls)-1].Args.(service.EventFilter); f.Prefix != "users/alice/" {
		t.Errorf("event filter prefix %q; want users/alice/", f.Prefix)
	}
}

func TestScopedKeyExpiry(t *testing.T) {
	env := scopedEnv(t)
	rec := env.do(t, request{method: "GET", target: "/api/v1/whoami", headers: as("gone")})
	wantError(t, rec, http.StatusUnauthorized, "Unauthorized")

	// A presigned URL never outlives the key.
	env.svc.presignObject = func(req service.PresignRequest) (service.PresignedURL, error) {
		return service.PresignedURL{URL: "http://store/x", Method: req.Method, ExpiresAt: time.Now().Add(req.Expires)}, nil
	}
	rec = env.do(t, request{method: "POST", target: "/api/v1/buckets/photos/presign", body: `{"method":"GET","name":"users/alice/a","expiresIn":604800}`, headers: as("soon")})
	wantStatus(t, rec, http.StatusOK)
	c, _ := env.svc.only()
	if got := c.Args.(service.PresignRequest).Expires; got > time.Hour || got < time.Hour-time.Minute {
		t.Errorf("presign expiry %v; want clamped to the key's hour", got)
	}
}

func TestWhoami(t *testing.T) {
	env := scopedEnv(t)
	rec := env.do(t, request{method: "GET", target: "/api/v1/whoami", headers: as("only-objects-read")})
	wantStatus(t, rec, http.StatusOK)
	jsonEq(t, rec.Body.String(), `{"tenant":"acme","kind":"scoped","id":"only-objects-read","scopes":["objects:read"],"buckets":["photos"],"prefix":"users/alice/"}`)

	rec = env.do(t, request{method: "GET", target: "/api/v1/whoami"})
	wantStatus(t, rec, http.StatusOK)
	var w struct {
		Kind   string
		Scopes []string
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &w); err != nil || w.Kind != "tenant" || len(w.Scopes) != 7 {
		t.Errorf("tenant key: %s", rec.Body)
	}
	wantError(t, env.do(t, request{method: "GET", target: "/api/v1/whoami", noAuth: true}), http.StatusUnauthorized, "Unauthorized")
}
