package handlers

import (
	"encoding/json"
	"time"

	"s3gateway/service"
)

// The request and response bodies of the API, and the named converters from
// the service's types. JSON field names are camelCase as in the contract;
// lists are never null; optional fields marked "?" in the contract are
// omitted when empty.

// timeLayout is RFC 3339 in UTC with milliseconds, as S3 itself writes times.
const timeLayout = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// errorResponse is the body of every error.
type errorResponse struct {
	Error errorBody `json:"error" validate:"required"`
} // @name ErrorResponse

type errorBody struct {
	Code      string `json:"code" validate:"required" example:"NoSuchKey"`
	Message   string `json:"message" validate:"required" example:"object \"a.txt\" does not exist"`
	RequestID string `json:"requestId" validate:"required" example:"5f0c3a9e1b2d4c6f8a7e9d0b1c2a3f4e"`
} // @name ErrorBody

// statusResponse is the body of the health checks.
type statusResponse struct {
	Status string `json:"status" validate:"required" example:"ok"`
	// IdentityProviders lists the tenants' identity providers that cannot
	// be reached (readiness only).
	IdentityProviders []providerStatusResponse `json:"identityProviders,omitempty"`
} // @name Status

// providerStatusResponse names an identity provider whose key set could
// not be fetched.
type providerStatusResponse struct {
	JWKSURL   string `json:"jwksUrl" validate:"required" example:"https://login.acme.example/.well-known/jwks.json"`
	Reachable bool   `json:"reachable" validate:"required" example:"false"`
} // @name IdentityProviderStatus

// Buckets.

type bucketResponse struct {
	Name         string `json:"name" validate:"required" example:"photos"`
	CreationDate string `json:"creationDate" validate:"required" format:"date-time"`
} // @name Bucket

type listBucketsResponse struct {
	Buckets []bucketResponse `json:"buckets" validate:"required"`
} // @name BucketList

type createBucketRequest struct {
	Name   string `json:"name" validate:"required" example:"photos"`
	Region string `json:"region,omitempty" example:"us-east-1"`
} // @name CreateBucketRequest

type createBucketResponse struct {
	Name   string `json:"name" validate:"required" example:"photos"`
	Region string `json:"region" validate:"required" example:"us-east-1"`
} // @name CreatedBucket

type bucketExistsResponse struct {
	Name   string `json:"name" validate:"required" example:"photos"`
	Exists bool   `json:"exists" validate:"required" example:"true"`
} // @name BucketExists

func toBucketResponse(b service.Bucket) bucketResponse {
	return bucketResponse{Name: b.Name, CreationDate: formatTime(b.CreationDate)}
}

func toListBucketsResponse(bs []service.Bucket) listBucketsResponse {
	out := listBucketsResponse{Buckets: make([]bucketResponse, 0, len(bs))}
	for _, b := range bs {
		out.Buckets = append(out.Buckets, toBucketResponse(b))
	}
	return out
}

func toCreateBucketResponse(b service.Bucket) createBucketResponse {
	return createBucketResponse{Name: b.Name, Region: b.Region}
}

// Listing.

type objectEntry struct {
	Name         string            `json:"name" validate:"required" example:"photos/2024/a.jpg"`
	Size         int64             `json:"size" validate:"required" format:"int64" example:"1024"`
	ETag         string            `json:"etag" validate:"required" example:"d41d8cd98f00b204e9800998ecf8427e"`
	LastModified string            `json:"lastModified" validate:"required" format:"date-time"`
	ContentType  string            `json:"contentType,omitempty" example:"image/jpeg"`
	IsDir        bool              `json:"isDir" validate:"required"`
	Metadata     map[string]string `json:"metadata,omitempty"`
} // @name ObjectEntry

type listObjectsResponse struct {
	Objects    []objectEntry `json:"objects" validate:"required"`
	NextCursor string        `json:"nextCursor,omitempty"`
	Truncated  bool          `json:"truncated" validate:"required"`
} // @name ObjectList

func toObjectEntry(o service.ObjectInfo) objectEntry {
	return objectEntry{
		Name:         o.Name,
		Size:         o.Size,
		ETag:         o.ETag,
		LastModified: formatTime(o.LastModified),
		ContentType:  o.ContentType,
		IsDir:        o.IsDir,
		Metadata:     o.Metadata,
	}
}

func toListObjectsResponse(p service.ListPage) listObjectsResponse {
	out := listObjectsResponse{Objects: make([]objectEntry, 0, len(p.Objects)), NextCursor: p.NextCursor, Truncated: p.Truncated}
	for _, o := range p.Objects {
		out.Objects = append(out.Objects, toObjectEntry(o))
	}
	return out
}

// Objects.

type uploadResponse struct {
	Bucket    string `json:"bucket" validate:"required" example:"photos"`
	Name      string `json:"name" validate:"required" example:"2024/a.jpg"`
	ETag      string `json:"etag" validate:"required" example:"d41d8cd98f00b204e9800998ecf8427e"`
	Size      int64  `json:"size" validate:"required" format:"int64" example:"1024"`
	VersionID string `json:"versionId,omitempty"`
} // @name UploadedObject

func toUploadResponse(u service.UploadResult) uploadResponse {
	return uploadResponse{Bucket: u.Bucket, Name: u.Name, ETag: u.ETag, Size: u.Size, VersionID: u.VersionID}
}

type statResponse struct {
	Bucket       string            `json:"bucket" validate:"required" example:"photos"`
	Name         string            `json:"name" validate:"required" example:"2024/a.jpg"`
	Size         int64             `json:"size" validate:"required" format:"int64" example:"1024"`
	ETag         string            `json:"etag" validate:"required" example:"d41d8cd98f00b204e9800998ecf8427e"`
	ContentType  string            `json:"contentType" validate:"required" example:"image/jpeg"`
	LastModified string            `json:"lastModified" validate:"required" format:"date-time"`
	Metadata     map[string]string `json:"metadata" validate:"required"`
	VersionID    string            `json:"versionId,omitempty"`
} // @name ObjectStat

func toStatResponse(o service.ObjectInfo) statResponse {
	meta := o.Metadata
	if meta == nil {
		meta = map[string]string{}
	}
	return statResponse{
		Bucket:       o.Bucket,
		Name:         o.Name,
		Size:         o.Size,
		ETag:         o.ETag,
		ContentType:  o.ContentType,
		LastModified: formatTime(o.LastModified),
		Metadata:     meta,
		VersionID:    o.VersionID,
	}
}

type deleteObjectsRequest struct {
	Names []string `json:"names" validate:"required"`
} // @name DeleteObjectsRequest

type deleteObjectsResponse struct {
	Deleted []string           `json:"deleted" validate:"required"`
	Errors  []deleteErrorEntry `json:"errors" validate:"required"`
} // @name DeleteObjectsResult

type deleteErrorEntry struct {
	Name    string `json:"name" validate:"required"`
	Code    string `json:"code" validate:"required" example:"AccessDenied"`
	Message string `json:"message" validate:"required"`
} // @name DeleteError

func toDeleteObjectsResponse(r service.DeleteResult) deleteObjectsResponse {
	out := deleteObjectsResponse{Deleted: make([]string, 0, len(r.Deleted)), Errors: make([]deleteErrorEntry, 0, len(r.Errors))}
	out.Deleted = append(out.Deleted, r.Deleted...)
	for _, e := range r.Errors {
		out.Errors = append(out.Errors, deleteErrorEntry{Name: e.Name, Code: e.Code, Message: e.Message})
	}
	return out
}

type copyObjectRequest struct {
	Name       string              `json:"name" validate:"required" example:"copy-of-a.jpg"`
	Source     objectRefBody       `json:"source" validate:"required"`
	Conditions *copyConditionsBody `json:"conditions,omitempty"`
	Metadata   map[string]string   `json:"metadata,omitempty"`
} // @name CopyObjectRequest

type objectRefBody struct {
	Bucket string `json:"bucket" example:"photos"`
	Name   string `json:"name" validate:"required" example:"a.jpg"`
} // @name ObjectRef

type copyConditionsBody struct {
	MatchETag       string `json:"matchETag,omitempty"`
	NotMatchETag    string `json:"notMatchETag,omitempty"`
	ModifiedSince   string `json:"modifiedSince,omitempty" format:"date-time"`
	UnmodifiedSince string `json:"unmodifiedSince,omitempty" format:"date-time"`
} // @name CopyConditions

type copyObjectResponse struct {
	Bucket       string `json:"bucket" validate:"required" example:"photos"`
	Name         string `json:"name" validate:"required" example:"copy-of-a.jpg"`
	ETag         string `json:"etag" validate:"required"`
	LastModified string `json:"lastModified" validate:"required" format:"date-time"`
} // @name CopiedObject

func toCopyObjectResponse(r service.CopyResult) copyObjectResponse {
	return copyObjectResponse{Bucket: r.Bucket, Name: r.Name, ETag: r.ETag, LastModified: formatTime(r.LastModified)}
}

// Incomplete uploads.

type listUploadsResponse struct {
	Uploads []incompleteUploadEntry `json:"uploads" validate:"required"`
} // @name IncompleteUploadList

type incompleteUploadEntry struct {
	Name      string `json:"name" validate:"required"`
	UploadID  string `json:"uploadId" validate:"required"`
	Initiated string `json:"initiated" validate:"required" format:"date-time"`
	Size      int64  `json:"size" validate:"required" format:"int64"`
	// IsDir marks a folder of a listing that is not recursive: name is its
	// prefix, and it stands for the uploads below it.
	IsDir bool `json:"isDir" validate:"required"`
} // @name IncompleteUpload

func toListUploadsResponse(us []service.IncompleteUpload) listUploadsResponse {
	out := listUploadsResponse{Uploads: make([]incompleteUploadEntry, 0, len(us))}
	for _, u := range us {
		out.Uploads = append(out.Uploads, incompleteUploadEntry{Name: u.Name, UploadID: u.UploadID, Initiated: formatTime(u.Initiated), Size: u.Size, IsDir: u.IsDir})
	}
	return out
}

// Bucket policy.

type policyResponse struct {
	Prefix string `json:"prefix" validate:"required" example:"public/"`
	// Policy is what anonymous users may do under prefix: a canned policy,
	// or custom when the document grants something none of them says.
	Policy string `json:"policy" validate:"required" enums:"none,readonly,writeonly,readwrite,custom" example:"readonly"`
	// Document is the bucket's whole stored policy, null when it has none.
	Document json.RawMessage `json:"document" validate:"required" swaggertype:"object" extensions:"x-nullable"`
} // @name BucketPolicy

type putPolicyRequest struct {
	Prefix   *string         `json:"prefix,omitempty" example:"public/"`
	Policy   *string         `json:"policy,omitempty" enums:"none,readonly,writeonly,readwrite" example:"readonly"`
	Document json.RawMessage `json:"document,omitempty" swaggertype:"object"`
} // @name PutBucketPolicyRequest

func toPolicyResponse(p service.BucketPolicy) policyResponse {
	doc := p.Document
	if len(doc) == 0 {
		doc = json.RawMessage("null")
	}
	return policyResponse{Prefix: p.Prefix, Policy: string(p.Policy), Document: doc}
}

// Bucket notifications.

type notificationConfigBody struct {
	QueueConfigurations         []notificationTargetBody `json:"queueConfigurations" validate:"required"`
	TopicConfigurations         []notificationTargetBody `json:"topicConfigurations" validate:"required"`
	CloudFunctionConfigurations []notificationTargetBody `json:"cloudFunctionConfigurations" validate:"required"`
} // @name NotificationConfiguration

type notificationTargetBody struct {
	ID     string                 `json:"id" example:"1"`
	ARN    string                 `json:"arn" validate:"required" example:"arn:minio:sqs::PRIMARY:webhook"`
	Events []string               `json:"events" validate:"required" example:"s3:ObjectCreated:*"`
	Filter notificationFilterBody `json:"filter"`
} // @name NotificationTarget

type notificationFilterBody struct {
	Prefix string `json:"prefix" example:"abc"`
	Suffix string `json:"suffix" example:".jpg"`
} // @name NotificationFilter

func toNotificationConfigBody(cfg service.NotificationConfig) notificationConfigBody {
	return notificationConfigBody{
		QueueConfigurations:         toNotificationTargetBodies(cfg.Queues),
		TopicConfigurations:         toNotificationTargetBodies(cfg.Topics),
		CloudFunctionConfigurations: toNotificationTargetBodies(cfg.CloudFunctions),
	}
}

func toNotificationTargetBodies(ts []service.NotificationTarget) []notificationTargetBody {
	out := make([]notificationTargetBody, 0, len(ts))
	for _, t := range ts {
		events := append(make([]string, 0, len(t.Events)), t.Events...)
		out = append(out, notificationTargetBody{ID: t.ID, ARN: t.ARN, Events: events, Filter: notificationFilterBody{Prefix: t.Prefix, Suffix: t.Suffix}})
	}
	return out
}

func toNotificationConfig(b notificationConfigBody) service.NotificationConfig {
	return service.NotificationConfig{
		Queues:         toNotificationTargets(b.QueueConfigurations),
		Topics:         toNotificationTargets(b.TopicConfigurations),
		CloudFunctions: toNotificationTargets(b.CloudFunctionConfigurations),
	}
}

func toNotificationTargets(bs []notificationTargetBody) []service.NotificationTarget {
	if len(bs) == 0 {
		return nil
	}
	out := make([]service.NotificationTarget, 0, len(bs))
	for _, b := range bs {
		out = append(out, service.NotificationTarget{ID: b.ID, ARN: b.ARN, Events: b.Events, Prefix: b.Filter.Prefix, Suffix: b.Filter.Suffix})
	}
	return out
}

// Live events.

// eventMessage is the data of one server-sent event.
type eventMessage struct {
	Type   string `json:"type" validate:"required" example:"s3:ObjectCreated:Put"`
	Bucket string `json:"bucket" validate:"required" example:"photos"`
	Name   string `json:"name" validate:"required" example:"2024/a.jpg"`
	Size   int64  `json:"size" validate:"required" format:"int64" example:"1024"`
	ETag   string `json:"etag" validate:"required"`
	Time   string `json:"time" validate:"required" format:"date-time"`
} // @name Event

func toEventMessage(e service.Event) eventMessage {
	return eventMessage{Type: e.Type, Bucket: e.Bucket, Name: e.Name, Size: e.Size, ETag: e.ETag, Time: formatTime(e.Time)}
}

// Presigned requests.

type presignRequest struct {
	Method          string               `json:"method" validate:"required" enums:"GET,PUT,POST,DELETE" example:"GET"`
	Name            string               `json:"name" validate:"required" example:"2024/a.jpg"`
	ExpiresIn       *int64               `json:"expiresIn,omitempty" minimum:"1" maximum:"604800"`
	ResponseHeaders *responseHeadersBody `json:"responseHeaders,omitempty"`
	UploadID        string               `json:"uploadId,omitempty"`
	PartNumber      *int                 `json:"partNumber,omitempty" minimum:"1" maximum:"10000"`
	ContentType     string               `json:"contentType,omitempty" example:"video/mp4"`
} // @name PresignRequest

type responseHeadersBody struct {
	ContentType        string `json:"contentType,omitempty" example:"image/jpeg"`
	ContentDisposition string `json:"contentDisposition,omitempty" example:"attachment; filename=\"a.jpg\""`
	CacheControl       string `json:"cacheControl,omitempty" example:"max-age=3600"`
} // @name PresignResponseHeaders

type presignResponse struct {
	URL       string            `json:"url" validate:"required"`
	Method    string            `json:"method" validate:"required" enums:"GET,PUT,POST,DELETE" example:"GET"`
	Headers   map[string]string `json:"headers,omitempty"`
	ExpiresAt string            `json:"expiresAt" validate:"required" format:"date-time"`
} // @name PresignedURL

func toPresignResponse(p service.PresignedURL) presignResponse {
	return presignResponse{URL: p.URL, Method: p.Method, Headers: p.Headers, ExpiresAt: formatTime(p.ExpiresAt)}
}

type presignPostRequest struct {
	Name               *string                 `json:"name,omitempty" example:"uploads/a.jpg"`
	NamePrefix         *string                 `json:"namePrefix,omitempty" example:"uploads/"`
	ExpiresIn          *int64                  `json:"expiresIn,omitempty" minimum:"1" maximum:"604800" default:"604800"`
	ContentType        string                  `json:"contentType,omitempty" example:"image/jpeg"`
	ContentLengthRange *contentLengthRangeBody `json:"contentLengthRange,omitempty"`
} // @name PresignPostRequest

type contentLengthRangeBody struct {
	Min int64  `json:"min" minimum:"0" format:"int64" example:"0"`
	Max *int64 `json:"max" validate:"required" minimum:"1" format:"int64" example:"10485760"`
} // @name ContentLengthRange

type presignPostResponse struct {
	URL       string            `json:"url" validate:"required"`
	FormData  map[string]string `json:"formData" validate:"required"`
	ExpiresAt string            `json:"expiresAt" validate:"required" format:"date-time"`
} // @name PresignedPost

func toPresignPostResponse(p service.PresignedPost) presignPostResponse {
	form := p.FormData
	if form == nil {
		form = map[string]string{}
	}
	return presignPostResponse{URL: p.URL, FormData: form, ExpiresAt: formatTime(p.ExpiresAt)}
}
