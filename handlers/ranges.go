package handlers

import (
	"math"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"s3gateway/errs"
	"s3gateway/service"
)

// requestedRange returns the byte range a GET asks for, nil for the whole
// object. The query parameters offset and length take precedence over a
// Range header: they are what the caller wrote in the URL, while a Range
// header may come from a browser or cache resuming that URL.
func requestedRange(c echo.Context) (*service.ByteRange, error) {
	_, hasOffset := queryValue(c, "offset")
	_, hasLength := queryValue(c, "length")
	if hasOffset || hasLength {
		return offsetLengthRange(c)
	}
	return parseRangeHeader(c.Request().Header.Get("Range"))
}

// offsetLengthRange reads offset (≥ 0, default 0) and length (≥ 1, default:
// to the end).
func offsetLengthRange(c echo.Context) (*service.ByteRange, error) {
	offset, err := queryInt(c, "offset", 0, math.MaxInt64, 0)
	if err != nil {
		return nil, err
	}
	length, err := queryInt(c, "length", 1, math.MaxInt64, -1)
	if err != nil {
		return nil, err
	}
	if length < 0 {
		return &service.ByteRange{Start: offset, End: -1}, nil
	}
	if offset > math.MaxInt64-length {
		return nil, invalid("length", "offset + length is too large")
	}
	return &service.ByteRange{Start: offset, End: offset + length - 1}, nil
}

// parseRangeHeader reads a Range header of one byte range: "bytes=a-b",
// "bytes=a-" or "bytes=-n". As RFC 9110 §14.2 allows, a header that is
// malformed, names another unit, or asks for several ranges is ignored and
// the whole object is sent. A suffix of zero bytes ("bytes=-0") can never be
// satisfied and is 416 InvalidRange.
func parseRangeHeader(h string) (*service.ByteRange, error) {
	if h == "" {
		return nil, nil
	}
	unit, spec, ok := strings.Cut(h, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(unit), "bytes") || strings.Contains(spec, ",") {
		return nil, nil
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return nil, nil
	}
	if first == "" {
		n, ok := rangeNumber(last)
		if !ok {
			return nil, nil
		}
		if n == 0 {
			return nil, errs.New(errs.InvalidRange, "the requested range is not satisfiable")
		}
		return &service.ByteRange{Start: -1, End: n}, nil
	}
	start, ok := rangeNumber(first)
	if !ok {
		return nil, nil
	}
	if last == "" {
		return &service.ByteRange{Start: start, End: -1}, nil
	}
	end, ok := rangeNumber(last)
	if !ok || end < start {
		return nil, nil
	}
	return &service.ByteRange{Start: start, End: end}, nil
}

// rangeNumber parses the digits of a range position.
func rangeNumber(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// contentRange formats a Content-Range header value.
func contentRange(r service.ContentRange) string {
	return "bytes " + strconv.FormatInt(r.Start, 10) + "-" + strconv.FormatInt(r.End, 10) + "/" + strconv.FormatInt(r.Total, 10)
}
