// Package middleware holds the gateway's HTTP middleware for Echo: request
// ids, the request log, panic recovery, CORS and API-key authentication.
// Each file does one job. None of them buffers a request or response body.
//
// The order they are installed in matters (see handlers.New): the request id
// first, so every later step can name the request; then the request log,
// which renders any error itself so that the status it logs is the one the
// client got; then panic recovery, CORS and, last, authentication, so that a
// 401 still carries the CORS headers a browser needs to read it.
package middleware
