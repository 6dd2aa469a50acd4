package miniostore

import (
	"context"
	"net/url"
	"time"

	"github.com/minio/minio-go/v7"

	"s3gateway/errs"
	"s3gateway/service"
)

// filenameVariable in a POST form's key is replaced by the store with the
// uploaded file's name.
const filenameVariable = "${filename}"

// PresignGet implements service.StoreClient. Signing needs no call to the
// store: the presign client has its region set. The URL is signed by the
// tenant's read identity, which can do nothing but get objects.
func (c *client) PresignGet(ctx context.Context, bucket, name string, expires time.Duration, query url.Values) (*url.URL, error) {
	u, err := c.presignRead.PresignedGetObject(ctx, bucket, name, expires, query)
	if err != nil {
		return nil, c.translate(err, bucket, name)
	}
	return u, nil
}

// PresignPut implements service.StoreClient. The URL is signed by the
// tenant's upload identity, which cannot read objects: a copy source added
// to the request is refused by the store.
func (c *client) PresignPut(ctx context.Context, bucket, name string, expires time.Duration) (*url.URL, error) {
	u, err := c.presignUpload.PresignedPutObject(ctx, bucket, name, expires)
	if err != nil {
		return nil, c.translate(err, bucket, name)
	}
	return u, nil
}

// PresignPost implements service.StoreClient. For a NamePrefix the form's
// key is NamePrefix followed by ${filename}, which the store replaces with
// the uploaded file's name.
func (c *client) PresignPost(ctx context.Context, req service.PostPolicy) (*url.URL, map[string]string, error) {
	p := minio.NewPostPolicy()
	steps := []func() error{
		func() error { return p.SetBucket(req.Bucket) },
		func() error { return p.SetExpires(req.ExpiresAt) },
	}
	if req.Name != "" {
		steps = append(steps, func() error { return p.SetKey(req.Name) })
	} else {
		steps = append(steps, func() error { return p.SetKeyStartsWith(req.NamePrefix) })
	}
	if req.ContentType != "" {
		steps = append(steps, func() error { return p.SetContentType(req.ContentType) })
	}
	if req.MaxSize > 0 {
		steps = append(steps, func() error { return p.SetContentLengthRange(req.MinSize, req.MaxSize) })
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, nil, errs.Wrap(err, errs.InvalidArgument, "the upload conditions are invalid")
		}
	}
	u, form, err := c.presignUpload.PresignedPostPolicy(ctx, p)
	if err != nil {
		return nil, nil, c.translate(err, req.Bucket, req.Name)
	}
	if req.NamePrefix != "" {
		form["key"] = req.NamePrefix + filenameVariable
	}
	return u, form, nil
}
