package integration

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// apiClient calls the gateway as one tenant. Every response it sees is
// checked against the contract's invariants (request id, error body shape).
type apiClient struct {
	t   *testing.T
	key string // "" sends no key
}

func as(t *testing.T, key string) *apiClient { return &apiClient{t: t, key: key} }

// request is one call; headers may be nil.
type request struct {
	method  string
	path    string // from the gateway's root, already percent-encoded
	body    io.Reader
	size    int64 // Content-Length; -1 sends the body chunked
	headers map[string]string
	json    []byte // the body, when it is JSON (for the contract check)
}

// do sends r and returns the response, its body read and closed.
func (c *apiClient) do(r request) (*http.Response, []byte) {
	c.t.Helper()
	resp := c.open(r)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", r.method, r.path, err)
	}
	checkResponse(c.t, r, resp, body)
	checkContract(c.t, r, r.json, resp, body)
	return resp, body
}

// open sends r and returns the response with its body unread.
func (c *apiClient) open(r request) *http.Response {
	c.t.Helper()
	req, err := http.NewRequest(r.method, suite.gateway.URL+r.path, r.body)
	if err != nil {
		c.t.Fatalf("new request: %v", err)
	}
	if r.body != nil && r.size != 0 {
		req.ContentLength = r.size
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	return resp
}

// call sends a JSON body (nil for none), expects status want and decodes
// the response into out (nil to skip).
func (c *apiClient) call(method, path string, in any, want int, out any) []byte {
	c.t.Helper()
	r := request{method: method, path: path}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			c.t.Fatalf("marshal: %v", err)
		}
		r.body, r.size, r.json = bytes.NewReader(b), int64(len(b)), b
		r.headers = map[string]string{"Content-Type": "application/json"}
	}
	resp, body := c.do(r)
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, resp.StatusCode, want, body)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", method, path, body, err)
		}
	}
	return body
}

// wantError sends a JSON body and expects the error code with its status.
func (c *apiClient) wantError(method, path string, in any, status int, code string) errorBody {
	c.t.Helper()
	var e errorBody
	c.call(method, path, in, status, &e)
	if e.Error.Code != code {
		c.t.Fatalf("%s %s: code %q, want %q (%s)", method, path, e.Error.Code, code, e.Error.Message)
	}
	return e
}

// errorBody is the contract's error body.
type errorBody struct {
	Error struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		RequestID string `json:"requestId"`
	} `json:"error"`
}

// leakPattern finds what must never reach a client: physical bucket names,
// the store's address, backend wording, stacks.
var leakPattern = regexp.MustCompile(`(?i)alpha-b[0-9a-f]|beta-b[0-9a-f]|127\.0\.0\.1|minio-go|x-amz-|goroutine |\.go:\d+`)

// checkResponse asserts what holds for every response of the gateway.
func checkResponse(t *testing.T, r request, resp *http.Response, body []byte) {
	t.Helper()
	id := resp.Header.Get("X-Request-ID")
	if id == "" {
		t.Errorf("%s %s: no X-Request-ID", r.method, r.path)
	}
	if resp.StatusCode < 400 || r.method == http.MethodHead {
		return
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: error with Content-Type %q: %s", r.method, r.path, ct, body)
	}
	var e errorBody
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Errorf("%s %s: error body is not the contract's: %s", r.method, r.path, body)
	}
	if e.Error.RequestID != id {
		t.Errorf("%s %s: requestId %q, header %q", r.method, r.path, e.Error.RequestID, id)
	}
	if leakPattern.Match([]byte(e.Error.Message)) {
		t.Errorf("%s %s: error message leaks internals: %q", r.method, r.path, e.Error.Message)
	}
	if resp.StatusCode == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("%s %s: 401 without WWW-Authenticate", r.method, r.path)
	}
}

// newBucket creates a bucket with a fresh name for the tenant and removes
// it, emptied, when the test ends.
func (c *apiClient) newBucket() string {
	c.t.Helper()
	name := "b" + randomHex(6)
	c.call(http.MethodPost, "/api/v1/buckets", map[string]string{"name": name}, http.StatusCreated, nil)
	c.t.Cleanup(func() { c.emptyAndRemove(name) })
	return name
}

// emptyAndRemove deletes everything in bucket and the bucket.
func (c *apiClient) emptyAndRemove(bucket string) {
	for {
		var page listResponse
		c.call(http.MethodGet, "/api/v1/buckets/"+bucket+"/objects?recursive=true", nil, http.StatusOK, &page)
		if len(page.Objects) == 0 {
			break
		}
		names := make([]string, 0, len(page.Objects))
		for _, o := range page.Objects {
			names = append(names, o.Name)
		}
		c.call(http.MethodPost, "/api/v1/buckets/"+bucket+"/delete", map[string]any{"names": names}, http.StatusOK, nil)
	}
	resp, body := c.do(request{method: http.MethodDelete, path: "/api/v1/buckets/" + bucket})
	if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusNotFound {
		c.t.Errorf("remove bucket %s: %d %s", bucket, resp.StatusCode, body)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// objectPath is the gateway path of an object, each segment of the name
// percent-encoded so that any name round-trips.
func objectPath(kind, bucket, name string) string {
	segs := strings.Split(name, "/")
	for i, s := range segs {
		segs[i] = escapeSegment(s)
	}
	return "/api/v1/buckets/" + bucket + "/" + kind + "/" + strings.Join(segs, "/")
}

// escapeSegment percent-encodes everything but unreserved characters and
// '+', so that '+' travels as itself (and must not become a space).
func escapeSegment(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~+", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return b.String()
}

// put uploads data under name with Content-Length and extra headers.
func (c *apiClient) put(bucket, name string, data []byte, headers map[string]string) uploadResponse {
	c.t.Helper()
	resp, body := c.do(request{method: http.MethodPut, path: objectPath("objects", bucket, name),
		body: bytes.NewReader(data), size: int64(len(data)), headers: headers})
	if resp.StatusCode != http.StatusCreated {
		c.t.Fatalf("put %q: %d %s", name, resp.StatusCode, body)
	}
	var out uploadResponse
	if err := json.Unmarshal(body, &out); err != nil {
		c.t.Fatalf("put %q: %v", name, err)
	}
	return out
}

// get downloads name and returns the response and body.
func (c *apiClient) get(bucket, name string, headers map[string]string) (*http.Response, []byte) {
	c.t.Helper()
	return c.do(request{method: http.MethodGet, path: objectPath("objects", bucket, name), headers: headers})
}

// The contract's JSON shapes, as a client decodes them.
type (
	bucketEntry struct {
		Name         string `json:"name"`
		CreationDate string `json:"creationDate"`
	}
	listBucketsResponse struct {
		Buckets []bucketEntry `json:"buckets"`
	}
	objectEntry struct {
		Name         string            `json:"name"`
		Size         int64             `json:"size"`
		ETag         string            `json:"etag"`
		LastModified string            `json:"lastModified"`
		ContentType  string            `json:"contentType"`
		IsDir        bool              `json:"isDir"`
		Metadata     map[string]string `json:"metadata"`
	}
	listResponse struct {
		Objects    []objectEntry `json:"objects"`
		NextCursor string        `json:"nextCursor"`
		Truncated  bool          `json:"truncated"`
	}
	uploadResponse struct {
		Bucket    string `json:"bucket"`
		Name      string `json:"name"`
		ETag      string `json:"etag"`
		Size      int64  `json:"size"`
		VersionID string `json:"versionId"`
	}
	statResponse struct {
		Bucket       string            `json:"bucket"`
		Name         string            `json:"name"`
		Size         int64             `json:"size"`
		ETag         string            `json:"etag"`
		ContentType  string            `json:"contentType"`
		LastModified string            `json:"lastModified"`
		Metadata     map[string]string `json:"metadata"`
	}
	deleteResponse struct {
		Deleted []string `json:"deleted"`
		Errors  []struct {
			Name    string `json:"name"`
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	copyResponse struct {
		Bucket       string `json:"bucket"`
		Name         string `json:"name"`
		ETag         string `json:"etag"`
		LastModified string `json:"lastModified"`
	}
	uploadsResponse struct {
		Uploads []struct {
			Name      string `json:"name"`
			UploadID  string `json:"uploadId"`
			Initiated string `json:"initiated"`
			Size      int64  `json:"size"`
		} `json:"uploads"`
	}
)
