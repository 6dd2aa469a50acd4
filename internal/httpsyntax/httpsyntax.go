// Package httpsyntax holds the rules of HTTP syntax (RFC 9110) that more
// than one layer applies: tokens (header names) and entity tags.
package httpsyntax

import "strings"

// IsToken reports whether s is an RFC 9110 token, the syntax of a header
// name.
func IsToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return s != ""
}

// QuoteETag returns etag as an entity tag: in double quotes, unless it is
// "*" or quoted (or weak) already.
func QuoteETag(etag string) string {
	etag = strings.TrimSpace(etag)
	if etag == "*" || strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, `W/"`) {
		return etag
	}
	return `"` + etag + `"`
}

// TrimETag returns the opaque part of an entity tag: without the weak
// prefix and the quotes.
func TrimETag(etag string) string {
	etag = strings.TrimPrefix(strings.TrimSpace(etag), "W/")
	return strings.TrimSuffix(strings.TrimPrefix(etag, `"`), `"`)
}

// MatchesAny reports whether a list of entity tags, or "*", as If-None-Match
// carries it, matches etag, by the weak comparison RFC 9110 §13.1.2
// prescribes for If-None-Match.
func MatchesAny(header, etag string) bool {
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" {
			return true
		}
		if tag = TrimETag(tag); tag != "" && tag == TrimETag(etag) {
			return true
		}
	}
	return false
}

// MatchesAnyStrong is MatchesAny with the strong comparison RFC 9110
// §13.1.1 prescribes for If-Match: a weak entity tag never matches.
func MatchesAnyStrong(header, etag string) bool {
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" {
			return true
		}
		if !strings.HasPrefix(tag, "W/") && !strings.HasPrefix(etag, "W/") {
			if tag = TrimETag(tag); tag != "" && tag == TrimETag(etag) {
				return true
			}
		}
	}
	return false
}
