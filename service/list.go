package service

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/minio/minio-go/v7"

	"s3gateway/errs"
)

// MaxListLimit is the most entries of one listing page.
const MaxListLimit = 1000

// ListObjects returns one page of a listing. Entries are sorted by name
// (folders among objects, as S3 orders them); NextCursor continues after
// the last entry of the page.
//
// minio-go's listing hands out each store page's objects first and then its
// folders, so the stream is not sorted across the two. An entry is returned
// only once every entry before it is known to have arrived: a folder proves
// that for everything up to itself (the page's objects come before it), and
// an object proves it for whatever arrived more than one store page
// (maxKeys entries) before it. That settles a page after one or two store
// requests, after which the listing is cancelled.
func (m *MinIO) ListObjects(ctx context.Context, bucket string, opts ListOptions) (ListPage, error) {
	tc, phys, err := m.bucketTarget(ctx, bucket)
	if err != nil {
		return ListPage{}, err
	}
	limit := opts.Limit
	switch {
	case limit == 0:
		limit = MaxListLimit
	case limit < 0 || limit > MaxListLimit:
		return ListPage{}, errs.New(errs.InvalidArgument, "limit must be between 1 and %d", MaxListLimit)
	}
	if err := validListKey("prefix", opts.Prefix); err != nil {
		return ListPage{}, err
	}
	if err := validListKey("startAfter", opts.StartAfter); err != nil {
		return ListPage{}, err
	}
	if opts.UseV1 && opts.WithMetadata {
		return ListPage{}, errs.New(errs.InvalidArgument, "metadata is listed by ListObjects V2 only")
	}
	after := opts.StartAfter
	if opts.Cursor != "" {
		c, err := decodeCursor(opts.Cursor)
		if err != nil {
			return ListPage{}, err
		}
		after = max(after, c)
	}

	maxKeys := min(limit+2, MaxListLimit)
	cctx, cancel := m.callContext(ctx)
	ch := tc.client.ListObjects(cctx, phys, minio.ListObjectsOptions{
		Prefix:       opts.Prefix,
		Recursive:    opts.Recursive,
		StartAfter:   after,
		WithMetadata: opts.WithMetadata,
		UseV1:        opts.UseV1,
		MaxKeys:      maxKeys,
	})
	defer func() {
		// Stop the listing goroutine and let it finish.
		cancel()
		for range ch {
		}
	}()

	var entries []ObjectInfo
	seen := map[string]bool{}
	b := listBound{sorted: opts.Recursive, pageSize: maxKeys}
	complete := true
	for obj := range ch {
		if obj.Err != nil {
			return ListPage{}, translate(obj.Err, bucket, "")
		}
		isDir := !opts.Recursive && obj.LastModified.IsZero() && strings.HasSuffix(obj.Key, "/")
		// Keys up to the cursor are dropped: a start-after equal to a folder
		// makes the store roll the keys under it into that folder again.
		if obj.Key > after && !seen[obj.Key] {
			seen[obj.Key] = true
			entries = append(entries, listEntry(bucket, obj, isDir, opts.WithMetadata))
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
	page := ListPage{Objects: entries, Truncated: len(entries) > limit}
	if page.Truncated {
		page.Objects = entries[:limit]
		page.NextCursor = encodeCursor(page.Objects[limit-1].Name)
	}
	if page.Objects == nil {
		page.Objects = []ObjectInfo{}
	}
	return page, nil
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
func (b *listBound) settled(entries []ObjectInfo) int {
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
func listEntry(bucket string, obj minio.ObjectInfo, isDir, withMetadata bool) ObjectInfo {
	if isDir {
		return ObjectInfo{Bucket: bucket, Name: obj.Key, IsDir: true}
	}
	out := ObjectInfo{
		Bucket:       bucket,
		Name:         obj.Key,
		Size:         obj.Size,
		ETag:         trimETag(obj.ETag),
		LastModified: obj.LastModified.UTC(),
		ContentType:  obj.ContentType,
		VersionID:    obj.VersionID,
	}
	if withMetadata {
		out.Metadata = map[string]string{}
		for k, v := range obj.UserMetadata {
			switch {
			case len(k) > len(metaPrefix) && strings.EqualFold(k[:len(metaPrefix)], metaPrefix):
				out.Metadata[http.CanonicalHeaderKey(k[len(metaPrefix):])] = v
			case strings.EqualFold(k, "Content-Type") && out.ContentType == "":
				out.ContentType = v
			}
		}
	}
	return out
}

// cursorVersion is the format of listing cursors: base64url of
// {"v":1,"a":"<the last name returned>"}.
const cursorVersion = 1

type listCursor struct {
	V     int    `json:"v"`
	After string `json:"a"`
}

func encodeCursor(after string) string {
	b, _ := json.Marshal(listCursor{V: cursorVersion, After: after}) // strings always marshal
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (string, error) {
	invalid := errs.New(errs.InvalidArgument, "cursor is invalid; use the nextCursor of the previous page")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", invalid
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var c listCursor
	if err := dec.Decode(&c); err != nil || dec.More() || c.V != cursorVersion || c.After == "" ||
		validListKey("cursor", c.After) != nil {
		return "", invalid
	}
	return c.After, nil
}

// validListKey checks a prefix or a name a listing starts after.
func validListKey(what, s string) error {
	switch {
	case len(s) > MaxObjectNameBytes:
		return errs.New(errs.InvalidArgument, "%s must be at most %d bytes", what, MaxObjectNameBytes)
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		return errs.New(errs.InvalidArgument, "%s must be valid UTF-8 without NUL", what)
	}
	return nil
}
