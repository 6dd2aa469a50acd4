package service

import (
	"context"
	"sort"

	"go.uber.org/zap"

	"s3gateway/internal/logctx"

	"s3gateway/errs"
)

// ListBuckets lists the tenant's buckets by their logical names, sorted.
// The store lists to a tenant's user only the buckets its policy covers; the
// prefix filter keeps the result right even when the policy is broader.
func (g *Gateway) ListBuckets(ctx context.Context) ([]Bucket, error) {
	t, c, err := g.tenantFor(ctx)
	if err != nil {
		return nil, err
	}
	stored, err := c.ListBuckets(ctx)
	if err != nil {
		// A tenant's store user may list only the buckets its policy
		// reaches (it is not granted s3:ListAllMyBuckets, which would show
		// every tenant's bucket names); the store answers AccessDenied when
		// that is none of them.
		if errs.CodeOf(err) == errs.AccessDenied {
			return []Bucket{}, nil
		}
		return nil, err
	}
	out := make([]Bucket, 0, len(stored))
	for _, b := range stored {
		name, ok := logicalBucket(t, b.Name)
		if !ok {
			continue
		}
		b.Name = name
		b.CreationDate = b.CreationDate.UTC()
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// MakeBucket creates a bucket in region (the store's region when empty).
// A bucket that exists already, the tenant's own included, is a conflict.
func (g *Gateway) MakeBucket(ctx context.Context, name, region string) (Bucket, error) {
	c, phys, err := g.bucketTarget(ctx, name)
	if err != nil {
		return Bucket{}, err
	}
	if region != "" && !validRegion(region) {
		return Bucket{}, errs.New(errs.InvalidArgument, "region %q is invalid", region)
	}
	region, err = c.MakeBucket(ctx, phys, region)
	if err != nil {
		return Bucket{}, err
	}
	// The gateway's event targets, at once so that events are kept from
	// the start; one attempt only (a store that has just started may not
	// know them yet): the bucket's first stream tries again.
	g.eventTargets.ready.Delete(phys)
	if err := g.ensureEventTargets(ctx, c, phys, false); err != nil {
		logctx.From(ctx).Info("the new bucket's event targets are not set yet", zap.String("bucket", name), zap.Error(err))
	}
	return Bucket{Name: name, Region: region}, nil
}

// BucketExists reports whether the tenant has a bucket called name.
func (g *Gateway) BucketExists(ctx context.Context, name string) (bool, error) {
	c, phys, err := g.bucketTarget(ctx, name)
	if err != nil {
		return false, err
	}
	return c.BucketExists(ctx, phys)
}

// RemoveBucket removes an empty bucket.
func (g *Gateway) RemoveBucket(ctx context.Context, name string) error {
	c, phys, err := g.bucketTarget(ctx, name)
	if err != nil {
		return err
	}
	if err := c.RemoveBucket(ctx, phys); err != nil {
		return err
	}
	g.eventTargets.ready.Delete(phys)
	return nil
}

// validRegion accepts region names as S3 stores spell them: letters, digits,
// '-' and '_', at most 64 characters.
func validRegion(r string) bool {
	if r == "" || len(r) > 64 {
		return false
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
