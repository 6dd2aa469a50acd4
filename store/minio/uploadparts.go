package miniostore

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/minio/minio-go/v7"

	"s3gateway/errs"
	"s3gateway/internal/httpsyntax"
	"s3gateway/service"
)

// The store side of resumable uploads: uploads the client fills with parts
// it PUTs to presigned URLs, started, listed, completed and aborted here.

// NewMultipartUpload implements service.StoreClient.
func (c *client) NewMultipartUpload(ctx context.Context, bucket, name string, opts service.PutOptions) (string, error) {
	cctx, cancel := c.callContext(ctx)
	defer cancel()
	id, err := c.core.NewMultipartUpload(cctx, bucket, name, minio.PutObjectOptions{
		ContentType: opts.ContentType, UserMetadata: metadataHeaders(opts.Metadata),
	})
	if err != nil {
		return "", c.translate(err, bucket, name)
	}
	return id, nil
}

// ListUploadParts implements service.StoreClient: every part the store
// holds for the upload, by part number, page by page.
func (c *client) ListUploadParts(ctx context.Context, bucket, name, uploadID string) ([]service.UploadPart, error) {
	var out []service.UploadPart
	marker := 0
	for {
		cctx, cancel := c.callContext(ctx)
		res, err := c.core.ListObjectParts(cctx, bucket, name, uploadID, marker, 1000)
		cancel()
		if err != nil {
			return nil, c.translate(err, bucket, name)
		}
		for _, p := range res.ObjectParts {
			out = append(out, service.UploadPart{PartNumber: p.PartNumber, ETag: httpsyntax.TrimETag(p.ETag), Size: p.Size})
		}
		if !res.IsTruncated || res.NextPartNumberMarker <= marker {
			return out, nil
		}
		marker = res.NextPartNumberMarker
	}
}

// CompleteMultipartUpload implements service.StoreClient. size is what the
// parts add up to, reported back as the object's size.
func (c *client) CompleteMultipartUpload(ctx context.Context, bucket, name, uploadID string, parts []service.UploadPart) (service.UploadResult, error) {
	complete := make([]minio.CompletePart, len(parts))
	var size int64
	for i, p := range parts {
		complete[i] = minio.CompletePart{PartNumber: p.PartNumber, ETag: p.ETag}
		size += p.Size
	}
	cctx, cancel := c.callContext(ctx)
	defer cancel()
	info, err := c.core.CompleteMultipartUpload(cctx, bucket, name, uploadID, complete, minio.PutObjectOptions{})
	if err != nil {
		return service.UploadResult{}, c.translate(err, bucket, name)
	}
	return service.UploadResult{Name: name, ETag: httpsyntax.TrimETag(info.ETag), Size: size, VersionID: info.VersionID}, nil
}

// PresignUploadPart implements service.StoreClient: a PUT of exactly one
// part of one upload, both named in the signed query.
func (c *client) PresignUploadPart(ctx context.Context, bucket, name, uploadID string, partNumber int, expires time.Duration) (*url.URL, error) {
	return c.presignS3(ctx, service.S3Request{
		Method: http.MethodPut, Bucket: bucket, Name: name, Expires: expires,
		Query: url.Values{"partNumber": {strconv.Itoa(partNumber)}, "uploadId": {uploadID}},
	})
}

// PresignS3 implements service.StoreClient.
func (c *client) PresignS3(ctx context.Context, req service.S3Request) (*url.URL, error) {
	return c.presignS3(ctx, req)
}

// presignS3 signs one S3 request for the public store URL; the query and
// the headers are part of the signature. Every upload URL is signed here,
// with the client that signs presigned PUTs, so they share its identity.
func (c *client) presignS3(ctx context.Context, req service.S3Request) (*url.URL, error) {
	u, err := c.uploadPresigner().PresignHeader(ctx, req.Method, req.Bucket, req.Name, req.Expires, req.Query, req.Headers)
	if err != nil {
		return nil, c.translate(err, req.Bucket, req.Name)
	}
	if u == nil {
		return nil, errs.New(errs.InternalError, "internal error")
	}
	return u, nil
}

// uploadPresigner is the client that signs writes for the public URL: the
// one place presigned uploads take their identity from.
func (c *client) uploadPresigner() *minio.Client { return c.presignUpload }
