package middleware

import (
	"fmt"
	"net/http"
	"runtime/debug"

	"github.com/labstack/echo/v4"

	"s3gateway/errs"
)

// PanicError is a recovered panic: its value and the stack where it
// happened. It travels as the cause of an InternalError, so the client sees
// only "internal error" and the request log line carries the stack.
type PanicError struct {
	Value any
	Stack []byte
}

func (p *PanicError) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// Recover turns a panic in the rest of the chain into a 500 InternalError,
// rendered like any other error. http.ErrAbortHandler is re-raised: it is
// net/http's way to abort a response on purpose.
func Recover() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler {
					panic(v)
				}
				err = errs.Wrap(&PanicError{Value: v, Stack: debug.Stack()}, errs.InternalError, "internal error")
			}()
			return next(c)
		}
	}
}
