package middleware

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"s3gateway/access"
	"s3gateway/errs"
)

// HeaderAPIKey is the alternative to "Authorization: Bearer <key>".
const HeaderAPIKey = "X-API-Key"

// QueryAPIKey is the query parameter that carries the key on the routes
// given to AllowQueryKey, for clients that cannot set headers (a browser's
// EventSource).
const QueryAPIKey = "apiKey"

// AuthOption adjusts Auth.
type AuthOption func(*authConfig)

type authConfig struct {
	queryKeyRoutes map[string]bool
}

// AllowQueryKey accepts the key in the apiKey query parameter on the given
// route templates (as registered, e.g. "/api/v1/buckets/:bucket/events"),
// when no key header is sent. Keys in URLs can end up in proxy logs and
// browser history, so this is for routes that have no other way.
func AllowQueryKey(routes ...string) AuthOption {
	return func(c *authConfig) {
		for _, r := range routes {
			c.queryKeyRoutes[r] = true
		}
	}
}

// Auth resolves the request's credential (a tenant key, a scoped key or a
// user token) to a principal and puts it in the request's context
// (access.WithPrincipal; access.FromContext gives its tenant). The
// credential comes from
// "Authorization: Bearer <key>" or, when there is no Authorization header,
// from X-API-Key. A missing, unknown or expired credential is a 401
// Unauthorized; the error renderer adds WWW-Authenticate: Bearer.
//
// Public paths (IsPublicPath) pass without a key. Every other request,
// known route or not, OPTIONS included, needs one, so an unauthenticated
// caller learns nothing about which routes exist. CORS preflights, which
// browsers send without credentials, are answered by CORS before this for
// the configured origins; preflights from other origins get the same 401 as
// any request without a key.
func Auth(reg access.Resolver, opts ...AuthOption) echo.MiddlewareFunc {
	cfg := authConfig{queryKeyRoutes: map[string]bool{}}
	for _, o := range opts {
		o(&cfg)
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if IsPublicPath(r.URL.Path) {
				return next(c)
			}
			key, err := apiKey(r)
			if err != nil && cfg.queryKeyRoutes[c.Path()] && noKeyHeader(r) {
				key, err = queryKey(r)
			}
			if err != nil {
				return err
			}
			p, err := reg.Resolve(r.Context(), key)
			if err != nil {
				return err
			}
			c.SetRequest(r.WithContext(access.WithPrincipal(r.Context(), p)))
			return next(c)
		}
	}
}

// IsPublicPath reports whether path is served without an API key.
func IsPublicPath(path string) bool {
	switch path {
	case "/healthz", "/readyz", "/metrics", "/openapi.json", "/swagger":
		return true
	}
	return strings.HasPrefix(path, "/swagger/")
}

func apiKey(r *http.Request) (string, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, key, _ := strings.Cut(strings.TrimSpace(h), " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return "", errs.New(errs.Unauthorized, "the Authorization header must use the Bearer scheme")
		}
		if key = strings.TrimSpace(key); key == "" {
			return "", errs.New(errs.Unauthorized, "the Authorization header has no key")
		}
		return key, nil
	}
	if key := strings.TrimSpace(r.Header.Get(HeaderAPIKey)); key != "" {
		return key, nil
	}
	return "", errs.New(errs.Unauthorized, "missing API key: send Authorization: Bearer <key> or X-API-Key: <key>")
}

func noKeyHeader(r *http.Request) bool {
	return r.Header.Get("Authorization") == "" && r.Header.Get(HeaderAPIKey) == ""
}

func queryKey(r *http.Request) (string, error) {
	if key := strings.TrimSpace(r.URL.Query().Get(QueryAPIKey)); key != "" {
		return key, nil
	}
	return "", errs.New(errs.Unauthorized, "missing API key: send Authorization: Bearer <key>, X-API-Key: <key> or, on this route, the apiKey query parameter")
}
