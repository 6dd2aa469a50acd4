package integration

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"

	"s3gateway/access"
	"s3gateway/handlers"
)

// The security suite. Every route of handlers/routes.go has a row in
// securityRoutes (TestSecurityTableCoversEveryRoute fails when a route is
// added or removed without its row), and for every row:
//   - tenant beta, attacking alpha's bucket and object, gets 404 (NoSuchBucket,
//     NoSuchKey) or 403, and alpha's data is the same after each attempt;
//   - a caller without a key, or with a wrong one, gets 401 on every tenant
//     route;
//   - no response leaks a physical bucket name, the store's address, the
//     backend's name, a stack or a Go file.
//
// API keys are found by the SHA-256 digest of the presented key
// (access.TestAuthenticateLooksUpTheDigest); here the HTTP side checks that
// near-misses of a key do not authenticate.

// target is what a row attacks: alpha's bucket and object, and a bucket
// of beta's own (for copies out of alpha's bucket).
type target struct {
	bucket, object, betaBucket string
}

// securityRow is one route and the requests that attack it.
type securityRow struct {
	method, route string // exactly as registered in handlers/routes.go
	public        bool   // served without a key
	// attempts are the requests beta makes against alpha's data; the first
	// is also sent without a key.
	attempts func(tg target) []request
	// check judges beta's answer; nil: 404 NoSuchBucket/NoSuchKey or 403.
	check func(t *testing.T, tg target, r request, resp *http.Response, body []byte)
	// stream marks routes that answer with a stream when allowed.
	stream bool
}

func one(r request) func(target) []request { return func(target) []request { return []request{r} } }

func jsonRequest(method, p string, v any) request {
	b, _ := json.Marshal(v)
	return request{method: method, path: p, body: bytes.NewReader(b), size: int64(len(b)), json: b,
		headers: map[string]string{"Content-Type": "application/json"}}
}

func rawRequest(method, p, body string) request {
	return request{method: method, path: p, body: strings.NewReader(body), size: int64(len(body))}
}

func bucketPath(tg target, rest string) string { return "/api/v1/buckets/" + tg.bucket + rest }

var securityRoutes = []securityRow{
	{method: "GET", route: "/healthz", public: true, attempts: one(request{method: "GET", path: "/healthz"})},
	{method: "GET", route: "/readyz", public: true, attempts: one(request{method: "GET", path: "/readyz"})},
	{method: "GET", route: "/metrics", public: true, attempts: one(request{method: "GET", path: "/metrics"})},
	{method: "GET", route: "/openapi.json", public: true, attempts: one(request{method: "GET", path: "/openapi.json"})},
	{method: "GET", route: "/swagger/*", public: true, attempts: one(request{method: "GET", path: "/swagger/index.html"})},

	{method: "GET", route: "/api/v1/buckets",
		attempts: one(request{method: "GET", path: "/api/v1/buckets"}),
		check: func(t *testing.T, tg target, r request, resp *http.Response, body []byte) {
			var list listBucketsResponse
			if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &list) != nil {
				t.Fatalf("list buckets: %d %s", resp.StatusCode, body)
			}
			if slices.ContainsFunc(list.Buckets, func(b bucketEntry) bool { return b.Name == tg.bucket }) {
				t.Fatalf("beta lists alpha's bucket %s", tg.bucket)
			}
		}},
	{method: "POST", route: "/api/v1/buckets",
		// Bucket names are per tenant: beta gets a bucket of its own.
		attempts: func(tg target) []request {
			return []request{jsonRequest("POST", "/api/v1/buckets", map[string]string{"name": tg.bucket})}
		},
		check: func(t *testing.T, tg target, r request, resp *http.Response, body []byte) {
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("beta creating a bucket named like alpha's: %d %s", resp.StatusCode, body)
			}
			as(t, betaKey).emptyAndRemove(tg.bucket)
		}},
	{method: "GET", route: "/api/v1/buckets/:bucket", attempts: func(tg target) []request {
		return []request{{method: "GET", path: bucketPath(tg, "")}}
	}},
	{method: "HEAD", route: "/api/v1/buckets/:bucket", attempts: func(tg target) []request {
		return []request{{method: "HEAD", path: bucketPath(tg, "")}}
	}},
	{method: "DELETE", route: "/api/v1/buckets/:bucket", attempts: func(tg target) []request {
		return []request{{method: "DELETE", path: bucketPath(tg, "")}}
	}},

	{method: "GET", route: "/api/v1/buckets/:bucket/objects", attempts: func(tg target) []request {
		return []request{
			{method: "GET", path: bucketPath(tg, "/objects?recursive=true&metadata=true")},
			{method: "GET", path: bucketPath(tg, "/objects?apiVersion=v1")},
		}
	}},
	{method: "POST", route: "/api/v1/buckets/:bucket/objects", attempts: func(tg target) []request {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.WriteField("name", tg.object)
		fw, _ := w.CreateFormFile("file", "x.txt")
		_, _ = fw.Write([]byte("overwritten by beta"))
		_ = w.Close()
		return []request{{method: "POST", path: bucketPath(tg, "/objects"), body: &buf, size: int64(buf.Len()),
			headers: map[string]string{"Content-Type": w.FormDataContentType()}}}
	}},
	{method: "PUT", route: "/api/v1/buckets/:bucket/objects/*", attempts: func(tg target) []request {
		r := rawRequest("PUT", objectPath("objects", tg.bucket, tg.object), "overwritten by beta")
		chunked := rawRequest("PUT", objectPath("objects", tg.bucket, "new-by-beta"), "x")
		chunked.size = -1
		return []request{r, chunked}
	}},
	{method: "GET", route: "/api/v1/buckets/:bucket/objects/*", attempts: func(tg target) []request {
		return []request{
			{method: "GET", path: objectPath("objects", tg.bucket, tg.object)},
			{method: "GET", path: objectPath("objects", tg.bucket, tg.object), headers: map[string]string{"Range": "bytes=0-3"}},
			{method: "GET", path: objectPath("objects", tg.bucket, tg.object) + "?download=true&offset=1"},
		}
	}},
	{method: "HEAD", route: "/api/v1/buckets/:bucket/objects/*", attempts: func(tg target) []request {
		return []request{{method: "HEAD", path: objectPath("objects", tg.bucket, tg.object)}}
	}},
	{method: "DELETE", route: "/api/v1/buckets/:bucket/objects/*", attempts: func(tg target) []request {
		return []request{{method: "DELETE", path: objectPath("objects", tg.bucket, tg.object)}}
	}},
	{method: "GET", route: "/api/v1/buckets/:bucket/stat/*", attempts: func(tg target) []request {
		return []request{{method: "GET", path: objectPath("stat", tg.bucket, tg.object)}}
	}},
	{method: "POST", route: "/api/v1/buckets/:bucket/delete", attempts: func(tg target) []request {
		return []request{jsonRequest("POST", bucketPath(tg, "/delete"), map[string]any{"names": []string{tg.object}})}
	}},
	{method: "POST", route: "/api/v1/buckets/:bucket/copy", attempts: func(tg target) []request {
		src := map[string]string{"bucket": tg.bucket, "name": tg.object}
		return []request{
			// Out of alpha's bucket into beta's own.
			jsonRequest("POST", "/api/v1/buckets/"+tg.betaBucket+"/copy", map[string]any{"name": "stolen", "source": src}),
			// Within alpha's bucket, over alpha's object.
			jsonRequest("POST", bucketPath(tg, "/copy"), map[string]any{"name": tg.object, "source": src, "metadata": map[string]string{"owner": "beta"}}),
		}
	}},

	{method: "GET", route: "/api/v1/buckets/:bucket/uploads", attempts: func(tg target) []request {
		return []request{{method: "GET", path: bucketPath(tg, "/uploads?recursive=true")}}
	}},
	{method: "DELETE", route: "/api/v1/buckets/:bucket/uploads/*", attempts: func(tg target) []request {
		return []request{{method: "DELETE", path: objectPath("uploads", tg.bucket, tg.object)}}
	}},

	{method: "GET", route: "/api/v1/buckets/:bucket/policy", attempts: func(tg target) []request {
		return []request{{method: "GET", path: bucketPath(tg, "/policy?prefix=pub/")}}
	}},
	{method: "PUT", route: "/api/v1/buckets/:bucket/policy", attempts: func(tg target) []request {
		return []request{
			jsonRequest("PUT", bucketPath(tg, "/policy"), map[string]string{"prefix": "", "policy": "readwrite"}),
			jsonRequest("PUT", bucketPath(tg, "/policy"), map[string]any{"document": map[string]any{
				"Version": "2012-10-17",
				"Statement": []map[string]any{{"Effect": "Allow", "Principal": map[string]any{"AWS": []string{"*"}},
					"Action": []string{"s3:GetObject"}, "Resource": []string{"arn:aws:s3:::" + tg.bucket + "/*"}}},
			}}),
		}
	}},
	{method: "DELETE", route: "/api/v1/buckets/:bucket/policy", attempts: func(tg target) []request {
		return []request{{method: "DELETE", path: bucketPath(tg, "/policy")}}
	}},

	{method: "GET", route: "/api/v1/buckets/:bucket/notifications", attempts: func(tg target) []request {
		return []request{{method: "GET", path: bucketPath(tg, "/notifications")}}
	}},
	{method: "PUT", route: "/api/v1/buckets/:bucket/notifications", attempts: func(tg target) []request {
		return []request{jsonRequest("PUT", bucketPath(tg, "/notifications"), map[string]any{
			// beta's own target: one it may use, on a bucket it may not.
			"queueConfigurations": []map[string]any{{"arn": betaWebhookARN, "events": []string{"s3:ObjectAccessed:*"}}},
		})}
	}},
	{method: "DELETE", route: "/api/v1/buckets/:bucket/notifications", attempts: func(tg target) []request {
		return []request{{method: "DELETE", path: bucketPath(tg, "/notifications")}}
	}},
	{method: "GET", route: "/api/v1/buckets/:bucket/events", stream: true, attempts: func(tg target) []request {
		return []request{{method: "GET", path: bucketPath(tg, "/events")}}
	}},

	// Resumable uploads: beta names alpha's bucket and an upload id; every
	// step reaches only beta's namespace, where neither exists.
	{method: "POST", route: "/api/v1/buckets/:bucket/multipart", attempts: func(tg target) []request {
		return []request{jsonRequest("POST", bucketPath(tg, "/multipart"), map[string]any{"name": tg.object})}
	}},
	{method: "POST", route: "/api/v1/buckets/:bucket/multipart/:uploadId/parts", check: checkUploadDenied,
		attempts: func(tg target) []request {
			return []request{jsonRequest("POST", bucketPath(tg, "/multipart/"+attackUploadID+"/parts"),
				map[string]any{"name": tg.object, "partNumbers": []int{1}})}
		}},
	{method: "GET", route: "/api/v1/buckets/:bucket/multipart/:uploadId", check: checkUploadDenied,
		attempts: func(tg target) []request {
			return []request{{method: "GET", path: bucketPath(tg, "/multipart/"+attackUploadID+"?name="+url.QueryEscape(tg.object))}}
		}},
	{method: "POST", route: "/api/v1/buckets/:bucket/multipart/:uploadId/complete", check: checkUploadDenied,
		attempts: func(tg target) []request {
			return []request{jsonRequest("POST", bucketPath(tg, "/multipart/"+attackUploadID+"/complete"),
				map[string]any{"name": tg.object, "parts": []map[string]any{{"partNumber": 1, "etag": "x"}}})}
		}},
	{method: "DELETE", route: "/api/v1/buckets/:bucket/multipart/:uploadId", check: checkUploadDenied,
		attempts: func(tg target) []request {
			return []request{{method: "DELETE", path: bucketPath(tg, "/multipart/"+attackUploadID+"?name="+url.QueryEscape(tg.object))}}
		}},

	// whoami answers beta about beta, never about alpha.
	{method: "GET", route: "/api/v1/whoami",
		attempts: one(request{method: "GET", path: "/api/v1/whoami"}),
		check: func(t *testing.T, tg target, r request, resp *http.Response, body []byte) {
			var who struct {
				Tenant string `json:"tenant"`
			}
			if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &who) != nil || who.Tenant != "beta" {
				t.Fatalf("beta's whoami: %d %s", resp.StatusCode, body)
			}
		}},

	// Signing makes no call to the store, so beta gets a URL; it is for
	// beta's own namespace and signed with beta's credentials, and does not
	// reach alpha's data.
	{method: "POST", route: "/api/v1/buckets/:bucket/presign",
		attempts: func(tg target) []request {
			return []request{
				jsonRequest("POST", bucketPath(tg, "/presign"), map[string]any{"method": "GET", "name": tg.object}),
				jsonRequest("POST", bucketPath(tg, "/presign"), map[string]any{"method": "PUT", "name": tg.object}),
			}
		},
		check: func(t *testing.T, tg target, r request, resp *http.Response, body []byte) {
			var p presignResponse
			if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &p) != nil {
				checkDenied(t, r, resp, body)
				return
			}
			status, got, _ := plain(t, p.Method, p.URL, strings.NewReader("overwritten by beta"), "")
			if status < 400 || bytes.Contains(got, []byte(secretData)) {
				t.Fatalf("beta's presigned %s reaches alpha's object: %d %q", p.Method, status, got)
			}
		}},
	{method: "POST", route: "/api/v1/buckets/:bucket/presign-post",
		attempts: func(tg target) []request {
			return []request{jsonRequest("POST", bucketPath(tg, "/presign-post"), map[string]any{"name": tg.object})}
		},
		check: func(t *testing.T, tg target, r request, resp *http.Response, body []byte) {
			var p presignPostResponse
			if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &p) != nil {
				checkDenied(t, r, resp, body)
				return
			}
			var buf bytes.Buffer
			w := multipart.NewWriter(&buf)
			for k, v := range p.FormData {
				_ = w.WriteField(k, v)
			}
			fw, _ := w.CreateFormFile("file", "x.txt")
			_, _ = fw.Write([]byte("overwritten by beta"))
			_ = w.Close()
			if status, got, _ := plain(t, "POST", p.URL, &buf, w.FormDataContentType()); status < 400 {
				t.Fatalf("beta's presigned form reaches alpha's bucket: %d %s", status, got)
			}
		}},
}

// secretData is alpha's object's content.
const secretData = "alpha's secret content"

// TestSecurityTableCoversEveryRoute compares the table with the routes the
// gateway registers, both ways.
func TestSecurityTableCoversEveryRoute(t *testing.T) {
	registered := map[string]bool{}
	add := func(e *echo.Echo) {
		for _, r := range e.Routes() {
			registered[r.Method+" "+r.Path] = true
		}
	}
	// handlers.New with the optional routes switched on, and the suite's
	// own gateway when it is an Echo (it may be wrapped).
	reg, err := access.Parse([]byte(tenantsYAML()))
	if err != nil {
		t.Fatal(err)
	}
	add(handlers.New(handlers.Config{Tenants: reg, Logger: zap.NewNop(), OpenAPI: []byte(`{}`)}))
	if e, ok := suite.gateway.Config.Handler.(*echo.Echo); ok {
		add(e)
	}
	inTable := map[string]bool{}
	for _, row := range securityRoutes {
		k := row.method + " " + row.route
		if inTable[k] {
			t.Errorf("%s: two rows", k)
		}
		inTable[k] = true
	}
	for k := range registered {
		if !inTable[k] {
			t.Errorf("route %s has no row in securityRoutes", k)
		}
	}
	for k := range inTable {
		if !registered[k] {
			t.Errorf("row %s: no such route", k)
		}
	}
}

// alphaState is what beta must never change.
type alphaState struct {
	body, etag   string
	stat         statResponse
	names        []string
	policy       string
	notification string
}

func snapshotAlpha(t *testing.T, tg target) alphaState {
	t.Helper()
	c := as(t, alphaKey)
	var s alphaState
	resp, body := c.get(tg.bucket, tg.object, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("alpha's object: %d %s", resp.StatusCode, body)
	}
	s.body, s.etag = string(body), resp.Header.Get("ETag")
	c.call("GET", objectPath("stat", tg.bucket, tg.object), nil, http.StatusOK, &s.stat)
	var list listResponse
	c.call("GET", bucketPath(tg, "/objects?recursive=true"), nil, http.StatusOK, &list)
	for _, o := range list.Objects {
		s.names = append(s.names, o.Name)
	}
	s.policy = string(c.call("GET", bucketPath(tg, "/policy?prefix=pub/"), nil, http.StatusOK, nil))
	s.notification = string(c.call("GET", bucketPath(tg, "/notifications"), nil, http.StatusOK, nil))
	return s
}

func (s alphaState) diff(o alphaState) string {
	switch {
	case s.body != o.body || s.etag != o.etag:
		return fmt.Sprintf("object %q (%s), was %q (%s)", o.body, o.etag, s.body, s.etag)
	case fmt.Sprint(s.stat) != fmt.Sprint(o.stat):
		return fmt.Sprintf("stat %+v, was %+v", o.stat, s.stat)
	case !slices.Equal(s.names, o.names):
		return fmt.Sprintf("objects %v, were %v", o.names, s.names)
	case s.policy != o.policy:
		return fmt.Sprintf("policy %s, was %s", o.policy, s.policy)
	case s.notification != o.notification:
		return fmt.Sprintf("notifications %s, were %s", o.notification, s.notification)
	}
	return ""
}

// securityLeak finds what no response may carry: a physical bucket name,
// the store's address, the backend's name, a stack, a Go file.
func securityLeak(t *testing.T, resp *http.Response, body []byte) string {
	t.Helper()
	pattern := regexp.MustCompile(`(?i)alpha-|beta-b[0-9a-f]|minio|goroutine |\.go:\d+|\.go\b|` +
		regexp.QuoteMeta(suite.store.Addr) + `|` + regexp.QuoteMeta(storeURL().Hostname()+":"+storeURL().Port()))
	if resp.StatusCode >= 400 {
		if m := pattern.Find(body); m != nil {
			return fmt.Sprintf("body has %q: %s", m, body)
		}
	}
	for k, vs := range resp.Header {
		for _, v := range vs {
			if m := pattern.FindString(v); m != "" {
				return fmt.Sprintf("header %s has %q: %s", k, m, v)
			}
		}
	}
	return ""
}

// checkDenied accepts 404 NoSuchBucket or NoSuchKey, and 403 AccessDenied.
// attackUploadID is an upload id beta names: the store has no such upload
// in beta's namespace, whatever alpha has.
const attackUploadID = "attack-upload-id"

// checkUploadDenied is checkDenied for the steps of a resumable upload,
// where an unknown upload id is 404 NoSuchUpload.
func checkUploadDenied(t *testing.T, _ target, r request, resp *http.Response, body []byte) {
	t.Helper()
	var e errorBody
	_ = json.Unmarshal(body, &e)
	if resp.StatusCode == http.StatusNotFound && e.Error.Code == "NoSuchUpload" {
		return
	}
	checkDenied(t, r, resp, body)
}

func checkDenied(t *testing.T, r request, resp *http.Response, body []byte) {
	t.Helper()
	if r.method == http.MethodHead {
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusForbidden {
			t.Fatalf("%s %s: %d, want 404 or 403", r.method, r.path, resp.StatusCode)
		}
		return
	}
	var e errorBody
	_ = json.Unmarshal(body, &e)
	ok := resp.StatusCode == http.StatusNotFound && (e.Error.Code == "NoSuchBucket" || e.Error.Code == "NoSuchKey") ||
		resp.StatusCode == http.StatusForbidden && e.Error.Code == "AccessDenied"
	if !ok {
		t.Fatalf("%s %s: %d %s, want 404 NoSuchBucket/NoSuchKey or 403 AccessDenied", r.method, r.path, resp.StatusCode, body)
	}
}

// send makes r as the holder of key. raw requests (streams, pages outside
// the API document) are made with a deadline, so that a stream opened by
// mistake fails the test instead of hanging it, and are not checked against
// the API document.
func send(t *testing.T, key string, r request, raw bool) (*http.Response, []byte) {
	t.Helper()
	if !raw {
		return as(t, key).do(r)
	}
	req, err := http.NewRequest(r.method, suite.gateway.URL+r.path, r.body)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %d, and the body did not end: %v", r.method, r.path, resp.StatusCode, err)
	}
	checkResponse(t, r, resp, body)
	return resp, body
}

// replay returns a fresh copy of r, whose body may have been read.
func replay(r request) request {
	if r.body == nil {
		return r
	}
	b, _ := io.ReadAll(r.body)
	r.body = bytes.NewReader(b)
	return r
}

func TestTenantCannotReachAnotherTenantsData(t *testing.T) {
	alpha, beta := as(t, alphaKey), as(t, betaKey)
	tg := target{bucket: alpha.newBucket(), object: "secret/data.txt", betaBucket: beta.newBucket()}
	alpha.put(tg.bucket, tg.object, []byte(secretData), map[string]string{"X-Meta-Owner": "alpha", "Content-Type": "text/plain"})
	alpha.call("PUT", bucketPath(tg, "/policy"), map[string]string{"prefix": "pub/", "policy": "readonly"}, http.StatusOK, nil)
	before := snapshotAlpha(t, tg)

	for _, row := range securityRoutes {
		if row.public {
			continue
		}
		t.Run(row.method+" "+row.route, func(t *testing.T) {
			for _, r := range row.attempts(tg) {
				resp, body := send(t, betaKey, r, row.stream)
				t.Logf("beta: %s %s: %d %.120s", r.method, r.path, resp.StatusCode, body)
				if leak := securityLeak(t, resp, body); leak != "" {
					t.Errorf("%s %s: %s", r.method, r.path, leak)
				}
				if row.check != nil {
					row.check(t, tg, r, resp, body)
				} else {
					checkDenied(t, r, resp, body)
				}
				if d := before.diff(snapshotAlpha(t, tg)); d != "" {
					t.Fatalf("after beta's %s %s, alpha's data changed: %s", r.method, r.path, d)
				}
			}
		})
	}
}

func TestEveryTenantRouteNeedsAKey(t *testing.T) {
	tg := target{bucket: "bnosuchbucket", object: "a/b.txt", betaBucket: "bnosuchbucket2"}
	badKeys := []struct{ name, header, value string }{
		{"noKey", "", ""},
		{"wrongKey", "Authorization", "Bearer wrong-key"},
		{"keyPrefix", "Authorization", "Bearer " + alphaKey[:len(alphaKey)-1]},
		{"keyExtended", "Authorization", "Bearer " + alphaKey + "x"},
		{"keyOtherCase", "Authorization", "Bearer " + strings.ToUpper(alphaKey)},
		{"storedHashAsKey", "Authorization", "Bearer " + access.HashKey(alphaHashedKey)},
		{"storedHexAsKey", "X-API-Key", strings.TrimPrefix(access.HashKey(alphaHashedKey), "sha256:")},
		{"basicScheme", "Authorization", "Basic " + alphaKey},
		{"wrongAPIKeyHeader", "X-API-Key", "wrong-key"},
	}
	for _, row := range securityRoutes {
		t.Run(row.method+" "+row.route, func(t *testing.T) {
			r := row.attempts(tg)[0]
			badKeys := badKeys
			if row.route != "/api/v1/buckets/:bucket/events" {
				// Only the event stream takes a key in the URL.
				badKeys = append(badKeys, struct{ name, header, value string }{"validKeyInQuery", "query", alphaKey})
			}
			if row.public {
				resp, body := send(t, "", replay(r), true)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("public route without a key: %d %s", resp.StatusCode, body)
				}
				return
			}
			for _, k := range badKeys {
				r := replay(r)
				switch k.header {
				case "":
				case "query":
					sep := "?"
					if strings.Contains(r.path, "?") {
						sep = "&"
					}
					r.path += sep + "apiKey=" + url.QueryEscape(k.value)
				default:
					r.headers = mergeHeaders(r.headers, k.header, k.value)
				}
				resp, body := as(t, "").do(r)
				if resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("%s: %s %s: %d %s, want 401", k.name, r.method, r.path, resp.StatusCode, body)
				}
				if r.method != http.MethodHead && !strings.Contains(string(body), `"Unauthorized"`) {
					t.Fatalf("%s: body %s", k.name, body)
				}
				if leak := securityLeak(t, resp, body); leak != "" {
					t.Fatalf("%s: %s", k.name, leak)
				}
			}
		})
	}
}

func mergeHeaders(h map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for hk, hv := range h {
		out[hk] = hv
	}
	return out
}

// Metadata comes only from X-Meta-* headers and stays user metadata
// whatever its key: it cannot set the object's standard headers, an ACL, or
// x-amz-meta- entries of its own choosing.
func TestMetadataCannotSetOtherHeaders(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	c.put(bucket, "m.txt", []byte("m"), map[string]string{
		"Content-Type":                    "text/plain",
		"Content-Disposition":             `attachment; filename="request-header.exe"`,
		"Cache-Control":                   "public, max-age=99",
		"X-Amz-Acl":                       "public-read-write",
		"X-Amz-Meta-Direct":               "smuggled",
		"X-Amz-Website-Redirect-Location": "https://evil.example/",
		"X-Meta-X-Amz-Acl":                "public-read",
		"X-Meta-Content-Disposition":      `attachment; filename="meta.exe"`,
		"X-Meta-Content-Type":             "text/html",
		"X-Meta-Cache-Control":            "public",
		"X-Meta-X-Amz-Meta-Nested":        "n",
	})
	var st statResponse
	c.call("GET", objectPath("stat", bucket, "m.txt"), nil, http.StatusOK, &st)
	wantMeta := map[string]string{
		"X-Amz-Acl": "public-read", "Content-Disposition": `attachment; filename="meta.exe"`,
		"Content-Type": "text/html", "Cache-Control": "public", "X-Amz-Meta-Nested": "n",
	}
	if st.ContentType != "text/plain" || fmt.Sprint(st.Metadata) != fmt.Sprint(wantMeta) {
		t.Fatalf("stat: contentType %q, metadata %v; want text/plain and %v", st.ContentType, st.Metadata, wantMeta)
	}
	resp, _ := c.get(bucket, "m.txt", nil)
	h := resp.Header
	if h.Get("Content-Type") != "text/plain" || h.Get("Content-Disposition") != "" || h.Get("Cache-Control") == "public" ||
		h.Get("Cache-Control") == "public, max-age=99" || h.Get("X-Amz-Website-Redirect-Location") != "" {
		t.Fatalf("metadata or request headers became response headers: %v", h)
	}
	if h.Get("X-Meta-Content-Disposition") != `attachment; filename="meta.exe"` || h.Get("X-Meta-X-Amz-Acl") != "public-read" {
		t.Fatalf("metadata not returned as X-Meta-*: %v", h)
	}
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "x-amz-") {
			t.Fatalf("backend header %s in the response", k)
		}
	}
	anon, err := http.Get(storeURL().String() + "/alpha-" + bucket + "/m.txt")
	if err != nil {
		t.Fatal(err)
	}
	anon.Body.Close()
	if anon.StatusCode != http.StatusForbidden {
		t.Fatalf("an ACL header made the object public: anonymous GET %d", anon.StatusCode)
	}

	// A copy's metadata is checked as strictly: control characters are
	// refused, standard header names stay metadata.
	for _, v := range []string{"a\r\nContent-Disposition: attachment", "a\nb", "a\rb", "a\x00b", "a\x7fb"} {
		c.wantError("POST", "/api/v1/buckets/"+bucket+"/copy", map[string]any{
			"name": "c.txt", "source": map[string]string{"bucket": bucket, "name": "m.txt"}, "metadata": map[string]string{"note": v},
		}, http.StatusBadRequest, "InvalidArgument")
	}
	c.wantError("POST", "/api/v1/buckets/"+bucket+"/copy", map[string]any{
		"name": "c.txt", "source": map[string]string{"bucket": bucket, "name": "m.txt"}, "metadata": map[string]string{"bad key": "v"},
	}, http.StatusBadRequest, "InvalidArgument")
	c.call("POST", "/api/v1/buckets/"+bucket+"/copy", map[string]any{
		"name": "c.txt", "source": map[string]string{"bucket": bucket, "name": "m.txt"},
		"metadata": map[string]string{"Content-Disposition": "attachment; filename=evil.exe", "x-amz-acl": "public-read"},
	}, http.StatusCreated, nil)
	resp, _ = c.get(bucket, "c.txt", nil)
	if resp.Header.Get("Content-Disposition") != "" || resp.Header.Get("X-Meta-Content-Disposition") != "attachment; filename=evil.exe" {
		t.Fatalf("copy metadata became a response header: %v", resp.Header)
	}
}

// rawExchange sends a request written byte for byte, for what Go's client
// refuses to send (CR and LF in header values), and returns the status line.
func rawExchange(t *testing.T, raw string) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(suite.gateway.URL, "http://"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if leak := securityLeak(t, resp, body); leak != "" {
		t.Fatalf("raw request: %s", leak)
	}
	return resp.Status
}

// Header values with bare CR, bare LF or obsolete line folding cannot
// smuggle a Content-Disposition (or any header) into the stored object.
func TestMetadataValueSmuggling(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	auth := "Authorization: Bearer " + alphaKey + "\r\n"
	for i, hdr := range []string{
		"X-Meta-Note: a\nContent-Disposition: attachment; filename=evil.exe\r\n",
		"X-Meta-Note: a\rContent-Disposition: attachment; filename=evil.exe\r\n",
		"X-Meta-Note: a\r\n Content-Disposition: attachment; filename=evil.exe\r\n",
		"X-Meta-Note: a\r\n\tContent-Disposition: attachment; filename=evil.exe\r\n",
	} {
		name := fmt.Sprintf("raw%d.txt", i)
		raw := "PUT " + objectPath("objects", bucket, name) + " HTTP/1.1\r\nHost: gateway\r\n" + auth + hdr +
			"Content-Length: 1\r\nConnection: close\r\n\r\nx"
		status := rawExchange(t, raw)
		if !strings.HasPrefix(status, "201") {
			if !strings.HasPrefix(status, "400") {
				t.Fatalf("header %q: %s, want 201 or 400", hdr, status)
			}
			continue
		}
		resp, _ := c.get(bucket, name, nil)
		if cd := resp.Header.Get("Content-Disposition"); cd != "" {
			t.Fatalf("header %q smuggled Content-Disposition %q", hdr, cd)
		}
		if v := resp.Header.Get("X-Meta-Note"); strings.ContainsAny(v, "\r\n") {
			t.Fatalf("header %q: stored value %q", hdr, v)
		}
	}
}

// A download's Content-Disposition is one attachment with one filename,
// whatever the object's name holds.
func TestContentDispositionCannotBeInjected(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	names := []string{
		`q"uote.txt`,
		`semi;colon=1.txt`,
		`a"; filename="evil.exe`,
		"crlf\r\nSet-Cookie: a=b.txt",
		"lf\nX-Injected: 1.txt",
		"tab\there.txt",
		`back\slash.txt`,
		"%41percent.txt",
		"中文 ü.txt",
		"emoji 😀.txt",
		"dir/sub/trailing/",
		`dir/"; filename*=UTF-8''evil.exe`,
	}
	for _, name := range names {
		c.put(bucket, name, []byte("d"), nil)
		resp, _ := c.do(request{method: "GET", path: objectPath("objects", bucket, name) + "?download=true"})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%q: %d", name, resp.StatusCode)
		}
		cds := resp.Header.Values("Content-Disposition")
		if len(cds) != 1 {
			t.Fatalf("%q: Content-Disposition %q", name, cds)
		}
		for _, h := range []string{"Set-Cookie", "X-Injected"} {
			if resp.Header.Get(h) != "" {
				t.Fatalf("%q: injected header %s", name, h)
			}
		}
		if strings.ContainsAny(cds[0], "\r\n") || !isASCII(cds[0]) {
			t.Fatalf("%q: Content-Disposition %q is not plain ASCII", name, cds[0])
		}
		disposition, params, err := mime.ParseMediaType(cds[0])
		want := path.Base(strings.TrimSuffix(name, "/"))
		if err != nil || disposition != "attachment" || len(params) != 1 || params["filename"] != want {
			t.Fatalf("%q: Content-Disposition %q parses as %q %v (%v); want one filename %q", name, cds[0], disposition, params, err, want)
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// A presigned GET overrides at most the three documented response headers.
func TestPresignedResponseHeadersLimited(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	c.put(bucket, "p.txt", []byte("presigned"), nil)
	p := "/api/v1/buckets/" + bucket + "/presign"
	allowed := map[string]bool{"response-content-type": true, "response-content-disposition": true, "response-cache-control": true}

	var got presignResponse
	c.call("POST", p, map[string]any{"method": "GET", "name": "p.txt", "responseHeaders": map[string]string{
		"contentType":        "text/plain&response-expires=0",
		"contentDisposition": `attachment; filename="p.txt"`,
		"cacheControl":       "no-store&response-content-encoding=gzip",
	}}, http.StatusOK, &got)
	u, err := url.Parse(got.URL)
	if err != nil {
		t.Fatal(err)
	}
	var params []string
	for k := range u.Query() {
		if strings.HasPrefix(strings.ToLower(k), "response-") {
			params = append(params, k)
			if !allowed[k] {
				t.Errorf("URL has response parameter %s: %s", k, got.URL)
			}
		}
	}
	sort.Strings(params)
	if len(params) != 3 {
		t.Fatalf("response parameters %v", params)
	}
	status, body, h := plain(t, "GET", got.URL, nil, "")
	if status != 200 || string(body) != "presigned" || h.Get("Content-Type") != "text/plain&response-expires=0" ||
		h.Get("Cache-Control") != "no-store&response-content-encoding=gzip" || h.Get("Expires") != "" || h.Get("Content-Encoding") != "" {
		t.Fatalf("presigned GET: %d %q %v", status, body, h)
	}

	for _, field := range []string{"expires", "contentEncoding", "contentLanguage", "response-expires"} {
		c.wantError("POST", p, map[string]any{"method": "GET", "name": "p.txt", "responseHeaders": map[string]string{field: "x"}},
			http.StatusBadRequest, "MalformedJSON")
	}
	for _, v := range []string{"text/plain\r\nX-Injected: 1", "a\nb", "a\x00b"} {
		c.wantError("POST", p, map[string]any{"method": "GET", "name": "p.txt", "responseHeaders": map[string]string{"contentDisposition": v}},
			http.StatusBadRequest, "InvalidArgument")
	}
}

// Bucket and object names cannot step out of the tenant's namespace: a
// name that spells another tenant's physical bucket is just a bucket name of
// the caller's own, and path tricks are refused.
func TestNamesCannotEscapeTheTenantsPrefix(t *testing.T) {
	alpha, beta := as(t, alphaKey), as(t, betaKey)
	// Not newBucket's "b…" names: error messages repeat the names beta
	// sends, and the suite's leak check flags "alpha-b…" in any message.
	bucket := "s" + randomHex(6)
	alpha.call("POST", "/api/v1/buckets", map[string]string{"name": bucket}, http.StatusCreated, nil)
	t.Cleanup(func() { alpha.emptyAndRemove(bucket) })
	alpha.put(bucket, "secret.txt", []byte(secretData), nil)
	physical := "alpha-" + bucket
	for _, p := range []string{
		"/api/v1/buckets/" + physical + "/objects/secret.txt",
		"/api/v1/buckets/..%2F" + physical + "/objects/secret.txt",
		"/api/v1/buckets/%2E%2E/" + physical + "/objects/secret.txt",
		"/api/v1/buckets/" + bucket + "%2F..%2F" + physical + "/objects/secret.txt",
		"/api/v1/buckets/x/../" + physical + "/objects/secret.txt",
		"/api/v1/buckets/" + bucket + "/objects/..%2F..%2F" + physical + "%2Fsecret.txt",
		"/api/v1/buckets/" + bucket + "/objects/%2E%2E/" + physical + "/secret.txt",
		"/api/v1/buckets/" + bucket + "/stat/./secret.txt",
	} {
		resp, body := send(t, betaKey, request{method: "GET", path: p}, true)
		if resp.StatusCode < 400 || bytes.Contains(body, []byte(secretData)) {
			t.Fatalf("beta GET %s: %d %s", p, resp.StatusCode, body)
		}
		var e errorBody
		_ = json.Unmarshal(body, &e)
		switch e.Error.Code {
		case "NoSuchBucket", "NoSuchKey", "AccessDenied", "InvalidBucketName", "InvalidObjectName", "NotFound":
		default:
			t.Fatalf("beta GET %s: %d %s", p, resp.StatusCode, body)
		}
		// The message may repeat the name beta sent; nothing else.
		if leak := securityLeak(t, resp, bytes.ReplaceAll(body, []byte(physical), nil)); leak != "" {
			t.Fatalf("beta GET %s: %s", p, leak)
		}
	}
	var list listBucketsResponse
	beta.call("GET", "/api/v1/buckets", nil, http.StatusOK, &list)
	for _, b := range list.Buckets {
		if strings.Contains(b.Name, bucket) {
			t.Fatalf("beta lists %s", b.Name)
		}
	}
}
