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
	after := opts.StartAfter
	if opts.Cursor != "" {
		c, err := decodeCursor(opts.Cursor)
		if err != nil {
			return ListPage{}, err
		}
		after = max(after, c)
	}

	entries, more, err := c.ListObjects(ctx, phys, ListQuery{
		Prefix: opts.Prefix, Recursive: opts.Recursive, After: after, Limit: limit,
		WithMetadata: opts.WithMetadata, UseV1: opts.UseV1,
	})
	if err != nil {
		return ListPage{}, err
	}
	page := ListPage{Objects: entries, Truncated: more}
	for i := range page.Objects {
		page.Objects[i].Bucket = bucket
	}
	if more {
		page.NextCursor = encodeCursor(entries[len(entries)-1].Name)
	}
	if page.Objects == nil {
		page.Objects = []ObjectInfo{}
	}
	return page, nil
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
	if why := pathProblem(s); why != "" {
		return errs.New(errs.InvalidArgument, "%s is invalid: %s", what, why)
	}
	return nil
}
