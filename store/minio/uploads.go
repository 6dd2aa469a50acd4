package miniostore

import (
	"context"
	"sort"
	"strings"

	"github.com/minio/minio-go/v7"

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
func (m *MinIO) ListIncompleteUploads(ctx context.Context, bucket, prefix string, recursive bool) ([]IncompleteUpload, error) {
	tc, phys, err := m.bucketTarget(ctx, bucket)
	if err != nil {
		return nil, err
	}
	if err := validListKey("prefix", prefix); err != nil {
		return nil, err
	}
	found, err := m.multipartUploads(ctx, tc, phys, bucket, "")
	if err != nil {
		return nil, err
	}
	if prefix != "" {
		exact, err := m.multipartUploads(ctx, tc, phys, bucket, prefix)
		if err != nil {
			return nil, err
		}
		found = append(found, exact...)
	}

	out := []IncompleteUpload{}
	seen := map[string]bool{}
	folders := map[string]bool{}
	for _, u := range found {
		if !strings.HasPrefix(u.Key, prefix) || seen[u.UploadID] {
			continue
		}
		seen[u.UploadID] = true
		if !recursive {
			if i := strings.Index(u.Key[len(prefix):], "/"); i >= 0 {
				folder := u.Key[:len(prefix)+i+1]
				if !folders[folder] {
					folders[folder] = true
					out = append(out, IncompleteUpload{Name: folder, IsDir: true})
				}
				continue
			}
		}
		size, err := m.uploadedSize(ctx, tc, phys, bucket, u.Key, u.UploadID)
		if err != nil {
			if errs.Is(err, errs.NoSuchUpload) {
				continue // finished or aborted meanwhile
			}
			return nil, err
		}
		out = append(out, IncompleteUpload{Name: u.Key, UploadID: u.UploadID, Initiated: u.Initiated.UTC(), Size: size})
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
func (m *MinIO) RemoveIncompleteUpload(ctx context.Context, bucket, name string) error {
	tc, phys, err := m.objectTarget(ctx, bucket, name)
	if err != nil {
		return err
	}
	found, err := m.multipartUploads(ctx, tc, phys, bucket, name)
	if err != nil {
		return err
	}
	aborted := 0
	for _, u := range found {
		if u.Key != name {
			continue
		}
		cctx, cancel := m.callContext(ctx)
		err := tc.core.AbortMultipartUpload(cctx, phys, name, u.UploadID)
		cancel()
		if err != nil {
			if err := translate(err, bucket, name); !errs.Is(err, errs.NoSuchUpload) {
				return err
			}
			continue
		}
		aborted++
	}
	if aborted == 0 {
		return errs.New(errs.NoSuchUpload, "there is no incomplete upload of %s", describe(bucket, name))
	}
	return nil
}

// multipartUploads lists the store's incomplete uploads for prefix, page by
// page, without a delimiter.
func (m *MinIO) multipartUploads(ctx context.Context, tc *tenantClient, phys, bucket, prefix string) ([]minio.ObjectMultipartInfo, error) {
	var out []minio.ObjectMultipartInfo
	var keyMarker, uploadIDMarker string
	for {
		cctx, cancel := m.callContext(ctx)
		res, err := tc.core.ListMultipartUploads(cctx, phys, prefix, keyMarker, uploadIDMarker, "", 1000)
		cancel()
		if err != nil {
			return nil, translate(err, bucket, "")
		}
		out = append(out, res.Uploads...)
		if !res.IsTruncated || (res.NextKeyMarker == keyMarker && res.NextUploadIDMarker == uploadIDMarker) {
			return out, nil
		}
		keyMarker, uploadIDMarker = res.NextKeyMarker, res.NextUploadIDMarker
	}
}

// uploadedSize sums the parts uploaded so far.
func (m *MinIO) uploadedSize(ctx context.Context, tc *tenantClient, phys, bucket, name, uploadID string) (int64, error) {
	var size int64
	marker := 0
	for {
		cctx, cancel := m.callContext(ctx)
		res, err := tc.core.ListObjectParts(cctx, phys, name, uploadID, marker, 1000)
		cancel()
		if err != nil {
			return 0, translate(err, bucket, name)
		}
		for _, p := range res.ObjectParts {
			size += p.Size
		}
		if !res.IsTruncated || res.NextPartNumberMarker <= marker {
			return size, nil
		}
		marker = res.NextPartNumberMarker
	}
}
