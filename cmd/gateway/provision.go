package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/minio/madmin-go/v3"

	"s3gateway/access"
	"s3gateway/config"
	"s3gateway/provision"
)

// provisionTenants creates or updates, for every tenant of the tenants file,
// a store user with the tenant's credentials and a policy limited to its
// bucket prefix. The admin key is read here only; the serving gateway never
// has it.
func provisionTenants(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	accessKey, secretKey := getenv("GATEWAY_ADMIN_ACCESS_KEY"), getenv("GATEWAY_ADMIN_SECRET_KEY")
	if accessKey == "" || secretKey == "" {
		return errors.New("tenants provision needs GATEWAY_ADMIN_ACCESS_KEY and GATEWAY_ADMIN_SECRET_KEY (the store's admin credentials)")
	}
	reg, err := access.Load(cfg.TenantsFile)
	if err != nil {
		return err
	}
	admin, err := madmin.New(cfg.S3Endpoint.Host, accessKey, secretKey, cfg.S3Endpoint.Scheme == "https")
	if err != nil {
		return fmt.Errorf("admin client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for _, t := range reg.All() {
		if err := provision.Tenant(ctx, admin, t); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "tenant %s: user %s, policy %s (buckets %s*)\n", t.ID, t.AccessKey, provision.PolicyName(t.ID), t.BucketPrefix)
	}
	return nil
}
