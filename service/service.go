// Package service is the gateway's tenant-aware object-store contract:
// what a tenant may ask for, checked, and carried out against a Store.
//
// Every method takes the tenant from ctx (access.NewContext, set by the auth
// middleware) and talks to the store with that tenant's own credentials.
// Bucket names in and out are the tenant's logical names; the mapping to
// physical names (the tenant's prefix added) happens only inside this
// package. Every error returned is an *errs.Error whose message is safe to
// show a client. The store itself is behind the Store interface (its MinIO
// implementation is package miniostore).
package service

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"s3gateway/access"
	"s3gateway/errs"
	"s3gateway/service/bucketpolicy"
)

// Service is everything the HTTP layer needs from the store.
type Service interface {
	Buckets
	Objects
	Uploads
	Multipart
	Policies
	Notifications
	Events
	Presigner
	Health
}

// Buckets manages a tenant's buckets.
type Buckets interface {
	ListBuckets(ctx context.Context) ([]Bucket, error)
	MakeBucket(ctx context.Context, name, region string) (Bucket, error)
	BucketExists(ctx context.Context, name string) (bool, error)
	RemoveBucket(ctx context.Context, name string) error
}

// Objects reads and writes objects in a tenant's buckets.
type Objects interface {
	ListObjects(ctx context.Context, bucket string, opts ListOptions) (ListPage, error)
	PutObject(ctx context.Context, bucket, name string, body io.Reader, opts PutOptions) (UploadResult, error)
	// GetObject opens an object for reading. The caller must close
	// Object.Body when it is not nil.
	GetObject(ctx context.Context, bucket, name string, opts GetOptions) (*Object, error)
	StatObject(ctx context.Context, bucket, name string) (ObjectInfo, error)
	// HeadObject is a GetObject without a body: Object.Body is nil.
	HeadObject(ctx context.Context, bucket, name string, opts GetOptions) (*Object, error)
	RemoveObject(ctx context.Context, bucket, name string) error
	// RemoveObjectWith is RemoveObject under a condition.
	RemoveObjectWith(ctx context.Context, bucket, name string, opts RemoveOptions) error
	RemoveObjects(ctx context.Context, bucket string, names []string) (DeleteResult, error)
	CopyObject(ctx context.Context, req CopyRequest) (CopyResult, error)
}

// Uploads manages incomplete multipart uploads.
type Uploads interface {
	ListIncompleteUploads(ctx context.Context, bucket, prefix string, recursive bool) ([]IncompleteUpload, error)
	RemoveIncompleteUpload(ctx context.Context, bucket, name string) error
}

// Health reports whether the store answers.
type Health interface {
	Ready(ctx context.Context) error
}

// Policies manages anonymous access to a tenant's buckets.
type Policies interface {
	// GetBucketPolicy reports the canned policy in effect for prefix ("" is
	// the whole bucket) and the stored document in the tenant's view.
	GetBucketPolicy(ctx context.Context, bucket, prefix string) (BucketPolicy, error)
	// SetBucketPolicy sets the canned policy of one prefix, keeping the
	// other prefixes' grants. bucketpolicy.None removes the prefix's grants.
	SetBucketPolicy(ctx context.Context, bucket, prefix string, policy bucketpolicy.Canned) (BucketPolicy, error)
	// SetBucketPolicyDocument stores a full bucket policy written in the
	// tenant's view (resources name the logical bucket) and reports the
	// whole-bucket view of it.
	SetBucketPolicyDocument(ctx context.Context, bucket string, doc json.RawMessage) (BucketPolicy, error)
	RemoveBucketPolicy(ctx context.Context, bucket string) error
}

// Notifications manages a bucket's notification configuration.
type Notifications interface {
	GetBucketNotification(ctx context.Context, bucket string) (NotificationConfig, error)
	SetBucketNotification(ctx context.Context, bucket string, cfg NotificationConfig) (NotificationConfig, error)
	RemoveBucketNotification(ctx context.Context, bucket string) error
}

// Events streams a bucket's events as they happen.
type Events interface {
	// ListenBucket checks the bucket and starts a stream from the event
	// engine: with filter.After, first the matching events after that id
	// (or a Reset item when they are no longer kept), then live ones. The
	// channel is closed when ctx ends or the engine closes.
	ListenBucket(ctx context.Context, bucket string, filter EventFilter) (<-chan StreamItem, error)
}

// Presigner makes URLs and forms that reach the store directly, signed with
// the tenant's credentials, for the public store URL.
type Presigner interface {
	PresignObject(ctx context.Context, req PresignRequest) (PresignedURL, error)
	PresignPost(ctx context.Context, req PostPolicyRequest) (PresignedPost, error)
}

// Gateway is the Service over a Store.
type Gateway struct {
	store Store
	// partSize is the part size suggested to resumable uploads;
	// maxUploadSize the largest object an upload may store (a PUT, a
	// presigned form without contentLengthRange, a completed resumable
	// upload).
	partSize      int64
	maxUploadSize int64
	// policyLocks serializes the policy writes of each physical bucket
	// within this process (see policy.go); its zero value is ready.
	policyLocks keyedMutex
	// events serves event streams; nil: streams answer 503.
	events       EventLog
	targets      EventTargets
	eventTargets eventTargetState
}

var _ Service = (*Gateway)(nil)

// New builds the service over store.
func New(store Store, opts ...Option) *Gateway {
	g := &Gateway{store: store, partSize: DefaultPartSize, maxUploadSize: MaxObjectSize}
	for _, o := range opts {
		o(g)
	}
	return g
}

// WithPartSize sets the part size suggested to resumable uploads, held
// within S3's part size limits.
func WithPartSize(n int64) Option {
	return func(g *Gateway) { g.partSize = min(max(n, MinPartSize), MaxPartSize) }
}

// WithMaxUploadSize sets the largest object an upload may store: a PUT, a
// presigned form without contentLengthRange and a completed resumable
// upload (at most MaxObjectSize; 0 or less: MaxObjectSize).
func WithMaxUploadSize(n int64) Option {
	return func(g *Gateway) {
		if n <= 0 || n > MaxObjectSize {
			n = MaxObjectSize
		}
		g.maxUploadSize = n
	}
}

// Ready implements Health: the store answers, and the event engine is
// ready (an error wrapping ErrEventsNotReady when it is not).
func (g *Gateway) Ready(ctx context.Context) error {
	if err := g.store.Ready(ctx); err != nil {
		return err
	}
	if g.events != nil {
		if err := g.events.Ready(ctx); err != nil {
			return fmt.Errorf("%w: %w", ErrEventsNotReady, err)
		}
	}
	return nil
}

// tenantFor returns the tenant in ctx and its store client.
func (g *Gateway) tenantFor(ctx context.Context) (*access.Tenant, StoreClient, error) {
	t, ok := access.FromContext(ctx)
	if !ok {
		return nil, nil, errs.New(errs.Unauthorized, "no tenant for this request")
	}
	c, ok := g.store.Client(t)
	if !ok {
		return nil, nil, errs.New(errs.Unauthorized, "unknown tenant")
	}
	return t, c, nil
}

// bucketTarget resolves the store client and the physical bucket of a call
// about a bucket.
func (g *Gateway) bucketTarget(ctx context.Context, bucket string) (StoreClient, string, error) {
	t, c, err := g.tenantFor(ctx)
	if err != nil {
		return nil, "", err
	}
	phys, err := physicalBucket(t, bucket)
	if err != nil {
		return nil, "", err
	}
	return c, phys, nil
}

// objectTarget resolves the store client and the physical bucket of a call
// about one object, checking both names before anything reaches the store.
func (g *Gateway) objectTarget(ctx context.Context, bucket, name string) (StoreClient, string, error) {
	c, phys, err := g.bucketTarget(ctx, bucket)
	if err != nil {
		return nil, "", err
	}
	if err := ValidateObjectName(name); err != nil {
		return nil, "", err
	}
	return c, phys, nil
}
