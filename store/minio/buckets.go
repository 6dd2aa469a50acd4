package miniostore

import (
	"context"

	"github.com/minio/minio-go/v7"

	"s3gateway/service"
)

// ListBuckets implements service.StoreClient.
func (c *client) ListBuckets(ctx context.Context) ([]service.Bucket, error) {
	cctx, cancel := c.callContext(ctx)
	defer cancel()
	infos, err := c.mc.ListBuckets(cctx)
	if err != nil {
		return nil, translate(err, "", "")
	}
	out := make([]service.Bucket, 0, len(infos))
	for _, b := range infos {
		out = append(out, service.Bucket{Name: b.Name, Region: b.BucketRegion, CreationDate: b.CreationDate.UTC()})
	}
	return out, nil
}

// MakeBucket implements service.StoreClient.
func (c *client) MakeBucket(ctx context.Context, bucket, region string) (string, error) {
	if region == "" {
		region = c.s.cfg.Region
	}
	cctx, cancel := c.callContext(ctx)
	defer cancel()
	if err := c.mc.MakeBucket(cctx, bucket, minio.MakeBucketOptions{Region: region}); err != nil {
		return "", c.translate(err, bucket, "")
	}
	return region, nil
}

// BucketExists implements service.StoreClient.
func (c *client) BucketExists(ctx context.Context, bucket string) (bool, error) {
	cctx, cancel := c.callContext(ctx)
	defer cancel()
	ok, err := c.mc.BucketExists(cctx, bucket)
	if err != nil {
		return false, c.translate(err, bucket, "")
	}
	return ok, nil
}

// RemoveBucket implements service.StoreClient.
func (c *client) RemoveBucket(ctx context.Context, bucket string) error {
	cctx, cancel := c.callContext(ctx)
	defer cancel()
	return c.translate(c.mc.RemoveBucket(cctx, bucket), bucket, "")
}
