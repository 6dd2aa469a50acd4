package miniostore

import (
	"context"
	"errors"
	"net/http"

	"github.com/minio/minio-go/v7"

	"s3gateway/errs"
)

// GetBucketPolicy implements service.StoreClient.
func (c *client) GetBucketPolicy(ctx context.Context, bucket string) (string, error) {
	cctx, cancel := c.callContext(ctx)
	defer cancel()
	text, err := c.mc.GetBucketPolicy(cctx, bucket)
	if err != nil {
		return "", c.translate(err, bucket, "")
	}
	return text, nil
}

// SetBucketPolicy implements service.StoreClient.
func (c *client) SetBucketPolicy(ctx context.Context, bucket, doc string) error {
	cctx, cancel := c.callContext(ctx)
	defer cancel()
	err := c.mc.SetBucketPolicy(cctx, bucket, doc)
	if err == nil {
		return nil
	}
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		switch {
		case resp.Code == minio.NoSuchBucketPolicy:
			return nil // already private
		case resp.Code != "NoSuchBucket" && resp.StatusCode == http.StatusBadRequest:
			return errs.Wrap(err, errs.InvalidPolicyDocument, "the object store refused the policy of bucket %q as invalid", c.logical(bucket))
		}
	}
	return c.translate(err, bucket, "")
}
