package middleware

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"github.com/labstack/echo/v4"
)

// HeaderRequestID is the header that carries a request's id both ways.
const HeaderRequestID = "X-Request-ID"

// maxRequestIDLen bounds a caller's request id; longer ones are replaced.
const maxRequestIDLen = 128

type requestIDKey struct{}

// RequestID keeps the caller's X-Request-ID when it is sane (1 to 128 of
// A-Z a-z 0-9 . _ : -) and makes a new random one otherwise. The id is set on
// the response and put in the request's context (see RequestIDFrom).
func RequestID() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			id := r.Header.Get(HeaderRequestID)
			if !saneRequestID(id) {
				id = newRequestID()
			}
			c.Response().Header().Set(HeaderRequestID, id)
			c.SetRequest(r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
			return next(c)
		}
	}
}

// RequestIDFrom returns the request id of ctx, "" when there is none.
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// newRequestID returns 128 random bits in hex.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}
