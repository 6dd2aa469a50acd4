package integration

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Resumable uploads against the real store: the gateway starts, signs,
// lists, checks and completes; the parts go straight to MinIO.

type (
	createUploadResponse struct {
		UploadID string `json:"uploadId"`
		Name     string `json:"name"`
		PartSize int64  `json:"partSize"`
	}
	signedPart struct {
		PartNumber int    `json:"partNumber"`
		URL        string `json:"url"`
		ExpiresAt  string `json:"expiresAt"`
	}
	signPartsResponse struct {
		Parts []signedPart `json:"parts"`
	}
	storedPart struct {
		PartNumber int    `json:"partNumber"`
		ETag       string `json:"etag"`
		Size       int64  `json:"size"`
	}
	listPartsResponse struct {
		Parts []storedPart `json:"parts"`
	}
	completedPart struct {
		PartNumber int    `json:"partNumber"`
		ETag       string `json:"etag"`
	}
)

func multipartPath(bucket string, rest ...string) string {
	p := "/api/v1/buckets/" + bucket + "/multipart"
	for _, r := range rest {
		p += "/" + url.PathEscape(r)
	}
	return p
}

// startUpload starts an upload of name and aborts it, if still there, when
// the test ends.
func (c *apiClient) startUpload(bucket, name string) string {
	c.t.Helper()
	var up createUploadResponse
	c.call(http.MethodPost, multipartPath(bucket), map[string]any{"name": name, "contentType": "application/x-test"}, http.StatusCreated, &up)
	if up.UploadID == "" || up.Name != name || up.PartSize < 5<<20 {
		c.t.Fatalf("create: %+v", up)
	}
	c.t.Cleanup(func() {
		c.do(request{method: http.MethodDelete, path: multipartPath(bucket, up.UploadID) + "?name=" + url.QueryEscape(name)})
	})
	return up.UploadID
}

// signParts presigns part URLs, by part number.
func (c *apiClient) signParts(bucket, name, uploadID string, numbers []int, expiresIn int) map[int]string {
	c.t.Helper()
	body := map[string]any{"name": name, "partNumbers": numbers}
	if expiresIn > 0 {
		body["expiresIn"] = expiresIn
	}
	var res signPartsResponse
	c.call(http.MethodPost, multipartPath(bucket, uploadID, "parts"), body, http.StatusOK, &res)
	urls := map[int]string{}
	for _, p := range res.Parts {
		urls[p.PartNumber] = p.URL
	}
	if len(urls) != len(numbers) {
		c.t.Fatalf("signed %d parts, asked for %d", len(urls), len(numbers))
	}
	return urls
}

func (c *apiClient) listParts(bucket, name, uploadID string) []storedPart {
	c.t.Helper()
	var res listPartsResponse
	c.call(http.MethodGet, multipartPath(bucket, uploadID)+"?name="+url.QueryEscape(name), nil, http.StatusOK, &res)
	return res.Parts
}

// putPart PUTs data to a part URL with a plain HTTP client and returns the
// status and the ETag header.
func putPart(t *testing.T, rawURL string, data []byte, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, rawURL, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("PUT part: %v", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("ETag")
}

// shuffled is 1..n in a random order.
func shuffled(t *testing.T, n int) []int {
	t.Helper()
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	for i := n - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			t.Fatal(err)
		}
		out[i], out[j.Int64()] = out[j.Int64()], out[i]
	}
	return out
}

// A 64 MiB upload in 8 MiB parts sent in random order, two of them sent
// twice, lands whole.
func TestMultipart_randomOrderWithRetries(t *testing.T) {
	const partSize, parts = 8 << 20, 8
	c := as(t, alphaKey)
	bucket := c.newBucket()
	name := "videos/big " + randomHex(3) + ".bin"
	data := randomBytes(t, parts*partSize)
	uploadID := c.startUpload(bucket, name)

	order := shuffled(t, parts)
	urls := c.signParts(bucket, name, uploadID, order, 0)
	etags := map[int]string{}
	retried := order[:2]
	for _, n := range append(order, retried...) {
		status, etag := putPart(t, urls[n], data[(n-1)*partSize:n*partSize], nil)
		if status != http.StatusOK || etag == "" {
			t.Fatalf("part %d: status %d etag %q", n, status, etag)
		}
		etags[n] = etag
	}
	var done []completedPart
	for _, n := range shuffled(t, parts) {
		done = append(done, completedPart{PartNumber: n, ETag: etags[n]})
	}
	var res uploadResponse
	c.call(http.MethodPost, multipartPath(bucket, uploadID, "complete"), map[string]any{"name": name, "parts": done}, http.StatusOK, &res)
	if res.Size != int64(len(data)) || res.Name != name || res.Bucket != bucket {
		t.Fatalf("complete: %+v", res)
	}
	resp, got := c.get(bucket, name, nil)
	if resp.StatusCode != http.StatusOK || sha256.Sum256(got) != sha256.Sum256(data) {
		t.Fatalf("object: status %d, %d bytes, checksum differs", resp.StatusCode, len(got))
	}
	var stat statResponse
	c.call(http.MethodGet, objectPath("stat", bucket, name), nil, http.StatusOK, &stat)
	if stat.ContentType != "application/x-test" {
		t.Errorf("content type %q", stat.ContentType)
	}
}

// A client that lost track after 3 parts lists what the store has, sends
// the rest and completes.
func TestMultipart_resume(t *testing.T) {
	const partSize, parts = 5 << 20, 5
	c := as(t, alphaKey)
	bucket := c.newBucket()
	name := "resume.bin"
	data := randomBytes(t, parts*partSize-123) // the last part is short
	part := func(n int) []byte { return data[(n-1)*partSize : min(n*partSize, len(data))] }
	uploadID := c.startUpload(bucket, name)

	first := c.signParts(bucket, name, uploadID, []int{1, 2, 3}, 0)
	for n := 1; n <= 3; n++ {
		if status, _ := putPart(t, first[n], part(n), nil); status != http.StatusOK {
			t.Fatalf("part %d: %d", n, status)
		}
	}

	// A new client: only the bucket, the name and the upload id survived.
	c2 := as(t, alphaKey)
	have := c2.listParts(bucket, name, uploadID)
	if len(have) != 3 {
		t.Fatalf("listed %+v, want parts 1-3", have)
	}
	done := []completedPart{}
	for _, p := range have {
		if p.Size != partSize || p.ETag == "" {
			t.Fatalf("listed part %+v", p)
		}
		done = append(done, completedPart{p.PartNumber, p.ETag})
	}
	rest := c2.signParts(bucket, name, uploadID, []int{4, 5}, 0)
	for _, n := range []int{4, 5} {
		status, etag := putPart(t, rest[n], part(n), nil)
		if status != http.StatusOK {
			t.Fatalf("part %d: %d", n, status)
		}
		done = append(done, completedPart{n, etag})
	}
	var res uploadResponse
	c2.call(http.MethodPost, multipartPath(bucket, uploadID, "complete"), map[string]any{"name": name, "parts": done}, http.StatusOK, &res)
	_, got := c2.get(bucket, name, nil)
	if !bytes.Equal(got, data) || res.Size != int64(len(data)) {
		t.Fatalf("object: %d bytes, want %d (reported %d)", len(got), len(data), res.Size)
	}
}

// Completion is checked against the store's parts; nothing is completed
// on a bad list.
func TestMultipart_completeChecks(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	name := "checked.bin"
	uploadID := c.startUpload(bucket, name)
	urls := c.signParts(bucket, name, uploadID, []int{1, 2, 3}, 0)
	etags := map[int]string{}
	for n, size := range map[int]int{1: 5 << 20, 2: 1 << 20, 3: 1 << 20} {
		_, etags[n] = putPart(t, urls[n], randomBytes(t, size), nil)
	}
	complete := func(parts []completedPart, status int, code, says string) {
		t.Helper()
		e := c.wantError(http.MethodPost, multipartPath(bucket, uploadID, "complete"), map[string]any{"name": name, "parts": parts}, status, code)
		if !strings.Contains(e.Error.Message, says) {
			t.Errorf("message %q does not say %q", e.Error.Message, says)
		}
	}
	complete([]completedPart{{1, etags[1]}, {4, etags[3]}}, 400, "InvalidArgument", "part 4")
	complete([]completedPart{{1, etags[2]}}, 400, "InvalidArgument", "part 1")
	complete([]completedPart{{1, etags[1]}, {2, etags[2]}, {3, etags[3]}}, 400, "InvalidArgument", "part 2")
	many := make([]completedPart, 10001)
	for i := range many {
		many[i] = completedPart{i + 1, etags[1]}
	}
	c.wantError(http.MethodPost, multipartPath(bucket, uploadID, "complete"), map[string]any{"name": name, "parts": many}, 400, "InvalidArgument")
	c.wantError(http.MethodPost, multipartPath(bucket, uploadID, "parts"), map[string]any{"name": name, "partNumbers": []int{10001}}, 400, "InvalidArgument")

	if got := c.listParts(bucket, name, uploadID); len(got) != 3 {
		t.Fatalf("after refused completions the upload has %+v", got)
	}
	if resp, _ := c.get(bucket, name, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the object exists: %d", resp.StatusCode)
	}
	// The valid subset completes.
	c.call(http.MethodPost, multipartPath(bucket, uploadID, "complete"), map[string]any{"name": name, "parts": []completedPart{{1, etags[1]}, {3, etags[3]}}}, http.StatusOK, nil)
}

// Part URLs are good for their one part of their one upload, until they
// expire; another tenant cannot reach an upload.
func TestMultipart_partURLAbuse(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	name := "abused.bin"
	uploadID := c.startUpload(bucket, name)
	other := c.startUpload(bucket, "other.bin")
	urls := c.signParts(bucket, name, uploadID, []int{1}, 0)
	short := c.signParts(bucket, name, uploadID, []int{2}, 1)
	data := randomBytes(t, 5<<20)

	refused := func(what, rawURL string, headers map[string]string) {
		t.Helper()
		if status, _ := putPart(t, rawURL, data, headers); status < 400 {
			t.Errorf("%s: the store accepted it (%d)", what, status)
		}
	}
	u, _ := url.Parse(urls[1])
	q := u.Query()
	q.Set("partNumber", "7")
	u.RawQuery = q.Encode()
	refused("another part number", u.String(), nil)
	q.Set("partNumber", "1")
	q.Set("uploadId", other)
	u.RawQuery = q.Encode()
	refused("another upload id", u.String(), nil)
	u, _ = url.Parse(urls[1])
	u.Path = strings.Replace(u.Path, name, "other.bin", 1)
	refused("another key", u.String(), nil)
	time.Sleep(2100 * time.Millisecond)
	refused("after expiry", short[2], nil)

	if got := c.listParts(bucket, name, uploadID); len(got) != 0 {
		t.Fatalf("refused requests left parts: %+v", got)
	}
	if got := c.listParts(bucket, "other.bin", other); len(got) != 0 {
		t.Fatalf("refused requests left parts in the other upload: %+v", got)
	}

	// Another tenant naming the upload: its own bucket of that name does not
	// exist, and the id means nothing there.
	beta := as(t, betaKey)
	beta.wantError(http.MethodPost, multipartPath(bucket, uploadID, "complete"),
		map[string]any{"name": name, "parts": []completedPart{{1, "x"}}}, http.StatusNotFound, "NoSuchBucket")
	betaBucket := beta.newBucket()
	beta.wantError(http.MethodPost, multipartPath(betaBucket, uploadID, "complete"),
		map[string]any{"name": name, "parts": []completedPart{{1, "x"}}}, http.StatusNotFound, "NoSuchUpload")
	beta.wantError(http.MethodPost, multipartPath(betaBucket, uploadID, "parts"),
		map[string]any{"name": name, "partNumbers": []int{1}}, http.StatusNotFound, "NoSuchUpload")
}

// A part URL cannot be turned into a copy of another object: the store
// refuses x-amz-copy-source on it, because presigned uploads are signed
// with a store identity that may write but not read.
func TestMultipart_partURLNoCopy(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	c.put(bucket, "secret.txt", bytes.Repeat([]byte("s"), 6<<20), nil)
	name := "copied.bin"
	uploadID := c.startUpload(bucket, name)
	urls := c.signParts(bucket, name, uploadID, []int{1}, 0)
	u, _ := url.Parse(urls[1])
	physical := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")[0]
	status, _ := putPart(t, urls[1], nil, map[string]string{"x-amz-copy-source": "/" + physical + "/secret.txt"})
	if status < 400 {
		t.Errorf("a part URL copied another object (status %d)", status)
	}
	if got := c.listParts(bucket, name, uploadID); len(got) != 0 {
		t.Fatalf("the copy left a part: %+v", got)
	}
}

// The presign route signs each S3 step of a multipart upload, as a browser
// uploader asks for them; the store answers each.
func TestMultipart_presignedSteps(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	name := "steps/file.bin"
	presign := func(body map[string]any) presignAnswer {
		t.Helper()
		body["name"] = name
		var p presignAnswer
		c.call(http.MethodPost, "/api/v1/buckets/"+bucket+"/presign", body, http.StatusOK, &p)
		return p
	}
	send := func(p presignAnswer, body []byte) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(p.Method, p.URL, bytes.NewReader(body))
		for k, v := range p.Headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
			t.Fatalf("%s %s: %d %s", p.Method, p.URL, resp.StatusCode, b)
		}
		return resp, b
	}
	_, created := send(presign(map[string]any{"method": "POST", "contentType": "video/mp4"}), nil)
	uploadID := between(string(created), "<UploadId>", "</UploadId>")
	if uploadID == "" {
		t.Fatalf("create answered %s", created)
	}
	data := randomBytes(t, 6<<20)
	resp, _ := send(presign(map[string]any{"method": "PUT", "uploadId": uploadID, "partNumber": 1}), data)
	etag := resp.Header.Get("ETag")
	_, listed := send(presign(map[string]any{"method": "GET", "uploadId": uploadID}), nil)
	if !strings.Contains(string(listed), "<PartNumber>1</PartNumber>") {
		t.Fatalf("list parts answered %s", listed)
	}
	xml := fmt.Sprintf("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part></CompleteMultipartUpload>", etag)
	send(presign(map[string]any{"method": "POST", "uploadId": uploadID}), []byte(xml))
	_, got := c.get(bucket, name, nil)
	if !bytes.Equal(got, data) {
		t.Fatalf("object: %d bytes", len(got))
	}
	var stat statResponse
	c.call(http.MethodGet, objectPath("stat", bucket, name), nil, http.StatusOK, &stat)
	if stat.ContentType != "video/mp4" {
		t.Errorf("content type %q", stat.ContentType)
	}

	// Abort, presigned.
	_, created = send(presign(map[string]any{"method": "POST"}), nil)
	second := between(string(created), "<UploadId>", "</UploadId>")
	send(presign(map[string]any{"method": "DELETE", "uploadId": second}), nil)
	c.wantError(http.MethodGet, multipartPath(bucket, second)+"?name="+url.QueryEscape(name), nil, http.StatusNotFound, "NoSuchUpload")
}

type presignAnswer struct {
	URL       string            `json:"url"`
	Method    string            `json:"method"`
	Headers   map[string]string `json:"headers"`
	ExpiresAt string            `json:"expiresAt"`
}

func between(s, start, end string) string {
	_, rest, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, end)
	return v
}
