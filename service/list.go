package service

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"s3gateway/errs"
)

// MaxListLimit is the most entries of one listing page.
const MaxListLimit = 1000

// ListObjects returns one page of a listing. Entries are sorted by name
// (folders among objects, as S3 orders them); NextCursor continues after
// the last entry of the page.
func (g *Gateway) ListObjects(ctx context.Context, bucket string, opts ListOptions) (ListPage, error) {
	c, phys, err := g.bucketTarget(ctx, bucket)
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
	q := ListQuery{
		Prefix: opts.Prefix, Recursive: opts.Recursive, After: opts.StartAfter, Limit: limit,
		WithMetadata: opts.WithMetadata, UseV1: opts.UseV1,
	}
	if opts.Cursor != "" {
		cur, err := decodeCursor(opts.Cursor)
		if err != nil {
			return ListPage{}, err
		}
		// The store's token holds only while the cursor is where the
		// listing starts; a later startAfter wins.
		if cur.After >= q.After {
			q.After, q.Token = cur.After, cur.Token
		}
	}

	sp, err := listStore(ctx, c, phys, q)
	if err != nil {
		return ListPage{}, err
	}
	page := ListPage{Objects: sp.Entries, Truncated: sp.More}
	for i := range page.Objects {
		page.Objects[i].Bucket = bucket
	}
	if sp.More && len(sp.Entries) > 0 {
		page.NextCursor = encodeCursor(listCursor{After: sp.Entries[len(sp.Entries)-1].Name, Token: sp.Token})
	} else {
		page.Truncated = false
	}
	if page.Objects == nil {
		page.Objects = []ObjectInfo{}
	}
	return page, nil
}

// listStore is one page of the store's listing: from the store's token
// when the store client resumes listings with one, else after q.After.
func listStore(ctx context.Context, c StoreClient, bucket string, q ListQuery) (StorePage, error) {
	pl, ok := c.(PageLister)
	if !ok {
		entries, more, err := c.ListObjects(ctx, bucket, q)
		return StorePage{Entries: entries, More: more}, err
	}
	sp, err := pl.ListPage(ctx, bucket, q)
	if err != nil && q.Token != "" && errs.CodeOf(err) == errs.InvalidArgument {
		// The store refused the token the cursor carried.
		return StorePage{}, errs.Wrap(err, errs.InvalidArgument, "%s", invalidCursor)
	}
	return sp, err
}

// cursorVersion is the format of listing cursors: base64url of
// {"v":1,"a":"<the last name returned>","t":"<the store's token>"}, "t"
// left out when the store gave none (cursors without it resume after "a").
const cursorVersion = 1

// maxTokenBytes bounds the store token a cursor may carry.
const maxTokenBytes = 1024

const invalidCursor = "cursor is invalid; use the nextCursor of the previous page"

type listCursor struct {
	V     int    `json:"v"`
	After string `json:"a"`
	Token string `json:"t,omitempty"`
}

func encodeCursor(c listCursor) string {
	c.V = cursorVersion
	b, _ := json.Marshal(c) // strings always marshal
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (listCursor, error) {
	invalid := errs.New(errs.InvalidArgument, "%s", invalidCursor)
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return listCursor{}, invalid
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var c listCursor
	if err := dec.Decode(&c); err != nil || dec.More() || c.V != cursorVersion || c.After == "" ||
		validListKey("cursor", c.After) != nil || !validToken(c.Token) {
		return listCursor{}, invalid
	}
	return c, nil
}

// validToken checks the store token of a cursor: S3 tokens are short and
// printable, without spaces.
func validToken(t string) bool {
	if len(t) > maxTokenBytes {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] > '~' {
			return false
		}
	}
	return true
}

// validListKey checks a prefix or a name a listing starts after.
func validListKey(what, s string) error {
	switch {
	case len(s) > MaxObjectNameBytes:
		return errs.New(errs.InvalidArgument, "%s must be at most %d bytes", what, MaxObjectNameBytes)
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		return errs.New(errs.InvalidArgument, "%s must be valid UTF-8 without NUL", what)
	}
	if why := pathProblem(s); why != "" {
		return errs.New(errs.InvalidArgument, "%s is invalid: %s", what, why)
	}
	return nil
}
