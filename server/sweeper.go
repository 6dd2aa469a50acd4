package server

import (
	"context"
	"time"

	"go.uber.org/zap"

	"s3gateway/access"
	"s3gateway/service"
)

// uploadSweeper aborts the incomplete uploads that were started more than
// ttl ago, in every tenant's buckets, every interval.
type uploadSweeper struct {
	svc      *service.Gateway
	tenants  func() []*access.Tenant // the tenants in force, read at each sweep
	ttl      time.Duration
	interval time.Duration
	logger   *zap.Logger
}

// sweepInterval is how often uploads are swept for a ttl: often enough that
// an upload outlives its ttl by at most a quarter of it, at most hourly.
func sweepInterval(ttl time.Duration) time.Duration {
	return min(max(ttl/4, time.Second), time.Hour)
}

// run sweeps until ctx ends.
func (s *uploadSweeper) run(ctx context.Context) {
	tick := time.NewTicker(s.interval)
	defer tick.Stop()
	for {
		s.sweep(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// sweep aborts the abandoned uploads of every tenant once.
func (s *uploadSweeper) sweep(ctx context.Context) {
	cutoff := time.Now().Add(-s.ttl)
	for _, t := range s.tenants() {
		n, err := s.svc.AbortAbandonedUploads(ctx, t, cutoff)
		if n > 0 {
			s.logger.Info("aborted abandoned uploads", zap.String("tenant", t.ID), zap.Int("uploads", n), zap.Duration("ttl", s.ttl))
		}
		if err != nil && ctx.Err() == nil {
			s.logger.Warn("sweep of abandoned uploads failed", zap.String("tenant", t.ID), zap.Error(err))
		}
	}
}
