package service

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"s3gateway/errs"
)

// The range of a presigned request's lifetime.
const (
	MinPresignExpiry = time.Second
	MaxPresignExpiry = 7 * 24 * time.Hour
)

// maxHeaderOverride bounds a response header a presigned GET asks for.
const maxHeaderOverride = 1024

// PresignObject implements Presigner. Signing needs no call to the store.
func (g *Gateway) PresignObject(ctx context.Context, req PresignRequest) (PresignedURL, error) {
	c, physical, err := g.objectTarget(ctx, req.Bucket, req.Name)
	if err != nil {
		return PresignedURL{}, err
	}
	expires, err := presignExpiry(req.Expires)
	if err != nil {
		return PresignedURL{}, err
	}
	method := strings.ToUpper(req.Method)
	// The signature dates from a moment at or after now, truncated to the
	// second; the URL is valid at least until signed + expires.
	signed := time.Now().UTC().Truncate(time.Second)
	if req.UploadID != "" || req.PartNumber != 0 || req.ContentType != "" ||
		method == http.MethodPost || method == http.MethodDelete {
		return g.presignUploadRequest(ctx, c, physical, req, method, expires, signed)
	}
	var u *url.URL
	switch method {
	case http.MethodGet:
		params, err := responseHeaderParams(req.ResponseHeaders)
		if err != nil {
			return PresignedURL{}, err
		}
		if u, err = c.PresignGet(ctx, physical, req.Name, expires, params); err != nil {
			return PresignedURL{}, err
		}
	case http.MethodPut:
		if req.ResponseHeaders != (ResponseHeaders{}) {
			return PresignedURL{}, errs.New(errs.InvalidArgument, "responseHeaders apply to GET only")
		}
		if u, err = c.PresignPut(ctx, physical, req.Name, expires); err != nil {
			return PresignedURL{}, err
		}
	default:
		return PresignedURL{}, errs.New(errs.InvalidArgument, "method must be GET, PUT, POST or DELETE")
	}
	return PresignedURL{URL: u.String(), Method: method, ExpiresAt: signed.Add(expires)}, nil
}

// PresignPost implements Presigner. For a NamePrefix the form's key is
// NamePrefix followed by ${filename}, which the store replaces with the
// uploaded file's name; a client may set the key to any name under the
// prefix instead.
func (g *Gateway) PresignPost(ctx context.Context, req PostPolicyRequest) (PresignedPost, error) {
	c, physical, err := g.bucketTarget(ctx, req.Bucket)
	if err != nil {
		return PresignedPost{}, err
	}
	switch {
	case (req.Name == "") == (req.NamePrefix == ""):
		return PresignedPost{}, errs.New(errs.InvalidArgument, "exactly one of name and namePrefix must be given")
	case req.Name != "":
		if err := ValidateObjectName(req.Name); err != nil {
			return PresignedPost{}, err
		}
	default:
		if err := ValidateObjectName(req.NamePrefix); err != nil {
			return PresignedPost{}, errs.Wrap(err, errs.InvalidObjectName, "namePrefix must be valid UTF-8 of at most %d bytes, without NUL or '.' and '..' segments", MaxObjectNameBytes)
		}
	}
	expires, err := presignExpiry(req.Expires)
	if err != nil {
		return PresignedPost{}, err
	}
	switch {
	case req.MinSize < 0 || req.MaxSize < 0:
		return PresignedPost{}, errs.New(errs.InvalidArgument, "contentLengthRange must not be negative")
	case req.MaxSize == 0 && req.MinSize > 0:
		return PresignedPost{}, errs.New(errs.InvalidArgument, "contentLengthRange needs a max greater than 0")
	case req.MinSize > req.MaxSize:
		return PresignedPost{}, errs.New(errs.InvalidArgument, "contentLengthRange min must not be greater than max")
	case req.MaxSize > g.maxUploadSize:
		return PresignedPost{}, errs.New(errs.InvalidArgument, "contentLengthRange max must be at most %d (%s)", g.maxUploadSize, sizeText(g.maxUploadSize))
	case req.MaxSize == 0:
		// Without a range the form would take any size: the store holds
		// it to the gateway's own upload limit.
		req.MaxSize = g.maxUploadSize
	}
	if err := checkPresignHeader("contentType", req.ContentType); err != nil {
		return PresignedPost{}, err
	}

	// The policy states its expiration to the millisecond.
	expiresAt := time.Now().UTC().Truncate(time.Millisecond).Add(expires)
	u, form, err := c.PresignPost(ctx, PostPolicy{
		Bucket: physical, Name: req.Name, NamePrefix: req.NamePrefix, ExpiresAt: expiresAt,
		ContentType: req.ContentType, MinSize: req.MinSize, MaxSize: req.MaxSize,
	})
	if err != nil {
		return PresignedPost{}, err
	}
	return PresignedPost{URL: u.String(), FormData: form, ExpiresAt: expiresAt}, nil
}

// presignExpiry checks a presigned request's lifetime, in whole seconds.
func presignExpiry(d time.Duration) (time.Duration, error) {
	d = d.Truncate(time.Second)
	if d < MinPresignExpiry || d > MaxPresignExpiry {
		return 0, errs.New(errs.InvalidArgument, "expiresIn must be between %d and %d seconds",
			int64(MinPresignExpiry/time.Second), int64(MaxPresignExpiry/time.Second))
	}
	return d, nil
}

// responseHeaderParams are the query parameters that make the store answer
// a presigned GET with the given headers.
func responseHeaderParams(h ResponseHeaders) (url.Values, error) {
	params := url.Values{}
	for _, o := range []struct{ field, param, value string }{
		{"responseHeaders.contentType", "response-content-type", h.ContentType},
		{"responseHeaders.contentDisposition", "response-content-disposition", h.ContentDisposition},
		{"responseHeaders.cacheControl", "response-cache-control", h.CacheControl},
	} {
		if o.value == "" {
			continue
		}
		if err := checkPresignHeader(o.field, o.value); err != nil {
			return nil, err
		}
		params.Set(o.param, o.value)
	}
	return params, nil
}

// checkPresignHeader refuses what cannot be an HTTP header value: control
// characters, and more than maxHeaderOverride bytes.
func checkPresignHeader(field, v string) error {
	if len(v) > maxHeaderOverride {
		return errs.New(errs.InvalidArgument, "%s must be at most %d bytes", field, maxHeaderOverride)
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return errs.New(errs.InvalidArgument, "%s must not contain control characters", field)
		}
	}
	return nil
}
