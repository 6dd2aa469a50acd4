package service

import (
	"context"

	"s3gateway/errs"
)

// StatObject describes an object without reading it.
func (g *Gateway) StatObject(ctx context.Context, bucket, name string) (ObjectInfo, error) {
	c, phys, err := g.objectTarget(ctx, bucket, name)
	if err != nil {
		return ObjectInfo{}, err
	}
	info, err := c.StatObject(ctx, phys, name)
	if err != nil {
		return ObjectInfo{}, err
	}
	info.Bucket = bucket
	return info, nil
}

// RemoveObject removes an object; removing one that does not exist is not
// an error (S3's DELETE is idempotent), but a missing bucket is.
func (g *Gateway) RemoveObject(ctx context.Context, bucket, name string) error {
	c, phys, err := g.objectTarget(ctx, bucket, name)
	if err != nil {
		return err
	}
	return c.RemoveObject(ctx, phys, name)
}

// RemoveObjects removes names, reporting name by name. Names are sent to
// the store in batches of at most MaxDeleteBatch, each batch bounded by the
// call timeout. A name given twice is reported once, in the place of its
// first occurrence. An invalid name is reported without stopping the
// others. A missing bucket, or a store that cannot be reached, fails the
// whole call.
func (g *Gateway) RemoveObjects(ctx context.Context, bucket string, names []string) (DeleteResult, error) {
	c, phys, err := g.bucketTarget(ctx, bucket)
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
	for start := 0; start < len(valid); start += MaxDeleteBatch {
		batch := valid[start:min(start+MaxDeleteBatch, len(valid))]
		batchFailed, err := c.RemoveObjects(ctx, phys, batch)
		if err != nil {
			return DeleteResult{}, err
		}
		for name, err := range batchFailed {
			failed[name] = err
		}
	}
	res := DeleteResult{Deleted: []string{}, Errors: []DeleteError{}}
	for _, name := range unique {
		err, ok := failed[name]
		if !ok {
			res.Deleted = append(res.Deleted, name)
			continue
		}
		e, ok := errs.As(err)
		if !ok {
			e = errs.Wrap(err, errs.InternalError, "internal error")
		}
		res.Errors = append(res.Errors, DeleteError{Name: name, Code: string(e.Code), Message: e.Message})
	}
	return res, nil
}
