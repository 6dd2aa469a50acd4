package integration

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"
)

type presignResponse struct {
	URL       string `json:"url"`
	Method    string `json:"method"`
	ExpiresAt string `json:"expiresAt"`
}

type presignPostResponse struct {
	URL       string            `json:"url"`
	FormData  map[string]string `json:"formData"`
	ExpiresAt string            `json:"expiresAt"`
}

// plain makes a request with a client that knows nothing of the gateway.
func plain(t *testing.T, method, url string, body io.Reader, contentType string) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

func TestPresignedURLs(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	path := "/api/v1/buckets/" + bucket + "/presign"
	c.put(bucket, "share/a b.txt", []byte("shared"), nil)

	var p presignResponse
	c.call(http.MethodPost, path, map[string]any{"method": "GET", "name": "share/a b.txt", "expiresIn": 600,
		"responseHeaders": map[string]string{"contentDisposition": `attachment; filename="x.txt"`}}, http.StatusOK, &p)
	if p.Method != "GET" || !strings.HasPrefix(p.URL, suite.store.Endpoint) {
		t.Fatalf("%+v", p)
	}
	if exp, err := time.Parse(time.RFC3339, p.ExpiresAt); err != nil || time.Until(exp) > 601*time.Second || time.Until(exp) < 590*time.Second {
		t.Fatalf("expiresAt %q", p.ExpiresAt)
	}
	status, body, hdr := plain(t, "GET", p.URL, nil, "")
	if status != 200 || string(body) != "shared" || hdr.Get("Content-Disposition") != `attachment; filename="x.txt"` {
		t.Fatalf("presigned GET: %d %q %v", status, body, hdr)
	}

	c.call(http.MethodPost, path, map[string]any{"method": "PUT", "name": "share/up.txt"}, http.StatusOK, &p)
	if status, body, _ := plain(t, "PUT", p.URL, strings.NewReader("uploaded"), ""); status != 200 {
		t.Fatalf("presigned PUT: %d %s", status, body)
	}
	if _, got := c.get(bucket, "share/up.txt", nil); string(got) != "uploaded" {
		t.Fatalf("object after presigned PUT: %q", got)
	}

	c.call(http.MethodPost, path, map[string]any{"method": "GET", "name": "share/a b.txt", "expiresIn": 1}, http.StatusOK, &p)
	time.Sleep(2100 * time.Millisecond)
	if status, _, _ := plain(t, "GET", p.URL, nil, ""); status != http.StatusForbidden {
		t.Fatalf("expired URL: %d", status)
	}

	for _, bad := range []map[string]any{
		{"method": "GET", "name": "x", "expiresIn": 0},
		{"method": "GET", "name": "x", "expiresIn": 604801},
		{"method": "DELETE", "name": "x"},
		{"method": "PUT", "name": "x", "responseHeaders": map[string]string{"contentType": "text/html"}},
	} {
		c.wantError(http.MethodPost, path, bad, http.StatusBadRequest, "InvalidArgument")
	}
	c.wantError(http.MethodPost, path, map[string]any{"method": "GET", "name": "a/../b"}, http.StatusBadRequest, "InvalidObjectName")
	c.wantError(http.MethodPost, path, map[string]any{"method": "GET", "name": "x", "responseHeaders": map[string]string{"expires": "0"}}, http.StatusBadRequest, "MalformedJSON")
}

func TestPresignedPost(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	var p presignPostResponse
	c.call(http.MethodPost, "/api/v1/buckets/"+bucket+"/presign-post", map[string]any{
		"namePrefix": "uploads/", "expiresIn": 600, "contentType": "text/plain",
		"contentLengthRange": map[string]int{"min": 1, "max": 100},
	}, http.StatusOK, &p)
	if p.URL == "" || len(p.FormData) == 0 || p.ExpiresAt == "" {
		t.Fatalf("%+v", p)
	}
	post := func(key string, data []byte, contentType string) int {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		fields := map[string]string{}
		for k, v := range p.FormData {
			fields[k] = v
		}
		fields["key"], fields["Content-Type"] = key, contentType
		for k, v := range fields {
			_ = w.WriteField(k, v)
		}
		fw, _ := w.CreateFormFile("file", "f.txt")
		_, _ = fw.Write(data)
		_ = w.Close()
		status, _, _ := plain(t, "POST", p.URL, &buf, w.FormDataContentType())
		return status
	}
	if got := post("uploads/ok.txt", []byte("posted"), "text/plain"); got != http.StatusNoContent && got != http.StatusOK && got != http.StatusCreated {
		t.Fatalf("POST within the policy: %d", got)
	}
	if _, got := c.get(bucket, "uploads/ok.txt", nil); string(got) != "posted" {
		t.Fatalf("posted object: %q", got)
	}
	if got := post("elsewhere/x.txt", []byte("x"), "text/plain"); got < 400 {
		t.Fatalf("POST outside the prefix: %d", got)
	}
	if got := post("uploads/big.txt", bytes.Repeat([]byte("x"), 101), "text/plain"); got < 400 {
		t.Fatalf("POST over the size limit: %d", got)
	}
	if got := post("uploads/type.txt", []byte("x"), "text/html"); got < 400 {
		t.Fatalf("POST with another content type: %d", got)
	}
	c.wantError(http.MethodPost, "/api/v1/buckets/"+bucket+"/presign-post", map[string]any{"name": "a", "namePrefix": "b"}, http.StatusBadRequest, "InvalidArgument")
	c.wantError(http.MethodPost, "/api/v1/buckets/"+bucket+"/presign-post", map[string]any{"name": "a", "contentLengthRange": map[string]int{"min": 10, "max": 1}}, http.StatusBadRequest, "InvalidArgument")
}
