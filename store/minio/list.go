package miniostore

import (
	"context"
	"net/http"
	"sort"
	"strings"

	"github.com/minio/minio-go/v7"

	"s3gateway/internal/httpsyntax"
	"s3gateway/service"
)

// ListObjects implements service.StoreClient. Entries are sorted by name
// (folders among objects, as S3 orders them).
func (c *client) ListObjects(ctx context.Context, bucket string, q service.ListQuery) ([]service.ObjectInfo, bool, error) {
	page, err := c.ListPage(ctx, bucket, q)
	return page.Entries, page.More, err
}

// listStream lists through minio-go's listing stream, after q.After.
//
// minio-go's listing hands out each store page's objects first and then its
// folders, so the stream is not sorted across the two (listorder_test.go
// pins this). An entry is returned only once every entry before it is known
// to have arrived: a folder proves that for everything up to itself (the
// page's objects come before it), and an object proves it for whatever
// arrived more than one store page (maxKeys entries) before it. That settles
// a page after one or two store requests, after which the listing is
// cancelled.
func (c *client) listStream(ctx context.Context, bucket string, q service.ListQuery) ([]service.ObjectInfo, bool, error) {
	limit, after := q.Limit, q.After
	maxKeys := min(limit+2, service.MaxListLimit)
	cctx, cancel := c.callContext(ctx)
	ch := c.mc.ListObjects(cctx, bucket, minio.ListObjectsOptions{
		Prefix:       q.Prefix,
		Recursive:    q.Recursive,
		StartAfter:   after,
		WithMetadata: q.WithMetadata,
		UseV1:        q.UseV1,
		MaxKeys:      maxKeys,
	})
	defer func() {
		// Stop the listing goroutine and let it finish.
		cancel()
		for range ch {
		}
	}()

	var entries []service.ObjectInfo
	seen := map[string]bool{}
	b := listBound{sorted: q.Recursive, pageSize: maxKeys}
	complete := true
	for obj := range ch {
		if obj.Err != nil {
			return nil, false, c.translate(obj.Err, bucket, "")
		}
		isDir := !q.Recursive && obj.LastModified.IsZero() && strings.HasSuffix(obj.Key, "/")
		// Keys up to the cursor are dropped: a start-after equal to a folder
		// makes the store roll the keys under it into that folder again.
		if obj.Key > after && !seen[obj.Key] {
			seen[obj.Key] = true
			entries = append(entries, listEntry(obj, isDir, q.WithMetadata))
		}
		// Counting the settled entries takes a pass over them: it is done
		// only when the page could be full.
		if b.see(obj.Key, isDir) && len(entries) > limit && b.settled(entries) > limit {
			complete = false
			break
		}
	}

	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	if !complete {
		n := sort.Search(len(entries), func(i int) bool { return entries[i].Name > b.bound })
		entries = entries[:n]
	}
	if len(entries) > limit {
		return entries[:limit], true, nil
	}
	return entries, false, nil
}

// listBound tracks how far a listing stream is known to be complete: every
// entry up to bound has arrived.
type listBound struct {
	sorted   bool // the stream is sorted (no folders)
	pageSize int  // the most entries of one store page
	bound    string
	has      bool
	run      []string // objects since the last folder
}

// see takes the next key of the stream and reports whether bound moved.
func (b *listBound) see(key string, isDir bool) bool {
	switch {
	case b.sorted || isDir:
		b.run = b.run[:0]
		return b.raise(key)
	}
	// The page in progress holds at most the last pageSize objects; what
	// came before them is from earlier pages, all below anything to come.
	b.run = append(b.run, key)
	if len(b.run) > b.pageSize {
		return b.raise(b.run[len(b.run)-b.pageSize-1])
	}
	return false
}

func (b *listBound) raise(key string) bool {
	if b.has && key <= b.bound {
		return false
	}
	b.bound, b.has = key, true
	return true
}

// settled counts the entries known to be in their final place.
func (b *listBound) settled(entries []service.ObjectInfo) int {
	if !b.has {
		return 0
	}
	n := 0
	for i := range entries {
		if entries[i].Name <= b.bound {
			n++
		}
	}
	return n
}

// listEntry converts one listing entry.
func listEntry(obj minio.ObjectInfo, isDir, withMetadata bool) service.ObjectInfo {
	if isDir {
		return service.ObjectInfo{Name: obj.Key, IsDir: true}
	}
	out := service.ObjectInfo{
		Name:         obj.Key,
		Size:         obj.Size,
		ETag:         httpsyntax.TrimETag(obj.ETag),
		LastModified: obj.LastModified.UTC(),
		ContentType:  obj.ContentType,
		VersionID:    obj.VersionID,
	}
	if withMetadata {
		out.Metadata = map[string]string{}
		for k, v := range obj.UserMetadata {
			switch {
			case len(k) > len(metaPrefix) && strings.EqualFold(k[:len(metaPrefix)], metaPrefix):
				if key := http.CanonicalHeaderKey(k[len(metaPrefix):]); key != service.DigestMetadataKey {
					out.Metadata[key] = v
				}
			case strings.EqualFold(k, "Content-Type") && out.ContentType == "":
				out.ContentType = v
			}
		}
	}
	return out
}
