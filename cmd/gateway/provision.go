package main

import (
	"context"
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
	return checkEventTargets(ctx, admin, cfg.Events, stdout)
}

// checkEventTargets says whether the store has the NATS targets that feed
// the gateway's event streams, and what is missing. Missing targets do not
// fail provisioning: everything but event streams works without them.
func checkEventTargets(ctx context.Context, admin *madmin.AdminClient, cfg config.Events, stdout io.Writer) error {
	for _, target := range []struct {
		arn, role string
		queue     bool
	}{
		{cfg.TargetARN, "durable target (required for event streams)", true},
		{cfg.FastARN, "prompt target (optional: without it events reach streams up to 3 s late)", false},
	} {
		id := provision.TargetID(target.arn)
		if id == "" {
			fmt.Fprintf(stdout, "events: %s %s is not a NATS target ARN (arn:minio:sqs::ID:nats)\n", target.role, target.arn)
			continue
		}
		problems, err := provision.CheckEventTarget(ctx, admin, provision.EventTarget{ID: id, Subject: cfg.Subject, Queue: target.queue})
		if err != nil {
			return err
		}
		if len(problems) == 0 {
			fmt.Fprintf(stdout, "events: store target %s ready (%s)\n", target.arn, target.role)
			continue
		}
		fmt.Fprintf(stdout, "events: store target %s, %s, needs:\n", target.arn, target.role)
		for _, p := range problems {
			fmt.Fprintf(stdout, "  - %s\n", p)
		}
		fmt.Fprintln(stdout, "  (set them in the store's environment and restart it, or with mc admin config set ALIAS notify_nats:"+id+" ...; see the README, Events)")
	}
	return nil
}
