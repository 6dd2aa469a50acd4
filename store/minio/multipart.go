package miniostore

import (
	"context"

	"s3gateway/service"
)

// ListMultipartUploads implements service.StoreClient: it lists the
// store's incomplete uploads for prefix, page by page, without a delimiter.
func (c *client) ListMultipartUploads(ctx context.Context, bucket, prefix string) ([]service.IncompleteUpload, error) {
	var out []service.IncompleteUpload
	var keyMarker, uploadIDMarker string
	for {
		cctx, cancel := c.callContext(ctx)
		res, err := c.core.ListMultipartUploads(cctx, bucket, prefix, keyMarker, uploadIDMarker, "", 1000)
		cancel()
		if err != nil {
			return nil, c.translate(err, bucket, "")
		}
		for _, u := range res.Uploads {
			out = append(out, service.IncompleteUpload{Name: u.Key, UploadID: u.UploadID, Initiated: u.Initiated.UTC()})
		}
		if !res.IsTruncated || (res.NextKeyMarker == keyMarker && res.NextUploadIDMarker == uploadIDMarker) {
			return out, nil
		}
		keyMarker, uploadIDMarker = res.NextKeyMarker, res.NextUploadIDMarker
	}
}

// UploadedSize implements service.StoreClient.
func (c *client) UploadedSize(ctx context.Context, bucket, name, uploadID string) (int64, error) {
	var size int64
	marker := 0
	for {
		cctx, cancel := c.callContext(ctx)
		res, err := c.core.ListObjectParts(cctx, bucket, name, uploadID, marker, 1000)
		cancel()
		if err != nil {
			return 0, c.translate(err, bucket, name)
		}
		for _, p := range res.ObjectParts {
			size += p.Size
		}
		if !res.IsTruncated || res.NextPartNumberMarker <= marker {
			return size, nil
		}
		marker = res.NextPartNumberMarker
	}
}

// AbortMultipartUpload implements service.StoreClient.
func (c *client) AbortMultipartUpload(ctx context.Context, bucket, name, uploadID string) error {
	cctx, cancel := c.callContext(ctx)
	defer cancel()
	return c.translate(c.core.AbortMultipartUpload(cctx, bucket, name, uploadID), bucket, name)
}
