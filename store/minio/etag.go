package miniostore

import (
	"strings"
	"time"
)

// The ETag rules of the store: how ETags are quoted in conditional
// headers, and compared.

// quoteETag renders an ETag for a conditional header: quoted, unless it is
// "*" or quoted (or weak) already.
func quoteETag(etag string) string {
	etag = strings.TrimSpace(etag)
	if etag == "*" || strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, `W/"`) {
		return etag
	}
	return `"` + etag + `"`
}

// trimETag removes the quotes around an ETag.
func trimETag(etag string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(etag), `"`), `"`)
}

// etagMatches reports whether etag satisfies an ETag condition ("*" or an
// ETag, quoted or not).
func etagMatches(etag, cond string) bool {
	return cond == "*" || trimETag(cond) == trimETag(etag)
}

// unixSecond truncates t to the second, the precision of HTTP dates.
func unixSecond(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }
