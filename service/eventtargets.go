package service

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"s3gateway/errs"
	"s3gateway/internal/logctx"
)

// EventTargets are the store's notification targets that publish to the
// event engine. The gateway puts them into each bucket's notification
// configuration and hides them from the tenant.
type EventTargets struct {
	// ARN is the durable target (with a queue directory, so the store keeps
	// events while NATS is away).
	ARN string
	// FastARN, when set, is a second target on the same subject without a
	// queue directory: the store sends its queue only every 3 s, this one at
	// once; the engine drops the second copy of each event. Used only when
	// the store has it.
	FastARN string
	// Settle is how long a stream start waits for the store to register ARN
	// (it does so in the background after it reports ready);
	// DefaultTargetSettle when zero.
	Settle time.Duration
}

// DefaultTargetSettle is EventTargets.Settle's default.
const DefaultTargetSettle = 10 * time.Second

// targetRetry is the wait between attempts while the store does not know
// the target yet.
const targetRetry = 250 * time.Millisecond

// Ids of the gateway's entries in a bucket's notification configuration.
const (
	gatewayEntryID     = "s3gateway-events"
	gatewayFastEntryID = "s3gateway-events-fast"
)

// gatewayEntryEvents are the events the gateway's entries ask for: every
// event family a stream can name.
var gatewayEntryEvents = []string{
	"s3:ObjectCreated:*", "s3:ObjectRemoved:*", "s3:ObjectAccessed:*",
	"s3:ObjectRestore:*", "s3:ObjectTransition:*",
}

// Option configures a Gateway.
type Option func(*Gateway)

// WithEvents serves event streams from log, fed by the store's targets.
func WithEvents(log EventLog, targets EventTargets) Option {
	return func(g *Gateway) {
		if targets.Settle <= 0 {
			targets.Settle = DefaultTargetSettle
		}
		g.events = log
		g.targets = targets
	}
}

// eventTargetState is what the process knows about the gateway's entries.
type eventTargetState struct {
	// ready holds the physical buckets known to have the entries.
	ready sync.Map
	// fastMissing is set once the store refused FastARN while it took ARN:
	// the store does not have the fast target.
	fastMissing atomic.Bool
	// locks serializes the notification writes of each physical bucket.
	locks keyedMutex
}

// missingTargetError is what a stream start answers when the store does not
// have the gateway's target.
func (g *Gateway) missingTargetError(cause error) error {
	return errs.Wrap(cause, errs.BackendUnavailable,
		"event streams are unavailable: the object store has no notification target %s; "+
			"configure it with MINIO_NOTIFY_NATS_ENABLE_GATEWAY=on and its siblings "+
			"MINIO_NOTIFY_NATS_ADDRESS_GATEWAY, MINIO_NOTIFY_NATS_SUBJECT_GATEWAY, "+
			"MINIO_NOTIFY_NATS_JETSTREAM_GATEWAY=on and MINIO_NOTIFY_NATS_QUEUE_DIR_GATEWAY (see the README)",
		g.targets.ARN)
}

// ensureEventTargets makes sure the bucket's notification configuration has
// the gateway's entries, once per bucket and process. With wait it retries
// for EventTargets.Settle while the store does not know the target.
func (g *Gateway) ensureEventTargets(ctx context.Context, c StoreClient, physical string, wait bool) error {
	if g.targets.ARN == "" {
		return nil
	}
	if _, ok := g.eventTargets.ready.Load(physical); ok {
		return nil
	}
	unlock, err := g.eventTargets.locks.lock(ctx, physical)
	if err != nil {
		return errs.Wrap(err, errs.BackendTimeout, "timed out waiting for the bucket's notification configuration")
	}
	defer unlock()
	if _, ok := g.eventTargets.ready.Load(physical); ok {
		return nil
	}
	deadline := time.Now().Add(g.targets.Settle)
	for {
		err := g.addEventTargets(ctx, c, physical)
		if err == nil {
			g.eventTargets.ready.Store(physical, struct{}{})
			return nil
		}
		if !errors.Is(err, ErrUnknownTarget) {
			return err
		}
		if !wait || time.Now().After(deadline) {
			return g.missingTargetError(err)
		}
		t := time.NewTimer(targetRetry)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return g.missingTargetError(err)
		}
	}
}

// addEventTargets adds the gateway's entries the bucket lacks, keeping the
// tenant's. The caller holds the bucket's lock.
func (g *Gateway) addEventTargets(ctx context.Context, c StoreClient, physical string) error {
	cfg, err := c.GetBucketNotification(ctx, physical)
	if err != nil {
		return err
	}
	hasARN, hasFast := false, false
	for _, q := range cfg.Queues {
		hasARN = hasARN || sameTarget(q.ARN, g.targets.ARN)
		hasFast = hasFast || sameTarget(q.ARN, g.targets.FastARN)
	}
	wantFast := g.targets.FastARN != "" && !g.eventTargets.fastMissing.Load()
	if hasARN && (hasFast || !wantFast) {
		return nil
	}
	tenant := g.tenantView(cfg)
	entries := []NotificationTarget{g.gatewayEntry(gatewayEntryID, g.targets.ARN)}
	if wantFast {
		err := c.SetBucketNotification(ctx, physical, withEntries(tenant, append(entries, g.gatewayEntry(gatewayFastEntryID, g.targets.FastARN))))
		if !errors.Is(err, ErrUnknownTarget) {
			return err
		}
	}
	if err := c.SetBucketNotification(ctx, physical, withEntries(tenant, entries)); err != nil {
		return err
	}
	if wantFast && g.eventTargets.fastMissing.CompareAndSwap(false, true) {
		logctx.From(ctx).Warn("the object store has no prompt event target: events reach streams up to 3 s late",
			zap.String("arn", g.targets.FastARN))
	}
	return nil
}

func (g *Gateway) gatewayEntry(id, arn string) NotificationTarget {
	return NotificationTarget{ID: id, ARN: arn, Events: append([]string(nil), gatewayEntryEvents...)}
}

// hiddenTarget reports whether arn is one of the gateway's targets.
func (g *Gateway) hiddenTarget(arn string) bool {
	return sameTarget(arn, g.targets.ARN) || sameTarget(arn, g.targets.FastARN)
}

// tenantView is cfg without the gateway's entries.
func (g *Gateway) tenantView(cfg NotificationConfig) NotificationConfig {
	keep := func(list []NotificationTarget) []NotificationTarget {
		out := make([]NotificationTarget, 0, len(list))
		for _, t := range list {
			if !g.hiddenTarget(t.ARN) {
				out = append(out, t)
			}
		}
		return out
	}
	return NotificationConfig{Queues: keep(cfg.Queues), Topics: keep(cfg.Topics), CloudFunctions: keep(cfg.CloudFunctions)}
}

// gatewayEntries are the gateway's entries of cfg.
func (g *Gateway) gatewayEntries(cfg NotificationConfig) []NotificationTarget {
	var out []NotificationTarget
	for _, t := range cfg.Queues {
		if g.hiddenTarget(t.ARN) {
			out = append(out, t)
		}
	}
	return out
}

// withEntries is cfg with extra queue entries.
func withEntries(cfg NotificationConfig, queues []NotificationTarget) NotificationConfig {
	cfg.Queues = append(append([]NotificationTarget(nil), cfg.Queues...), queues...)
	return cfg
}

// sameTarget reports whether two ARNs name the same store target: the same
// service, id and type, whatever the region (the store fills in its own).
func sameTarget(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	pa, pb := strings.Split(a, ":"), strings.Split(b, ":")
	if len(pa) != 6 || len(pb) != 6 {
		return a == b
	}
	return pa[0] == pb[0] && pa[2] == pb[2] && strings.EqualFold(pa[4], pb[4]) && pa[5] == pb[5]
}
