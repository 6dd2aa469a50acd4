package miniostore

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/minio/minio-go/v7"

	"s3gateway/access"
	"s3gateway/errs"
)

// readyTimeout bounds a readiness probe (or BackendTimeout, when shorter).
const readyTimeout = 5 * time.Second

// Ready reports whether the store answers. It asks for a bucket listing
// with one tenant's credentials, which needs no particular permission: any
// S3 answer, a refusal included, means the store is up, except one saying
// it is not ready. Without tenants it sends a plain unauthenticated request.
//
// The probe goes to the store even while requests fail fast, and an answer
// ends the fail-fast at once: readiness checks bring traffic back as soon as
// the store is back.
func (s *Store) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(withMark(ctx, markProbe), min(readyTimeout, s.cfg.BackendTimeout))
	defer cancel()
	c := s.probeClient()
	if c == nil {
		return s.probeHTTP(ctx)
	}
	_, err := c.mc.ListBuckets(ctx)
	if err == nil {
		return nil
	}
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		switch resp.Code {
		case "XMinioServerNotInitialized", "ServiceUnavailable", "SlowDown":
			return errs.Wrap(err, errs.BackendUnavailable, "the object store is not ready")
		}
		if resp.StatusCode == http.StatusServiceUnavailable {
			return errs.Wrap(err, errs.BackendUnavailable, "the object store is not ready")
		}
		return nil
	}
	return unreachable(err)
}

// probeClient picks the client of the tenant with the smallest id, so the
// probe is the same request every time; nil when there are no tenants.
func (s *Store) probeClient() *client {
	var best *access.Tenant
	s.mu.RLock()
	for t := range s.clients {
		if best == nil || t.ID < best.ID {
			best = t
		}
	}
	s.mu.RUnlock()
	if best == nil {
		return nil
	}
	c, _ := s.client(best)
	return c
}

// probeHTTP sends an unauthenticated GET to the store's endpoint: any HTTP
// answer but 503 means it is up.
func (s *Store) probeHTTP(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.cfg.Endpoint.String(), nil)
	if err != nil {
		return errs.Wrap(err, errs.InternalError, "internal error")
	}
	client := &http.Client{
		Transport:     s.storeTransport(s.newCircuit()), // no tenant: a circuit of its own
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		return unreachable(err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode == http.StatusServiceUnavailable {
		return errs.New(errs.BackendUnavailable, "the object store is not ready")
	}
	return nil
}

// unreachable classifies a probe that got no answer.
func unreachable(err error) error {
	e := translate(err, "", "")
	switch errs.CodeOf(e) {
	case errs.BackendTimeout, errs.BackendUnavailable:
		return e
	}
	if errors.Is(err, context.Canceled) {
		return e
	}
	return errs.Wrap(err, errs.BackendUnavailable, "the object store is unreachable")
}
