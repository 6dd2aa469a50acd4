package service

import (
	"context"
	"encoding/json"
	"strings"

	"s3gateway/errs"
	"s3gateway/service/bucketpolicy"
)

// Bucket policies. The model of the documents and of the canned grants is
// package bucketpolicy; this file reads and writes them in the store.
//
// The store holds one document per bucket and has no conditional write, so
// a canned change is a read-modify-write that could lose a concurrent
// change of another prefix. The writes of one bucket's policy are therefore
// serialized (Gateway.policyLocks), but only within this process: across
// several gateway replicas, concurrent changes of one bucket can still race
// and one of them be lost.

// GetBucketPolicy implements Policies.
func (g *Gateway) GetBucketPolicy(ctx context.Context, bucket, prefix string) (BucketPolicy, error) {
	t, c, err := g.tenantFor(ctx)
	if err != nil {
		return BucketPolicy{}, err
	}
	_, physical, err := g.policyTarget(ctx, bucket, prefix)
	if err != nil {
		return BucketPolicy{}, err
	}
	doc, err := g.readPolicy(ctx, c, bucket, physical)
	if err != nil {
		return BucketPolicy{}, err
	}
	return policyView(doc, t.BucketPrefix, physical, prefix)
}

// SetBucketPolicy implements Policies.
func (g *Gateway) SetBucketPolicy(ctx context.Context, bucket, prefix string, policy bucketpolicy.Canned) (BucketPolicy, error) {
	if err := policy.CheckSettable(); err != nil {
		return BucketPolicy{}, err
	}
	c, physical, err := g.policyTarget(ctx, bucket, prefix)
	if err != nil {
		return BucketPolicy{}, err
	}
	if err := g.setCannedPolicy(ctx, c, bucket, physical, prefix, policy); err != nil {
		return BucketPolicy{}, err
	}
	return g.GetBucketPolicy(ctx, bucket, prefix)
}

// setCannedPolicy is the read-modify-write of one prefix's canned grant.
func (g *Gateway) setCannedPolicy(ctx context.Context, c StoreClient, bucket, physical, prefix string, policy bucketpolicy.Canned) error {
	unlock, err := g.lockPolicy(ctx, bucket, physical)
	if err != nil {
		return err
	}
	defer unlock()
	doc, err := g.readPolicy(ctx, c, bucket, physical)
	if err != nil {
		return err
	}
	doc = bucketpolicy.SetCanned(doc, physical, prefix, policy)
	return g.writePolicy(ctx, c, physical, doc)
}

// SetBucketPolicyDocument implements Policies.
func (g *Gateway) SetBucketPolicyDocument(ctx context.Context, bucket string, raw json.RawMessage) (BucketPolicy, error) {
	c, physical, err := g.policyTarget(ctx, bucket, "")
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
	if err := g.replacePolicy(ctx, c, bucket, physical, doc); err != nil {
		return BucketPolicy{}, err
	}
	return g.GetBucketPolicy(ctx, bucket, "")
}

// RemoveBucketPolicy implements Policies.
func (g *Gateway) RemoveBucketPolicy(ctx context.Context, bucket string) error {
	c, physical, err := g.policyTarget(ctx, bucket, "")
	if err != nil {
		return err
	}
	return g.replacePolicy(ctx, c, bucket, physical, nil)
}

// replacePolicy stores doc in place of the bucket's policy, in turn with
// the other writes of it.
func (g *Gateway) replacePolicy(ctx context.Context, c StoreClient, bucket, physical string, doc *bucketpolicy.Document) error {
	unlock, err := g.lockPolicy(ctx, bucket, physical)
	if err != nil {
		return err
	}
	defer unlock()
	return g.writePolicy(ctx, c, physical, doc)
}

// lockPolicy waits for the turn of this process to write the policy of
// bucket physical; the caller must call unlock when done.
func (g *Gateway) lockPolicy(ctx context.Context, bucket, physical string) (unlock func(), err error) {
	unlock, err = g.policyLocks.lock(ctx, physical)
	if err != nil {
		return nil, ContextError(err)
	}
	return unlock, nil
}

func (g *Gateway) policyTarget(ctx context.Context, bucket, prefix string) (StoreClient, string, error) {
	c, physical, err := g.bucketTarget(ctx, bucket)
	if err != nil {
		return nil, "", err
	}
	if err := validatePolicyPrefix(prefix); err != nil {
		return nil, "", err
	}
	return c, physical, nil
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
func (g *Gateway) readPolicy(ctx context.Context, c StoreClient, bucket, physical string) (*bucketpolicy.Document, error) {
	text, err := c.GetBucketPolicy(ctx, physical)
	if err != nil {
		return nil, err
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
func (g *Gateway) writePolicy(ctx context.Context, c StoreClient, physical string, doc *bucketpolicy.Document) error {
	text, err := bucketpolicy.Marshal(doc)
	if err != nil {
		return errs.Wrap(err, errs.InternalError, "internal error")
	}
	return c.SetBucketPolicy(ctx, physical, string(text))
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
