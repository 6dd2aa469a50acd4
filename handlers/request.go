package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"s3gateway/errs"
)

// decodeJSON reads the request body, at most h.maxJSONBody bytes, as one
// JSON value into dst. Decoding is strict: an unknown field is a
// MalformedJSON error naming the field (a typo in a generated or hand-written
// client then fails loudly instead of being ignored), so is a key given twice
// in one object or in other letter case than the field's (checkJSONKeys), a
// value of the wrong type is a MalformedJSON error naming the field, and
// anything after the value is rejected. A body over the limit is
// EntityTooLarge. The Content-Type is not checked: the body is JSON whatever
// it says.
func (h *handler) decodeJSON(c echo.Context, dst any) error {
	r := c.Request()
	if r.ContentLength > h.maxJSONBody {
		return tooLarge(h.maxJSONBody)
	}
	data, err := io.ReadAll(http.MaxBytesReader(c.Response().Writer, r.Body, h.maxJSONBody))
	if err != nil {
		if e, ok := errs.As(err); ok { // such as a stalled body
			return e
		}
		return jsonError(err, h.maxJSONBody)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err, h.maxJSONBody)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errs.New(errs.MalformedJSON, "unexpected data after the JSON value")
	}
	return checkJSONKeys(data, reflect.TypeOf(dst))
}

func tooLarge(limit int64) error {
	return errs.New(errs.EntityTooLarge, "the JSON body is larger than %d bytes", limit)
}

// jsonError turns a decoding error into a client-safe MalformedJSON error
// that says where the problem is.
func jsonError(err error, limit int64) error {
	var (
		mbe       *http.MaxBytesError
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mbe):
		return tooLarge(limit)
	case errors.Is(err, io.EOF):
		return errs.New(errs.MalformedJSON, "the request body is empty; a JSON object is expected")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.New(errs.MalformedJSON, "the JSON body ends before its value is complete")
	case errors.As(err, &syntaxErr):
		return errs.New(errs.MalformedJSON, "malformed JSON at byte %d: %s", syntaxErr.Offset, strings.TrimPrefix(syntaxErr.Error(), "json: "))
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return errs.New(errs.MalformedJSON, "the request body must be a JSON %s", jsonKind(typeErr.Type))
		}
		return errs.New(errs.MalformedJSON, "%s: must be %s", typeErr.Field, jsonKindWithArticle(typeErr.Type))
	}
	if field, ok := unknownField(err); ok {
		return errs.New(errs.MalformedJSON, "unknown field %q", field)
	}
	return errs.New(errs.MalformedJSON, "malformed JSON")
}

// unknownField extracts the name from encoding/json's unknown-field error,
// which has no type of its own.
func unknownField(err error) (string, bool) {
	const marker = `unknown field "`
	msg := err.Error()
	i := strings.Index(msg, marker)
	if i < 0 {
		return "", false
	}
	rest := msg[i+len(marker):]
	j := strings.LastIndexByte(rest, '"')
	if j < 0 {
		return "", false
	}
	return rest[:j], true
}

// jsonKind names the JSON type that decodes into t.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "whole number"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return "value"
}

func jsonKindWithArticle(t reflect.Type) string {
	k := jsonKind(t)
	if k == "array" || k == "object" {
		return "an " + k
	}
	return "a " + k
}

// bucketsPrefix is the path of the bucket routes up to the bucket name.
const bucketsPrefix = "/api/v1/buckets/"

// bucketParam returns the route's bucket name, decoded once from the
// request's escaped path.
func bucketParam(c echo.Context) (string, error) {
	rest, ok := strings.CutPrefix(c.Request().URL.EscapedPath(), bucketsPrefix)
	if !ok {
		return c.Param("bucket"), nil
	}
	seg, _, _ := strings.Cut(rest, "/")
	b, err := url.PathUnescape(seg)
	if err != nil {
		return "", errs.New(errs.InvalidBucketName, "bucket: the name is not validly percent-encoded")
	}
	return b, nil
}

// objectParams returns the bucket and object name of a route
// /api/v1/buckets/{bucket}/<kind>/{name...}. The name is everything after
// "<kind>/" in the request's escaped path, percent-decoded exactly once, so
// that %2F, %25, +, %23, %3F, spaces, non-ASCII and a trailing "/" come
// through as the client encoded them (Echo's own parameter is decoded or not
// depending on whether Go kept a raw path, so it is not used).
func objectParams(c echo.Context) (bucket, name string, err error) {
	if bucket, err = bucketParam(c); err != nil {
		return "", "", err
	}
	rest, ok := strings.CutPrefix(c.Request().URL.EscapedPath(), bucketsPrefix)
	if !ok {
		return "", "", errs.New(errs.InvalidObjectName, "name: not found in the path")
	}
	_, rest, _ = strings.Cut(rest, "/") // the bucket
	_, rest, _ = strings.Cut(rest, "/") // objects, stat or uploads
	if name, err = url.PathUnescape(rest); err != nil {
		return "", "", errs.New(errs.InvalidObjectName, "name: the object name is not validly percent-encoded")
	}
	if name == "" {
		return "", "", errs.New(errs.InvalidObjectName, "name: the object name is empty")
	}
	return bucket, name, nil
}

// queryBool reads a boolean query parameter strictly: true, false, 1 or 0.
func queryBool(c echo.Context, name string, def bool) (bool, error) {
	v, ok := queryValue(c, name)
	if !ok {
		return def, nil
	}
	switch v {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, errs.New(errs.InvalidArgument, "%s: must be true, false, 1 or 0", name)
}

// queryInt reads an integer query parameter within [lo, hi].
func queryInt(c echo.Context, name string, lo, hi, def int64) (int64, error) {
	v, ok := queryValue(c, name)
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		if hi == math.MaxInt64 {
			return 0, errs.New(errs.InvalidArgument, "%s: must be a whole number of at least %d", name, lo)
		}
		return 0, errs.New(errs.InvalidArgument, "%s: must be a whole number from %d to %d", name, lo, hi)
	}
	return n, nil
}

// queryValue returns the first value of a query parameter and whether the
// parameter was given at all.
func queryValue(c echo.Context, name string) (string, bool) {
	vs, ok := c.QueryParams()[name]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

// queryList returns every value of a repeatable query parameter, each also
// split at commas, without empty items.
func queryList(c echo.Context, name string) []string {
	var out []string
	for _, v := range c.QueryParams()[name] {
		for _, item := range strings.Split(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}

// required reports a missing field.
func required(field string) error {
	return errs.New(errs.InvalidArgument, "%s: required", field)
}

// invalid reports a field with a bad value.
func invalid(field, format string, args ...any) error {
	return errs.New(errs.InvalidArgument, "%s: %s", field, fmt.Sprintf(format, args...))
}
