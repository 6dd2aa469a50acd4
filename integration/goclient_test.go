package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"s3gateway/clients/go/gatewayclient"
)

// recordingDoer sends the generated client's requests, remembers the
// escaped path of each, and checks every exchange against the contract
// like the suite's own client does.
type recordingDoer struct {
	t     *testing.T
	mu    sync.Mutex
	paths []string
}

func (d *recordingDoer) Do(req *http.Request) (*http.Response, error) {
	d.t.Helper()
	var jsonBody []byte
	if req.Body != nil && strings.HasPrefix(req.Header.Get("Content-Type"), "application/json") {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		jsonBody = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))

	d.mu.Lock()
	d.paths = append(d.paths, req.URL.EscapedPath())
	d.mu.Unlock()
	r := request{method: req.Method, path: req.URL.RequestURI(), json: jsonBody}
	checkResponse(d.t, r, resp, body)
	checkContract(d.t, r, jsonBody, resp, body)
	return resp, nil
}

// sent tells whether a request went to exactly this escaped path.
func (d *recordingDoer) sent(path string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Contains(d.paths, path)
}

// newGoClient is the generated client for one tenant's key.
func newGoClient(t *testing.T, key string) (*gatewayclient.ClientWithResponses, *recordingDoer) {
	t.Helper()
	doer := &recordingDoer{t: t}
	bearer := func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+key)
		return nil
	}
	client, err := gatewayclient.NewClientWithResponses(suite.gateway.URL,
		gatewayclient.WithHTTPClient(doer), gatewayclient.WithRequestEditorFn(bearer))
	if err != nil {
		t.Fatal(err)
	}
	return client, doer
}

// The client generated from the committed document works against the
// gateway: the document's operations, parameters and schemas are the
// gateway's, object names with "/" included (the client sends them as
// %2F in one path segment).
func TestGoClient(t *testing.T) {
	ctx := context.Background()
	client, doer := newGoClient(t, alphaKey)

	bucket := "b" + randomHex(6)
	created, err := client.CreateBucketWithResponse(ctx, gatewayclient.CreateBucketRequest{Name: bucket})
	if err != nil || created.StatusCode() != http.StatusCreated || created.JSON201 == nil || created.JSON201.Name != bucket {
		t.Fatalf("create bucket: %v %s", err, bodyOf(created))
	}
	removed := false
	t.Cleanup(func() {
		if !removed {
			as(t, alphaKey).emptyAndRemove(bucket)
		}
	})

	// Upload, raw bodies. Names with "/" and characters that need escaping.
	objects := map[string]string{
		"docs/a b.txt":       "first",
		"docs/sub/c+d.txt":   "second object",
		"docs/sub/e%f#g?.md": "# third",
		"中文/名.txt":           "fourth: non-ASCII",
		"top.txt":            "fifth",
	}
	etags := map[string]string{}
	for name, data := range objects {
		up, err := client.PutObjectWithBodyWithResponse(ctx, bucket, name, nil, "text/plain", strings.NewReader(data))
		if err != nil || up.StatusCode() != http.StatusCreated || up.JSON201 == nil {
			t.Fatalf("put %q: %v %s", name, err, bodyOf(up))
		}
		if up.JSON201.Name != name || up.JSON201.Bucket != bucket || up.JSON201.Size != int64(len(data)) {
			t.Fatalf("put %q: %+v", name, *up.JSON201)
		}
		etags[name] = up.JSON201.Etag
	}
	if !doer.sent("/api/v1/buckets/" + bucket + "/objects/docs%2Fsub%2Fc+d.txt") {
		t.Fatalf("the generated client did not send the name as one escaped segment: %q", doer.paths)
	}

	// List two at a time, following nextCursor: every object exactly once.
	var listed []string
	pages := 0
	params := &gatewayclient.ListObjectsParams{Recursive: ptr(true), Limit: ptr(2)}
	for {
		page, err := client.ListObjectsWithResponse(ctx, bucket, params)
		if err != nil || page.JSON200 == nil {
			t.Fatalf("list: %v %s", err, bodyOf(page))
		}
		pages++
		if len(page.JSON200.Objects) > 2 {
			t.Fatalf("page of %d entries with limit 2", len(page.JSON200.Objects))
		}
		for _, o := range page.JSON200.Objects {
			listed = append(listed, o.Name)
			if o.Size != int64(len(objects[o.Name])) || o.IsDir {
				t.Fatalf("entry %+v", o)
			}
		}
		if !page.JSON200.Truncated {
			break
		}
		if page.JSON200.NextCursor == nil || *page.JSON200.NextCursor == "" {
			t.Fatal("truncated page without nextCursor")
		}
		params.Cursor = page.JSON200.NextCursor
	}
	slices.Sort(listed)
	want := mapKeys(objects)
	if !slices.Equal(listed, want) || pages != 3 {
		t.Fatalf("listed %q in %d pages, want %q in 3", listed, pages, want)
	}

	// Stat and download.
	name := "docs/sub/e%f#g?.md"
	stat, err := client.StatObjectWithResponse(ctx, bucket, name)
	if err != nil || stat.JSON200 == nil {
		t.Fatalf("stat: %v %s", err, bodyOf(stat))
	}
	if s := stat.JSON200; s.Name != name || s.Size != int64(len(objects[name])) || s.Etag != etags[name] || s.ContentType != "text/plain" {
		t.Fatalf("stat %+v", *s)
	}
	got, err := client.GetObjectWithResponse(ctx, bucket, name, nil)
	if err != nil || got.StatusCode() != http.StatusOK || string(got.Body) != objects[name] {
		t.Fatalf("get: %v %d %q", err, got.StatusCode(), got.Body)
	}
	// The contract's conditional and checksum headers are typed parameters.
	sum := sha256.Sum256([]byte(objects[name]))
	digest := "sha-256=:" + base64.StdEncoding.EncodeToString(sum[:]) + ":"
	create := "*"
	again, err := client.PutObjectWithBodyWithResponse(ctx, bucket, name,
		&gatewayclient.PutObjectParams{ReprDigest: &digest, IfNoneMatch: &create}, "text/plain", strings.NewReader(objects[name]))
	if err != nil || again.JSON412 == nil || again.JSON412.Error.Code != "PreconditionFailed" {
		t.Fatalf("create-only over an existing object: %v %s", err, bodyOf(again))
	}
	current := `"` + etags[name] + `"`
	replaced, err := client.PutObjectWithBodyWithResponse(ctx, bucket, name,
		&gatewayclient.PutObjectParams{ReprDigest: &digest, IfMatch: &current}, "text/plain", strings.NewReader(objects[name]))
	if err != nil || replaced.JSON201 == nil {
		t.Fatalf("replace with If-Match and Repr-Digest: %v %s", err, bodyOf(replaced))
	}
	checked, err := client.GetObjectWithResponse(ctx, bucket, name, &gatewayclient.GetObjectParams{IfMatch: &current})
	if err != nil || checked.StatusCode() != http.StatusOK || checked.HTTPResponse.Header.Get("Repr-Digest") != digest {
		t.Fatalf("conditional get: %v %d %q", err, checked.StatusCode(), checked.HTTPResponse.Header.Get("Repr-Digest"))
	}
	missing, err := client.GetObjectWithResponse(ctx, bucket, "docs/none.txt", nil)
	if err != nil || missing.JSON404 == nil || missing.JSON404.Error.Code != "NoSuchKey" {
		t.Fatalf("get missing: %v %s", err, bodyOf(missing))
	}

	// Copy.
	copied, err := client.CopyObjectWithResponse(ctx, bucket, gatewayclient.CopyObjectRequest{
		Name:   "copies/c+d.txt",
		Source: gatewayclient.ObjectRef{Name: "docs/sub/c+d.txt"},
	})
	if err != nil || copied.JSON201 == nil || copied.JSON201.Name != "copies/c+d.txt" || copied.JSON201.Bucket != bucket {
		t.Fatalf("copy: %v %s", err, bodyOf(copied))
	}
	objects["copies/c+d.txt"] = objects["docs/sub/c+d.txt"]
	if got, err := client.GetObjectWithResponse(ctx, bucket, "copies/c+d.txt", nil); err != nil || string(got.Body) != objects["copies/c+d.txt"] {
		t.Fatalf("get copy: %v %q", err, got.Body)
	}

	// Presigned GET, fetched by a client that knows nothing of the gateway.
	presigned, err := client.PresignObjectWithResponse(ctx, bucket, gatewayclient.PresignRequest{
		Method: gatewayclient.PresignRequestMethodGET, Name: "中文/名.txt", ExpiresIn: ptr(300),
	})
	if err != nil || presigned.JSON200 == nil || presigned.JSON200.Method != gatewayclient.PresignedURLMethodGET {
		t.Fatalf("presign: %v %s", err, bodyOf(presigned))
	}
	status, body, _ := plain(t, http.MethodGet, presigned.JSON200.Url, nil, "")
	if status != http.StatusOK || string(body) != objects["中文/名.txt"] {
		t.Fatalf("presigned GET: %d %q", status, body)
	}

	// Delete everything in one batch, then the bucket.
	deleted, err := client.DeleteObjectsWithResponse(ctx, bucket, gatewayclient.DeleteObjectsRequest{Names: mapKeys(objects)})
	if err != nil || deleted.JSON200 == nil || len(deleted.JSON200.Errors) != 0 {
		t.Fatalf("delete objects: %v %s", err, bodyOf(deleted))
	}
	if d := slices.Sorted(slices.Values(deleted.JSON200.Deleted)); !slices.Equal(d, mapKeys(objects)) {
		t.Fatalf("deleted %q", d)
	}
	gone, err := client.DeleteBucketWithResponse(ctx, bucket)
	if err != nil || gone.StatusCode() != http.StatusNoContent {
		t.Fatalf("delete bucket: %v %s", err, bodyOf(gone))
	}
	removed = true
	check, err := client.GetBucketWithResponse(ctx, bucket)
	if err != nil || check.JSON404 == nil || check.JSON404.Error.Code != "NoSuchBucket" {
		t.Fatalf("deleted bucket: %v %s", err, bodyOf(check))
	}
}

// bodyOf is a generated response's status and body, for failure messages.
func bodyOf[R any, P interface {
	*R
	StatusCode() int
	GetBody() []byte
}](r P) string {
	if r == nil {
		return "(no response)"
	}
	return http.StatusText(r.StatusCode()) + " " + string(r.GetBody())
}

func ptr[T any](v T) *T { return &v }

func mapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
