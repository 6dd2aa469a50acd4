package service

import (
	"context"
	"strings"

	"s3gateway/errs"
	"s3gateway/internal/httpsyntax"
)

// Conditional requests (RFC 9110 section 13) are decided here, for every
// operation: reads (GET, HEAD) evaluate the object the store describes and
// read exactly that version; writes hand their conditions to the store,
// which checks them when it commits.

// outcome is what a request's preconditions say.
type outcome int

const (
	proceed            outcome = iota
	notModified                // 304, for a read
	preconditionFailed         // 412
)

// evaluate applies the preconditions of a read to the object described by
// info, in RFC 9110's order (section 13.2.2): If-Match, else
// If-Unmodified-Since; then If-None-Match, else If-Modified-Since.
// HTTP dates have whole seconds, so times are compared to the second.
func (o GetOptions) evaluate(info ObjectInfo) outcome {
	modified := info.LastModified.Truncate(1e9)
	switch {
	case o.IfMatch != "":
		if !httpsyntax.MatchesAnyStrong(o.IfMatch, info.ETag) {
			return preconditionFailed
		}
	case !o.IfUnmodifiedSince.IsZero():
		if modified.After(o.IfUnmodifiedSince) {
			return preconditionFailed
		}
	}
	switch {
	case o.IfNoneMatch != "":
		if httpsyntax.MatchesAny(o.IfNoneMatch, info.ETag) {
			return notModified
		}
	case !o.IfModifiedSince.IsZero():
		if !modified.After(o.IfModifiedSince) {
			return notModified
		}
	}
	return proceed
}

func (o GetOptions) conditional() bool {
	return o.IfMatch != "" || o.IfNoneMatch != "" || !o.IfModifiedSince.IsZero() || !o.IfUnmodifiedSince.IsZero()
}

// readAttempts bounds how often a conditional read starts again when the
// object changed between its evaluation and its read.
const readAttempts = 3

// GetObject opens an object in one store request, or, for a conditional
// read, after describing it: the conditions are evaluated on that
// description, and the read asks the store for exactly the version
// evaluated (If-Match with its ETag), so the body always belongs to it.
// The body is a stream: it is bounded by ctx only, not by the call
// timeout, so a long download runs as long as its client reads.
func (g *Gateway) GetObject(ctx context.Context, bucket, name string, opts GetOptions) (*Object, error) {
	c, phys, err := g.objectTarget(ctx, bucket, name)
	if err != nil {
		return nil, err
	}
	read := GetOptions{Range: opts.Range}
	for attempt := 1; ; attempt++ {
		if opts.conditional() {
			info, err := c.StatObject(ctx, phys, name)
			if err != nil {
				return nil, err
			}
			info.Bucket = bucket
			if obj, err := decide(opts, info); obj != nil || err != nil {
				return obj, err
			}
			read.IfMatch = info.ETag
		}
		obj, err := c.GetObject(ctx, phys, name, read)
		if errs.CodeOf(err) == errs.PreconditionFailed && attempt < readAttempts {
			continue // it changed since it was evaluated: evaluate again
		}
		if err != nil {
			return nil, err
		}
		obj.Info.Bucket = bucket
		return obj, nil
	}
}

// HeadObject describes an object as a GET of it would, without a body,
// evaluating the same conditions.
func (g *Gateway) HeadObject(ctx context.Context, bucket, name string, opts GetOptions) (*Object, error) {
	info, err := g.StatObject(ctx, bucket, name)
	if err != nil {
		return nil, err
	}
	if obj, err := decide(opts, info); obj != nil || err != nil {
		return obj, err
	}
	return &Object{Info: info}, nil
}

// decide turns a read's outcome into its answer: a not-modified object, an
// error, or neither (go on).
func decide(opts GetOptions, info ObjectInfo) (*Object, error) {
	switch opts.evaluate(info) {
	case notModified:
		return &Object{Info: info, NotModified: true}, nil
	case preconditionFailed:
		return nil, errs.New(errs.PreconditionFailed, "a precondition on %s does not hold", Describe(info.Bucket, info.Name))
	}
	return nil, nil
}

// RemoveObjectWith removes an object if opts' condition holds. The store
// has no conditional delete: the object is described, the condition
// evaluated, then the object removed, so a write that lands between the
// two is removed too (see README, "Conditional requests").
func (g *Gateway) RemoveObjectWith(ctx context.Context, bucket, name string, opts RemoveOptions) error {
	if opts.IfMatch == "" {
		return g.RemoveObject(ctx, bucket, name)
	}
	if err := checkSingleETag("If-Match", opts.IfMatch); err != nil {
		return err
	}
	c, phys, err := g.objectTarget(ctx, bucket, name)
	if err != nil {
		return err
	}
	info, err := c.StatObject(ctx, phys, name)
	if errs.CodeOf(err) == errs.NoSuchKey {
		// No current version: If-Match is false (RFC 9110 13.1.1).
		return errs.New(errs.PreconditionFailed, "%s does not exist", Describe(bucket, name))
	}
	if err != nil {
		return err
	}
	if !httpsyntax.MatchesAnyStrong(opts.IfMatch, info.ETag) {
		return errs.New(errs.PreconditionFailed, "a precondition on %s does not hold", Describe(bucket, name))
	}
	return c.RemoveObject(ctx, phys, name)
}

// checkPutConditions checks the conditions of a write: the store compares
// one ETag or "*", and creates only with If-None-Match "*".
func checkPutConditions(opts PutOptions) error {
	if opts.IfMatch != "" {
		if err := checkSingleETag("If-Match", opts.IfMatch); err != nil {
			return err
		}
	}
	if opts.IfNoneMatch != "" && strings.TrimSpace(opts.IfNoneMatch) != "*" {
		return errs.New(errs.InvalidArgument, "If-None-Match: only * is supported on a write (create only)")
	}
	return nil
}

// checkSingleETag accepts "*" or one entity tag, quoted or not.
func checkSingleETag(header, v string) error {
	v = strings.TrimSpace(v)
	if v == "*" {
		return nil
	}
	tag := httpsyntax.TrimETag(v)
	if tag == "" || strings.ContainsAny(tag, "\", \t") {
		return errs.New(errs.InvalidArgument, "%s: must be * or one entity tag", header)
	}
	return nil
}
