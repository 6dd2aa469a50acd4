package events

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// One engine at a time moves the store's notifications to the log: the
// holder of a lease, a key in a KV bucket that expires leaseTTL after its
// holder last renewed it. Two engines taking batches from the shared
// consumer at once would each publish a part of the stream, and the log
// would interleave the parts out of order.
const (
	leaseBucket = "GATEWAY_EVENTS_LEASE"
	leaseKey    = "ingest"
	// leaseTTL is how long a crashed holder keeps the others waiting.
	leaseTTL = 5 * time.Second
	// leaseRenew is how often the holder renews the lease and how often the
	// others try to take it.
	leaseRenew = time.Second
	// leaseMargin is how long before the lease could expire in NATS the
	// holder stops moving, so that two engines never move at once.
	leaseMargin = 2 * leaseRenew
)

// leaseConfig is the KV bucket of the lease. It is kept on disk, as the
// streams are: after a restart of NATS the holder keeps its lease, or the
// lease expires as it would have.
func leaseConfig(replicas int) jetstream.KeyValueConfig {
	return jetstream.KeyValueConfig{
		Bucket:      leaseBucket,
		Description: "which gateway engine moves " + IngestStream + " to " + LogStream,
		TTL:         leaseTTL,
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
	}
}

// lease is one engine's claim; only the ingest loop uses it.
type lease struct {
	kv      jetstream.KeyValue
	id      []byte
	rev     uint64
	renewed time.Time // when the last successful write was sent
}

// errLeaseHeld is acquire's answer while another engine holds the lease.
var errLeaseHeld = errors.New("another engine holds the lease")

// acquire takes the lease if no other engine holds it, or finds that this
// engine still does (after NATS came back with the key).
func (l *lease) acquire(ctx context.Context) error {
	sent := time.Now()
	rev, err := l.kv.Create(ctx, leaseKey, l.id)
	if errors.Is(err, jetstream.ErrKeyExists) {
		entry, gerr := l.kv.Get(ctx, leaseKey)
		switch {
		case gerr != nil:
			return gerr
		case !bytes.Equal(entry.Value(), l.id):
			return errLeaseHeld
		}
		rev, err = l.kv.Update(ctx, leaseKey, l.id, entry.Revision())
	}
	if err != nil {
		return err
	}
	l.rev, l.renewed = rev, sent
	return nil
}

// keep renews the lease until ctx ends, and calls lost when another engine
// took it or it could not be renewed before it might expire.
func (l *lease) keep(ctx context.Context, lost context.CancelFunc) {
	tick := time.NewTicker(leaseRenew)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		sent := time.Now()
		rctx, cancel := context.WithTimeout(ctx, leaseRenew)
		rev, err := l.kv.Update(rctx, leaseKey, l.id, l.rev)
		cancel()
		if err == nil {
			l.rev, l.renewed = rev, sent
			continue
		}
		if ctx.Err() != nil {
			return
		}
		var apiErr *jetstream.APIError
		if errors.Is(err, jetstream.ErrKeyRevisionMismatch) || errors.As(err, &apiErr) ||
			time.Since(l.renewed) > leaseTTL-leaseMargin {
			lost()
			return
		}
	}
}

// release gives the lease up, so that another engine takes over at once.
func (l *lease) release(ctx context.Context) {
	if l.rev != 0 {
		_ = l.kv.Delete(ctx, leaseKey, jetstream.LastRevision(l.rev))
		l.rev = 0
	}
}
