// Package middleware holds the gateway's HTTP middleware for Echo: request
// ids, metrics, the request log, panic recovery, CORS, API-key
// authentication and per-tenant limits. Each file does one job. None of them
// buffers a request or response body.
//
// The order they are installed in matters (see handlers.New): the request id
// first, so every later step can name the request; then metrics, which see
// the final status once the request log below them has rendered any error;
// then the request log, which renders any error itself so that the status it
// logs is the one the client got; then panic recovery, CORS and
// authentication, so that a 401 still carries the CORS headers a browser
// needs to read it; last the request rate limit, which needs the tenant
// that authentication found. The upload limit goes on the upload routes.
//
// Echo applies middleware anew to every request, so any state a middleware
// keeps across requests (limiters, counters) lives in the function that
// makes it, not in the one given the next handler.
package middleware
