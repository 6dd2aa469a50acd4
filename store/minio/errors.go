package miniostore

import (
	"errors"
	"net"
	"net/http"

	"github.com/minio/minio-go/v7"

	"s3gateway/errs"
	"s3gateway/service"
)

// translate turns an error of a store call into the contract's error. It is
// the only place store errors are interpreted. bucket and name are the
// tenant's names for what the call was about (either may be empty); they,
// never the store's message, make the client-facing message, because the
// store's message carries physical bucket names and its address.
func translate(err error, bucket, name string) error {
	if err == nil {
		return nil
	}
	if _, ok := errs.As(err); ok {
		return err
	}
	what := service.Describe(bucket, name)
	if e := service.ContextError(err); e != nil {
		return e
	}
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		return fromStoreCode(err, resp, bucket, what)
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		if netErr.Timeout() {
			return errs.Wrap(err, errs.BackendTimeout, "the object store did not answer in time")
		}
		return errs.Wrap(err, errs.BackendUnavailable, "the object store is unreachable")
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return errs.Wrap(err, errs.BackendUnavailable, "the object store is unreachable")
	}
	return errs.Wrap(err, errs.InternalError, "internal error")
}

// fromStoreCode maps an S3 error response by its code.
func fromStoreCode(err error, resp minio.ErrorResponse, bucket, what string) error {
	switch resp.Code {
	case "NoSuchBucket":
		return errs.Wrap(err, errs.NoSuchBucket, "bucket %q does not exist", bucket)
	case "NoSuchKey", "NoSuchObject", "NoSuchVersion":
		return errs.Wrap(err, errs.NoSuchKey, "%s does not exist", what)
	case "NoSuchUpload":
		return errs.Wrap(err, errs.NoSuchUpload, "no such upload for %s", what)
	case "BucketAlreadyExists", "BucketAlreadyOwnedByYou":
		return errs.Wrap(err, errs.BucketAlreadyExists, "bucket %q already exists", bucket)
	case "BucketNotEmpty":
		return errs.Wrap(err, errs.BucketNotEmpty, "bucket %q is not empty", bucket)
	case "AccessDenied", "AllAccessDisabled", "InvalidAccessKeyId", "SignatureDoesNotMatch":
		return errs.Wrap(err, errs.AccessDenied, "access to %s is denied", what)
	case "PreconditionFailed":
		return errs.Wrap(err, errs.PreconditionFailed, "a precondition on %s does not hold", what)
	case "InvalidRange":
		return errs.Wrap(err, errs.InvalidRange, "the requested range is not satisfiable")
	case "EntityTooLarge":
		return errs.Wrap(err, errs.EntityTooLarge, "the object is too large")
	case "BadDigest", "XAmzContentChecksumMismatch":
		// Only a checksum the client sent reaches the store (the
		// gateway's payloads are unsigned), so the client's body is wrong.
		return errs.Wrap(err, errs.BadDigest, "the body of %s does not match the checksum sent with it", what)
	case "EntityTooSmall", "IncompleteBody", "InvalidDigest", "XAmzContentSHA256Mismatch":
		return errs.Wrap(err, errs.InvalidArgument, "the upload of %s was incomplete or corrupt", what)
	case "InvalidBucketName":
		return errs.Wrap(err, errs.InvalidBucketName, "bucket name %q is invalid", bucket)
	case "XMinioInvalidObjectName", "XMinioInvalidResourceName", "KeyTooLongError", "InvalidObjectName":
		return errs.Wrap(err, errs.InvalidObjectName, "object name is invalid")
	case "MetadataTooLarge":
		return errs.Wrap(err, errs.InvalidArgument, "the metadata of %s is too large", what)
	case "SlowDown", "SlowDownRead", "SlowDownWrite", "ServiceUnavailable", "XMinioServerNotInitialized":
		return errs.Wrap(err, errs.BackendUnavailable, "the object store is busy or starting; retry later")
	case "ClientDisconnected":
		// MinIO cuts the requests in progress when it shuts down and says
		// so (499); the gateway's own client, were it gone, would not hear
		// this answer.
		return errs.Wrap(err, errs.BackendUnavailable, "the object store dropped the request; retry later")
	case "RequestTimeout":
		return errs.Wrap(err, errs.BackendTimeout, "the object store did not answer in time")
	case "InvalidArgument", "InvalidRequest", "MalformedXML", "InvalidPart", "InvalidPartOrder",
		"MalformedPolicy", "InvalidStorageClass", "InvalidLocationConstraint", "AuthorizationHeaderMalformed",
		"InvalidRegion", "IllegalLocationConstraintException", "MissingContentLength", "NotImplemented":
		return errs.Wrap(err, errs.InvalidArgument, "the object store refused the request for %s as invalid", what)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return errs.Wrap(err, errs.NotFound, "%s was not found", what)
	case resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusBadGateway ||
		resp.StatusCode == http.StatusInsufficientStorage:
		return errs.Wrap(err, errs.BackendUnavailable, "the object store is unavailable")
	case resp.StatusCode == http.StatusGatewayTimeout:
		return errs.Wrap(err, errs.BackendTimeout, "the object store did not answer in time")
	case resp.StatusCode == http.StatusForbidden:
		return errs.Wrap(err, errs.AccessDenied, "access to %s is denied", what)
	case resp.StatusCode == http.StatusPreconditionFailed:
		return errs.Wrap(err, errs.PreconditionFailed, "a precondition on %s does not hold", what)
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		// The store found fault with the request and said nothing more
		// specific: it is the client's to fix, never a gateway failure.
		return errs.Wrap(err, errs.InvalidArgument, "the object store refused the request for %s as invalid", what)
	}
	return errs.Wrap(err, errs.InternalError, "internal error")
}
