package service

import (
	"context"
	"errors"

	"s3gateway/errs"
)

// ContextError is the error of a call that ended with its context: the
// deadline of a store call, or the caller going away. It is nil when err is
// neither.
func ContextError(err error) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return errs.Wrap(err, errs.BackendTimeout, "the object store did not answer in time")
	case errors.Is(err, context.Canceled):
		return errs.Wrap(err, errs.InternalError, "the request was cancelled")
	}
	return nil
}
