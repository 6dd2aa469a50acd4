package miniostore

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/minio/minio-go/v7"

	"s3gateway/errs"
)

// CopyObject copies an object on the store, within or across the tenant's
// buckets. The source is looked at first (its size decides how the copy is
// made; its content type is kept when the metadata is replaced). A source
// larger than CopyComposeThreshold (S3 copies at most 5 GiB in one request)
// is copied in parts.
//
// Copy requests are not bounded by the call timeout: the store's work grows
// with the size of the object.
func (m *MinIO) CopyObject(ctx context.Context, req CopyRequest) (CopyResult, error) {
	tc, srcPhys, err := m.objectTarget(ctx, req.Source.Bucket, req.Source.Name)
	if err != nil {
		return CopyResult{}, err
	}
	dstPhys, err := physicalBucket(tc.tenant, req.Destination.Bucket)
	if err != nil {
		return CopyResult{}, err
	}
	if err := ValidateObjectName(req.Destination.Name); err != nil {
		return CopyResult{}, err
	}
	cond, err := conditionHeaders(req.Conditions)
	if err != nil {
		return CopyResult{}, err
	}
	var meta map[string]string
	if req.Metadata != nil {
		if meta, err = metadataHeaders(req.Metadata); err != nil {
			return CopyResult{}, err
		}
	}

	cctx, cancel := m.callContext(ctx)
	src, err := tc.client.StatObject(cctx, srcPhys, req.Source.Name, minio.StatObjectOptions{})
	cancel()
	if err != nil {
		return CopyResult{}, translate(err, req.Source.Bucket, req.Source.Name)
	}

	c := &copyJob{m: m, tc: tc, req: req, srcPhys: srcPhys, dstPhys: dstPhys, src: src, cond: cond, meta: meta}
	if src.Size > m.cfg.CopyComposeThreshold {
		return c.inParts(ctx)
	}
	return c.single(ctx)
}

// copyJob is one CopyObject in progress.
type copyJob struct {
	m                *MinIO
	tc               *tenantClient
	req              CopyRequest
	srcPhys, dstPhys string
	src              minio.ObjectInfo
	cond             map[string]string // x-amz-copy-source-if-* headers
	meta             map[string]string // replacing user metadata, as headers; nil keeps the source's
}

// single copies in one request; the store checks the conditions.
func (c *copyJob) single(ctx context.Context) (CopyResult, error) {
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
	info, err := c.tc.core.CopyObject(ctx, c.srcPhys, c.req.Source.Name, c.dstPhys, c.req.Destination.Name,
		h, minio.CopySrcOptions{}, minio.PutObjectOptions{})
	if err != nil {
		return CopyResult{}, c.failure(err)
	}
	return CopyResult{
		Bucket: c.req.Destination.Bucket, Name: c.req.Destination.Name,
		ETag: trimETag(info.ETag), LastModified: info.LastModified.UTC(),
	}, nil
}

// inParts copies the source in ranges of at most CopyComposeThreshold bytes
// into a multipart upload of the destination. The conditions are checked
// against the source first, and sent again with every part, pinned to the
// ETag seen, so a source that changes during the copy fails the copy rather
// than mixing two versions. On failure the upload is aborted.
func (c *copyJob) inParts(ctx context.Context) (res CopyResult, err error) {
	size := c.src.Size
	partSize := c.m.cfg.CopyComposeThreshold
	if ceilDiv(size, partSize) > int64(c.m.maxParts) {
		partSize = ceilDiv(size, int64(c.m.maxParts))
	}
	if partSize > MaxSingleCopy {
		return CopyResult{}, errs.New(errs.EntityTooLarge, "the source is too large to copy")
	}
	if !conditionsHold(c.req.Conditions, c.src.ETag, c.src.LastModified) {
		return CopyResult{}, errs.New(errs.PreconditionFailed, "a precondition on %s does not hold",
			describe(c.req.Source.Bucket, c.req.Source.Name))
	}
	partHeaders := make(map[string]string, len(c.cond)+1)
	for k, v := range c.cond {
		partHeaders[k] = v
	}
	if c.req.Conditions.MatchETag == "" {
		partHeaders["x-amz-copy-source-if-match"] = quoteETag(c.src.ETag)
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
	}
	dst := c.req.Destination
	cctx, cancel := c.m.callContext(ctx)
	uploadID, err := c.tc.core.NewMultipartUpload(cctx, c.dstPhys, dst.Name, opts)
	cancel()
	if err != nil {
		return CopyResult{}, translate(err, dst.Bucket, dst.Name)
	}
	defer func() {
		if err != nil {
			c.m.abortUpload(ctx, c.tc, c.dstPhys, dst.Bucket, dst.Name, uploadID)
		}
	}()

	parts := make([]minio.CompletePart, 0, ceilDiv(size, partSize))
	for n, off := 1, int64(0); off < size; n++ {
		length := min(partSize, size-off)
		p, err := c.tc.core.CopyObjectPart(ctx, c.srcPhys, c.req.Source.Name, c.dstPhys, dst.Name,
			uploadID, n, off, length, partHeaders)
		if err != nil {
			return CopyResult{}, c.failure(err)
		}
		parts = append(parts, minio.CompletePart{PartNumber: n, ETag: p.ETag})
		off += length
	}
	cctx, cancel = c.m.callContext(ctx)
	defer cancel()
	info, err := c.tc.core.CompleteMultipartUpload(cctx, c.dstPhys, dst.Name, uploadID, parts, minio.PutObjectOptions{})
	if err != nil {
		return CopyResult{}, translate(err, dst.Bucket, dst.Name)
	}
	res = CopyResult{Bucket: dst.Bucket, Name: dst.Name, ETag: trimETag(info.ETag), LastModified: info.LastModified.UTC()}
	if info.LastModified.IsZero() {
		// Completing reports no date; the new object has it.
		if st, err := c.tc.client.StatObject(cctx, c.dstPhys, dst.Name, minio.StatObjectOptions{}); err == nil {
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
			return translate(err, c.req.Source.Bucket, c.req.Source.Name)
		}
	}
	return translate(err, c.req.Destination.Bucket, c.req.Destination.Name)
}

// conditionHeaders renders copy conditions as x-amz-copy-source-if-*
// headers.
func conditionHeaders(c CopyConditions) (map[string]string, error) {
	h := map[string]string{}
	for header, etag := range map[string]string{
		"x-amz-copy-source-if-match":      c.MatchETag,
		"x-amz-copy-source-if-none-match": c.NotMatchETag,
	} {
		if etag == "" {
			continue
		}
		if !validHeaderValue(etag) {
			return nil, errs.New(errs.InvalidArgument, "ETag condition %q is invalid", etag)
		}
		h[header] = quoteETag(etag)
	}
	if !c.ModifiedSince.IsZero() {
		h["x-amz-copy-source-if-modified-since"] = c.ModifiedSince.UTC().Format(http.TimeFormat)
	}
	if !c.UnmodifiedSince.IsZero() {
		h["x-amz-copy-source-if-unmodified-since"] = c.UnmodifiedSince.UTC().Format(http.TimeFormat)
	}
	return h, nil
}

// conditionsHold evaluates copy conditions against a source as the store
// does (MinIO's checkCopyObjectPreconditions): each condition on its own,
// times to the second of HTTP dates.
func conditionsHold(c CopyConditions, etag string, modified time.Time) bool {
	switch {
	case c.MatchETag != "" && !etagMatches(etag, c.MatchETag):
		return false
	case c.NotMatchETag != "" && etagMatches(etag, c.NotMatchETag):
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

func etagMatches(etag, cond string) bool {
	return cond == "*" || trimETag(cond) == trimETag(etag)
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
