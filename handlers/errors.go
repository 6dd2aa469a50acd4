package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"s3gateway/errs"
	"s3gateway/middleware"
)

// handleError is the server's only error renderer (echo's HTTPErrorHandler).
// Every error becomes {"error":{"code","message","requestId"}} with the
// status of its code:
//
//   - an *errs.Error anywhere in the chain is rendered as it is (its message
//     is client-safe by construction);
//   - Echo's own errors become NotFound ("no such route"), MethodNotAllowed
//     (keeping the Allow header Echo set), EntityTooLarge, and so on;
//   - an exceeded body limit (*http.MaxBytesError) is EntityTooLarge;
//   - anything else is a 500 InternalError with a generic message.
//
// The cause is never sent; the request log (middleware.Logger) records it
// for 5xx. 401 gets WWW-Authenticate: Bearer, 429 and 503 a Retry-After
// (1 s, unless the middleware that refused the request set its own). A
// HEAD request gets the status and headers without a body. Once a response
// has started nothing more can be said, and nothing is written.
func handleError(err error, c echo.Context) {
	res := c.Response()
	if res.Committed {
		return
	}
	e := apiError(err)
	status := e.Code.Status()

	h := res.Header()
	for _, k := range entityHeaders {
		h.Del(k)
	}
	switch status {
	case http.StatusUnauthorized:
		h.Set("WWW-Authenticate", "Bearer")
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		if h.Get("Retry-After") == "" { // a limiter may have said how long
			h.Set("Retry-After", retryAfterSeconds)
		}
	}

	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = c.JSON(status, errorResponse{Error: errorBody{
		Code:      string(e.Code),
		Message:   e.Message,
		RequestID: middleware.RequestIDFrom(c.Request().Context()),
	}})
}

// retryAfterSeconds is what a throttled or unavailable response suggests.
const retryAfterSeconds = "1"

// entityHeaders describe a success body; an error response must not keep
// any a handler set before it failed.
var entityHeaders = []string{
	"Content-Type", "Content-Length", "Content-Range", "Content-Disposition",
	"ETag", "Last-Modified", "Accept-Ranges",
}

// apiError returns the contract error that err is rendered as.
func apiError(err error) *errs.Error {
	if e, ok := errs.As(err); ok {
		return e
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		if e, ok := echoErrors[he.Code]; ok {
			return errs.Wrap(err, e.Code, "%s", e.Message)
		}
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return errs.Wrap(err, errs.EntityTooLarge, "the request body is larger than %d bytes", tooLarge.Limit)
	}
	return errs.Wrap(err, errs.InternalError, "internal error")
}

// echoErrors translates the statuses Echo's router and helpers produce.
var echoErrors = map[int]errs.Error{
	http.StatusBadRequest:            {Code: errs.InvalidArgument, Message: "bad request"},
	http.StatusUnauthorized:          {Code: errs.Unauthorized, Message: "unauthorized"},
	http.StatusForbidden:             {Code: errs.AccessDenied, Message: "access denied"},
	http.StatusNotFound:              {Code: errs.NotFound, Message: "no such route"},
	http.StatusMethodNotAllowed:      {Code: errs.MethodNotAllowed, Message: "method not allowed for this route"},
	http.StatusRequestEntityTooLarge: {Code: errs.EntityTooLarge, Message: "the request body is too large"},
	http.StatusTooManyRequests:       {Code: errs.SlowDown, Message: "too many requests; retry later"},
	http.StatusServiceUnavailable:    {Code: errs.BackendUnavailable, Message: "service unavailable; retry later"},
}
