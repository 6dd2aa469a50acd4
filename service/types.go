package service

import (
	"encoding/json"
	"io"
	"time"

	"s3gateway/service/bucketpolicy"
)

// Bucket is a bucket as the tenant sees it.
type Bucket struct {
	Name         string
	Region       string
	CreationDate time.Time
}

// ObjectInfo describes an object, or a folder (common prefix) in a listing.
type ObjectInfo struct {
	Bucket       string
	Name         string
	Size         int64
	ETag         string // without quotes
	LastModified time.Time
	ContentType  string
	// Metadata is the user metadata, keys without the x-amz-meta- prefix,
	// in canonical header form ("Color" for x-amz-meta-color).
	Metadata  map[string]string
	VersionID string
	IsDir     bool
	// SHA256 is the SHA-256 of the whole object, when the store keeps one
	// (an upload sent with Repr-Digest: sha-256); nil otherwise.
	SHA256 []byte
}

// ListOptions selects one page of a listing.
type ListOptions struct {
	Prefix       string
	Recursive    bool   // false groups by "/" into folders
	Limit        int    // 1..1000; 0 means 1000
	Cursor       string // opaque, from ListPage.NextCursor
	StartAfter   string
	WithMetadata bool
	UseV1        bool // ListObjects V1 instead of V2
}

// StorePage is one page of a store listing (PageLister).
type StorePage struct {
	Entries []ObjectInfo // sorted by name
	More    bool         // other entries follow
	// Token resumes the listing after Entries in the store's own terms
	// (an S3 continuation token); empty when the listing can only resume
	// after the last entry's name.
	Token string
}

// ListPage is one page of a listing. Following NextCursor until Truncated is
// false yields every entry exactly once.
type ListPage struct {
	Objects    []ObjectInfo
	NextCursor string
	Truncated  bool
}

// PutOptions describe an upload.
type PutOptions struct {
	Size        int64 // -1 when unknown (chunked request)
	ContentType string
	Metadata    map[string]string // user metadata, keys without x-amz-meta-

	// IfMatch is one ETag (quoted or not) or "*": store only if the object
	// exists and, for an ETag, is that version. IfNoneMatch is "" or "*":
	// store only if no object has the name. The store checks both at the
	// moment it commits, atomically with the write.
	IfMatch     string
	IfNoneMatch string

	// ContentMD5 (16 bytes) and SHA256 (32 bytes), when set, are what the
	// body must hash to; a body that does not is BadDigest, and nothing
	// is stored. SHA256 is kept with the object (ObjectInfo.SHA256).
	ContentMD5 []byte
	SHA256     []byte
}

// UploadResult is what a finished upload reports.
type UploadResult struct {
	Bucket    string
	Name      string
	ETag      string
	Size      int64
	VersionID string
}

// ByteRange is a requested byte range. Start == -1 asks for the last End
// bytes (a suffix range); End == -1 means to the end of the object.
type ByteRange struct {
	Start int64
	End   int64
}

// GetOptions qualify a read. The conditions are those of RFC 9110
// section 13.1, evaluated in its order (section 13.2.2).
type GetOptions struct {
	Range       *ByteRange
	IfNoneMatch string // a list of ETags, quoted or not, or "*"
	IfMatch     string // a list of ETags, quoted or not, or "*"
	// IfModifiedSince and IfUnmodifiedSince are zero when absent.
	IfModifiedSince   time.Time
	IfUnmodifiedSince time.Time
}

// RemoveOptions qualify a delete.
type RemoveOptions struct {
	IfMatch string // one ETag, quoted or not, or "*"
}

// ContentRange is the part of the object a ranged read returns.
type ContentRange struct {
	Start, End, Total int64 // End inclusive
}

// Object is an open object. When NotModified is set (If-None-Match or
// If-Modified-Since said so) Body is nil; Info describes the object.
type Object struct {
	Info        ObjectInfo
	Body        io.ReadCloser
	Range       *ContentRange // set for a ranged read
	NotModified bool
}

// DeleteResult reports a batch delete, name by name.
type DeleteResult struct {
	Deleted []string
	Errors  []DeleteError
}

// DeleteError is one name a batch delete could not remove.
type DeleteError struct {
	Name    string
	Code    string
	Message string
}

// ObjectRef names an object in one of the tenant's buckets.
type ObjectRef struct {
	Bucket string
	Name   string
}

// CopyConditions must all hold for a copy to happen; zero values are unset.
type CopyConditions struct {
	MatchETag       string
	NotMatchETag    string
	ModifiedSince   time.Time
	UnmodifiedSince time.Time
}

// CopyRequest copies Source to Destination on the store. A non-nil Metadata
// replaces the source's user metadata; nil keeps it.
type CopyRequest struct {
	Source      ObjectRef
	Destination ObjectRef
	Conditions  CopyConditions
	Metadata    map[string]string
}

// CopyResult is what a finished copy reports.
type CopyResult struct {
	Bucket       string
	Name         string
	ETag         string
	LastModified time.Time
}

// IncompleteUpload is a multipart upload that was started and not finished.
type IncompleteUpload struct {
	Name      string
	UploadID  string
	Initiated time.Time
	Size      int64 // bytes uploaded so far
	// IsDir marks a folder in a listing that is not recursive: Name is the
	// folder's prefix and stands for the uploads under it.
	IsDir bool
}

// BucketPolicy is the policy view of one prefix of a bucket.
type BucketPolicy struct {
	Prefix string
	// Policy is what anonymous users may do under Prefix.
	Policy bucketpolicy.Canned
	// Document is the bucket's whole stored policy in the tenant's view,
	// nil when the bucket has none.
	Document json.RawMessage
}

// NotificationConfig is a bucket's notification configuration.
type NotificationConfig struct {
	Queues         []NotificationTarget
	Topics         []NotificationTarget
	CloudFunctions []NotificationTarget
}

// NotificationTarget sends a bucket's matching events to one target (ARN).
type NotificationTarget struct {
	ID     string
	ARN    string
	Events []string // e.g. "s3:ObjectCreated:*"
	Prefix string   // key filter; "" matches all
	Suffix string
}

// EventFilter selects the events of a stream.
type EventFilter struct {
	Prefix string
	Suffix string
	Events []string // empty: created, removed and accessed
	// Scope is the prefix every name must have: the reach of a scoped
	// credential (set by the layer that knows the credential, never from
	// the request's filters); "" for a tenant key.
	Scope string
	// After is the id of the last event the client has (Last-Event-ID);
	// 0 starts with live events.
	After uint64
}

// Event is one store event, in the tenant's view.
type Event struct {
	Type   string // e.g. "s3:ObjectCreated:Put"
	Bucket string // logical name
	Name   string
	Size   int64
	ETag   string
	Time   time.Time
}

// StreamItem is what a stream delivers: an event with its id, or a reset
// (the events after the requested id are no longer kept: Reset says why).
type StreamItem struct {
	ID    uint64 // the event's position in its bucket's log
	Event *Event
	Reset string // e.g. ResetExpired
}

// ResetExpired is the reason of a reset: the requested id is older than the
// retention (or unknown).
const ResetExpired = "expired"

// ResponseHeaders override headers of a presigned GET's response.
type ResponseHeaders struct {
	ContentType        string
	ContentDisposition string
	CacheControl       string
}

// PresignRequest asks for a presigned GET or PUT, or one request of a
// multipart upload (see presignUploadRequest).
type PresignRequest struct {
	Bucket          string
	Name            string
	Method          string // "GET", "PUT", "POST" or "DELETE"
	Expires         time.Duration
	ResponseHeaders ResponseHeaders // GET only
	UploadID        string          // a multipart upload's request
	PartNumber      int             // with UploadID and PUT: one part
	ContentType     string          // signed into a PUT or a multipart create
}

// PresignedURL is a URL anyone can use until ExpiresAt, sending Headers
// (signed with it) as they are.
type PresignedURL struct {
	URL       string
	Method    string
	Headers   map[string]string
	ExpiresAt time.Time
}

// PostPolicyRequest asks for a presigned POST form. Exactly one of Name and
// NamePrefix is set. MaxSize 0 means no size condition.
type PostPolicyRequest struct {
	Bucket      string
	Name        string
	NamePrefix  string
	Expires     time.Duration
	ContentType string
	MinSize     int64
	MaxSize     int64
}

// PresignedPost is a form that uploads straight to the store: post FormData
// plus a "file" field to URL.
type PresignedPost struct {
	URL       string
	FormData  map[string]string
	ExpiresAt time.Time
}
