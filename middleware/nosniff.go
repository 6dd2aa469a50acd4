package middleware

import "github.com/labstack/echo/v4"

// NoSniff sends X-Content-Type-Options: nosniff on every response, so that
// browsers take a response for what its Content-Type says: an object
// stored as text/plain is never run as a script or rendered as HTML by a
// browser guessing from its bytes. It is set before the handler runs, so
// errors, unknown routes and downloads all carry it.
func NoSniff() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().Header().Set("X-Content-Type-Options", "nosniff")
			return next(c)
		}
	}
}
