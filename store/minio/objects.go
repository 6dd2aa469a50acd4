package miniostore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7"

	"s3gateway/errs"
	"s3gateway/internal/httpsyntax"
	"s3gateway/service"
)

// GetObject implements service.StoreClient: it opens an object in one
// store request. The body is a stream: it
// is bounded by ctx only, not by the call timeout, so a long download runs
// as long as its client reads.
func (c *client) GetObject(ctx context.Context, bucket, name string, opts service.GetOptions) (*service.Object, error) {
	if c.direct != nil {
		return c.getDirect(ctx, bucket, name, opts)
	}
	var gopts minio.GetObjectOptions
	if opts.Range != nil {
		h, err := rangeHeader(*opts.Range)
		if err != nil {
			return nil, err
		}
		gopts.Set("Range", h)
	}
	// Only a conditional read can get a 304, whose validators are taken
	// from the store's response; other reads need no copy of its headers.
	captured := &capturedResponse{}
	sctx := withMark(ctx, markObjectRead)
	if opts.IfNoneMatch != "" {
		gopts.Set("If-None-Match", httpsyntax.QuoteETag(opts.IfNoneMatch))
		sctx = withCapture(sctx, captured)
	}
	if opts.IfMatch != "" {
		// The service pins a conditional read to the version it evaluated.
		gopts.Set("If-Match", httpsyntax.QuoteETag(opts.IfMatch))
	}
	body, info, header, err := c.core.GetObject(sctx, bucket, name, gopts)
	if err != nil {
		var resp minio.ErrorResponse
		if errors.As(err, &resp) && resp.StatusCode == http.StatusNotModified {
			return notModified(name, captured), nil
		}
		return nil, c.translate(err, bucket, name)
	}
	return openedObject(name, info, header, body)
}

// openedObject is the object a successful read opened: its information,
// with the range read when the answer was partial, and its body.
func openedObject(name string, info minio.ObjectInfo, header http.Header, body io.ReadCloser) (*service.Object, error) {
	obj := &service.Object{Info: objectInfo(name, info), Body: body}
	if cr := header.Get("Content-Range"); cr != "" {
		r, err := parseContentRange(cr)
		if err != nil {
			body.Close()
			return nil, errs.Wrap(err, errs.InternalError, "internal error")
		}
		obj.Range = &r
		obj.Info.Size = r.Total
	}
	return obj, nil
}

// notModified is the answer to a read whose If-None-Match matched, with the
// validators the store sent along with its 304.
func notModified(name string, captured *capturedResponse) *service.Object {
	status, h := captured.get()
	if status != http.StatusNotModified {
		h = nil
	}
	return notModifiedFrom(name, h)
}

// notModifiedFrom is the answer to a read whose If-None-Match matched,
// with the validators of h, the store's 304 (nil: none).
func notModifiedFrom(name string, h http.Header) *service.Object {
	obj := &service.Object{NotModified: true, Info: service.ObjectInfo{Name: name, Metadata: map[string]string{}}}
	if h != nil {
		obj.Info.ETag = httpsyntax.TrimETag(h.Get("ETag"))
		if t, err := http.ParseTime(h.Get("Last-Modified")); err == nil {
			obj.Info.LastModified = t.UTC()
		}
		obj.Info.VersionID = h.Get("X-Amz-Version-Id")
	}
	return obj
}

// StatObject implements service.StoreClient.
func (c *client) StatObject(ctx context.Context, bucket, name string) (service.ObjectInfo, error) {
	cctx, cancel := c.callContext(withMark(ctx, markObjectRead))
	defer cancel()
	if c.direct != nil {
		return c.statDirect(cctx, bucket, name)
	}
	info, err := c.mc.StatObject(cctx, bucket, name, minio.StatObjectOptions{})
	if err != nil {
		return service.ObjectInfo{}, c.translate(err, bucket, name)
	}
	return objectInfo(name, info), nil
}

// RemoveObject implements service.StoreClient.
func (c *client) RemoveObject(ctx context.Context, bucket, name string) error {
	cctx, cancel := c.callContext(ctx)
	defer cancel()
	return c.translate(c.mc.RemoveObject(cctx, bucket, name, minio.RemoveObjectOptions{}), bucket, name)
}

// RemoveObjects implements service.StoreClient with one multi-object
// delete. It returns an error when the batch as a whole failed for a
// reason that is not about single objects.
func (c *client) RemoveObjects(ctx context.Context, bucket string, batch []string) (map[string]error, error) {
	failed := map[string]error{}
	cctx, cancel := c.callContext(ctx)
	defer cancel()
	in := make(chan minio.ObjectInfo, len(batch))
	for _, name := range batch {
		in <- minio.ObjectInfo{Key: name}
	}
	close(in)
	var whole error
	for r := range c.mc.RemoveObjectsWithResult(cctx, bucket, in, minio.RemoveObjectsOptions{}) {
		switch {
		case r.Err == nil || whole != nil:
		case r.ObjectName == "" || wholeRequestFailure(r.Err):
			whole = r.Err
		default:
			failed[r.ObjectName] = c.translate(r.Err, bucket, r.ObjectName)
		}
	}
	if whole != nil {
		return nil, c.translate(whole, bucket, "")
	}
	return failed, nil
}

// wholeRequestFailure reports whether err, reported for one name of a
// batch, is in fact the failure of the whole request.
func wholeRequestFailure(err error) bool {
	switch errs.CodeOf(translate(err, "", "")) {
	case errs.NoSuchBucket, errs.BackendUnavailable, errs.BackendTimeout:
		return true
	}
	var resp minio.ErrorResponse
	return !errors.As(err, &resp)
}

// objectInfo converts what the store says about an object.
func objectInfo(name string, info minio.ObjectInfo) service.ObjectInfo {
	out := service.ObjectInfo{
		Name:         name,
		Size:         info.Size,
		ETag:         httpsyntax.TrimETag(info.ETag),
		LastModified: info.LastModified.UTC(),
		ContentType:  info.ContentType,
		Metadata:     userMetadata(info.Metadata),
		VersionID:    info.VersionID,
		SHA256:       storedDigest(info.Metadata),
	}
	if out.ContentType == "" {
		out.ContentType = "application/octet-stream"
	}
	return out
}

// userMetadata picks the user metadata out of an object's headers: keys
// without x-amz-meta-, in canonical header form, the stored digest left
// out. It is never nil.
func userMetadata(h http.Header) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		if len(k) > len(metaPrefix) && strings.EqualFold(k[:len(metaPrefix)], metaPrefix) && len(v) > 0 {
			if key := http.CanonicalHeaderKey(k[len(metaPrefix):]); key != service.DigestMetadataKey {
				out[key] = v[0]
			}
		}
	}
	return out
}

// digestHeader is the header that carries an object's stored SHA-256
// (base64), as user metadata.
const digestHeader = metaPrefix + service.DigestMetadataKey

// storedDigest is the SHA-256 kept with an object, nil when there is none
// (or it is not one).
func storedDigest(h http.Header) []byte {
	sum, err := base64.StdEncoding.DecodeString(h.Get(digestHeader))
	if err != nil || len(sum) != sha256.Size {
		return nil
	}
	return sum
}

// rangeHeader renders a byte range as a Range header value.
func rangeHeader(r service.ByteRange) (string, error) {
	switch {
	case r.Start == -1 && r.End > 0:
		return "bytes=-" + strconv.FormatInt(r.End, 10), nil
	case r.Start >= 0 && r.End == -1:
		return "bytes=" + strconv.FormatInt(r.Start, 10) + "-", nil
	case r.Start >= 0 && r.End >= r.Start:
		return "bytes=" + strconv.FormatInt(r.Start, 10) + "-" + strconv.FormatInt(r.End, 10), nil
	}
	return "", errs.New(errs.InvalidRange, "the requested range is not satisfiable")
}

// parseContentRange parses "bytes first-last/total".
func parseContentRange(s string) (service.ContentRange, error) {
	bad := errors.New("malformed Content-Range " + strconv.Quote(s))
	spec, ok := strings.CutPrefix(s, "bytes ")
	if !ok {
		return service.ContentRange{}, bad
	}
	span, total, ok := strings.Cut(spec, "/")
	if !ok {
		return service.ContentRange{}, bad
	}
	first, last, ok := strings.Cut(span, "-")
	if !ok {
		return service.ContentRange{}, bad
	}
	var r service.ContentRange
	var err1, err2, err3 error
	r.Start, err1 = strconv.ParseInt(first, 10, 64)
	r.End, err2 = strconv.ParseInt(last, 10, 64)
	r.Total, err3 = strconv.ParseInt(total, 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil || r.Start > r.End || r.End >= r.Total {
		return service.ContentRange{}, bad
	}
	return r, nil
}
