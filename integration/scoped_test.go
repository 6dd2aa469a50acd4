package integration

import (
	"net/http"
	"testing"
	"time"
)

// A scoped key presigns only under its prefix, for its scopes, and its
// URLs end no later than the key; the URL it gets works against the store.
func TestScopedKeyPresign(t *testing.T) {
	owner := as(t, alphaKey)
	bucket := owner.newBucket()
	owner.put(bucket, "share/a.txt", []byte("shared"), nil)
	owner.put(bucket, "private/b.txt", []byte("private"), nil)
	path := "/api/v1/buckets/" + bucket + "/presign"

	app := as(t, alphaShareKey)
	var p presignResponse
	app.call(http.MethodPost, path, map[string]any{"method": "GET", "name": "share/a.txt"}, http.StatusOK, &p)
	exp, err := time.Parse(time.RFC3339, p.ExpiresAt)
	if err != nil || time.Until(exp) > time.Hour {
		t.Errorf("expiresAt %q outlives the key (an hour)", p.ExpiresAt)
	}
	if status, body, _ := plain(t, "GET", p.URL, nil, ""); status != http.StatusOK || string(body) != "shared" {
		t.Fatalf("in-prefix presigned GET: %d %q", status, body)
	}

	app.wantError(http.MethodPost, path, map[string]any{"method": "GET", "name": "private/b.txt"}, http.StatusForbidden, "AccessDenied")
	app.wantError(http.MethodPost, path, map[string]any{"method": "GET", "name": "share/../private/b.txt"}, http.StatusForbidden, "AccessDenied")
	app.wantError(http.MethodPost, path, map[string]any{"method": "PUT", "name": "share/new.txt"}, http.StatusForbidden, "AccessDenied")
	app.wantError(http.MethodGet, "/api/v1/buckets/"+bucket+"/objects?prefix=private/", nil, http.StatusForbidden, "AccessDenied")
	app.wantError(http.MethodGet, "/api/v1/buckets/"+bucket+"/objects/private/b.txt", nil, http.StatusForbidden, "AccessDenied")
	app.wantError(http.MethodPut, "/api/v1/buckets/"+bucket+"/objects/share/x.txt", nil, http.StatusForbidden, "AccessDenied")
}
