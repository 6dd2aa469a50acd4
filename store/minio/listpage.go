package miniostore

import (
	"context"

	"github.com/minio/minio-go/v7"

	"s3gateway/service"
)

var _ service.PageLister = (*client)(nil)

// ListPage implements service.PageLister. A V2 listing without metadata
// goes page by page through the store's own pages and resumes from the
// store's continuation token; the others (V1, which has none, and
// metadata listings, which minio-go lists only through its stream) resume
// after q.After.
func (c *client) ListPage(ctx context.Context, bucket string, q service.ListQuery) (service.StorePage, error) {
	if q.UseV1 || q.WithMetadata {
		entries, more, err := c.listStream(ctx, bucket, q)
		return service.StorePage{Entries: entries, More: more}, err
	}
	return c.listV2(ctx, bucket, q)
}

// listV2 asks the store for the entries still missing each time, so the
// page ends where a store page ends and the store's token resumes exactly
// after it. It asks for at least two: MinIO resuming at an object that is
// also a folder already listed (an object "d/" beside "d/x") drops it, and
// when that was the only entry asked for it reports the listing complete.
// Getting one more than the page holds costs the token of that page only.
func (c *client) listV2(ctx context.Context, bucket string, q service.ListQuery) (service.StorePage, error) {
	cctx, cancel := c.callContext(ctx)
	defer cancel()
	delimiter := "/"
	if q.Recursive {
		delimiter = ""
	}
	token, startAfter := q.Token, q.After
	if token != "" {
		startAfter = "" // the token says where the listing is
	}
	var page service.StorePage
	for {
		maxKeys := max(q.Limit-len(page.Entries), 2)
		res, err := c.listV2Request(cctx, bucket, q.Prefix, startAfter, token, delimiter, maxKeys)
		if err != nil {
			return service.StorePage{}, c.translate(err, bucket, "")
		}
		page.Entries = mergeListPage(page.Entries, res, q.After)
		switch {
		case len(page.Entries) > q.Limit:
			// More than the page holds: the store's token is past the
			// page's end, so the next page resumes after its last name.
			page.Entries, page.More = page.Entries[:q.Limit], true
			return page, nil
		case !res.IsTruncated:
			return page, nil
		case len(page.Entries) == q.Limit:
			page.More, page.Token = true, res.NextContinuationToken
			return page, nil
		}
		token, startAfter = res.NextContinuationToken, ""
	}
}

// listV2Request is one ListObjectsV2 request. minio-go's call takes no
// context: it runs aside, and the wait for it ends with ctx (the store's
// answer is bounded by the transport too).
func (c *client) listV2Request(ctx context.Context, bucket, prefix, startAfter, token, delimiter string, maxKeys int) (minio.ListBucketV2Result, error) {
	type result struct {
		res minio.ListBucketV2Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := c.core.ListObjectsV2(bucket, prefix, startAfter, token, delimiter, maxKeys)
		done <- result{res, err}
	}()
	select {
	case r := <-done:
		return r.res, r.err
	case <-ctx.Done():
		return minio.ListBucketV2Result{}, ctx.Err()
	}
}

// mergeListPage appends the entries of one store page after q.After to
// entries: the page's objects and folders are each sorted, and merged
// they are the page in order.
func mergeListPage(entries []service.ObjectInfo, res minio.ListBucketV2Result, after string) []service.ObjectInfo {
	objs, dirs := res.Contents, res.CommonPrefixes
	for len(objs) > 0 || len(dirs) > 0 {
		var e service.ObjectInfo
		if len(dirs) == 0 || (len(objs) > 0 && objs[0].Key < dirs[0].Prefix) {
			e = listEntry(objs[0], false, false)
			objs = objs[1:]
		} else {
			e = service.ObjectInfo{Name: dirs[0].Prefix, IsDir: true}
			dirs = dirs[1:]
		}
		// A start-after equal to a folder makes the store roll the keys
		// under it into that folder again.
		if e.Name > after {
			entries = append(entries, e)
		}
	}
	return entries
}
