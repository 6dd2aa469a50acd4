package service

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"

	"s3gateway/errs"
)

// objectTarget resolves the tenant and the physical bucket of a call about
// one object, checking both names before anything reaches the store.
func (m *MinIO) objectTarget(ctx context.Context, bucket, name string) (*tenantClient, string, error) {
	tc, err := m.tenantFor(ctx)
	if err != nil {
		return nil, "", err
	}
	phys, err := physicalBucket(tc.tenant, bucket)
	if err != nil {
		return nil, "", err
	}
	if err := ValidateObjectName(name); err != nil {
		return nil, "", err
	}
	return tc, phys, nil
}

// bucketTarget resolves the tenant and the physical bucket of a call about
// a bucket.
func (m *MinIO) bucketTarget(ctx context.Context, bucket string) (*tenantClient, string, error) {
	tc, err := m.tenantFor(ctx)
	if err != nil {
		return nil, "", err
	}
	phys, err := physicalBucket(tc.tenant, bucket)
	if err != nil {
		return nil, "", err
	}
	return tc, phys, nil
}

// GetObject opens an object in one store request. The body is a stream: it
// is bounded by ctx only, not by the call timeout, so a long download runs
// as long as its client reads.
func (m *MinIO) GetObject(ctx context.Context, bucket, name string, opts GetOptions) (*Object, error) {
	tc, phys, err := m.objectTarget(ctx, bucket, name)
	if err != nil {
		return nil, err
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
		gopts.Set("If-None-Match", quoteETag(opts.IfNoneMatch))
		sctx = withCapture(sctx, captured)
	}
	body, info, header, err := tc.core.GetObject(sctx, phys, name, gopts)
	if err != nil {
		var resp minio.ErrorResponse
		if errors.As(err, &resp) && resp.StatusCode == http.StatusNotModified {
			return notModified(bucket, name, captured), nil
		}
		return nil, translate(err, bucket, name)
	}
	obj := &Object{Info: objectInfo(bucket, name, info), Body: body}
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
func notModified(bucket, name string, captured *capturedResponse) *Object {
	obj := &Object{NotModified: true, Info: ObjectInfo{Bucket: bucket, Name: name, Metadata: map[string]string{}}}
	if status, h := captured.get(); status == http.StatusNotModified {
		obj.Info.ETag = trimETag(h.Get("ETag"))
		if t, err := http.ParseTime(h.Get("Last-Modified")); err == nil {
			obj.Info.LastModified = t.UTC()
		}
		obj.Info.VersionID = h.Get("X-Amz-Version-Id")
	}
	return obj
}

// StatObject describes an object without reading it.
func (m *MinIO) StatObject(ctx context.Context, bucket, name string) (ObjectInfo, error) {
	tc, phys, err := m.objectTarget(ctx, bucket, name)
	if err != nil {
		return ObjectInfo{}, err
	}
	cctx, cancel := m.callContext(withMark(ctx, markObjectRead))
	defer cancel()
	info, err := tc.client.StatObject(cctx, phys, name, minio.StatObjectOptions{})
	if err != nil {
		return ObjectInfo{}, translate(err, bucket, name)
	}
	return objectInfo(bucket, name, info), nil
}

// RemoveObject removes an object; removing one that does not exist is not
// an error (S3's DELETE is idempotent), but a missing bucket is.
func (m *MinIO) RemoveObject(ctx context.Context, bucket, name string) error {
	tc, phys, err := m.objectTarget(ctx, bucket, name)
	if err != nil {
		return err
	}
	cctx, cancel := m.callContext(ctx)
	defer cancel()
	return translate(tc.client.RemoveObject(cctx, phys, name, minio.RemoveObjectOptions{}), bucket, name)
}

// maxDeleteBatch is the most keys S3 deletes in one request.
const maxDeleteBatch = 1000

// RemoveObjects removes names, reporting name by name. Names are sent to
// the store in batches of at most 1000, each batch bounded by the call
// timeout. A name given twice is reported once, in the place of its first
// occurrence. An invalid name is reported without stopping the others. A
// missing bucket, or a store that cannot be reached, fails the whole call.
func (m *MinIO) RemoveObjects(ctx context.Context, bucket string, names []string) (DeleteResult, error) {
	tc, phys, err := m.bucketTarget(ctx, bucket)
	if err != nil {
		return DeleteResult{}, err
	}
	var unique, valid []string
	failed := map[string]error{}
	seen := make(map[string]bool, len(names))
	for _, name := range names {
		if seen[name] {
			continue
		}
		seen[name] = true
		unique = append(unique, name)
		if err := ValidateObjectName(name); err != nil {
			failed[name] = err
			continue
		}
		valid = append(valid, name)
	}
	for start := 0; start < len(valid); start += maxDeleteBatch {
		batch := valid[start:min(start+maxDeleteBatch, len(valid))]
		if err := m.removeBatch(ctx, tc, phys, bucket, batch, failed); err != nil {
			return DeleteResult{}, err
		}
	}
	res := DeleteResult{Deleted: []string{}, Errors: []DeleteError{}}
	for _, name := range unique {
		err, ok := failed[name]
		if !ok {
			res.Deleted = append(res.Deleted, name)
			continue
		}
		e, _ := errs.As(translate(err, bucket, name))
		res.Errors = append(res.Errors, DeleteError{Name: name, Code: string(e.Code), Message: e.Message})
	}
	return res, nil
}

// removeBatch deletes one batch with a multi-object delete and records
// the names that failed in failed. It returns an error when the batch as a
// whole failed for a reason that is not about single objects.
func (m *MinIO) removeBatch(ctx context.Context, tc *tenantClient, phys, bucket string, batch []string, failed map[string]error) error {
	cctx, cancel := m.callContext(ctx)
	defer cancel()
	in := make(chan minio.ObjectInfo, len(batch))
	for _, name := range batch {
		in <- minio.ObjectInfo{Key: name}
	}
	close(in)
	var whole error
	for r := range tc.client.RemoveObjectsWithResult(cctx, phys, in, minio.RemoveObjectsOptions{}) {
		switch {
		case r.Err == nil || whole != nil:
		case r.ObjectName == "" || wholeRequestFailure(r.Err):
			whole = r.Err
		default:
			failed[r.ObjectName] = r.Err
		}
	}
	if whole != nil {
		return translate(whole, bucket, "")
	}
	return nil
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
func objectInfo(bucket, name string, info minio.ObjectInfo) ObjectInfo {
	out := ObjectInfo{
		Bucket:       bucket,
		Name:         name,
		Size:         info.Size,
		ETag:         trimETag(info.ETag),
		LastModified: info.LastModified.UTC(),
		ContentType:  info.ContentType,
		Metadata:     userMetadata(info.Metadata),
		VersionID:    info.VersionID,
	}
	if out.ContentType == "" {
		out.ContentType = "application/octet-stream"
	}
	return out
}

// userMetadata picks the user metadata out of an object's headers: keys
// without x-amz-meta-, in canonical header form. It is never nil.
func userMetadata(h http.Header) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		if len(k) > len(metaPrefix) && strings.EqualFold(k[:len(metaPrefix)], metaPrefix) && len(v) > 0 {
			out[http.CanonicalHeaderKey(k[len(metaPrefix):])] = v[0]
		}
	}
	return out
}

// rangeHeader renders a byte range as a Range header value.
func rangeHeader(r ByteRange) (string, error) {
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
func parseContentRange(s string) (ContentRange, error) {
	bad := errors.New("malformed Content-Range " + strconv.Quote(s))
	spec, ok := strings.CutPrefix(s, "bytes ")
	if !ok {
		return ContentRange{}, bad
	}
	span, total, ok := strings.Cut(spec, "/")
	if !ok {
		return ContentRange{}, bad
	}
	first, last, ok := strings.Cut(span, "-")
	if !ok {
		return ContentRange{}, bad
	}
	var r ContentRange
	var err1, err2, err3 error
	r.Start, err1 = strconv.ParseInt(first, 10, 64)
	r.End, err2 = strconv.ParseInt(last, 10, 64)
	r.Total, err3 = strconv.ParseInt(total, 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil || r.Start > r.End || r.End >= r.Total {
		return ContentRange{}, bad
	}
	return r, nil
}

// quoteETag renders an ETag for a conditional header: quoted, unless it is
// "*" or quoted (or weak) already.
func quoteETag(etag string) string {
	etag = strings.TrimSpace(etag)
	if etag == "*" || strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, `W/"`) {
		return etag
	}
	return `"` + etag + `"`
}

// trimETag removes the quotes around an ETag.
func trimETag(etag string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(etag), `"`), `"`)
}

// unixSecond truncates t to the second, the precision of HTTP dates.
func unixSecond(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }
