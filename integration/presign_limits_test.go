package integration

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"s3gateway/access"
)

// postForm sends data to a presigned form's URL under key, as a browser
// would, and returns the store's status and body.
func postForm(t *testing.T, p presignPostResponse, key string, data []byte) (int, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range p.FormData {
		if k != "key" {
			_ = w.WriteField(k, v)
		}
	}
	_ = w.WriteField("key", key)
	fw, _ := w.CreateFormFile("file", "f.bin")
	_, _ = fw.Write(data)
	_ = w.Close()
	status, body, _ := plain(t, http.MethodPost, p.URL, &buf, w.FormDataContentType())
	return status, body
}

// A presigned form without contentLengthRange carries the gateway's upload
// limit (GATEWAY_MAX_UPLOAD_SIZE): the store refuses a larger file, and
// nothing is stored.
func TestPresignPostDefaultSizeLimit(t *testing.T) {
	reg, err := access.Parse([]byte(tenantsYAML()))
	if err != nil {
		t.Fatal(err)
	}
	gw := serveGateway(t, suite.store.Endpoint, reg, map[string]string{"GATEWAY_MAX_UPLOAD_SIZE": "1KiB"})
	c := as(t, alphaKey)
	bucket := c.newBucket()
	var p presignPostResponse
	body := gw.call(http.MethodPost, "/api/v1/buckets/"+bucket+"/presign-post", alphaKey,
		map[string]any{"namePrefix": "up/", "expiresIn": 600}, http.StatusOK)
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if status, b := postForm(t, p, "up/big.bin", bytes.Repeat([]byte("x"), 1025)); status != http.StatusBadRequest || !strings.Contains(string(b), "EntityTooLarge") {
		t.Fatalf("form over the default limit: %d %s", status, b)
	}
	if resp, _ := c.do(request{method: http.MethodHead, path: objectPath("objects", bucket, "up/big.bin")}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("refused form stored something: HEAD %d", resp.StatusCode)
	}
	if status, b := postForm(t, p, "up/fits.bin", bytes.Repeat([]byte("x"), 1024)); status >= 300 {
		t.Fatalf("form within the limit: %d %s", status, b)
	}
	// A PUT over the limit is refused by the gateway.
	resp, b := gw.do(http.MethodPut, objectPath("objects", bucket, "put.bin"), alphaKey, bytes.NewReader(make([]byte, 1025)), nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("PUT over the limit: %d %s", resp.StatusCode, b)
	}
}

// A presigned PUT URL made by the gateway cannot be turned into a copy of
// another object of the tenant: the store refuses the copy source, writes
// nothing, and the URL still uploads.
func TestPresignedPutCopyRefused(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	c.put(bucket, "private/salaries.csv", []byte("secret numbers"), nil)
	var u struct {
		URL string `json:"url"`
	}
	c.call(http.MethodPost, "/api/v1/buckets/"+bucket+"/presign", map[string]any{
		"name": "drop/upload.txt", "method": "PUT", "expiresIn": 60,
	}, http.StatusOK, &u)
	// The physical bucket is in the URL's path: /<bucket>/<name>.
	physical := strings.SplitN(strings.TrimPrefix(mustURL(t, u.URL).Path, "/"), "/", 2)[0]
	req, _ := http.NewRequest(http.MethodPut, u.URL, nil)
	req.Header.Set("x-amz-copy-source", physical+"/private/salaries.csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("copy through a presigned PUT: %d, want 403", resp.StatusCode)
	}
	if resp, _ := c.do(request{method: http.MethodHead, path: objectPath("objects", bucket, "drop/upload.txt")}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the refused copy wrote the object: HEAD %d", resp.StatusCode)
	}
	if status, b, _ := plain(t, http.MethodPut, u.URL, strings.NewReader("dropped"), ""); status != http.StatusOK {
		t.Fatalf("presigned PUT: %d %s", status, b)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
