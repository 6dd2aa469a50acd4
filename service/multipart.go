package service

import (
	"context"
	"sort"
	"time"

	"go.uber.org/zap"

	"s3gateway/errs"
	"s3gateway/internal/httpsyntax"
	"s3gateway/internal/logctx"
)

// Multipart runs resumable uploads whose bytes go straight to the store.
type Multipart interface {
	CreateMultipartUpload(ctx context.Context, req CreateUploadRequest) (MultipartUpload, error)
	// SignUploadParts makes one presigned PUT per part number of an
	// upload that exists.
	SignUploadParts(ctx context.Context, req SignPartsRequest) ([]SignedPart, error)
	// ListUploadParts reports the parts the store holds, for resuming.
	ListUploadParts(ctx context.Context, bucket, name, uploadID string) ([]UploadPart, error)
	// CompleteMultipartUpload checks the named parts against the store's
	// and joins them; an upload over the gateway's limit is aborted.
	CompleteMultipartUpload(ctx context.Context, req CompleteUploadRequest) (UploadResult, error)
	AbortMultipartUpload(ctx context.Context, bucket, name, uploadID string) error
}

// CreateMultipartUpload implements Multipart.
func (g *Gateway) CreateMultipartUpload(ctx context.Context, req CreateUploadRequest) (MultipartUpload, error) {
	c, phys, err := g.objectTarget(ctx, req.Bucket, req.Name)
	if err != nil {
		return MultipartUpload{}, err
	}
	if req.ContentType == "" {
		req.ContentType = "application/octet-stream"
	}
	if !validHeaderValue(req.ContentType) {
		return MultipartUpload{}, errs.New(errs.InvalidArgument, "contentType %q is invalid", req.ContentType)
	}
	if err := validateMetadata(req.Metadata); err != nil {
		return MultipartUpload{}, err
	}
	id, err := c.NewMultipartUpload(ctx, phys, req.Name, PutOptions{ContentType: req.ContentType, Metadata: req.Metadata})
	if err != nil {
		return MultipartUpload{}, err
	}
	return MultipartUpload{UploadID: id, Name: req.Name, PartSize: g.partSize}, nil
}

// SignUploadParts implements Multipart. The upload is looked up first, so
// URLs are made only for an upload of this name in this bucket.
func (g *Gateway) SignUploadParts(ctx context.Context, req SignPartsRequest) ([]SignedPart, error) {
	c, phys, err := g.uploadTarget(ctx, req.Bucket, req.Name, req.UploadID)
	if err != nil {
		return nil, err
	}
	switch n := len(req.PartNumbers); {
	case n == 0:
		return nil, errs.New(errs.InvalidArgument, "partNumbers: at least one part number is required")
	case n > MaxPartsPerSign:
		return nil, errs.New(errs.InvalidArgument, "partNumbers: at most %d part numbers per call", MaxPartsPerSign)
	}
	for _, n := range req.PartNumbers {
		if err := checkPartNumber(n); err != nil {
			return nil, err
		}
	}
	if req.Expires == 0 {
		req.Expires = DefaultPartTTL
	}
	expires, err := presignExpiry(req.Expires)
	if err != nil {
		return nil, err
	}
	if _, err := c.ListUploadParts(ctx, phys, req.Name, req.UploadID); err != nil {
		return nil, uploadError(err, req.Bucket, req.Name)
	}
	signed := time.Now().UTC().Truncate(time.Second)
	out := make([]SignedPart, 0, len(req.PartNumbers))
	for _, n := range req.PartNumbers {
		u, err := c.PresignUploadPart(ctx, phys, req.Name, req.UploadID, n, expires)
		if err != nil {
			return nil, err
		}
		out = append(out, SignedPart{PartNumber: n, URL: u.String(), ExpiresAt: signed.Add(expires)})
	}
	return out, nil
}

// ListUploadParts implements Multipart.
func (g *Gateway) ListUploadParts(ctx context.Context, bucket, name, uploadID string) ([]UploadPart, error) {
	c, phys, err := g.uploadTarget(ctx, bucket, name, uploadID)
	if err != nil {
		return nil, err
	}
	parts, err := c.ListUploadParts(ctx, phys, name, uploadID)
	if err != nil {
		return nil, uploadError(err, bucket, name)
	}
	if parts == nil {
		parts = []UploadPart{}
	}
	return parts, nil
}

// CompleteMultipartUpload implements Multipart. Nothing is completed when
// a part is missing, has another ETag, or is smaller than MinPartSize and
// not the last. The store joins exactly the ETags checked here, so a part
// sent again after the check fails the completion rather than slipping by.
func (g *Gateway) CompleteMultipartUpload(ctx context.Context, req CompleteUploadRequest) (UploadResult, error) {
	c, phys, err := g.uploadTarget(ctx, req.Bucket, req.Name, req.UploadID)
	if err != nil {
		return UploadResult{}, err
	}
	wanted, err := sortedParts(req.Parts)
	if err != nil {
		return UploadResult{}, err
	}
	stored, err := c.ListUploadParts(ctx, phys, req.Name, req.UploadID)
	if err != nil {
		return UploadResult{}, uploadError(err, req.Bucket, req.Name)
	}
	parts, size, err := checkParts(wanted, stored)
	if err != nil {
		return UploadResult{}, err
	}
	if size > g.maxUploadSize {
		if err := c.AbortMultipartUpload(context.WithoutCancel(ctx), phys, req.Name, req.UploadID); err != nil {
			logctx.From(ctx).Warn("abort of an oversized upload failed", zap.String("uploadId", req.UploadID), zap.Error(err))
		}
		return UploadResult{}, errs.New(errs.EntityTooLarge, "the upload's parts add up to %d bytes, more than the %d allowed; the upload is aborted", size, g.maxUploadSize)
	}
	res, err := c.CompleteMultipartUpload(ctx, phys, req.Name, req.UploadID, parts)
	if err != nil {
		return UploadResult{}, uploadError(err, req.Bucket, req.Name)
	}
	res.Bucket = req.Bucket
	return res, nil
}

// AbortMultipartUpload implements Multipart.
func (g *Gateway) AbortMultipartUpload(ctx context.Context, bucket, name, uploadID string) error {
	c, phys, err := g.uploadTarget(ctx, bucket, name, uploadID)
	if err != nil {
		return err
	}
	return uploadError(c.AbortMultipartUpload(ctx, phys, name, uploadID), bucket, name)
}

// uploadTarget resolves a call about one upload, checking the names and
// the upload id before anything reaches the store.
func (g *Gateway) uploadTarget(ctx context.Context, bucket, name, uploadID string) (StoreClient, string, error) {
	c, phys, err := g.objectTarget(ctx, bucket, name)
	if err != nil {
		return nil, "", err
	}
	if err := checkUploadID(uploadID); err != nil {
		return nil, "", err
	}
	return c, phys, nil
}

// checkUploadID refuses what no store makes an upload id of: empty, long,
// or other than visible ASCII.
func checkUploadID(id string) error {
	if id == "" || len(id) > maxUploadIDBytes {
		return errs.New(errs.InvalidArgument, "uploadId must be 1 to %d characters", maxUploadIDBytes)
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] >= 0x7f {
			return errs.New(errs.InvalidArgument, "uploadId must be visible ASCII characters")
		}
	}
	return nil
}

func checkPartNumber(n int) error {
	if n < 1 || n > MaxUploadParts {
		return errs.New(errs.InvalidArgument, "part number %d is out of range: parts are numbered 1 to %d", n, MaxUploadParts)
	}
	return nil
}

// sortedParts checks the parts a client names for completion and sorts
// them by number.
func sortedParts(parts []UploadPart) ([]UploadPart, error) {
	switch {
	case len(parts) == 0:
		return nil, errs.New(errs.InvalidArgument, "parts: at least one part is required")
	case len(parts) > MaxUploadParts:
		return nil, errs.New(errs.InvalidArgument, "parts: an upload has at most %d parts", MaxUploadParts)
	}
	out := make([]UploadPart, len(parts))
	copy(out, parts)
	sort.Slice(out, func(i, j int) bool { return out[i].PartNumber < out[j].PartNumber })
	for i, p := range out {
		if err := checkPartNumber(p.PartNumber); err != nil {
			return nil, err
		}
		if i > 0 && out[i-1].PartNumber == p.PartNumber {
			return nil, errs.New(errs.InvalidArgument, "part %d is named more than once", p.PartNumber)
		}
		if out[i].ETag = httpsyntax.TrimETag(p.ETag); out[i].ETag == "" {
			return nil, errs.New(errs.InvalidArgument, "part %d: etag is required", p.PartNumber)
		}
	}
	return out, nil
}

// checkParts matches the wanted parts (sorted) with the store's, and
// returns them with their sizes and the sum of the sizes.
func checkParts(wanted, stored []UploadPart) ([]UploadPart, int64, error) {
	byNumber := make(map[int]UploadPart, len(stored))
	for _, p := range stored {
		byNumber[p.PartNumber] = p
	}
	var size int64
	out := make([]UploadPart, len(wanted))
	for i, w := range wanted {
		s, ok := byNumber[w.PartNumber]
		switch {
		case !ok:
			return nil, 0, errs.New(errs.InvalidArgument, "part %d is missing: the store has no such part of this upload", w.PartNumber)
		case s.ETag != w.ETag:
			return nil, 0, errs.New(errs.InvalidArgument, "part %d: etag %q does not match the store's", w.PartNumber, w.ETag)
		case s.Size < MinPartSize && i < len(wanted)-1:
			return nil, 0, errs.New(errs.InvalidArgument, "part %d is %d bytes: every part but the last must be at least 5 MiB", w.PartNumber, s.Size)
		}
		out[i] = s
		size += s.Size
	}
	return out, size, nil
}

// uploadError names the upload in a NoSuchUpload error.
func uploadError(err error, bucket, name string) error {
	if err != nil && errs.Is(err, errs.NoSuchUpload) {
		return errs.Wrap(err, errs.NoSuchUpload, "there is no such upload of %s", Describe(bucket, name))
	}
	return err
}
