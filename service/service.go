// Package service is the gateway's object-store contract and its MinIO
// implementation.
//
// Every method takes the tenant from ctx (access.NewContext, set by the auth
// middleware) and talks to the store with that tenant's own credentials.
// Bucket names in and out are the tenant's logical names; the mapping to
// physical names (the tenant's prefix added) happens only inside this
// package. Every error returned is an *errs.Error whose message is safe to
// show a client.
package service

import (
	"context"
	"encoding/json"
	"io"

	"s3gateway/service/bucketpolicy"
)

// Service is everything the HTTP layer needs from the store.
type Service interface {
	Buckets
	Objects
	Uploads
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
	RemoveObject(ctx context.Context, bucket, name string) error
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
	// other prefixes' grants. bucketpolicy.None removes the prefix's grants;
	// bucketpolicy.Custom, or any other value, is an InvalidArgument error.
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
	// ListenBucket checks the bucket and starts listening. The channel
	// delivers events (and notices when the store's stream drops and is
	// resumed) until ctx ends; then the backend listener is gone and the
	// channel is closed.
	ListenBucket(ctx context.Context, bucket string, filter EventFilter) (<-chan StreamItem, error)
}

// Presigner makes URLs and forms that reach the store directly, signed with
// the tenant's credentials, for the public store URL.
type Presigner interface {
	PresignObject(ctx context.Context, req PresignRequest) (PresignedURL, error)
	PresignPost(ctx context.Context, req PostPolicyRequest) (PresignedPost, error)
}
