package service

import (
	"context"
	"strings"
	"time"
	"unicode"

	"s3gateway/access"
	"s3gateway/errs"
)

// operationScopes is the scope each Service operation needs (API.md,
// "Access"). A new operation gets its line here and a method on authorizer
// (authorize_ops.go); TestOperationScopesCoverService fails until both
// exist.
var operationScopes = map[string]access.Scope{
	"ListBuckets":  access.BucketsRead,
	"BucketExists": access.BucketsRead,
	"MakeBucket":   access.BucketsManage,
	"RemoveBucket": access.BucketsManage,

	"ListObjects":   access.ObjectsList,
	"GetObject":     access.ObjectsRead,
	"StatObject":    access.ObjectsRead,
	"HeadObject":    access.ObjectsRead,
	"PutObject":     access.ObjectsWrite,
	"RemoveObject":  access.ObjectsDelete,
	"RemoveObjects": access.ObjectsDelete,

	"RemoveObjectWith": access.ObjectsDelete,
	// CopyObject needs ObjectsRead on the source as well (see CopyObject).
	"CopyObject": access.ObjectsWrite,

	"ListIncompleteUploads":  access.ObjectsList,
	"RemoveIncompleteUpload": access.ObjectsDelete,

	"GetBucketPolicy":         access.BucketsManage,
	"SetBucketPolicy":         access.BucketsManage,
	"SetBucketPolicyDocument": access.BucketsManage,
	"RemoveBucketPolicy":      access.BucketsManage,

	"GetBucketNotification":    access.BucketsManage,
	"SetBucketNotification":    access.BucketsManage,
	"RemoveBucketNotification": access.BucketsManage,

	"ListenBucket": access.EventsRead,

	// PresignObject needs ObjectsRead for GET (see PresignObject).
	"PresignObject": access.ObjectsWrite,
	"PresignPost":   access.ObjectsWrite,

	// Resumable uploads write objects, listing their parts included.
	"CreateMultipartUpload":   access.ObjectsWrite,
	"SignUploadParts":         access.ObjectsWrite,
	"ListUploadParts":         access.ObjectsWrite,
	"CompleteMultipartUpload": access.ObjectsWrite,
	"AbortMultipartUpload":    access.ObjectsWrite,
}

// OperationScope returns the scope the Service operation named op needs.
func OperationScope(op string) (access.Scope, bool) {
	s, ok := operationScopes[op]
	return s, ok
}

// Authorize wraps inner so that every operation first checks the request's
// principal: the operation's scope, the credential's buckets and its
// object name prefix. A tenant key passes untouched. Refusals are 403
// AccessDenied naming the missing scope, the bucket or the prefix.
func Authorize(inner Service) Service { return &authorizer{inner: inner} }

type authorizer struct {
	inner Service
}

// allow checks that the request's credential may perform op on bucket
// ("" for none) and returns its principal.
func allow(ctx context.Context, op, bucket string) (*access.Principal, error) {
	return allowScope(ctx, operationScopes[op], bucket)
}

func allowScope(ctx context.Context, scope access.Scope, bucket string) (*access.Principal, error) {
	p, ok := access.PrincipalFromContext(ctx)
	switch {
	case !ok:
		return nil, errs.New(errs.Unauthorized, "no credential for this request")
	case p.Unlimited():
		return p, nil
	case p.ExpiredAt(time.Now()):
		return nil, errs.New(errs.Unauthorized, "the credential has expired")
	case !p.Has(scope):
		return nil, errs.New(errs.AccessDenied, "this credential does not have the %s scope", scope)
	case bucket != "" && !p.AllowsBucket(bucket):
		return nil, errs.New(errs.AccessDenied, "this credential may not reach bucket %q", bucket)
	}
	return p, nil
}

// allowName checks that an object name lies under the credential's prefix.
// With a prefix, a name must also be plain: no "." or ".." segment, no
// backslash and no control character, so that nothing downstream which
// normalises paths can carry it outside the prefix.
func allowName(p *access.Principal, name string) error {
	if p.Unlimited() || p.Prefix == "" {
		return nil
	}
	if !plainName(name) || !p.AllowsName(name) {
		return errs.New(errs.AccessDenied, "object name %q is outside this credential's prefix %q", name, p.Prefix)
	}
	return nil
}

// confinePrefix returns the listing prefix a credential may use: its own
// when none is asked, the asked one when it lies within its own; anything
// else is refused.
func confinePrefix(p *access.Principal, asked string) (string, error) {
	if p.Unlimited() || p.Prefix == "" {
		return asked, nil
	}
	if asked == "" {
		return p.Prefix, nil
	}
	if !plainName(asked) || !strings.HasPrefix(asked, p.Prefix) {
		return "", errs.New(errs.AccessDenied, "prefix %q is outside this credential's prefix %q", asked, p.Prefix)
	}
	return asked, nil
}

// plainName reports whether name has no path traversal in it.
func plainName(name string) bool {
	if strings.Contains(name, "\\") || strings.ContainsFunc(name, unicode.IsControl) {
		return false
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// clampExpiry shortens a presigned request's lifetime so that it ends no
// later than the credential (whole seconds, as signatures count them).
func clampExpiry(p *access.Principal, d time.Duration) (time.Duration, error) {
	if p.Expires.IsZero() {
		return d, nil
	}
	left := time.Until(p.Expires).Truncate(time.Second)
	if left < MinPresignExpiry {
		return 0, errs.New(errs.Unauthorized, "the credential expires too soon to presign")
	}
	return min(d, left), nil
}
