package miniostore

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/minio/minio-go/v7"

	"s3gateway/errs"
	"s3gateway/internal/httpsyntax"
	"s3gateway/service"
)

// CopyObject implements service.StoreClient: it copies an object on the
// store, within or across buckets. The source is looked at first (its size decides how the copy is
// made; its content type is kept when the metadata is replaced). A source
// larger than CopyComposeThreshold (S3 copies at most 5 GiB in one request)
// is copied in parts.
//
// Copy requests are not bounded by the call timeout: the store's work grows
// with the size of the object.
func (c *client) CopyObject(ctx context.Context, req service.CopyRequest) (service.CopyResult, error) {
	cctx, cancel := c.callContext(ctx)
	src, err := c.mc.StatObject(cctx, req.Source.Bucket, req.Source.Name, minio.StatObjectOptions{})
	cancel()
	if err != nil {
		return service.CopyResult{}, c.translate(err, req.Source.Bucket, req.Source.Name)
	}
	var meta map[string]string
	if req.Metadata != nil {
		meta = metadataHeaders(req.Metadata)
	}
	job := &copyJob{c: c, req: req, src: src, cond: conditionHeaders(req.Conditions), meta: meta}
	if src.Size > c.s.cfg.CopyComposeThreshold {
		return job.inParts(ctx)
	}
	return job.single(ctx)
}

// copyJob is one CopyObject in progress.
type copyJob struct {
	c    *client
	req  service.CopyRequest // physical buckets
	src  minio.ObjectInfo
	cond map[string]string // x-amz-copy-source-if-* headers
	meta map[string]string // replacing user metadata, as headers; nil keeps the source's
}

// single copies in one request; the store checks the conditions.
func (c *copyJob) single(ctx context.Context) (service.CopyResult, error) {
	h := make(map[string]string, len(c.cond)+len(c.meta)+6)
	for k, v := range c.cond {
		h[k] = v
	}
	if c.req.Metadata != nil {
		// REPLACE replaces every header the object was stored with; the
		// ones that are not user metadata are carried over.
		h["x-amz-metadata-directive"] = "REPLACE"
		for k, v := range standardHeaders(c.src) {
			h[k] = v
		}
		for k, v := range c.meta {
			h[k] = v
		}
	}
	info, err := c.c.core.CopyObject(ctx, c.req.Source.Bucket, c.req.Source.Name, c.req.Destination.Bucket, c.req.Destination.Name,
		h, minio.CopySrcOptions{}, minio.PutObjectOptions{})
	if err != nil {
		return service.CopyResult{}, c.failure(err)
	}
	return service.CopyResult{
		Name: c.req.Destination.Name,
		ETag: httpsyntax.TrimETag(info.ETag), LastModified: info.LastModified.UTC(),
	}, nil
}

// inParts copies the source in ranges of at most CopyComposeThreshold bytes
// into a multipart upload of the destination. The conditions are checked
// against the source first, and sent again with every part, pinned to the
// ETag seen, so a source that changes during the copy fails the copy rather
// than mixing two versions. On failure the upload is aborted.
func (c *copyJob) inParts(ctx context.Context) (res service.CopyResult, err error) {
	size := c.src.Size
	partSize := c.c.s.cfg.CopyComposeThreshold
	if ceilDiv(size, partSize) > int64(c.c.s.maxParts) {
		partSize = ceilDiv(size, int64(c.c.s.maxParts))
	}
	if partSize > MaxSingleCopy {
		return service.CopyResult{}, errs.New(errs.EntityTooLarge, "the source is too large to copy")
	}
	if !conditionsHold(c.req.Conditions, c.src.ETag, c.src.LastModified) {
		return service.CopyResult{}, errs.New(errs.PreconditionFailed, "a precondition on %s does not hold",
			service.Describe(c.c.logical(c.req.Source.Bucket), c.req.Source.Name))
	}
	partHeaders := make(map[string]string, len(c.cond)+1)
	for k, v := range c.cond {
		partHeaders[k] = v
	}
	if c.req.Conditions.MatchETag == "" {
		partHeaders["x-amz-copy-source-if-match"] = httpsyntax.QuoteETag(c.src.ETag)
	}

	opts := minio.PutObjectOptions{
		ContentType:        c.src.ContentType,
		ContentEncoding:    c.src.Metadata.Get("Content-Encoding"),
		ContentDisposition: c.src.Metadata.Get("Content-Disposition"),
		ContentLanguage:    c.src.Metadata.Get("Content-Language"),
		CacheControl:       c.src.Metadata.Get("Cache-Control"),
		Expires:            c.src.Expires,
		UserMetadata:       c.meta,
	}
	if c.req.Metadata == nil {
		opts.UserMetadata = map[string]string{}
		for k, v := range userMetadata(c.src.Metadata) {
			opts.UserMetadata[metaPrefix+k] = v
		}
		if d := c.src.Metadata.Get(digestHeader); d != "" {
			opts.UserMetadata[digestHeader] = d // the same bytes
		}
	}
	dst := c.req.Destination
	cctx, cancel := c.c.callContext(ctx)
	uploadID, err := c.c.core.NewMultipartUpload(cctx, dst.Bucket, dst.Name, opts)
	cancel()
	if err != nil {
		return service.CopyResult{}, c.c.translate(err, dst.Bucket, dst.Name)
	}
	defer func() {
		if err != nil {
			c.c.abortUpload(ctx, dst.Bucket, dst.Name, uploadID)
		}
	}()

	parts := make([]minio.CompletePart, 0, ceilDiv(size, partSize))
	for n, off := 1, int64(0); off < size; n++ {
		length := min(partSize, size-off)
		p, err := c.c.core.CopyObjectPart(ctx, c.req.Source.Bucket, c.req.Source.Name, dst.Bucket, dst.Name,
			uploadID, n, off, length, partHeaders)
		if err != nil {
			return service.CopyResult{}, c.failure(err)
		}
		parts = append(parts, minio.CompletePart{PartNumber: n, ETag: p.ETag})
		off += length
	}
	cctx, cancel = c.c.callContext(ctx)
	defer cancel()
	info, err := c.c.core.CompleteMultipartUpload(cctx, dst.Bucket, dst.Name, uploadID, parts, minio.PutObjectOptions{})
	if err != nil {
		return service.CopyResult{}, c.c.translate(err, dst.Bucket, dst.Name)
	}
	res = service.CopyResult{Name: dst.Name, ETag: httpsyntax.TrimETag(info.ETag), LastModified: info.LastModified.UTC()}
	if info.LastModified.IsZero() {
		// Completing reports no date; the new object has it.
		if st, err := c.c.mc.StatObject(cctx, dst.Bucket, dst.Name, minio.StatObjectOptions{}); err == nil {
			res.LastModified = st.LastModified.UTC()
		} else {
			res.LastModified = time.Now().UTC()
		}
	}
	return res, nil
}

// failure explains a failed copy request: a missing key is the source's,
// anything else is told about the destination.
func (c *copyJob) failure(err error) error {
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		switch resp.Code {
		case "NoSuchKey", "NoSuchObject", "PreconditionFailed":
			return c.c.translate(err, c.req.Source.Bucket, c.req.Source.Name)
		}
	}
	return c.c.translate(err, c.req.Destination.Bucket, c.req.Destination.Name)
}

// conditionHeaders renders (checked) copy conditions as
// x-amz-copy-source-if-* headers.
func conditionHeaders(c service.CopyConditions) map[string]string {
	h := map[string]string{}
	if c.MatchETag != "" {
		h["x-amz-copy-source-if-match"] = httpsyntax.QuoteETag(c.MatchETag)
	}
	if c.NotMatchETag != "" {
		h["x-amz-copy-source-if-none-match"] = httpsyntax.QuoteETag(c.NotMatchETag)
	}
	if !c.ModifiedSince.IsZero() {
		h["x-amz-copy-source-if-modified-since"] = c.ModifiedSince.UTC().Format(http.TimeFormat)
	}
	if !c.UnmodifiedSince.IsZero() {
		h["x-amz-copy-source-if-unmodified-since"] = c.UnmodifiedSince.UTC().Format(http.TimeFormat)
	}
	return h
}

// conditionsHold evaluates copy conditions against a source as the store
// does (MinIO's checkCopyObjectPreconditions): each condition on its own,
// times to the second of HTTP dates.
func conditionsHold(c service.CopyConditions, etag string, modified time.Time) bool {
	switch {
	case c.MatchETag != "" && !httpsyntax.MatchesAny(c.MatchETag, etag):
		return false
	case c.NotMatchETag != "" && httpsyntax.MatchesAny(c.NotMatchETag, etag):
		return false
	case !c.ModifiedSince.IsZero() && !modifiedSince(modified, c.ModifiedSince):
		return false
	case !c.UnmodifiedSince.IsZero() && modifiedSince(modified, c.UnmodifiedSince):
		return false
	}
	return true
}

// modifiedSince reports whether an object modified at mtime was modified
// after the (whole) second of t.
func modifiedSince(mtime, t time.Time) bool {
	return !mtime.Before(unixSecond(t).Add(time.Second))
}

// standardHeaders are the headers, other than user metadata, an object was
// stored with and that a copy with replaced metadata keeps.
func standardHeaders(info minio.ObjectInfo) map[string]string {
	h := map[string]string{"Content-Type": info.ContentType}
	for _, k := range []string{"Content-Encoding", "Content-Disposition", "Content-Language", "Cache-Control"} {
		if v := info.Metadata.Get(k); v != "" {
			h[k] = v
		}
	}
	if !info.Expires.IsZero() {
		h["Expires"] = info.Expires.UTC().Format(http.TimeFormat)
	}
	return h
}
