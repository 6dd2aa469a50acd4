// Package service is the gateway's object-store contract and its MinIO
// implementation.
//
// Every method takes the tenant from ctx (tenants.NewContext, set by the auth
// middleware) and talks to the store with that tenant's own credentials.
// Bucket names in and out are the tenant's logical names; the mapping to
// physical names (the tenant's prefix added) happens only inside this
// package. Every error returned is an *errs.Error whose message is safe to
// show a client.
package service

import (
	"context"
	"io"
)

// Service is everything the HTTP layer needs from the store.
type Service interface {
	Buckets
	Objects
	Uploads
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
