package integration

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestBucketLifecycle(t *testing.T) {
	c := as(t, alphaKey)
	name := "b" + randomHex(6)

	var created map[string]string
	c.call(http.MethodPost, "/api/v1/buckets", map[string]string{"name": name}, http.StatusCreated, &created)
	if created["name"] != name || created["region"] == "" {
		t.Fatalf("create: %v", created)
	}
	c.wantError(http.MethodPost, "/api/v1/buckets", map[string]string{"name": name}, http.StatusConflict, "BucketAlreadyExists")

	var list listBucketsResponse
	c.call(http.MethodGet, "/api/v1/buckets", nil, http.StatusOK, &list)
	if !slices.ContainsFunc(list.Buckets, func(b bucketEntry) bool { return b.Name == name && b.CreationDate != "" }) {
		t.Fatalf("%s not listed: %+v", name, list)
	}

	var got map[string]any
	c.call(http.MethodGet, "/api/v1/buckets/"+name, nil, http.StatusOK, &got)
	if got["name"] != name || got["exists"] != true {
		t.Fatalf("get: %v", got)
	}
	if resp, body := c.do(request{method: http.MethodHead, path: "/api/v1/buckets/" + name}); resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Fatalf("head: %d %q", resp.StatusCode, body)
	}

	c.put(name, "keep.txt", []byte("x"), nil)
	c.wantError(http.MethodDelete, "/api/v1/buckets/"+name, nil, http.StatusConflict, "BucketNotEmpty")
	c.call(http.MethodDelete, objectPath("objects", name, "keep.txt"), nil, http.StatusNoContent, nil)
	c.call(http.MethodDelete, "/api/v1/buckets/"+name, nil, http.StatusNoContent, nil)

	c.wantError(http.MethodGet, "/api/v1/buckets/"+name, nil, http.StatusNotFound, "NoSuchBucket")
	if resp, _ := c.do(request{method: http.MethodHead, path: "/api/v1/buckets/" + name}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("head of removed bucket: %d", resp.StatusCode)
	}
	c.wantError(http.MethodDelete, "/api/v1/buckets/"+name, nil, http.StatusNotFound, "NoSuchBucket")
}

func TestBucketNameValidation(t *testing.T) {
	c := as(t, alphaKey)
	long := strings.Repeat("a", 58)
	cases := []struct{ name, bucket string }{
		{"tooShort", "ab"},
		{"upperCase", "Photos"},
		{"underscore", "my_bucket"},
		{"ipShaped", "192.168.1.1"},
		{"doubleDot", "a..b"},
		{"leadingHyphen", "-abc"},
		{"trailingDot", "abc."},
		{"tooLongWithPrefix", long}, // 58 + "alpha-" = 64 > 63
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.wantError(http.MethodPost, "/api/v1/buckets", map[string]string{"name": tc.bucket}, http.StatusBadRequest, "InvalidBucketName")
		})
	}
	t.Run("bodyMissingName", func(t *testing.T) {
		c.wantError(http.MethodPost, "/api/v1/buckets", map[string]string{}, http.StatusBadRequest, "InvalidBucketName")
	})
	t.Run("malformedJSON", func(t *testing.T) {
		resp, body := c.do(request{method: http.MethodPost, path: "/api/v1/buckets", body: strings.NewReader(`{"name":`), size: 8,
			headers: map[string]string{"Content-Type": "application/json"}})
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
}

// Two tenants each own a bucket of the same name; neither sees or touches
// the other's.
func TestTenantIsolation(t *testing.T) {
	alpha, beta := as(t, alphaKey), as(t, betaKey)
	name := alpha.newBucket()
	alpha.put(name, "secret.txt", []byte("alpha only"), nil)

	var list listBucketsResponse
	beta.call(http.MethodGet, "/api/v1/buckets", nil, http.StatusOK, &list)
	if slices.ContainsFunc(list.Buckets, func(b bucketEntry) bool { return b.Name == name }) {
		t.Fatalf("beta sees alpha's bucket %s", name)
	}
	beta.wantError(http.MethodGet, "/api/v1/buckets/"+name, nil, http.StatusNotFound, "NoSuchBucket")
	beta.wantError(http.MethodGet, objectPath("objects", name, "secret.txt"), nil, http.StatusNotFound, "NoSuchBucket")
	beta.wantError(http.MethodGet, objectPath("stat", name, "secret.txt"), nil, http.StatusNotFound, "NoSuchBucket")

	// beta may create its own bucket with the same name; it is another bucket.
	beta.call(http.MethodPost, "/api/v1/buckets", map[string]string{"name": name}, http.StatusCreated, nil)
	t.Cleanup(func() { beta.emptyAndRemove(name) })
	beta.wantError(http.MethodGet, objectPath("objects", name, "secret.txt"), nil, http.StatusNotFound, "NoSuchKey")
	beta.put(name, "secret.txt", []byte("beta's"), nil)
	if _, body := alpha.get(name, "secret.txt", nil); string(body) != "alpha only" {
		t.Fatalf("alpha's object changed: %q", body)
	}
}
