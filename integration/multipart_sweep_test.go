package integration

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"s3gateway/access"
	"s3gateway/config"
	"s3gateway/internal/testwait"
	"s3gateway/server"
)

// Uploads left incomplete longer than GATEWAY_MULTIPART_TTL are aborted by
// the gateway's sweep; younger ones are left alone.
func TestMultipart_abandonedUploadsSwept(t *testing.T) {
	const ttl = 3 * time.Second
	reg, err := access.Parse([]byte(tenantsYAML()))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.FromEnv(func(k string) string {
		switch k {
		case "GATEWAY_S3_ENDPOINT":
			return suite.store.Endpoint
		case "GATEWAY_MULTIPART_TTL":
			return ttl.String()
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Options{Config: cfg, Tenants: reg})
	if err != nil {
		t.Fatal(err)
	}

	c := as(t, alphaKey)
	bucket := c.newBucket()
	old := c.startUpload(bucket, "abandoned.bin")
	urls := c.signParts(bucket, "abandoned.bin", old, []int{1}, 0)
	if status, _ := putPart(t, urls[1], randomBytes(t, 1<<20), nil); status != http.StatusOK {
		t.Fatalf("part: %d", status)
	}
	time.Sleep(ttl + time.Second)
	young := c.startUpload(bucket, "young.bin")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); srv.SweepUploads(ctx) }()
	defer func() { cancel(); <-done }()

	listPath := func(name, id string) string { return multipartPath(bucket, id) + "?name=" + url.QueryEscape(name) }
	if !testwait.Within(10*time.Second, func() bool {
		resp, _ := c.do(request{method: http.MethodGet, path: listPath("abandoned.bin", old)})
		return resp.StatusCode == http.StatusNotFound
	}) {
		t.Fatal("the abandoned upload is still there")
	}
	c.call(http.MethodGet, listPath("young.bin", young), nil, http.StatusOK, nil)
}
