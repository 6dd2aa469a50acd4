package service

import (
	"context"

	"s3gateway/errs"
)

// CopyObject copies an object on the store, within or across the tenant's
// buckets. A large source is copied in parts; the store checks the
// conditions (see StoreClient.CopyObject).
//
// Copy requests are not bounded by the call timeout: the store's work grows
// with the size of the object.
func (g *Gateway) CopyObject(ctx context.Context, req CopyRequest) (CopyResult, error) {
	t, c, err := g.tenantFor(ctx)
	if err != nil {
		return CopyResult{}, err
	}
	src, dst := req.Source, req.Destination
	if src.Bucket, err = physicalBucket(t, src.Bucket); err != nil {
		return CopyResult{}, err
	}
	if err := ValidateObjectName(src.Name); err != nil {
		return CopyResult{}, err
	}
	if dst.Bucket, err = physicalBucket(t, dst.Bucket); err != nil {
		return CopyResult{}, err
	}
	if err := ValidateObjectName(dst.Name); err != nil {
		return CopyResult{}, err
	}
	for _, etag := range []string{req.Conditions.MatchETag, req.Conditions.NotMatchETag} {
		if etag != "" && !validHeaderValue(etag) {
			return CopyResult{}, errs.New(errs.InvalidArgument, "ETag condition %q is invalid", etag)
		}
	}
	if req.Metadata != nil {
		if err := validateMetadata(req.Metadata); err != nil {
			return CopyResult{}, err
		}
	}
	res, err := c.CopyObject(ctx, CopyRequest{Source: src, Destination: dst, Conditions: req.Conditions, Metadata: req.Metadata})
	if err != nil {
		return CopyResult{}, err
	}
	res.Bucket = req.Destination.Bucket
	return res, nil
}
