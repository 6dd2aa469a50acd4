// Package provision creates, in the store, the MinIO user and the policy of
// each tenant, using the store's admin credentials. It is the only place
// that holds an admin key, and it runs outside the request path (the
// "gateway tenants provision" command, make run, and the test harness).
package provision

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/minio/madmin-go/v3"

	"s3gateway/access"
)

// PolicyName is the name of the MinIO policy made for a tenant.
func PolicyName(tenantID string) string { return "gateway-tenant-" + tenantID }

// TenantPolicy is the IAM policy that limits a tenant's store user to the
// buckets that start with its prefix. MinIO lists to a user only the buckets
// it may access, so no s3:ListAllMyBuckets grant is needed.
func TenantPolicy(bucketPrefix string) []byte {
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Effect":   "Allow",
			"Action":   []string{"s3:*"},
			"Resource": []string{"arn:aws:s3:::" + bucketPrefix + "*", "arn:aws:s3:::" + bucketPrefix + "*/*"},
		}},
	}
	out, _ := json.Marshal(doc) // a map of strings always marshals
	return out
}

// Tenant creates or updates the store user of t and its policy. It is
// idempotent: running it again with the same tenant changes nothing, and a
// changed secret or prefix is applied.
func Tenant(ctx context.Context, admin *madmin.AdminClient, t *access.Tenant) error {
	if err := admin.AddUser(ctx, t.AccessKey, t.SecretKey); err != nil {
		return fmt.Errorf("tenant %s: add user %s: %w", t.ID, t.AccessKey, err)
	}
	name := PolicyName(t.ID)
	if err := admin.AddCannedPolicy(ctx, name, TenantPolicy(t.BucketPrefix)); err != nil {
		return fmt.Errorf("tenant %s: add policy %s: %w", t.ID, name, err)
	}
	//lint:ignore SA1019 SetPolicy replaces the user's policies, which is what makes a re-run idempotent; AttachPolicy fails when already attached.
	if err := admin.SetPolicy(ctx, name, t.AccessKey, false); err != nil {
		return fmt.Errorf("tenant %s: set policy %s on %s: %w", t.ID, name, t.AccessKey, err)
	}
	return nil
}

// All provisions every tenant of reg.
func All(ctx context.Context, admin *madmin.AdminClient, reg *access.Registry) error {
	for _, t := range reg.All() {
		if err := Tenant(ctx, admin, t); err != nil {
			return err
		}
	}
	return nil
}

// NewAdmin returns an admin client of the store at host (host:port), over
// TLS when secure, with the store's admin key.
func NewAdmin(host string, secure bool, accessKey, secretKey string) (*madmin.AdminClient, error) {
	//lint:ignore SA1019 NewWithOptions needs minio-go's credentials type, and only the store adapter imports minio-go.
	admin, err := madmin.New(host, accessKey, secretKey, secure)
	if err != nil {
		return nil, fmt.Errorf("admin client of %s: %w", host, err)
	}
	return admin, nil
}
