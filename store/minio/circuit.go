package miniostore

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"

	"s3gateway/errs"
)

// failFastAfter is how many store requests in a row must get no answer
// before requests fail at once for the cool-down, unless Config says.
const failFastAfter = 3

// circuit lets requests fail fast while the store is known to be down. The
// store is taken as down after `threshold` requests in a row that got no
// answer (refused or failed connections, timeouts). While it is down,
// requests fail at once with BackendUnavailable; once per cool-down one
// request is let through as a trial. Any answer from the store (an S3
// error included) closes the circuit again, as does a readiness probe,
// which always goes through.
//
// There is one circuit per tenant: a tenant whose requests go unanswered
// (its buckets slow, its requests stalled) fails fast alone, and costs the
// other tenants nothing. A store that is down opens every tenant's circuit
// as each tenant's requests find it so.
type circuit struct {
	threshold int
	cooldown  time.Duration
	now       func() time.Time

	mu       sync.Mutex
	failures int       // requests in a row without an answer
	retryAt  time.Time // while open: when the next trial may go
}

func newCircuit(threshold int, cooldown time.Duration) *circuit {
	if threshold <= 0 {
		threshold = failFastAfter
	}
	return &circuit{threshold: threshold, cooldown: cooldown, now: time.Now}
}

// allow reports whether a request may go to the store now. While the
// circuit is open it lets one request through per cool-down, as a trial.
func (c *circuit) allow() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failures < c.threshold {
		return true
	}
	now := c.now()
	if now.Before(c.retryAt) {
		return false
	}
	c.retryAt = now.Add(c.cooldown)
	return true
}

// answered records that the store answered.
func (c *circuit) answered() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failures = 0
}

// unanswered records a request the store did not answer; it opens the
// circuit for a cool-down when it is the threshold-th in a row.
func (c *circuit) unanswered() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failures++
	if c.failures == c.threshold {
		c.retryAt = c.now().Add(c.cooldown)
	}
}

// open reports whether requests currently fail fast.
func (c *circuit) open() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.failures >= c.threshold && c.now().Before(c.retryAt)
}

// requestMark marks the context of a store request for storeTransport;
// each mark is its own context key.
type requestMark int

const (
	// markProbe: a readiness probe, which goes to the store even while the
	// circuit is open.
	markProbe requestMark = iota + 1
	// markObjectRead: an object read (GetObject, StatObject), which the
	// stream transport may carry.
	markObjectRead
)

func withMark(ctx context.Context, m requestMark) context.Context {
	return context.WithValue(ctx, m, true)
}

func hasMark(ctx context.Context, m requestMark) bool {
	v, _ := ctx.Value(m).(bool)
	return v
}

// storeTransport is the transport of every store request. It fails requests
// fast while the circuit is open, feeds the circuit with their outcome,
// reports store failures to the observer, and hands each response's status
// and headers to the *capturedResponse in the request's context, if any
// (minio-go turns a 304 Not Modified into an error and drops its headers;
// GetObject reads the ETag and Last-Modified of that answer there instead of
// asking again).
//
// Object reads (GET and HEAD requests whose context is marked by
// markObjectRead) go through stream instead of base when it is set (see
// streamTransport).
type storeTransport struct {
	base    http.RoundTripper
	stream  http.RoundTripper // nil: object reads use base too
	circuit *circuit
	onError func(errs.Code) // never nil
	// onProbeAnswer, when not nil, is called when a readiness probe gets
	// an answer.
	onProbeAnswer func()
}

func (t storeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if !hasMark(ctx, markProbe) && !t.circuit.allow() {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		t.onError(errs.BackendUnavailable)
		return nil, errs.New(errs.BackendUnavailable, "the object store is unavailable; retry later")
	}
	base := t.base
	if t.stream != nil && (req.Method == http.MethodGet || req.Method == http.MethodHead) && hasMark(ctx, markObjectRead) {
		base = t.stream
	}
	resp, err := base.RoundTrip(req)
	switch {
	case err != nil && errors.Is(ctx.Err(), context.Canceled):
		// The caller went away: nothing is learnt about the store.
	case err != nil:
		t.circuit.unanswered()
		t.onError(errs.CodeOf(unreachable(err)))
	default:
		t.circuit.answered()
		if t.onProbeAnswer != nil && hasMark(ctx, markProbe) {
			t.onProbeAnswer()
		}
		if resp.StatusCode >= http.StatusInternalServerError {
			// Only the status is known here: its code is the one translate
			// gives a store error with this status and no S3 code.
			t.onError(errs.CodeOf(fromStoreCode(nil, minio.ErrorResponse{StatusCode: resp.StatusCode}, "", "")))
		}
	}
	if c, ok := ctx.Value(captureKey{}).(*capturedResponse); ok && resp != nil {
		c.set(resp.StatusCode, resp.Header)
	}
	return resp, err
}
