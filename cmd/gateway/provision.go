package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"s3gateway/access"
	"s3gateway/config"
	"s3gateway/provision"
)

// provisionTenants creates or updates, for every tenant of the tenants file,
// a store user with the tenant's credentials and a policy limited to its
// bucket prefix, and the user's two signing identities (upload-only and
// read-only service accounts that sign presigned URLs and forms). The admin key is read here only; the serving gateway never
// has it.
func provisionTenants(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	creds, err := config.AdminFromEnv(getenv)
	if err != nil {
		return err
	}
	reg, err := access.Load(cfg.TenantsFile)
	if err != nil {
		return err
	}
	admin, err := provision.NewAdmin(cfg.S3Endpoint.Host, cfg.S3Endpoint.Scheme == "https", creds.AccessKey, creds.SecretKey)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for _, t := range reg.All() {
		if err := provision.Tenant(ctx, admin, t); err != nil {
			return err
		}
		upload, _ := t.SigningCredentials(access.SignUploads)
		read, _ := t.SigningCredentials(access.SignReads)
		fmt.Fprintf(stdout, "tenant %s: user %s, policy %s (buckets %s*), signing identities %s (upload), %s (read)\n",
			t.ID, t.AccessKey, provision.PolicyName(t.ID), t.BucketPrefix, upload, read)
	}
	return nil
}
