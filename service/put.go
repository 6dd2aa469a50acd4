package service

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
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
	case opts.Size > g.maxUploadSize:
		return UploadResult{}, g.tooLarge()
	}
	if body == nil {
		body = http.NoBody
	}
	if opts.Size < 0 && g.maxUploadSize < MaxObjectSize {
		// A body of unknown size is cut one byte past the limit; the store
		// adapter reports that as EntityTooLarge and stores nothing.
		body = http.MaxBytesReader(nil, io.NopCloser(body), g.maxUploadSize)
	}
	opts.ContentType = storedContentType(opts.ContentType)
	if err := validateMetadata(opts.Metadata); err != nil {
		return UploadResult{}, err
	}
	if err := checkPutConditions(opts); err != nil {
		return UploadResult{}, err
	}
	if err := checkDigests(opts); err != nil {
		return UploadResult{}, err
	}
	res, err := c.PutObject(ctx, phys, name, body, opts)
	if opts.IfMatch != "" && errs.CodeOf(err) == errs.NoSuchKey {
		// No current version: If-Match is false (RFC 9110 13.1.1).
		return UploadResult{}, errs.New(errs.PreconditionFailed, "%s does not exist", Describe(bucket, name))
	}
	if err != nil {
		return UploadResult{}, err
	}
	res.Bucket = bucket
	return res, nil
}

// storedContentType is the content type an object is stored with: the
// one given, unless it is absent, not a valid media type, or a wildcard
// (what a client sends when it has no idea, "*/*" or "text/*"): then
// application/octet-stream.
func storedContentType(ct string) string {
	const octets = "application/octet-stream"
	if ct == "" || !validHeaderValue(ct) {
		return octets
	}
	mediaType, _, err := mime.ParseMediaType(ct)
	if err != nil || strings.Contains(mediaType, "*") {
		return octets
	}
	return ct
}

// checkDigests checks the lengths of the checksums an upload carries.
func checkDigests(opts PutOptions) error {
	if opts.ContentMD5 != nil && len(opts.ContentMD5) != md5.Size {
		return errs.New(errs.InvalidArgument, "Content-MD5: must be the base64 of %d bytes", md5.Size)
	}
	if opts.SHA256 != nil && len(opts.SHA256) != sha256.Size {
		return errs.New(errs.InvalidArgument, "Repr-Digest: sha-256 must be the base64 of %d bytes", sha256.Size)
	}
	return nil
}

// DigestMetadataKey is the user metadata key under which the store keeps
// an object's SHA-256 (ObjectInfo.SHA256); clients cannot set it.
const DigestMetadataKey = "Gateway-Sha256"

// tooLarge is the error of an upload over the gateway's limit.
func (g *Gateway) tooLarge() error {
	return errs.New(errs.EntityTooLarge, "an object can be at most %s", sizeText(g.maxUploadSize))
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
		if http.CanonicalHeaderKey(k) == DigestMetadataKey {
			return errs.New(errs.InvalidArgument, "metadata key %q is reserved", k)
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
