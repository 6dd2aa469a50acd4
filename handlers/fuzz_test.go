package handlers

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"s3gateway/errs"
	"s3gateway/service"
)

// contextFor returns an Echo context for a request whose target (path and
// query, as sent on the request line) is target; false when the server would
// refuse the target before routing.
func contextFor(method, target string, body io.Reader) (echo.Context, bool) {
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return nil, false
	}
	req := httptest.NewRequest(method, "/", body)
	req.URL, req.RequestURI = u, target
	return echo.New().NewContext(req, httptest.NewRecorder()), true
}

// encodeEverySegment percent-encodes a name's segments with url.PathEscape,
// as most clients do.
func encodeEverySegment(name string) string {
	segs := strings.Split(name, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// encodeEveryByte percent-encodes every byte but '/', as a cautious client
// may.
func encodeEveryByte(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		if name[i] == '/' {
			b.WriteByte('/')
			continue
		}
		b.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(name[i])|0x100, 16)[1:]))
	}
	return b.String()
}

// FuzzObjectName decodes the object name of a route from an arbitrary
// escaped path and validates it. Neither panics, and a name that decodes and
// validates comes back unchanged when a client percent-encodes it again,
// whichever way it encodes it.
func FuzzObjectName(f *testing.F) {
	for _, seed := range []string{
		"a.txt", "dir/a%20b.txt", "a+b", "%2B", "a%2Fb", "100%25", "%23frag", "q%3Fx=1", "dir/",
		"%E4%B8%AD.txt", "a//b", "/a", "./a", "a/../b", "%00", "%ZZ", "%", "%C3%28", "a?b=c", "a#b",
		strings.Repeat("x", 1030), "%2e%2e/x", "a%2F%2Fb",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, escaped string) {
		const prefix = "/api/v1/buckets/bkt/objects/"
		c, ok := contextFor(http.MethodGet, prefix+escaped, nil)
		if !ok {
			return
		}
		bucket, name, err := objectParams(c)
		if err != nil {
			if code := errs.CodeOf(err); code != errs.InvalidObjectName && code != errs.InvalidBucketName {
				t.Fatalf("%q: error code %s", escaped, code)
			}
			return
		}
		if bucket != "bkt" || name == "" {
			t.Fatalf("%q: bucket %q, name %q", escaped, bucket, name)
		}
		if service.ValidateObjectName(name) != nil {
			return
		}
		for _, enc := range []func(string) string{encodeEverySegment, encodeEveryByte} {
			again := enc(name)
			c, ok := contextFor(http.MethodGet, prefix+again, nil)
			if !ok {
				t.Fatalf("name %q encoded as %q is not a valid request target", name, again)
			}
			_, got, err := objectParams(c)
			if err != nil || got != name {
				t.Fatalf("name %q encoded as %q decodes to %q, %v", name, again, got, err)
			}
		}
	})
}

// FuzzRange parses a Range header and offset/length query parameters.
// Neither panics; a parsed range is well formed (a start within bounds and
// an end not before it, or a suffix of at least one byte), and an error is
// InvalidRange for the header or InvalidArgument for the query.
func FuzzRange(f *testing.F) {
	for _, seed := range []struct {
		header, offset, length string
		query                  bool
	}{
		{"bytes=0-99", "", "", false},
		{"bytes=10-", "", "", false},
		{"bytes=-5", "", "", false},
		{"bytes=-0", "", "", false},
		{"bytes=5-1", "", "", false},
		{"bytes=0-1,5-6", "", "", false},
		{"BYTES = 1-2", "", "", false},
		{"items=0-1", "", "", false},
		{"bytes=9223372036854775807-", "", "", false},
		{"bytes=99999999999999999999-", "", "", false},
		{"bytes=+1-2", "", "", false},
		{"", "100", "50", true},
		{"", "9223372036854775807", "1", true},
		{"", "9223372036854775806", "2", true},
		{"", "-1", "", true},
		{"", "0", "0", true},
		{"", "", "abc", true},
		{"bytes=0-1", "5", "", true},
	} {
		f.Add(seed.header, seed.offset, seed.length, seed.query)
	}
	f.Fuzz(func(t *testing.T, header, offset, length string, query bool) {
		r, err := parseRangeHeader(header)
		checkRange(t, "header "+strconv.Quote(header), r, err, errs.InvalidRange)
		if r != nil && r.Start == -1 && r.End < 1 {
			t.Fatalf("header %q: empty suffix %+v", header, r)
		}

		if !query {
			return
		}
		q := url.Values{}
		if offset != "" {
			q.Set("offset", offset)
		}
		if length != "" {
			q.Set("length", length)
		}
		if len(q) == 0 {
			return
		}
		c, ok := contextFor(http.MethodGet, "/api/v1/buckets/b/objects/o?"+q.Encode(), nil)
		if !ok {
			t.Fatalf("query %q is not a valid target", q.Encode())
		}
		c.Request().Header.Set("Range", header)
		r, err = requestedRange(c)
		what := "offset " + strconv.Quote(offset) + " length " + strconv.Quote(length)
		checkRange(t, what, r, err, errs.InvalidArgument)
		if err != nil {
			return
		}
		if r == nil || r.Start < 0 {
			t.Fatalf("%s: range %+v; the query wins over the header", what, r)
		}
		if n, err := strconv.ParseInt(length, 10, 64); err == nil && r.End != -1 && r.End-r.Start+1 != n {
			t.Fatalf("%s: range %+v is not %d bytes long", what, r, n)
		}
	})
}

func checkRange(t *testing.T, what string, r *service.ByteRange, err error, code errs.Code) {
	t.Helper()
	if err != nil {
		if r != nil || errs.CodeOf(err) != code {
			t.Fatalf("%s: %+v, %v; want %s", what, r, err, code)
		}
		return
	}
	if r == nil {
		return
	}
	switch {
	case r.Start == -1: // suffix
		if r.End < 0 {
			t.Fatalf("%s: suffix range %+v", what, r)
		}
	case r.Start < 0:
		t.Fatalf("%s: start of %+v", what, r)
	case r.End != -1 && r.End < r.Start:
		t.Fatalf("%s: end before start in %+v", what, r)
	}
}

// FuzzDecodeJSON runs the strict JSON decoder over arbitrary bodies into
// every request type the handlers decode, with and without a
// Content-Length. It never panics, and every error is MalformedJSON or, for
// a body over the limit, EntityTooLarge.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		`{"name":"photos"}`, `{"name":"photos","region":"us-east-1"}`, `{"names":["a","b"]}`,
		`{"name":"b","source":{"bucket":"a","name":"x"},"conditions":{"matchETag":"e"},"metadata":{"k":"v"}}`,
		`{"prefix":"p/","policy":"readonly"}`, `{"document":{"Version":"2012-10-17","Statement":[]}}`,
		`{"method":"GET","name":"a","expiresIn":60,"responseHeaders":{"contentType":"text/plain"}}`,
		`{"namePrefix":"up/","contentLengthRange":{"min":0,"max":10}}`,
		`{"queueConfigurations":[{"arn":"arn:minio:sqs::PRIMARY:webhook","events":["s3:ObjectCreated:*"]}]}`,
		``, `{`, `{"name":`, `{"name":5}`, `[]`, `null`, `{} {}`, `{"acl":1}`, `"\ud800"`, `{"name":"` + strings.Repeat("a", 300) + `"}`,
		`{"expiresIn":1e400}`, `{"expiresIn":-9223372036854775809}`, "\xff", `{"name":"a"}` + strings.Repeat(" ", 300),
	} {
		f.Add([]byte(seed), true)
	}
	const limit = 256
	h := &handler{maxJSONBody: limit}
	targets := []func() any{
		func() any { return &createBucketRequest{} },
		func() any { return &deleteObjectsRequest{} },
		func() any { return &copyObjectRequest{} },
		func() any { return &putPolicyRequest{} },
		func() any { return &presignRequest{} },
		func() any { return &presignPostRequest{} },
		func() any { return &notificationConfigBody{} },
	}
	f.Fuzz(func(t *testing.T, body []byte, withLength bool) {
		for _, newDst := range targets {
			var r io.Reader = bytes.NewReader(body)
			if !withLength {
				r = io.MultiReader(r) // no length known: read until the limit
			}
			c, _ := contextFor(http.MethodPost, "/api/v1/buckets", r)
			if !withLength {
				c.Request().ContentLength = -1
			}
			err := h.decodeJSON(c, newDst())
			if err == nil {
				if len(body) > limit {
					t.Fatalf("%d bytes accepted over the limit of %d", len(body), limit)
				}
				continue
			}
			e, ok := errs.As(err)
			if !ok || (e.Code != errs.MalformedJSON && e.Code != errs.EntityTooLarge) {
				t.Fatalf("%T: %v", newDst(), err)
			}
			if e.Code == errs.EntityTooLarge && len(body) <= limit {
				t.Fatalf("%d bytes refused as too large", len(body))
			}
			if e.Message == "" || strings.Contains(e.Message, "json: ") {
				t.Fatalf("message %q", e.Message)
			}
		}
	})
}
