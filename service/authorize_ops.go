package service

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"

	"s3gateway/access"
	"s3gateway/service/bucketpolicy"
)

var _ Service = (*authorizer)(nil)

func (a *authorizer) Ready(ctx context.Context) error { return a.inner.Ready(ctx) }

// ListBuckets lists only the credential's buckets when it names some.
func (a *authorizer) ListBuckets(ctx context.Context) ([]Bucket, error) {
	p, err := allow(ctx, "ListBuckets", "")
	if err != nil {
		return nil, err
	}
	bs, err := a.inner.ListBuckets(ctx)
	if err != nil || len(p.Buckets) == 0 {
		return bs, err
	}
	return slices.DeleteFunc(bs, func(b Bucket) bool { return !p.AllowsBucket(b.Name) }), nil
}

func (a *authorizer) MakeBucket(ctx context.Context, name, region string) (Bucket, error) {
	if _, err := allow(ctx, "MakeBucket", name); err != nil {
		return Bucket{}, err
	}
	return a.inner.MakeBucket(ctx, name, region)
}

func (a *authorizer) BucketExists(ctx context.Context, name string) (bool, error) {
	if _, err := allow(ctx, "BucketExists", name); err != nil {
		return false, err
	}
	return a.inner.BucketExists(ctx, name)
}

func (a *authorizer) RemoveBucket(ctx context.Context, name string) error {
	if _, err := allow(ctx, "RemoveBucket", name); err != nil {
		return err
	}
	return a.inner.RemoveBucket(ctx, name)
}

func (a *authorizer) ListObjects(ctx context.Context, bucket string, opts ListOptions) (ListPage, error) {
	p, err := allow(ctx, "ListObjects", bucket)
	if err != nil {
		return ListPage{}, err
	}
	if opts.Prefix, err = confinePrefix(p, opts.Prefix); err != nil {
		return ListPage{}, err
	}
	return a.inner.ListObjects(ctx, bucket, opts)
}

// objectAllowed checks op's scope on bucket and the name's prefix.
func objectAllowed(ctx context.Context, op, bucket, name string) error {
	p, err := allow(ctx, op, bucket)
	if err != nil {
		return err
	}
	return allowName(p, name)
}

func (a *authorizer) PutObject(ctx context.Context, bucket, name string, body io.Reader, opts PutOptions) (UploadResult, error) {
	if err := objectAllowed(ctx, "PutObject", bucket, name); err != nil {
		return UploadResult{}, err
	}
	return a.inner.PutObject(ctx, bucket, name, body, opts)
}

func (a *authorizer) GetObject(ctx context.Context, bucket, name string, opts GetOptions) (*Object, error) {
	if err := objectAllowed(ctx, "GetObject", bucket, name); err != nil {
		return nil, err
	}
	return a.inner.GetObject(ctx, bucket, name, opts)
}

func (a *authorizer) StatObject(ctx context.Context, bucket, name string) (ObjectInfo, error) {
	if err := objectAllowed(ctx, "StatObject", bucket, name); err != nil {
		return ObjectInfo{}, err
	}
	return a.inner.StatObject(ctx, bucket, name)
}

func (a *authorizer) RemoveObject(ctx context.Context, bucket, name string) error {
	if err := objectAllowed(ctx, "RemoveObject", bucket, name); err != nil {
		return err
	}
	return a.inner.RemoveObject(ctx, bucket, name)
}

func (a *authorizer) RemoveObjectWith(ctx context.Context, bucket, name string, opts RemoveOptions) error {
	if err := objectAllowed(ctx, "RemoveObjectWith", bucket, name); err != nil {
		return err
	}
	return a.inner.RemoveObjectWith(ctx, bucket, name, opts)
}

func (a *authorizer) HeadObject(ctx context.Context, bucket, name string, opts GetOptions) (*Object, error) {
	if err := objectAllowed(ctx, "HeadObject", bucket, name); err != nil {
		return nil, err
	}
	return a.inner.HeadObject(ctx, bucket, name, opts)
}

// RemoveObjects refuses the whole batch when one name is outside the
// credential's prefix: nothing is deleted.
func (a *authorizer) RemoveObjects(ctx context.Context, bucket string, names []string) (DeleteResult, error) {
	p, err := allow(ctx, "RemoveObjects", bucket)
	if err != nil {
		return DeleteResult{}, err
	}
	for _, n := range names {
		if err := allowName(p, n); err != nil {
			return DeleteResult{}, err
		}
	}
	return a.inner.RemoveObjects(ctx, bucket, names)
}

// CopyObject needs read on the source and write on the target, both
// within the credential's buckets and prefix.
func (a *authorizer) CopyObject(ctx context.Context, req CopyRequest) (CopyResult, error) {
	p, err := allowScope(ctx, access.ObjectsRead, req.Source.Bucket)
	if err != nil {
		return CopyResult{}, err
	}
	if err := allowName(p, req.Source.Name); err != nil {
		return CopyResult{}, err
	}
	if err := objectAllowed(ctx, "CopyObject", req.Destination.Bucket, req.Destination.Name); err != nil {
		return CopyResult{}, err
	}
	return a.inner.CopyObject(ctx, req)
}

func (a *authorizer) ListIncompleteUploads(ctx context.Context, bucket, prefix string, recursive bool) ([]IncompleteUpload, error) {
	p, err := allow(ctx, "ListIncompleteUploads", bucket)
	if err != nil {
		return nil, err
	}
	if prefix, err = confinePrefix(p, prefix); err != nil {
		return nil, err
	}
	return a.inner.ListIncompleteUploads(ctx, bucket, prefix, recursive)
}

func (a *authorizer) RemoveIncompleteUpload(ctx context.Context, bucket, name string) error {
	if err := objectAllowed(ctx, "RemoveIncompleteUpload", bucket, name); err != nil {
		return err
	}
	return a.inner.RemoveIncompleteUpload(ctx, bucket, name)
}

func (a *authorizer) GetBucketPolicy(ctx context.Context, bucket, prefix string) (BucketPolicy, error) {
	if _, err := allow(ctx, "GetBucketPolicy", bucket); err != nil {
		return BucketPolicy{}, err
	}
	return a.inner.GetBucketPolicy(ctx, bucket, prefix)
}

func (a *authorizer) SetBucketPolicy(ctx context.Context, bucket, prefix string, policy bucketpolicy.Canned) (BucketPolicy, error) {
	if _, err := allow(ctx, "SetBucketPolicy", bucket); err != nil {
		return BucketPolicy{}, err
	}
	return a.inner.SetBucketPolicy(ctx, bucket, prefix, policy)
}

func (a *authorizer) SetBucketPolicyDocument(ctx context.Context, bucket string, doc json.RawMessage) (BucketPolicy, error) {
	if _, err := allow(ctx, "SetBucketPolicyDocument", bucket); err != nil {
		return BucketPolicy{}, err
	}
	return a.inner.SetBucketPolicyDocument(ctx, bucket, doc)
}

func (a *authorizer) RemoveBucketPolicy(ctx context.Context, bucket string) error {
	if _, err := allow(ctx, "RemoveBucketPolicy", bucket); err != nil {
		return err
	}
	return a.inner.RemoveBucketPolicy(ctx, bucket)
}

func (a *authorizer) GetBucketNotification(ctx context.Context, bucket string) (NotificationConfig, error) {
	if _, err := allow(ctx, "GetBucketNotification", bucket); err != nil {
		return NotificationConfig{}, err
	}
	return a.inner.GetBucketNotification(ctx, bucket)
}

func (a *authorizer) SetBucketNotification(ctx context.Context, bucket string, cfg NotificationConfig) (NotificationConfig, error) {
	if _, err := allow(ctx, "SetBucketNotification", bucket); err != nil {
		return NotificationConfig{}, err
	}
	return a.inner.SetBucketNotification(ctx, bucket, cfg)
}

func (a *authorizer) RemoveBucketNotification(ctx context.Context, bucket string) error {
	if _, err := allow(ctx, "RemoveBucketNotification", bucket); err != nil {
		return err
	}
	return a.inner.RemoveBucketNotification(ctx, bucket)
}

// ListenBucket narrows the stream's filter to the credential's prefix: a
// filter outside it is refused, a wider one (or none) becomes the prefix.
func (a *authorizer) ListenBucket(ctx context.Context, bucket string, filter EventFilter) (<-chan StreamItem, error) {
	p, err := allow(ctx, "ListenBucket", bucket)
	if err != nil {
		return nil, err
	}
	if !p.Unlimited() && p.Prefix != "" && strings.HasPrefix(p.Prefix, filter.Prefix) {
		filter.Prefix = p.Prefix
	}
	if filter.Prefix, err = confinePrefix(p, filter.Prefix); err != nil {
		return nil, err
	}
	return a.inner.ListenBucket(ctx, bucket, filter)
}

// PresignObject needs read for GET and write for PUT, the name under the
// credential's prefix, and makes a URL that expires no later than the
// credential.
func (a *authorizer) PresignObject(ctx context.Context, req PresignRequest) (PresignedURL, error) {
	scope := operationScopes["PresignObject"]
	// A GET reads the object, unless it lists an upload's parts.
	if strings.EqualFold(req.Method, http.MethodGet) && req.UploadID == "" {
		scope = access.ObjectsRead
	}
	p, err := allowScope(ctx, scope, req.Bucket)
	if err != nil {
		return PresignedURL{}, err
	}
	if err := allowName(p, req.Name); err != nil {
		return PresignedURL{}, err
	}
	if req.Expires, err = clampExpiry(p, req.Expires); err != nil {
		return PresignedURL{}, err
	}
	return a.inner.PresignObject(ctx, req)
}

// PresignPost requires the form's name, or its name prefix, under the
// credential's prefix.
func (a *authorizer) PresignPost(ctx context.Context, req PostPolicyRequest) (PresignedPost, error) {
	p, err := allow(ctx, "PresignPost", req.Bucket)
	if err != nil {
		return PresignedPost{}, err
	}
	if req.Name != "" || req.NamePrefix == "" {
		err = allowName(p, req.Name)
	} else {
		_, err = confinePrefix(p, req.NamePrefix)
	}
	if err != nil {
		return PresignedPost{}, err
	}
	if req.Expires, err = clampExpiry(p, req.Expires); err != nil {
		return PresignedPost{}, err
	}
	return a.inner.PresignPost(ctx, req)
}
