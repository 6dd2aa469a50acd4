package service

import (
	"context"
	"errors"
	"io"
	"net/url"
	"time"

	"s3gateway/access"
)

// Store is the object store as the service uses it. It speaks the store's
// (physical) bucket names; the tenant's names, their mapping and every
// check of what a tenant asks for are the service's.
//
// Every error a Store returns is an *errs.Error whose message is safe to
// show a client (it names buckets as the tenant knows them).
type Store interface {
	// Client is the store with t's own credentials; ok is false for a
	// tenant the store was not built for.
	Client(t *access.Tenant) (c StoreClient, ok bool)
	// Ready reports whether the store answers.
	Ready(ctx context.Context) error
}

// StoreClient is the store with one tenant's credentials. Bucket arguments
// are physical names. ObjectInfo, Object and the other results leave their
// Bucket field empty: the service names the bucket for the tenant.
type StoreClient interface {
	ListBuckets(ctx context.Context) ([]Bucket, error)
	// MakeBucket creates bucket in region (the store's own when empty) and
	// reports the region.
	MakeBucket(ctx context.Context, bucket, region string) (string, error)
	BucketExists(ctx context.Context, bucket string) (bool, error)
	RemoveBucket(ctx context.Context, bucket string) error

	// ListObjects returns, sorted by name, the first entries of a listing
	// after q.After: at most q.Limit, and more reports that others follow.
	ListObjects(ctx context.Context, bucket string, q ListQuery) (entries []ObjectInfo, more bool, err error)
	// PutObject stores body, streamed with bounded memory. opts is checked:
	// Size is -1 or within S3's limits, ContentType is set, Metadata keys
	// are HTTP tokens.
	PutObject(ctx context.Context, bucket, name string, body io.Reader, opts PutOptions) (UploadResult, error)
	GetObject(ctx context.Context, bucket, name string, opts GetOptions) (*Object, error)
	StatObject(ctx context.Context, bucket, name string) (ObjectInfo, error)
	RemoveObject(ctx context.Context, bucket, name string) error
	// RemoveObjects removes one batch of at most MaxDeleteBatch valid
	// names; failed holds the names that were not removed. err is the
	// failure of the whole batch.
	RemoveObjects(ctx context.Context, bucket string, names []string) (failed map[string]error, err error)
	// CopyObject copies on the store (in parts when the source is large);
	// the conditions are checked ETags.
	CopyObject(ctx context.Context, req CopyRequest) (CopyResult, error)

	// ListMultipartUploads lists every incomplete upload whose name starts
	// with prefix (Name, UploadID and Initiated are set).
	ListMultipartUploads(ctx context.Context, bucket, prefix string) ([]IncompleteUpload, error)
	// UploadedSize sums the parts of an upload uploaded so far.
	UploadedSize(ctx context.Context, bucket, name, uploadID string) (int64, error)
	AbortMultipartUpload(ctx context.Context, bucket, name, uploadID string) error

	// GetBucketPolicy returns the stored policy document, "" when none.
	GetBucketPolicy(ctx context.Context, bucket string) (string, error)
	// SetBucketPolicy stores a policy document; "" removes the policy.
	SetBucketPolicy(ctx context.Context, bucket, doc string) error

	GetBucketNotification(ctx context.Context, bucket string) (NotificationConfig, error)
	// SetBucketNotification stores a checked configuration.
	SetBucketNotification(ctx context.Context, bucket string, cfg NotificationConfig) error
	RemoveBucketNotification(ctx context.Context, bucket string) error

	// PresignGet and PresignPut sign for the public store URL without a
	// store call; query overrides response headers of a GET.
	PresignGet(ctx context.Context, bucket, name string, expires time.Duration, query url.Values) (*url.URL, error)
	PresignPut(ctx context.Context, bucket, name string, expires time.Duration) (*url.URL, error)
	// PresignPost signs a checked POST policy whose key is the name or
	// starts with the name prefix.
	PresignPost(ctx context.Context, p PostPolicy) (*url.URL, map[string]string, error)

	// NewMultipartUpload starts an upload whose parts the client sends
	// to presigned URLs; opts' Size is ignored.
	NewMultipartUpload(ctx context.Context, bucket, name string, opts PutOptions) (uploadID string, err error)
	// ListUploadParts lists every part the store holds for an upload, by
	// part number; NoSuchUpload when there is no such upload of name.
	ListUploadParts(ctx context.Context, bucket, name, uploadID string) ([]UploadPart, error)
	// CompleteMultipartUpload joins checked parts (PartNumber, ETag and
	// Size set, ascending); the result's Size is the sum of their sizes.
	CompleteMultipartUpload(ctx context.Context, bucket, name, uploadID string, parts []UploadPart) (UploadResult, error)
	// PresignUploadPart signs a PUT of exactly one part of one upload.
	PresignUploadPart(ctx context.Context, bucket, name, uploadID string, partNumber int, expires time.Duration) (*url.URL, error)
	// PresignS3 signs one checked S3 request (the multipart operations
	// and a PUT with signed headers) for the public store URL.
	PresignS3(ctx context.Context, req S3Request) (*url.URL, error)
}

// MaxDeleteBatch is the most names S3 deletes in one request.
const MaxDeleteBatch = 1000

// ListQuery asks the store for the start of a listing.
type ListQuery struct {
	Prefix       string
	Recursive    bool
	After        string // entries up to and including After are left out
	Limit        int    // 1..MaxListLimit
	WithMetadata bool
	UseV1        bool
	// Token, when set, is where a PageLister resumes the listing (a
	// StorePage.Token of the same listing); After still applies.
	Token string
}

// PageLister is a StoreClient that can resume a listing from the store's
// own continuation token, so a page costs the same wherever it is in the
// bucket (a store resuming after a name may walk from the start). The
// service uses it when the store client has it.
type PageLister interface {
	ListPage(ctx context.Context, bucket string, q ListQuery) (StorePage, error)
}

// ErrUnknownTarget marks the store refusing a notification configuration
// because it names a target (ARN) the store does not have.
var ErrUnknownTarget = errors.New("the object store does not know the notification target")

// PostPolicy is a checked presigned POST on the store.
type PostPolicy struct {
	Bucket      string // physical
	Name        string // exactly one of Name and NamePrefix is set
	NamePrefix  string
	ExpiresAt   time.Time
	ContentType string
	MinSize     int64
	MaxSize     int64 // 0: no size condition
}
