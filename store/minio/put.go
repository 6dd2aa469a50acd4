package miniostore

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"sync"

	"github.com/minio/minio-go/v7"
	"go.uber.org/zap"

	"s3gateway/errs"
	"s3gateway/internal/httpsyntax"
	"s3gateway/internal/logctx"
	"s3gateway/service"
)

// S3's limits for uploads.
const (
	maxUploadParts = 10000
	minPartSize    = 5 << 20 // every part but the last
	maxPartSize    = 5 << 30 // any part
	metaPrefix     = "x-amz-meta-"
)

// PutObject implements service.StoreClient: it stores body as bucket/name,
// streaming it with bounded memory.
//
// The multipart upload is driven here with minio.Core rather than by
// minio-go's PutObject, so that a failed upload is always aborted with a
// context that is not the (possibly cancelled) request's: nothing of a
// failed upload stays in the store.
//
// Payload hashing: none. Requests are signed (headers, SigV4) but their
// payload is sent as UNSIGNED-PAYLOAD, as minio-go itself does over HTTPS.
// Over plain HTTP minio-go would otherwise use the streaming signature,
// which hashes every byte with SHA-256 in the gateway and again in the
// store, and copies each 64 KiB chunk twice: in bench/RESULTS.md that
// doubled the gateway's CPU per uploaded MiB and added a fifth to the
// store's. A store reached across an untrusted network should be reached
// over https://, where TLS protects the payload.
func (c *client) PutObject(ctx context.Context, bucket, name string, body io.Reader, opts service.PutOptions) (service.UploadResult, error) {
	meta := metadataHeaders(opts.Metadata)
	if opts.SHA256 != nil {
		if meta == nil {
			meta = map[string]string{}
		}
		meta[digestHeader] = base64.StdEncoding.EncodeToString(opts.SHA256)
	}
	up := &upload{
		c: c, bucket: bucket, name: name, digests: digestsOf(opts),
		opts: minio.PutObjectOptions{ContentType: opts.ContentType, UserMetadata: meta, DisableContentSha256: true},
	}
	setConditions(&up.opts, opts)
	setConditions(&up.commitOpts, opts)
	switch {
	case opts.Size >= 0 && opts.Size <= c.s.cfg.PartSize:
		return up.single(ctx, body, opts.Size)
	case opts.Size > 0:
		return up.multipartKnown(ctx, body, opts.Size)
	}
	return up.unknownSize(ctx, body)
}

// unsignedPart sends a part's payload unhashed (see PutObject).
var unsignedPart = minio.PutObjectPartOptions{DisableContentSha256: true}

// upload is one PutObject in progress.
type upload struct {
	c            *client
	bucket, name string // bucket is physical
	opts         minio.PutObjectOptions
	// commitOpts carry the conditions to the completion of a multipart
	// upload, where the store checks them again as it commits.
	commitOpts minio.PutObjectOptions
	digests    digests
	hashed     *hashingReader // the body, hashed, when digests are asked
}

// setConditions has the store check a write's conditions atomically with
// the write (MinIO checks If-Match and If-None-Match on PutObject, on
// NewMultipartUpload and on CompleteMultipartUpload).
func setConditions(dst *minio.PutObjectOptions, opts service.PutOptions) {
	if opts.IfMatch != "" {
		dst.SetMatchETag(httpsyntax.TrimETag(opts.IfMatch))
	}
	if opts.IfNoneMatch != "" {
		dst.SetMatchETagExcept("*")
	}
}

// hash returns body, hashed when digests are asked (see digest.go).
func (up *upload) hash(body io.Reader) io.Reader {
	if !up.digests.any() {
		return body
	}
	up.hashed = up.digests.reader(body)
	return up.hashed
}

// checkDigests compares a body read to its end with its digests.
func (up *upload) checkDigests() error {
	if up.hashed == nil {
		return nil
	}
	return up.digests.check(up.hashed, service.Describe("", up.name))
}

// single stores size bytes of body in one PUT, streamed straight through.
func (up *upload) single(ctx context.Context, body io.Reader, size int64) (service.UploadResult, error) {
	br := &bodyReader{r: io.LimitReader(body, size)}
	info, err := up.c.core.PutObject(ctx, up.bucket, up.name, br, size,
		up.digests.md5Base64(), "", up.digests.singlePutOptions(up.opts))
	if err != nil {
		return service.UploadResult{}, up.failure(err, br, size)
	}
	return up.result(info, size), nil
}

// singleBuffered stores data, the whole (small) body held in a pooled
// buffer, in one PUT.
func (up *upload) singleBuffered(ctx context.Context, data []byte) (service.UploadResult, error) {
	if err := up.checkDigests(); err != nil {
		return service.UploadResult{}, err
	}
	part := newPartReader(data)
	info, err := up.c.core.PutObject(ctx, up.bucket, up.name, part, int64(len(data)),
		up.digests.md5Base64(), "", up.digests.singlePutOptions(up.opts))
	part.revoke()
	if err != nil {
		return service.UploadResult{}, up.c.translate(err, up.bucket, up.name)
	}
	return up.result(info, int64(len(data))), nil
}

// multipartKnown stores a body of known size in parts, each streamed from
// body with its exact length. The part size grows with the object so that
// the 10,000-part limit holds.
func (up *upload) multipartKnown(ctx context.Context, body io.Reader, size int64) (res service.UploadResult, err error) {
	partSize := up.c.s.knownPartSize(size)
	if partSize > maxPartSize {
		return service.UploadResult{}, errs.New(errs.EntityTooLarge, "an object can be at most %s", service.MaxObjectSizeText)
	}
	uploadID, err := up.start(ctx)
	if err != nil {
		return service.UploadResult{}, err
	}
	defer func() {
		if err != nil {
			up.c.abortUpload(ctx, up.bucket, up.name, uploadID)
		}
	}()
	br := &bodyReader{r: up.hash(body)}
	parts := make([]minio.CompletePart, 0, ceilDiv(size, partSize))
	for n, off := 1, int64(0); off < size; n++ {
		length := min(partSize, size-off)
		p, err := up.c.core.PutObjectPart(ctx, up.bucket, up.name, uploadID, n,
			io.LimitReader(br, length), length, unsignedPart)
		if err != nil {
			return service.UploadResult{}, up.failure(err, br, off+length)
		}
		parts = append(parts, minio.CompletePart{PartNumber: n, ETag: p.ETag})
		off += length
	}
	return up.complete(ctx, uploadID, parts, size)
}

// knownPartSize is the part size for an object of size bytes: PartSize, or
// more when PartSize would need more parts than allowed.
func (s *Store) knownPartSize(size int64) int64 {
	return max(s.cfg.PartSize, ceilDiv(size, int64(s.maxParts)))
}

// unknownSize stores a body of unknown length. It reads PartSize bytes into
// a pooled buffer; a body that ends there goes in one PUT, a longer one in
// parts of one buffer each. A one-byte look-ahead tells whether the buffer
// in hand is the last part, so no empty part is ever sent.
//
// The store client reads the buffer only through a partReader, revoked
// once its request is over: a failed request the transport still holds
// cannot read the buffer after it went back to the pool.
func (up *upload) unknownSize(ctx context.Context, body io.Reader) (res service.UploadResult, err error) {
	buf := up.c.s.parts.get()
	defer up.c.s.parts.put(buf)

	body = up.hash(body)
	n, next, more, err := fillPart(body, buf, 0)
	if err != nil {
		return service.UploadResult{}, bodyFailure(err)
	}
	if !more {
		return up.singleBuffered(ctx, buf[:n])
	}

	uploadID, err := up.start(ctx)
	if err != nil {
		return service.UploadResult{}, err
	}
	defer func() {
		if err != nil {
			up.c.abortUpload(ctx, up.bucket, up.name, uploadID)
		}
	}()
	var parts []minio.CompletePart
	var total int64
	for partNumber := 1; ; partNumber++ {
		if more && partNumber >= up.c.s.maxParts {
			return service.UploadResult{}, errs.New(errs.EntityTooLarge,
				"an upload of unknown size can have at most %d parts of %d bytes", up.c.s.maxParts, up.c.s.cfg.PartSize)
		}
		if err := ctx.Err(); err != nil {
			return service.UploadResult{}, up.c.translate(err, up.bucket, up.name)
		}
		part := newPartReader(buf[:n])
		p, err := up.c.core.PutObjectPart(ctx, up.bucket, up.name, uploadID, partNumber,
			part, int64(n), unsignedPart)
		part.revoke()
		if err != nil {
			return service.UploadResult{}, up.c.translate(err, up.bucket, up.name)
		}
		parts = append(parts, minio.CompletePart{PartNumber: partNumber, ETag: p.ETag})
		total += int64(n)
		if !more {
			break
		}
		// The look-ahead byte starts the next part.
		buf[0] = next
		if n, next, more, err = fillPart(body, buf, 1); err != nil {
			return service.UploadResult{}, bodyFailure(err)
		}
	}
	return up.complete(ctx, uploadID, parts, total)
}

// fillPart fills buf from body after the first `kept` bytes, which buf
// already holds, and reads one byte further: more reports that body goes on
// past buf, and next is that byte, the first of the next part. n is the
// number of bytes of buf to send.
func fillPart(body io.Reader, buf []byte, kept int) (n int, next byte, more bool, err error) {
	read, eof, err := readFull(body, buf[kept:])
	switch {
	case err != nil:
		return 0, 0, false, err
	case eof:
		return kept + read, 0, false, nil
	}
	var ahead [1]byte
	k, _, err := readFull(body, ahead[:])
	switch {
	case err != nil:
		return 0, 0, false, err
	case k == 1:
		return kept + read, ahead[0], true, nil
	}
	return kept + read, 0, false, nil
}

// readFull reads into buf until it is full or body ends. Only a plain
// io.EOF ends a body: an io.ErrUnexpectedEOF from it (a client that went
// away mid-body) is an error, not a shorter object.
func readFull(body io.Reader, buf []byte) (n int, eof bool, err error) {
	for n < len(buf) {
		k, err := body.Read(buf[n:])
		n += k
		switch {
		case err == io.EOF:
			return n, true, nil
		case err != nil:
			return n, false, err
		}
	}
	return n, false, nil
}

// start begins a multipart upload.
func (up *upload) start(ctx context.Context) (string, error) {
	cctx, cancel := up.c.callContext(ctx)
	defer cancel()
	id, err := up.c.core.NewMultipartUpload(cctx, up.bucket, up.name, up.opts)
	if err != nil {
		return "", up.c.translate(err, up.bucket, up.name)
	}
	return id, nil
}

// complete finishes a multipart upload whose body matches its digests;
// the caller aborts it on an error.
func (up *upload) complete(ctx context.Context, uploadID string, parts []minio.CompletePart, size int64) (service.UploadResult, error) {
	if err := up.checkDigests(); err != nil {
		return service.UploadResult{}, err
	}
	cctx, cancel := up.c.callContext(ctx)
	defer cancel()
	info, err := up.c.core.CompleteMultipartUpload(cctx, up.bucket, up.name, uploadID, parts, up.commitOpts)
	if err != nil {
		return service.UploadResult{}, up.c.translate(err, up.bucket, up.name)
	}
	return up.result(info, size), nil
}

func (up *upload) result(info minio.UploadInfo, size int64) service.UploadResult {
	return service.UploadResult{Name: up.name, ETag: httpsyntax.TrimETag(info.ETag), Size: size, VersionID: info.VersionID}
}

// failure explains a failed streamed PUT: the client's body failing or
// ending early is told apart from the store failing. want is how many body
// bytes the failed request should have read by its end.
func (up *upload) failure(err error, br *bodyReader, want int64) error {
	read, eof, bodyErr := br.state()
	switch {
	case bodyErr != nil:
		return bodyFailure(bodyErr)
	case eof && read < want:
		return errs.Wrap(err, errs.InvalidArgument, "the body is shorter than its announced size")
	}
	return up.c.translate(err, up.bucket, up.name)
}

// bodyFailure is the error for an upload body that could not be read.
func bodyFailure(err error) error {
	if _, ok := errs.As(err); ok {
		return err
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return errs.Wrap(err, errs.EntityTooLarge, "the body is larger than allowed")
	}
	return errs.Wrap(err, errs.InvalidArgument, "the body could not be read to its end")
}

// abortUpload aborts a multipart upload after a failure. It does not use
// ctx's cancellation, which may be the failure, so the abort is still sent
// when the client has gone.
func (c *client) abortUpload(ctx context.Context, bucket, name, uploadID string) {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.s.cfg.BackendTimeout)
	defer cancel()
	if err := c.core.AbortMultipartUpload(actx, bucket, name, uploadID); err != nil {
		logctx.From(ctx).Warn("abort of a failed multipart upload failed",
			zap.String("tenant", c.tenant.ID), zap.String("bucket", bucket), zap.String("object", name),
			zap.String("uploadId", uploadID), zap.Error(err))
	}
}

// bodyReader counts what is read from an upload body and keeps the body's
// own error. The transport may read it from another goroutine, hence the
// lock.
type bodyReader struct {
	r   io.Reader
	mu  sync.Mutex
	n   int64
	eof bool
	err error // the first error other than io.EOF
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.mu.Lock()
	b.n += int64(n)
	switch {
	case err == io.EOF:
		b.eof = true
	case err != nil && b.err == nil:
		b.err = err
	}
	b.mu.Unlock()
	return n, err
}

func (b *bodyReader) state() (int64, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n, b.eof, b.err
}

// metadataHeaders names each (checked) user metadata key as an
// x-amz-meta- header. minio-go sends a UserMetadata key that already looks
// like a header of its own ("x-amz-acl", "Content-Type", "x-minio-…") as
// that header; prefixing every key keeps user metadata user metadata.
func metadataHeaders(meta map[string]string) map[string]string {
	if len(meta) == 0 {
		return nil
	}
	out := make(map[string]string, len(meta))
	for k, v := range meta {
		out[metaPrefix+http.CanonicalHeaderKey(k)] = v
	}
	return out
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
