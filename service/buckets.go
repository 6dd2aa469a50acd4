package service

import (
	"context"
	"sort"

	"github.com/minio/minio-go/v7"

	"s3gateway/errs"
)

// ListBuckets lists the tenant's buckets by their logical names, sorted.
// The store lists to a tenant's user only the buckets its policy covers; the
// prefix filter keeps the result right even when the policy is broader.
func (m *MinIO) ListBuckets(ctx context.Context) ([]Bucket, error) {
	tc, err := m.tenantFor(ctx)
	if err != nil {
		return nil, err
	}
	cctx, cancel := m.callContext(ctx)
	defer cancel()
	infos, err := tc.client.ListBuckets(cctx)
	if err != nil {
		// A tenant's store user may list only the buckets its policy
		// reaches (it is not granted s3:ListAllMyBuckets, which would show
		// every tenant's bucket names); MinIO answers AccessDenied when
		// that is none of them.
		if errs.CodeOf(translate(err, "", "")) == errs.AccessDenied {
			return []Bucket{}, nil
		}
		return nil, translate(err, "", "")
	}
	out := make([]Bucket, 0, len(infos))
	for _, b := range infos {
		name, ok := logicalBucket(tc.tenant, b.Name)
		if !ok {
			continue
		}
		out = append(out, Bucket{Name: name, Region: b.BucketRegion, CreationDate: b.CreationDate.UTC()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// MakeBucket creates a bucket in region (the configured region when empty).
// A bucket that exists already, the tenant's own included, is a conflict.
func (m *MinIO) MakeBucket(ctx context.Context, name, region string) (Bucket, error) {
	tc, err := m.tenantFor(ctx)
	if err != nil {
		return Bucket{}, err
	}
	phys, err := physicalBucket(tc.tenant, name)
	if err != nil {
		return Bucket{}, err
	}
	if region == "" {
		region = m.cfg.Region
	}
	if !validRegion(region) {
		return Bucket{}, errs.New(errs.InvalidArgument, "region %q is invalid", region)
	}
	cctx, cancel := m.callContext(ctx)
	defer cancel()
	if err := tc.client.MakeBucket(cctx, phys, minio.MakeBucketOptions{Region: region}); err != nil {
		return Bucket{}, translate(err, name, "")
	}
	return Bucket{Name: name, Region: region}, nil
}

// BucketExists reports whether the tenant has a bucket called name.
func (m *MinIO) BucketExists(ctx context.Context, name string) (bool, error) {
	tc, err := m.tenantFor(ctx)
	if err != nil {
		return false, err
	}
	phys, err := physicalBucket(tc.tenant, name)
	if err != nil {
		return false, err
	}
	cctx, cancel := m.callContext(ctx)
	defer cancel()
	ok, err := tc.client.BucketExists(cctx, phys)
	if err != nil {
		return false, translate(err, name, "")
	}
	return ok, nil
}

// RemoveBucket removes an empty bucket.
func (m *MinIO) RemoveBucket(ctx context.Context, name string) error {
	tc, err := m.tenantFor(ctx)
	if err != nil {
		return err
	}
	phys, err := physicalBucket(tc.tenant, name)
	if err != nil {
		return err
	}
	cctx, cancel := m.callContext(ctx)
	defer cancel()
	return translate(tc.client.RemoveBucket(cctx, phys), name, "")
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
