package integration

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strings"
	"testing"
	"time"
)

// Names S3 accepts must round-trip through the path, byte for byte.
var nameTable = []struct{ label, name string }{
	{"plain", "plain.txt"},
	{"space", "a b.txt"},
	{"plus", "a+b.txt"},
	{"percent", "100%.txt"},
	{"percentEncodedLooking", "a%20b.txt"},
	{"hash", "x#y"},
	{"question", "what?.txt"},
	{"nonASCII", "中文/ü é.txt"},
	{"trailingSlash", "folder/"},
	{"nested", "a/b/c/d.txt"},
	{"ampersandEquals", "k=v&x=y"},
	{"quoteSemicolon", `we"ird;name.txt`},
	{"emoji", "🙂.bin"},
	// 1,000 bytes; MinIO stores names as paths, so no segment is over 255.
	{"long", strings.Repeat(strings.Repeat("n", 249)+"/", 4)[:999] + "x"},
}

func TestObjectNamesRoundTrip(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	for _, tc := range nameTable {
		t.Run(tc.label, func(t *testing.T) {
			c := as(t, alphaKey)
			data := []byte("content of " + tc.name)
			up := c.put(bucket, tc.name, data, nil)
			if up.Name != tc.name || up.Bucket != bucket || up.Size != int64(len(data)) || up.ETag == "" {
				t.Fatalf("upload reply %+v", up)
			}
			resp, body := c.get(bucket, tc.name, nil)
			if resp.StatusCode != http.StatusOK || !bytes.Equal(body, data) {
				t.Fatalf("get: %d %q", resp.StatusCode, body)
			}
			var st statResponse
			c.call(http.MethodGet, objectPath("stat", bucket, tc.name), nil, http.StatusOK, &st)
			if st.Name != tc.name || st.Size != int64(len(data)) {
				t.Fatalf("stat %+v", st)
			}
			var page listResponse
			c.call(http.MethodGet, "/api/v1/buckets/"+bucket+"/objects?recursive=true&prefix="+url.QueryEscape(tc.name), nil, http.StatusOK, &page)
			if len(page.Objects) == 0 || page.Objects[0].Name != tc.name {
				t.Fatalf("list with the name as prefix: %+v", page.Objects)
			}
			c.call(http.MethodDelete, objectPath("objects", bucket, tc.name), nil, http.StatusNoContent, nil)
			c.wantError(http.MethodGet, objectPath("stat", bucket, tc.name), nil, http.StatusNotFound, "NoSuchKey")
		})
	}
}

func TestBadObjectNames(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	for _, path := range []string{
		"/api/v1/buckets/" + bucket + "/objects/a/../b",
		"/api/v1/buckets/" + bucket + "/objects/a/%2E%2E/b",
		"/api/v1/buckets/" + bucket + "/objects/./x",
		"/api/v1/buckets/" + bucket + "/objects/nul%00byte",
		"/api/v1/buckets/" + bucket + "/objects/bad%FFutf8",
		"/api/v1/buckets/" + bucket + "/objects/" + strings.Repeat("x", 1025),
	} {
		resp, body := c.do(request{method: http.MethodPut, path: path, body: strings.NewReader("x"), size: 1})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "InvalidObjectName") {
			t.Errorf("PUT %.80s: %d %s", path, resp.StatusCode, body)
		}
	}
}

func TestMetadataOnlyFromXMeta(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	c.put(bucket, "m.txt", []byte("m"), map[string]string{
		"Content-Type":    "text/plain",
		"X-Meta-Color":    "blue",
		"X-Meta-Acl":      "public-read",
		"X-Amz-Acl":       "public-read",
		"X-Amz-Meta-Evil": "smuggled",
	})
	var st statResponse
	c.call(http.MethodGet, objectPath("stat", bucket, "m.txt"), nil, http.StatusOK, &st)
	if st.ContentType != "text/plain" || st.Metadata["Color"] != "blue" || st.Metadata["Acl"] != "public-read" {
		t.Fatalf("stat %+v", st)
	}
	if _, ok := st.Metadata["Evil"]; ok || len(st.Metadata) != 2 {
		t.Fatalf("metadata not from X-Meta-*: %v", st.Metadata)
	}
	resp, _ := c.get(bucket, "m.txt", nil)
	if resp.Header.Get("X-Meta-Color") != "blue" {
		t.Fatalf("GET headers: %v", resp.Header)
	}
	// Neither header made the object public.
	anon, err := http.Get(storeURL().String() + "/alpha-" + bucket + "/m.txt")
	if err != nil {
		t.Fatal(err)
	}
	anon.Body.Close()
	if anon.StatusCode != http.StatusForbidden {
		t.Fatalf("anonymous GET straight to the store: %d", anon.StatusCode)
	}
}

func TestDownloads(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	data := randomBytes(t, 1000)
	up := c.put(bucket, "dir/r.bin", data, map[string]string{"Content-Type": "application/x-test"})

	t.Run("full", func(t *testing.T) {
		resp, body := c.get(bucket, "dir/r.bin", nil)
		h := resp.Header
		if resp.StatusCode != 200 || !bytes.Equal(body, data) || h.Get("Content-Type") != "application/x-test" ||
			h.Get("Content-Length") != "1000" || h.Get("ETag") != `"`+up.ETag+`"` || h.Get("Last-Modified") == "" {
			t.Fatalf("%d %v", resp.StatusCode, h)
		}
	})
	ranges := []struct {
		label, header, query string
		want                 int
		from, to             int // expected body data[from:to]
		contentRange         string
	}{
		{"closedRange", "bytes=10-19", "", 206, 10, 20, "bytes 10-19/1000"},
		{"openRange", "bytes=990-", "", 206, 990, 1000, "bytes 990-999/1000"},
		{"suffixRange", "bytes=-5", "", 206, 995, 1000, "bytes 995-999/1000"},
		{"rangePastEndClamped", "bytes=995-5000", "", 206, 995, 1000, "bytes 995-999/1000"},
		{"multipleRangesIgnored", "bytes=0-1,5-6", "", 200, 0, 1000, ""},
		{"malformedRangeIgnored", "bytes=x-y", "", 200, 0, 1000, ""},
		{"offsetLength", "", "offset=100&length=50", 206, 100, 150, "bytes 100-149/1000"},
		{"offsetOnly", "", "offset=900", 206, 900, 1000, "bytes 900-999/1000"},
	}
	for _, tc := range ranges {
		t.Run(tc.label, func(t *testing.T) {
			r := request{method: http.MethodGet, path: objectPath("objects", bucket, "dir/r.bin") + "?" + tc.query}
			if tc.header != "" {
				r.headers = map[string]string{"Range": tc.header}
			}
			resp, body := c.do(r)
			if resp.StatusCode != tc.want || !bytes.Equal(body, data[tc.from:tc.to]) {
				t.Fatalf("status %d (want %d), %d bytes", resp.StatusCode, tc.want, len(body))
			}
			if resp.Header.Get("Content-Range") != tc.contentRange {
				t.Fatalf("Content-Range %q, want %q", resp.Header.Get("Content-Range"), tc.contentRange)
			}
		})
	}
	t.Run("unsatisfiable", func(t *testing.T) {
		resp, body := c.get(bucket, "dir/r.bin", map[string]string{"Range": "bytes=5000-6000"})
		if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable || !strings.Contains(string(body), "InvalidRange") {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("badOffset", func(t *testing.T) {
		c.wantError(http.MethodGet, objectPath("objects", bucket, "dir/r.bin")+"?offset=-1", nil, 400, "InvalidArgument")
		c.wantError(http.MethodGet, objectPath("objects", bucket, "dir/r.bin")+"?offset=1&length=0", nil, 400, "InvalidArgument")
		c.wantError(http.MethodGet, objectPath("objects", bucket, "dir/r.bin")+"?length=abc", nil, 400, "InvalidArgument")
	})
	t.Run("notModified", func(t *testing.T) {
		resp, body := c.get(bucket, "dir/r.bin", map[string]string{"If-None-Match": `"` + up.ETag + `"`})
		if resp.StatusCode != http.StatusNotModified || len(body) != 0 || resp.Header.Get("ETag") == "" {
			t.Fatalf("%d %v %q", resp.StatusCode, resp.Header, body)
		}
		resp, _ = c.get(bucket, "dir/r.bin", map[string]string{"If-None-Match": `"other"`})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("non-matching ETag: %d", resp.StatusCode)
		}
	})
	t.Run("head", func(t *testing.T) {
		resp, body := c.do(request{method: http.MethodHead, path: objectPath("objects", bucket, "dir/r.bin")})
		if resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("Content-Length") != "1000" || resp.Header.Get("ETag") == "" {
			t.Fatalf("%d %v", resp.StatusCode, resp.Header)
		}
		resp, _ = c.do(request{method: http.MethodHead, path: objectPath("objects", bucket, "missing")})
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("head missing: %d", resp.StatusCode)
		}
	})
	t.Run("missing", func(t *testing.T) {
		c.wantError(http.MethodGet, objectPath("objects", bucket, "missing"), nil, 404, "NoSuchKey")
		c.wantError(http.MethodGet, objectPath("objects", "bnosuchbucket", "x"), nil, 404, "NoSuchBucket")
	})
}

func TestDownloadDisposition(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	for _, name := range []string{"plain.txt", "dir/report 2026.pdf", `evil"; filename="x.exe`, "a;b=c.txt", "中文.txt"} {
		c.put(bucket, name, []byte("d"), nil)
		resp, _ := c.do(request{method: http.MethodGet, path: objectPath("objects", bucket, name) + "?download=true"})
		cd := resp.Header.Get("Content-Disposition")
		if !strings.HasPrefix(cd, "attachment") {
			t.Fatalf("%q: Content-Disposition %q", name, cd)
		}
		disposition, params, err := mime.ParseMediaType(cd)
		if err != nil || disposition != "attachment" || len(params) != 1 || params["filename"] != path.Base(name) {
			t.Fatalf("%q: Content-Disposition %q parses as %q %v (%v)", name, cd, disposition, params, err)
		}
		if strings.ContainsAny(cd, "\r\n") {
			t.Fatalf("%q: control characters: %q", name, cd)
		}
	}
}

func TestChunkedUploadAcrossParts(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	data := randomBytes(t, 2*testPartSize+12345)
	resp, body := c.do(request{method: http.MethodPut, path: objectPath("objects", bucket, "big/chunked.bin"),
		body: io.MultiReader(bytes.NewReader(data)), size: -1})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	_, got := c.get(bucket, "big/chunked.bin", nil)
	if !bytes.Equal(got, data) {
		t.Fatalf("downloaded %d bytes, differ from the %d uploaded", len(got), len(data))
	}
	// Known size over one part too.
	c.put(bucket, "big/sized.bin", data, nil)
	if _, got := c.get(bucket, "big/sized.bin", nil); !bytes.Equal(got, data) {
		t.Fatal("sized multipart upload differs")
	}
}

func TestFormUpload(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	post := func(fields [][2]string, filename string, data []byte) (*http.Response, []byte) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for _, f := range fields {
			_ = w.WriteField(f[0], f[1])
		}
		if data != nil {
			fw, _ := w.CreateFormFile("file", filename)
			_, _ = fw.Write(data)
		}
		_ = w.Close()
		return c.do(request{method: http.MethodPost, path: "/api/v1/buckets/" + bucket + "/objects",
			body: &buf, size: int64(buf.Len()), headers: map[string]string{"Content-Type": w.FormDataContentType()}})
	}
	data := randomBytes(t, testPartSize+100)
	resp, body := post([][2]string{{"name", "forms/named é.bin"}}, "ignored.bin", data)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(string(body), `"forms/named é.bin"`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if _, got := c.get(bucket, "forms/named é.bin", nil); !bytes.Equal(got, data) {
		t.Fatal("form upload content differs")
	}
	resp, body = post(nil, "from-filename.txt", []byte("hi"))
	if resp.StatusCode != http.StatusCreated || !strings.Contains(string(body), `"from-filename.txt"`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	resp, body = post([][2]string{{"name", "x"}}, "", nil)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("no file: %d %s", resp.StatusCode, body)
	}
}

func TestBatchDelete(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	var names []string
	for i := range 1003 {
		names = append(names, fmt.Sprintf("many/%04d", i))
	}
	// Only a few exist: deleting a missing key succeeds in S3 terms, and the
	// batch must span more than one store request.
	for _, n := range names[:3] {
		c.put(bucket, n, []byte("x"), nil)
	}
	c.put(bucket, names[1002], []byte("x"), nil)
	withBad := append(append([]string{}, names...), "bad/../name")
	var out deleteResponse
	c.call(http.MethodPost, "/api/v1/buckets/"+bucket+"/delete", map[string]any{"names": withBad}, http.StatusOK, &out)
	if len(out.Deleted) != len(names) || len(out.Errors) != 1 || out.Errors[0].Name != "bad/../name" || out.Errors[0].Code != "InvalidObjectName" {
		t.Fatalf("deleted %d, errors %+v", len(out.Deleted), out.Errors)
	}
	var page listResponse
	c.call(http.MethodGet, "/api/v1/buckets/"+bucket+"/objects?recursive=true", nil, http.StatusOK, &page)
	if len(page.Objects) != 0 {
		t.Fatalf("left: %+v", page.Objects)
	}
	c.wantError(http.MethodPost, "/api/v1/buckets/"+bucket+"/delete", map[string]any{"names": []string{}}, 400, "InvalidArgument")
	c.wantError(http.MethodPost, "/api/v1/buckets/"+bucket+"/delete", map[string]any{"nope": 1}, 400, "MalformedJSON")
}

func TestCopy(t *testing.T) {
	c := as(t, alphaKey)
	src, dst := c.newBucket(), c.newBucket()
	up := c.put(src, "orig é.txt", []byte("copy me"), map[string]string{"Content-Type": "text/plain", "X-Meta-Color": "red"})
	copyReq := func(name string, extra map[string]any) map[string]any {
		m := map[string]any{"name": name, "source": map[string]string{"bucket": src, "name": "orig é.txt"}}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	var out copyResponse
	c.call(http.MethodPost, "/api/v1/buckets/"+dst+"/copy", copyReq("kept.txt", nil), http.StatusCreated, &out)
	if out.Bucket != dst || out.Name != "kept.txt" || out.ETag == "" || out.LastModified == "" {
		t.Fatalf("copy reply %+v", out)
	}
	var st statResponse
	c.call(http.MethodGet, objectPath("stat", dst, "kept.txt"), nil, http.StatusOK, &st)
	if st.Metadata["Color"] != "red" || st.ContentType != "text/plain" {
		t.Fatalf("metadata not kept: %+v", st)
	}
	c.call(http.MethodPost, "/api/v1/buckets/"+dst+"/copy", copyReq("replaced.txt", map[string]any{"metadata": map[string]string{"Shape": "round"}}), http.StatusCreated, nil)
	var replaced statResponse
	c.call(http.MethodGet, objectPath("stat", dst, "replaced.txt"), nil, http.StatusOK, &replaced)
	if replaced.Metadata["Shape"] != "round" || len(replaced.Metadata) != 1 {
		t.Fatalf("metadata not replaced: %+v", replaced.Metadata)
	}

	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	conds := []struct {
		label string
		cond  map[string]string
		ok    bool
	}{
		{"matchETag", map[string]string{"matchETag": up.ETag}, true},
		{"matchETagFails", map[string]string{"matchETag": "0123456789abcdef0123456789abcdef"}, false},
		{"notMatchETag", map[string]string{"notMatchETag": "0123456789abcdef0123456789abcdef"}, true},
		{"notMatchETagFails", map[string]string{"notMatchETag": up.ETag}, false},
		{"modifiedSince", map[string]string{"modifiedSince": past}, true},
		{"unmodifiedSince", map[string]string{"unmodifiedSince": future}, true},
		{"unmodifiedSinceFails", map[string]string{"unmodifiedSince": past}, false},
	}
	for _, tc := range conds {
		t.Run(tc.label, func(t *testing.T) {
			c := as(t, alphaKey)
			body := copyReq("cond-"+tc.label, map[string]any{"conditions": tc.cond})
			if tc.ok {
				c.call(http.MethodPost, "/api/v1/buckets/"+dst+"/copy", body, http.StatusCreated, nil)
			} else {
				c.wantError(http.MethodPost, "/api/v1/buckets/"+dst+"/copy", body, http.StatusPreconditionFailed, "PreconditionFailed")
			}
		})
	}
	c.wantError(http.MethodPost, "/api/v1/buckets/"+dst+"/copy",
		map[string]any{"name": "x", "source": map[string]string{"bucket": src, "name": "missing"}}, 404, "NoSuchKey")
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}
