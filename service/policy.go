package service

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/minio/minio-go/v7"

	"s3gateway/errs"
	"s3gateway/service/bucketpolicy"
)

// Bucket policies. The model of the documents and of the canned grants is
// package bucketpolicy; this file reads and writes them in the store.
//
// The store holds one document per bucket and has no conditional write, so
// a canned change is a read-modify-write that could lose a concurrent
// change of another prefix. The writes of one bucket's policy are therefore
// serialized (MinIO.policyLocks), but only within this process: across
// several gateway replicas, concurrent changes of one bucket can still race
// and one of them be lost.

// GetBucketPolicy implements Policies.
func (m *MinIO) GetBucketPolicy(ctx context.Context, bucket, prefix string) (BucketPolicy, error) {
	tc, physical, err := m.policyTarget(ctx, bucket, prefix)
	if err != nil {
		return BucketPolicy{}, err
	}
	doc, err := m.readPolicy(ctx, tc, bucket, physical)
	if err != nil {
		return BucketPolicy{}, err
	}
	return policyView(doc, tc.tenant.BucketPrefix, physical, prefix)
}

// SetBucketPolicy implements Policies.
func (m *MinIO) SetBucketPolicy(ctx context.Context, bucket, prefix string, policy bucketpolicy.Canned) (BucketPolicy, error) {
	if err := policy.CheckSettable(); err != nil {
		return BucketPolicy{}, err
	}
	tc, physical, err := m.policyTarget(ctx, bucket, prefix)
	if err != nil {
		return BucketPolicy{}, err
	}
	if err := m.setCannedPolicy(ctx, tc, bucket, physical, prefix, policy); err != nil {
		return BucketPolicy{}, err
	}
	return m.GetBucketPolicy(ctx, bucket, prefix)
}

// setCannedPolicy is the read-modify-write of one prefix's canned grant.
func (m *MinIO) setCannedPolicy(ctx context.Context, tc *tenantClient, bucket, physical, prefix string, policy bucketpolicy.Canned) error {
	unlock, err := m.lockPolicy(ctx, bucket, physical)
	if err != nil {
		return err
	}
	defer unlock()
	doc, err := m.readPolicy(ctx, tc, bucket, physical)
	if err != nil {
		return err
	}
	doc = bucketpolicy.SetCanned(doc, physical, prefix, policy)
	return m.writePolicy(ctx, tc, bucket, physical, doc)
}

// SetBucketPolicyDocument implements Policies.
func (m *MinIO) SetBucketPolicyDocument(ctx context.Context, bucket string, raw json.RawMessage) (BucketPolicy, error) {
	tc, physical, err := m.policyTarget(ctx, bucket, "")
	if err != nil {
		return BucketPolicy{}, err
	}
	doc, err := bucketpolicy.Parse(raw)
	if err != nil {
		return BucketPolicy{}, err
	}
	if err := doc.ToPhysical(bucket, physical); err != nil {
		return BucketPolicy{}, err
	}
	if err := m.replacePolicy(ctx, tc, bucket, physical, doc); err != nil {
		return BucketPolicy{}, err
	}
	return m.GetBucketPolicy(ctx, bucket, "")
}

// RemoveBucketPolicy implements Policies.
func (m *MinIO) RemoveBucketPolicy(ctx context.Context, bucket string) error {
	tc, physical, err := m.policyTarget(ctx, bucket, "")
	if err != nil {
		return err
	}
	return m.replacePolicy(ctx, tc, bucket, physical, nil)
}

// replacePolicy stores doc in place of the bucket's policy, in turn with
// the other writes of it.
func (m *MinIO) replacePolicy(ctx context.Context, tc *tenantClient, bucket, physical string, doc *bucketpolicy.Document) error {
	unlock, err := m.lockPolicy(ctx, bucket, physical)
	if err != nil {
		return err
	}
	defer unlock()
	return m.writePolicy(ctx, tc, bucket, physical, doc)
}

// lockPolicy waits for the turn of this process to write the policy of
// bucket physical; the caller must call unlock when done.
func (m *MinIO) lockPolicy(ctx context.Context, bucket, physical string) (unlock func(), err error) {
	unlock, err = m.policyLocks.lock(ctx, physical)
	if err != nil {
		return nil, translate(err, bucket, "")
	}
	return unlock, nil
}

func (m *MinIO) policyTarget(ctx context.Context, bucket, prefix string) (*tenantClient, string, error) {
	tc, err := m.tenantFor(ctx)
	if err != nil {
		return nil, "", err
	}
	physical, err := physicalBucket(tc.tenant, bucket)
	if err != nil {
		return nil, "", err
	}
	if err := validatePolicyPrefix(prefix); err != nil {
		return nil, "", err
	}
	return tc, physical, nil
}

// validatePolicyPrefix checks the prefix a canned policy applies to: an
// object name prefix that the policy language will not read as a pattern.
func validatePolicyPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if err := ValidateObjectName(prefix); err != nil {
		return errs.Wrap(err, errs.InvalidArgument, "prefix must be valid UTF-8 of at most %d bytes, without NUL or '.' and '..' segments", MaxObjectNameBytes)
	}
	return bucketpolicy.ValidatePrefix(prefix)
}

// readPolicy returns the stored document with the store's names, nil when
// the bucket has none.
func (m *MinIO) readPolicy(ctx context.Context, tc *tenantClient, bucket, physical string) (*bucketpolicy.Document, error) {
	cctx, cancel := m.callContext(ctx)
	defer cancel()
	text, err := tc.client.GetBucketPolicy(cctx, physical)
	if err != nil {
		return nil, translate(err, bucket, "")
	}
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	doc, err := bucketpolicy.ParseStored([]byte(text))
	if err != nil {
		return nil, errs.Wrap(err, errs.InternalError, "the stored policy of bucket %q could not be read", bucket)
	}
	return doc, nil
}

// writePolicy stores doc, or deletes the policy when doc is nil or has no
// statements. Callers hold the bucket's policy lock.
func (m *MinIO) writePolicy(ctx context.Context, tc *tenantClient, bucket, physical string, doc *bucketpolicy.Document) error {
	text, err := bucketpolicy.Marshal(doc)
	if err != nil {
		return errs.Wrap(err, errs.InternalError, "internal error")
	}
	cctx, cancel := m.callContext(ctx)
	defer cancel()
	err = tc.client.SetBucketPolicy(cctx, physical, string(text))
	if err == nil {
		return nil
	}
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		switch {
		case resp.Code == minio.NoSuchBucketPolicy:
			return nil // already private
		case resp.Code != "NoSuchBucket" && resp.StatusCode == http.StatusBadRequest:
			return errs.Wrap(err, errs.InvalidPolicyDocument, "the object store refused the policy of bucket %q as invalid", bucket)
		}
	}
	return translate(err, bucket, "")
}

// policyView is what GetBucketPolicy reports for prefix, from the stored
// document (nil: none) of the tenant's bucket physical.
func policyView(doc *bucketpolicy.Document, bucketPrefix, physical, prefix string) (BucketPolicy, error) {
	view := BucketPolicy{Prefix: prefix, Policy: bucketpolicy.Effective(doc, physical, prefix)}
	if doc == nil {
		return view, nil
	}
	doc.ToLogical(bucketPrefix)
	b, err := json.Marshal(doc)
	if err != nil {
		return BucketPolicy{}, errs.Wrap(err, errs.InternalError, "internal error")
	}
	view.Document = b
	return view, nil
}
