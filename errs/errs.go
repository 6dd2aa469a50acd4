// Package errs defines the gateway's error codes, the one table that maps
// them to HTTP statuses, and the error type that carries a code from the
// place an error is decided (service, middleware, handler) to the renderer.
//
// A message in an *Error is always safe to show a client: it never holds a
// backend message, a physical bucket name or an address. The cause, which
// may hold all of those, is kept in Err for the log only.
package errs

import (
	"errors"
	"fmt"
	"net/http"
)

// Code is an error code of the public contract (S3's own where one exists).
type Code string

// The contract's error codes.
const (
	InvalidBucketName     Code = "InvalidBucketName"
	InvalidObjectName     Code = "InvalidObjectName"
	InvalidArgument       Code = "InvalidArgument"
	MalformedJSON         Code = "MalformedJSON"
	InvalidPolicyDocument Code = "InvalidPolicyDocument"
	BadDigest             Code = "BadDigest" // the body does not match the checksum sent with it
	Unauthorized          Code = "Unauthorized"
	AccessDenied          Code = "AccessDenied"
	NoSuchBucket          Code = "NoSuchBucket"
	NoSuchKey             Code = "NoSuchKey"
	NoSuchUpload          Code = "NoSuchUpload"
	NotFound              Code = "NotFound"
	MethodNotAllowed      Code = "MethodNotAllowed"
	BucketAlreadyExists   Code = "BucketAlreadyExists"
	BucketNotEmpty        Code = "BucketNotEmpty"
	PreconditionFailed    Code = "PreconditionFailed"
	EntityTooLarge        Code = "EntityTooLarge"
	InvalidRange          Code = "InvalidRange"
	SlowDown              Code = "SlowDown"
	InternalError         Code = "InternalError"
	BackendUnavailable    Code = "BackendUnavailable"
	BackendTimeout        Code = "BackendTimeout"
)

// statusByCode is the single code → HTTP status table.
var statusByCode = map[Code]int{
	InvalidBucketName:     http.StatusBadRequest,
	InvalidObjectName:     http.StatusBadRequest,
	InvalidArgument:       http.StatusBadRequest,
	MalformedJSON:         http.StatusBadRequest,
	InvalidPolicyDocument: http.StatusBadRequest,
	BadDigest:             http.StatusBadRequest,
	Unauthorized:          http.StatusUnauthorized,
	AccessDenied:          http.StatusForbidden,
	NoSuchBucket:          http.StatusNotFound,
	NoSuchKey:             http.StatusNotFound,
	NoSuchUpload:          http.StatusNotFound,
	NotFound:              http.StatusNotFound,
	MethodNotAllowed:      http.StatusMethodNotAllowed,
	BucketAlreadyExists:   http.StatusConflict,
	BucketNotEmpty:        http.StatusConflict,
	PreconditionFailed:    http.StatusPreconditionFailed,
	EntityTooLarge:        http.StatusRequestEntityTooLarge,
	InvalidRange:          http.StatusRequestedRangeNotSatisfiable,
	SlowDown:              http.StatusTooManyRequests,
	InternalError:         http.StatusInternalServerError,
	BackendUnavailable:    http.StatusServiceUnavailable,
	BackendTimeout:        http.StatusGatewayTimeout,
}

// Status returns the HTTP status of code; unknown codes are internal errors.
func (c Code) Status() int {
	if s, ok := statusByCode[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Codes lists every code of the contract, for documentation and tests.
func Codes() []Code {
	out := make([]Code, 0, len(statusByCode))
	for c := range statusByCode {
		out = append(out, c)
	}
	return out
}

// Error is an error with a contract code and a client-safe message.
type Error struct {
	Code    Code
	Message string // safe to show a client
	Err     error  // the cause, for the log only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error with code and a client-safe message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with code and a client-safe message that keeps cause
// for the log.
func Wrap(cause error, code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: cause}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// CodeOf returns the code of err, InternalError when it carries none.
func CodeOf(err error) Code {
	if e, ok := As(err); ok {
		return e.Code
	}
	return InternalError
}

// Is reports whether err carries code.
func Is(err error, code Code) bool {
	e, ok := As(err)
	return ok && e.Code == code
}
