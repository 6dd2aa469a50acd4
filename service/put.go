package service

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"unicode/utf8"

	"s3gateway/errs"
	"s3gateway/internal/httpsyntax"
)

// S3's limit for an object's size.
const (
	MaxObjectSize     = 5 << 40
	MaxObjectSizeText = "5 TiB" // MaxObjectSize, for messages
)

// PutObject stores body as bucket/name, streaming it with bounded memory
// (opts.Size -1: unknown). Nothing of a failed upload stays in the store.
func (g *Gateway) PutObject(ctx context.Context, bucket, name string, body io.Reader, opts PutOptions) (UploadResult, error) {
	c, phys, err := g.objectTarget(ctx, bucket, name)
	if err != nil {
		return UploadResult{}, err
	}
	switch {
	case opts.Size < -1:
		return UploadResult{}, errs.New(errs.InvalidArgument, "size %d is invalid", opts.Size)
	case opts.Size > g.opts.MaxUploadSize:
		return UploadResult{}, g.tooLarge()
	}
	if body == nil {
		body = http.NoBody
	}
	if opts.Size < 0 && g.opts.MaxUploadSize < MaxObjectSize {
		// A body of unknown size is cut one byte past the limit; the store
		// adapter reports that as EntityTooLarge and stores nothing.
		body = http.MaxBytesReader(nil, io.NopCloser(body), g.opts.MaxUploadSize)
	}
	if opts.ContentType == "" {
		opts.ContentType = "application/octet-stream"
	}
	if !validHeaderValue(opts.ContentType) {
		return UploadResult{}, errs.New(errs.InvalidArgument, "content type %q is invalid", opts.ContentType)
	}
	if err := validateMetadata(opts.Metadata); err != nil {
		return UploadResult{}, err
	}
	res, err := c.PutObject(ctx, phys, name, body, opts)
	if err != nil {
		return UploadResult{}, err
	}
	res.Bucket = bucket
	return res, nil
}

// tooLarge is the error of an upload over the gateway's limit.
func (g *Gateway) tooLarge() error {
	return errs.New(errs.EntityTooLarge, "an object can be at most %s", sizeText(g.opts.MaxUploadSize))
}

// sizeText writes n bytes in the largest binary unit that divides it.
func sizeText(n int64) string {
	for _, u := range []struct {
		name  string
		shift uint
	}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + " " + u.name
		}
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// validateMetadata checks user metadata: each key a non-empty HTTP token,
// once (keys are compared as header names), each value fit for a header.
func validateMetadata(meta map[string]string) error {
	seen := make(map[string]bool, len(meta))
	for k, v := range meta {
		if !httpsyntax.IsToken(k) {
			return errs.New(errs.InvalidArgument, "metadata key %q is invalid: it must be a non-empty HTTP token", k)
		}
		if !validHeaderValue(v) {
			return errs.New(errs.InvalidArgument, "the value of metadata key %q is invalid: it must be UTF-8 without control characters", k)
		}
		h := http.CanonicalHeaderKey(k)
		if seen[h] {
			return errs.New(errs.InvalidArgument, "metadata key %q is given more than once", k)
		}
		seen[h] = true
	}
	return nil
}

// validHeaderValue reports whether s can travel as a header value unchanged
// in meaning: valid UTF-8 without control characters (CR and LF included).
func validHeaderValue(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}
