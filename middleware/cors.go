package middleware

import (
	"net/http"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"s3gateway/internal/httpsyntax"
)

// CORS answers cross-origin requests from the allowed origins (exact
// matches of the Origin header; no origins configured means no CORS headers
// at all).
//
// A preflight (OPTIONS with Origin and Access-Control-Request-Method) from an
// allowed origin is answered here with 204: the methods of the API, the
// request headers it reads (Authorization, X-API-Key, Content-Type, Range,
// If-None-Match, X-Request-ID) plus every X-Meta-* header the browser asks
// for by name (a wildcard is no use to browsers when Authorization is sent),
// and a ten-minute max age. Other requests from an allowed origin get
// Access-Control-Allow-Origin and an Access-Control-Expose-Headers that lists
// the response headers a client reads, including the X-Meta-* headers of
// that very response. Requests from other origins pass through untouched.
// No credentials (cookies) are involved, so Allow-Credentials is never sent.
func CORS(origins []string) echo.MiddlewareFunc {
	allowed := make(map[string]bool, len(origins))
	for _, o := range origins {
		allowed[o] = true
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if len(allowed) == 0 {
			return next
		}
		return func(c echo.Context) error {
			r := c.Request()
			h := c.Response().Header()
			h.Add("Vary", "Origin")
			origin := r.Header.Get("Origin")
			if origin == "" || !allowed[origin] {
				return next(c)
			}
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Add("Vary", "Access-Control-Request-Method")
				h.Add("Vary", "Access-Control-Request-Headers")
				h.Set("Access-Control-Allow-Origin", origin)
				h.Set("Access-Control-Allow-Methods", corsMethods)
				h.Set("Access-Control-Allow-Headers", allowHeaders(r.Header.Values("Access-Control-Request-Headers")))
				h.Set("Access-Control-Max-Age", corsMaxAge)
				return c.NoContent(http.StatusNoContent)
			}
			h.Set("Access-Control-Allow-Origin", origin)
			c.Response().Before(func() { h.Set("Access-Control-Expose-Headers", exposeHeaders(h)) })
			return next(c)
		}
	}
}

const (
	corsMethods = "GET, HEAD, PUT, POST, DELETE"
	corsMaxAge  = "600"
	metaPrefix  = "X-Meta-"
)

// corsRequestHeaders are the request headers the API reads.
var corsRequestHeaders = []string{"Authorization", "X-API-Key", "Content-Type", "Range", "If-None-Match", HeaderRequestID}

// corsResponseHeaders are the response headers a client may need to read,
// beyond the CORS-safelisted ones.
var corsResponseHeaders = []string{"ETag", HeaderRequestID, "Content-Range", "Content-Disposition", "Last-Modified", "Accept-Ranges", "Retry-After", "WWW-Authenticate"}

// allowHeaders lists the headers a preflight may use: the fixed ones plus
// the X-Meta-* names the browser asked for.
func allowHeaders(requested []string) string {
	out := append([]string(nil), corsRequestHeaders...)
	seen := map[string]bool{}
	for _, line := range requested {
		for _, name := range strings.Split(line, ",") {
			name = strings.TrimSpace(name)
			canon := http.CanonicalHeaderKey(name)
			if len(canon) > len(metaPrefix) && strings.HasPrefix(canon, metaPrefix) && httpsyntax.IsToken(name) && !seen[canon] {
				seen[canon] = true
				out = append(out, strings.ToLower(name))
			}
		}
	}
	return strings.Join(out, ", ")
}

// exposeHeaders lists the fixed response headers plus the X-Meta-* headers
// set on this response.
func exposeHeaders(h http.Header) string {
	out := append([]string(nil), corsResponseHeaders...)
	var meta []string
	for k := range h {
		if len(k) > len(metaPrefix) && strings.HasPrefix(k, metaPrefix) {
			meta = append(meta, k)
		}
	}
	sort.Strings(meta)
	return strings.Join(append(out, meta...), ", ")
}
