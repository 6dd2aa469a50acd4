package middleware

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"

	"s3gateway/errs"
)

// BodyDeadline bounds how long a connection can be held by a client that
// stops sending its request body, without limiting how long a slow but
// steady upload may take:
//
//   - every read of the body must get data within idle: the connection's
//     read deadline is moved to now+idle before each read (so a client
//     trickling bytes is never cut), and cleared once the body is read to
//     its end (Go's server then watches the connection for the client
//     going away, and that must not time out during a long response);
//   - a response that starts before the body has been read to its end
//     (an error such as 401, or any answer that does not need the body)
//     says Connection: close, and the read deadline is set to now: Go's
//     server would otherwise wait, with no deadline, to drain up to 256 KiB
//     of the unread body before and after answering.
//
// It goes first in the chain. Requests without a body are untouched.
// Writers that cannot set deadlines (httptest recorders) only get the
// Connection: close.
func BodyDeadline(idle time.Duration) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
				return next(c)
			}
			ctrl := http.NewResponseController(c.Response())
			body := &idleBody{ReadCloser: r.Body, ctrl: ctrl, idle: idle}
			r.Body = body
			res := c.Response()
			res.Before(func() {
				if body.eof {
					return
				}
				// The body will not be read any further.
				res.Header().Set("Connection", "close")
				_ = ctrl.SetReadDeadline(time.Now())
			})
			return next(c)
		}
	}
}

// idleBody is a request body whose every read must get data within idle.
type idleBody struct {
	io.ReadCloser
	ctrl *http.ResponseController
	idle time.Duration
	eof  bool // read to its end: the connection may be reused
	err  error
}

func (b *idleBody) Read(p []byte) (int, error) {
	if b.eof || b.err != nil {
		return b.ReadCloser.Read(p)
	}
	// An error means the writer cannot set deadlines; reads then wait as
	// long as the server lets them.
	_ = b.ctrl.SetReadDeadline(time.Now().Add(b.idle))
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == nil:
		return n, nil
	case errors.Is(err, io.EOF):
		b.eof = true
		_ = b.ctrl.SetReadDeadline(time.Time{})
		return n, err
	case errors.Is(err, os.ErrDeadlineExceeded):
		b.err = errs.Wrap(err, errs.InvalidArgument, "the request body stalled: no data for %s", b.idle)
		return n, b.err
	}
	b.err = err
	return n, err
}
