package minitest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"s3gateway/internal/minitest"
)

// A provisioned tenant user may create buckets under its own prefix only:
// the store itself enforces the isolation the gateway relies on.
func TestProvisionedTenantIsConfinedToItsPrefix(t *testing.T) {
	srv := minitest.Start(t, minitest.Options{})
	srv.Tenants(t, `
tenants:
  - id: acme
    bucketPrefix: acme-
    apiKeys: ["acme-key-0123456789abcdefghijklmnopq"]
    s3: {accessKey: acme-svc, secretKey: acme-secret-value}
`)
	client, err := minio.New(srv.Addr, &minio.Options{Creds: credentials.NewStaticV4("acme-svc", "acme-secret-value", "")})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := client.MakeBucket(ctx, "acme-photos", minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("own prefix: %v", err)
	}
	err = client.MakeBucket(ctx, "other-photos", minio.MakeBucketOptions{})
	if err == nil || !strings.Contains(minio.ToErrorResponse(err).Code, "AccessDenied") {
		t.Fatalf("foreign prefix: got %v, want AccessDenied", err)
	}
}
