package service

import (
	"context"
	"time"

	"s3gateway/access"
	"s3gateway/errs"
)

// AbortAbandonedUploads aborts every incomplete upload in the tenant's
// buckets that was started before cutoff, and reports how many it aborted.
// Every upload in a tenant's buckets was started with the tenant's store
// credentials, which only the gateway holds: through the gateway's own
// PUTs, the multipart routes, or a URL it presigned. A failure on one
// bucket does not stop the others; the first is returned.
func (g *Gateway) AbortAbandonedUploads(ctx context.Context, t *access.Tenant, cutoff time.Time) (int, error) {
	ctx = access.NewContext(ctx, t)
	buckets, err := g.ListBuckets(ctx)
	if err != nil {
		return 0, err
	}
	_, c, err := g.tenantFor(ctx)
	if err != nil {
		return 0, err
	}
	aborted := 0
	var first error
	for _, b := range buckets {
		n, err := abortBefore(ctx, c, t.BucketPrefix+b.Name, cutoff)
		aborted += n
		if err != nil && first == nil {
			first = err
		}
	}
	return aborted, first
}

// abortBefore aborts the uploads of one physical bucket started before
// cutoff.
func abortBefore(ctx context.Context, c StoreClient, phys string, cutoff time.Time) (int, error) {
	ups, err := c.ListMultipartUploads(ctx, phys, "")
	if err != nil {
		return 0, err
	}
	aborted := 0
	for _, u := range ups {
		if !u.Initiated.Before(cutoff) {
			continue
		}
		if err := c.AbortMultipartUpload(ctx, phys, u.Name, u.UploadID); err != nil && !errs.Is(err, errs.NoSuchUpload) {
			return aborted, err
		}
		aborted++
	}
	return aborted, nil
}
