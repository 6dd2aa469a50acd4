package service

import (
	"context"
	"sort"
	"strings"

	"s3gateway/errs"
)

// ListIncompleteUploads lists the multipart uploads under prefix that were
// started and neither completed nor aborted, with the bytes uploaded so far.
// With recursive false, uploads of names that go on past a "/" after the
// prefix are summed up as one folder entry (IsDir, no upload id).
//
// MinIO answers a listing with a prefix only for the object of exactly that
// name, and one without a prefix from what it holds in memory; so both are
// asked, and the answers merged and filtered here.
func (g *Gateway) ListIncompleteUploads(ctx context.Context, bucket, prefix string, recursive bool) ([]IncompleteUpload, error) {
	c, phys, err := g.bucketTarget(ctx, bucket)
	if err != nil {
		return nil, err
	}
	if err := validListKey("prefix", prefix); err != nil {
		return nil, err
	}
	found, err := c.ListMultipartUploads(ctx, phys, "")
	if err != nil {
		return nil, err
	}
	if prefix != "" {
		exact, err := c.ListMultipartUploads(ctx, phys, prefix)
		if err != nil {
			return nil, err
		}
		found = append(found, exact...)
	}

	out := []IncompleteUpload{}
	seen := map[string]bool{}
	folders := map[string]bool{}
	for _, u := range found {
		if !strings.HasPrefix(u.Name, prefix) || seen[u.UploadID] {
			continue
		}
		seen[u.UploadID] = true
		if !recursive {
			if i := strings.Index(u.Name[len(prefix):], "/"); i >= 0 {
				folder := u.Name[:len(prefix)+i+1]
				if !folders[folder] {
					folders[folder] = true
					out = append(out, IncompleteUpload{Name: folder, IsDir: true})
				}
				continue
			}
		}
		size, err := c.UploadedSize(ctx, phys, u.Name, u.UploadID)
		if err != nil {
			if errs.Is(err, errs.NoSuchUpload) {
				continue // finished or aborted meanwhile
			}
			return nil, err
		}
		out = append(out, IncompleteUpload{Name: u.Name, UploadID: u.UploadID, Initiated: u.Initiated.UTC(), Size: size})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Initiated.Before(out[j].Initiated)
	})
	return out, nil
}

// RemoveIncompleteUpload aborts every incomplete upload of name. When
// there is none, that is NoSuchUpload: the route names one thing to delete,
// and it is not there.
func (g *Gateway) RemoveIncompleteUpload(ctx context.Context, bucket, name string) error {
	c, phys, err := g.objectTarget(ctx, bucket, name)
	if err != nil {
		return err
	}
	found, err := c.ListMultipartUploads(ctx, phys, name)
	if err != nil {
		return err
	}
	aborted := 0
	for _, u := range found {
		if u.Name != name {
			continue
		}
		if err := c.AbortMultipartUpload(ctx, phys, name, u.UploadID); err != nil {
			if !errs.Is(err, errs.NoSuchUpload) {
				return err
			}
			continue
		}
		aborted++
	}
	if aborted == 0 {
		return errs.New(errs.NoSuchUpload, "there is no incomplete upload of %s", Describe(bucket, name))
	}
	return nil
}
