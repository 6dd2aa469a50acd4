package service

import (
	"net/http"
	"net/url"
	"time"
)

// Resumable uploads: the client PUTs the parts of a multipart upload to
// presigned URLs of the store; the gateway starts, lists, checks, completes
// and aborts it.

// S3's limits of a multipart upload.
const (
	MaxUploadParts   = 10000
	MinPartSize      = 5 << 20 // every part but the last
	MaxPartSize      = 5 << 30
	MaxPartsPerSign  = 1000 // part URLs one SignUploadParts call makes
	DefaultPartSize  = 8 << 20
	DefaultPartTTL   = time.Hour // lifetime of a part URL when none is asked for
	maxUploadIDBytes = 1024
)

// CreateUploadRequest starts a multipart upload.
type CreateUploadRequest struct {
	Bucket      string
	Name        string
	ContentType string            // "": application/octet-stream
	Metadata    map[string]string // user metadata, keys without x-amz-meta-
}

// MultipartUpload is a started upload and the part size the gateway
// suggests for it.
type MultipartUpload struct {
	UploadID string
	Name     string
	PartSize int64
}

// SignPartsRequest asks for part URLs of an upload.
type SignPartsRequest struct {
	Bucket      string
	Name        string
	UploadID    string
	PartNumbers []int         // 1..MaxUploadParts, at most MaxPartsPerSign
	Expires     time.Duration // 0: DefaultPartTTL
}

// SignedPart is a URL that PUTs one part, until ExpiresAt.
type SignedPart struct {
	PartNumber int
	URL        string
	ExpiresAt  time.Time
}

// UploadPart is a part the store holds (Size) or one the client names for
// completion (PartNumber and ETag).
type UploadPart struct {
	PartNumber int
	ETag       string // without quotes
	Size       int64
}

// CompleteUploadRequest completes an upload from the parts the client
// uploaded, in any order.
type CompleteUploadRequest struct {
	Bucket   string
	Name     string
	UploadID string
	Parts    []UploadPart // PartNumber and ETag
}

// S3Request is one S3 request to presign on the store (physical bucket):
// Query and Headers are signed with it, and a client must send Headers as
// they are.
type S3Request struct {
	Method  string
	Bucket  string
	Name    string
	Expires time.Duration
	Query   url.Values
	Headers http.Header
}
