package middleware

import (
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"s3gateway/access"
	"s3gateway/internal/logctx"
)

// Logger puts a request-scoped logger carrying the request id in the
// request's context (internal/logctx) and writes exactly one line per request
// once it is finished: request id, tenant (when authenticated), method, route
// template, status, bytes in and out, and duration.
//
// An error returned by the rest of the chain is rendered here, through
// c.Error (the server's error handler), so that the logged status is the one
// sent. The cause is logged for 5xx responses only, and for errors that
// happen after the response has started (a download cut short); a panic's
// stack, kept by Recover, goes in the same line.
//
// Levels: 5xx error; 401, 403, responses cut short and failures of requests
// whose client went away warn; the rest info.
func Logger(base *zap.Logger) echo.MiddlewareFunc {
	if base == nil {
		base = zap.NewNop()
	}
	// The request line goes out without a caller, which would always be
	// this file. The logger handed down with the request encodes its
	// request id only when something logs through it: most requests log
	// nothing but their line.
	line := base.WithOptions(zap.WithCaller(false))
	// The fields of a line are encoded as it is written, never kept (zap's
	// cores copy what they keep), so one slice serves request after
	// request instead of a new one per line.
	fieldPool := sync.Pool{New: func() any { s := make([]zap.Field, 0, 12); return &s }}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			r := c.Request()
			id := RequestIDFrom(r.Context())
			l := base.WithLazy(zap.String("requestId", id))
			r = r.WithContext(logctx.With(r.Context(), l))
			var in *countingBody
			if r.Body != nil && r.Body != http.NoBody {
				in = &countingBody{ReadCloser: r.Body}
				r.Body = in
			}
			c.SetRequest(r)

			err := next(c)
			res := c.Response()
			interrupted := err != nil && res.Committed
			if err != nil && !res.Committed {
				c.Error(err)
			}

			status := res.Status
			pooled := fieldPool.Get().(*[]zap.Field)
			fields := append((*pooled)[:0], zap.String("requestId", id))
			if t, ok := access.FromContext(c.Request().Context()); ok {
				fields = append(fields, zap.String("tenant", t.ID))
			}
			fields = append(fields,
				zap.String("method", r.Method),
				zap.String("route", c.Path()),
				zap.Int("status", status),
				zap.Int64("bytesIn", in.count()),
				zap.Int64("bytesOut", res.Size),
				zap.Duration("duration", time.Since(start)),
			)
			var panicked *PanicError
			if err != nil && (status >= http.StatusInternalServerError || interrupted) {
				fields = append(fields, zap.Error(err))
				if errors.As(err, &panicked) {
					fields = append(fields, zap.ByteString("stack", panicked.Stack))
				}
			}
			if interrupted {
				fields = append(fields, zap.Bool("interrupted", true))
			}
			clientGone := err != nil && c.Request().Context().Err() != nil
			if clientGone {
				fields = append(fields, zap.Bool("clientGone", true))
			}
			level := levelOf(status, interrupted || clientGone)
			if panicked != nil {
				level = zapcore.ErrorLevel // a bug, whatever the client did
			}
			line.Check(level, "request").Write(fields...)
			clear(fields) // drop the references to this request's values
			*pooled = fields[:0]
			fieldPool.Put(pooled)
			return nil
		}
	}
}

// levelOf is the level of a request's line. A request that failed because
// its client went away, or whose response was cut short, is a warning, not
// a server error.
func levelOf(status int, cutShort bool) zapcore.Level {
	switch {
	case cutShort:
		return zapcore.WarnLevel
	case status >= http.StatusInternalServerError:
		return zapcore.ErrorLevel
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return zapcore.WarnLevel
	default:
		return zapcore.InfoLevel
	}
}

// countingBody counts the bytes read from a request body. The count is
// atomic because a service may read the body from its own goroutines.
type countingBody struct {
	io.ReadCloser
	n atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

func (b *countingBody) count() int64 {
	if b == nil {
		return 0
	}
	return b.n.Load()
}
