package service

import "context"

// Resumable uploads write objects: every step needs objects:write and the
// object's name within the credential's reach, and part URLs never outlive
// the credential.

func (a *authorizer) CreateMultipartUpload(ctx context.Context, req CreateUploadRequest) (MultipartUpload, error) {
	if err := objectAllowed(ctx, "CreateMultipartUpload", req.Bucket, req.Name); err != nil {
		return MultipartUpload{}, err
	}
	return a.inner.CreateMultipartUpload(ctx, req)
}

func (a *authorizer) SignUploadParts(ctx context.Context, req SignPartsRequest) ([]SignedPart, error) {
	p, err := allow(ctx, "SignUploadParts", req.Bucket)
	if err != nil {
		return nil, err
	}
	if err := allowName(p, req.Name); err != nil {
		return nil, err
	}
	if req.Expires == 0 {
		req.Expires = DefaultPartTTL
	}
	if req.Expires, err = clampExpiry(p, req.Expires); err != nil {
		return nil, err
	}
	return a.inner.SignUploadParts(ctx, req)
}

func (a *authorizer) ListUploadParts(ctx context.Context, bucket, name, uploadID string) ([]UploadPart, error) {
	if err := objectAllowed(ctx, "ListUploadParts", bucket, name); err != nil {
		return nil, err
	}
	return a.inner.ListUploadParts(ctx, bucket, name, uploadID)
}

func (a *authorizer) CompleteMultipartUpload(ctx context.Context, req CompleteUploadRequest) (UploadResult, error) {
	if err := objectAllowed(ctx, "CompleteMultipartUpload", req.Bucket, req.Name); err != nil {
		return UploadResult{}, err
	}
	return a.inner.CompleteMultipartUpload(ctx, req)
}

func (a *authorizer) AbortMultipartUpload(ctx context.Context, bucket, name, uploadID string) error {
	if err := objectAllowed(ctx, "AbortMultipartUpload", bucket, name); err != nil {
		return err
	}
	return a.inner.AbortMultipartUpload(ctx, bucket, name, uploadID)
}
