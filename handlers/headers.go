package handlers

import (
	"net/http"
	"net/textproto"
	"strconv"
	"strings"

	"s3gateway/internal/httpsyntax"
	"s3gateway/service"
)

// metaHeaderPrefix marks user metadata headers, both ways.
const metaHeaderPrefix = "X-Meta-"

// metadataFromHeaders collects user metadata from X-Meta-<key> headers only
// (never X-Amz-Meta-* or any other header). Keys are in canonical header form
// ("X-Meta-color" gives "Color"); a key sent several times has its values
// joined with ", ", as HTTP combines repeated fields. nil when there is none.
func metadataFromHeaders(h http.Header) map[string]string {
	var meta map[string]string
	for k, vs := range h {
		canon := textproto.CanonicalMIMEHeaderKey(k)
		key, ok := strings.CutPrefix(canon, metaHeaderPrefix)
		if !ok || key == "" {
			continue
		}
		if meta == nil {
			meta = map[string]string{}
		}
		meta[key] = strings.Join(vs, ", ")
	}
	return meta
}

// setObjectHeaders sets the headers that describe an object on a GET or
// HEAD response: Content-Type (application/octet-stream when unknown), ETag,
// Last-Modified, Accept-Ranges and one X-Meta-<Key> per metadata entry; with
// download, a Content-Disposition that makes browsers save the object under
// its base name. Content-Length is the caller's, as it depends on the range.
func setObjectHeaders(h http.Header, info service.ObjectInfo, name string, download bool) {
	ct := info.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	setValidators(h, info)
	h.Set("Accept-Ranges", "bytes")
	for k, v := range info.Metadata {
		if k == "" || !httpsyntax.IsToken(k) {
			continue // cannot be a header name
		}
		h.Set(metaHeaderPrefix+textproto.CanonicalMIMEHeaderKey(k), v)
	}
	if download {
		h.Set("Content-Disposition", attachmentDisposition(name))
	}
}

// setValidators sets ETag and Last-Modified, also sent with a 304.
func setValidators(h http.Header, info service.ObjectInfo) {
	if info.ETag != "" {
		h.Set("ETag", httpsyntax.QuoteETag(info.ETag))
	}
	if !info.LastModified.IsZero() {
		h.Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
	}
}

func setContentLength(h http.Header, n int64) {
	h.Set("Content-Length", strconv.FormatInt(n, 10))
}

// attachmentDisposition returns a Content-Disposition that saves the object
// under the last segment of its name: a quoted ASCII fallback in which every
// character that could end the quoted string or start another parameter
// (", \, ;, control characters) and every non-ASCII character is "_", and the
// exact name in RFC 5987 form for clients that read filename*.
func attachmentDisposition(name string) string {
	base := baseName(name)
	return `attachment; filename="` + asciiFilename(base) + `"; filename*=UTF-8''` + rfc5987Encode(base)
}

// baseName is the last non-empty segment of an object name ("dir/" gives
// "dir"), or "download" for a name of slashes only.
func baseName(name string) string {
	name = strings.TrimRight(name, "/")
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if name == "" {
		return "download"
	}
	return name
}

func asciiFilename(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r >= 0x7f || r == '"' || r == '\\' || r == ';' || r == '%' {
			b.WriteByte('_')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// rfc5987Encode percent-encodes every byte of s that is not an attr-char
// (RFC 5987 §3.2.1).
func rfc5987Encode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAttrChar(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}

func isAttrChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}
