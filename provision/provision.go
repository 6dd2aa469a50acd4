// Package provision creates, in the store, the MinIO user and the policy of
// each tenant, and its two signing identities (service accounts of that
// user that can only upload or only read; see access.SigningCredentials),
// using the store's admin credentials. It is the only place
// that holds an admin key, and it runs outside the request path (the
// "gateway tenants provision" command, make run, and the test harness).
package provision

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

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

// Tenant creates or updates the store user of t, its policy and its
// signing identities. It is idempotent: running it again with the same tenant changes nothing, and a
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
	current := map[string]bool{}
	for _, purpose := range access.SigningPurposes() {
		if err := signingIdentity(ctx, admin, t, purpose); err != nil {
			return fmt.Errorf("tenant %s: %s signing identity: %w", t.ID, purpose, err)
		}
		ak, _ := t.SigningCredentials(purpose)
		current[ak] = true
	}
	return removeStaleIdentities(ctx, admin, t, current)
}

// removeStaleIdentities deletes the signing identities of t's user that are
// not current (made with an earlier secret key), so that rotating the
// secret key also revokes the presigned URLs signed before.
func removeStaleIdentities(ctx context.Context, admin *madmin.AdminClient, t *access.Tenant, current map[string]bool) error {
	list, err := admin.ListServiceAccounts(ctx, t.AccessKey)
	if err != nil {
		return fmt.Errorf("tenant %s: list service accounts: %w", t.ID, err)
	}
	for _, a := range list.Accounts {
		if current[a.AccessKey] || !strings.HasPrefix(a.Name, signingNamePrefix) {
			continue
		}
		if err := admin.DeleteServiceAccount(ctx, a.AccessKey); err != nil {
			return fmt.Errorf("tenant %s: delete stale signing identity %s: %w", t.ID, a.AccessKey, err)
		}
	}
	return nil
}

// signingNamePrefix starts the name of every signing identity.
const signingNamePrefix = "gateway-"

// SigningActions are what each signing identity may do, within the
// tenant's buckets.
func SigningActions(purpose access.SigningPurpose) []string {
	if purpose == access.SignUploads {
		// Multipart parts and their abort, so presigned multipart uploads
		// can be signed the same way.
		return []string{"s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"}
	}
	return []string{"s3:GetObject"}
}

// SigningPolicy is the inline policy of a signing identity: its actions on
// the objects of the tenant's buckets, and nothing else. A service
// account's rights are also bounded by its parent's (the tenant's user).
func SigningPolicy(bucketPrefix string, purpose access.SigningPurpose) []byte {
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Effect":   "Allow",
			"Action":   SigningActions(purpose),
			"Resource": []string{"arn:aws:s3:::" + bucketPrefix + "*/*"},
		}},
	}
	out, _ := json.Marshal(doc) // a map of strings always marshals
	return out
}

// signingIdentity creates the tenant's identity for purpose as a service
// account of its user, or updates it (policy and secret) when it exists.
func signingIdentity(ctx context.Context, admin *madmin.AdminClient, t *access.Tenant, purpose access.SigningPurpose) error {
	accessKey, secretKey := t.SigningCredentials(purpose)
	policy := SigningPolicy(t.BucketPrefix, purpose)
	if _, err := admin.InfoServiceAccount(ctx, accessKey); err == nil {
		if err := admin.UpdateServiceAccount(ctx, accessKey, madmin.UpdateServiceAccountReq{NewPolicy: policy, NewSecretKey: secretKey}); err != nil {
			return fmt.Errorf("update service account %s: %w", accessKey, err)
		}
		return nil
	}
	_, err := admin.AddServiceAccount(ctx, madmin.AddServiceAccountReq{
		Policy: policy, TargetUser: t.AccessKey, AccessKey: accessKey, SecretKey: secretKey,
		Name:        signingNamePrefix + string(purpose),
		Description: "signs the gateway's presigned " + string(purpose) + "s for tenant " + t.ID,
	})
	if err != nil {
		return fmt.Errorf("add service account %s: %w", accessKey, err)
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
