package events

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
)

// The holder of the lease moves raw messages as a pipeline: it takes them
// from the consumer in the stream's order, publishes each one's records to
// the log without waiting (one connection keeps them in order), and
// acknowledges each raw message once NATS confirmed its records, in order.
// Any failure ends the pipeline; the next one recreates the consumer, which
// starts again at the first raw message not acknowledged (the ingest stream
// keeps only those), so records are published again in the same order and
// the log drops the copies by their ids.
const (
	// ingestInFlight bounds the raw messages taken but not acknowledged.
	ingestInFlight = 512
	// ingestAckWait is how long a raw message may stay unacknowledged
	// before NATS delivers it again; it exceeds publishTimeout.
	ingestAckWait = 10 * time.Second
)

// ingestLoop runs until ctx ends: it waits for the lease, moves messages
// while it holds it, and gives it up at the end.
func (e *Engine) ingestLoop(ctx context.Context) {
	defer close(e.ingestDone)
	l := &lease{kv: e.leases, id: []byte(rand.Text())}
	defer func() {
		rctx, cancel := context.WithTimeout(context.Background(), leaseRenew)
		defer cancel()
		l.release(rctx)
	}()
	for ctx.Err() == nil {
		actx, cancel := context.WithTimeout(ctx, leaseRenew)
		err := l.acquire(actx)
		if errors.Is(err, jetstream.ErrBucketNotFound) || errors.Is(err, jetstream.ErrStreamNotFound) {
			// NATS lost it (an external server started afresh): make it again.
			var kv jetstream.KeyValue
			if kv, err = e.js.CreateOrUpdateKeyValue(actx, leaseConfig(e.cfg.Replicas)); err == nil {
				l.kv = kv
				err = l.acquire(actx)
			}
		}
		cancel()
		if err != nil {
			if !errors.Is(err, errLeaseHeld) {
				e.log.Debug("events: taking the ingest lease", zap.Error(err))
			}
			sleep(ctx, leaseRenew)
			continue
		}
		term, lost := context.WithCancel(ctx)
		kept := make(chan struct{})
		go func() { defer close(kept); l.keep(term, lost) }()
		err = e.drain(term)
		lost()
		<-kept
		if err != nil && ctx.Err() == nil {
			e.log.Warn("events: moving store notifications stopped; starting again", zap.Error(err))
			sleep(ctx, retryDelay)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// moved is a raw message whose records were published.
type moved struct {
	msg     jetstream.Msg
	futures []jetstream.PubAckFuture
	drop    bool // not a notification: terminate it
}

// drain runs the pipeline until ctx ends (nil) or something fails.
func (e *Engine) drain(ctx context.Context) error {
	cons, err := e.freshConsumer(ctx)
	if err != nil {
		return err
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(ingestInFlight / 2))
	if err != nil {
		return fmt.Errorf("consume %s: %w", IngestStream, err)
	}
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	pending := make(chan moved, ingestInFlight)
	acked := make(chan error, 1)
	go func() { acked <- e.ackInOrder(pending, it.Stop) }()
	var failed error
	for {
		msg, err := it.Next()
		if err != nil {
			if !errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				failed = fmt.Errorf("take from %s: %w", IngestStream, err)
			}
			break
		}
		m, err := e.publish(msg)
		if err != nil {
			failed = err
			break
		}
		pending <- m
	}
	it.Stop()
	close(pending)
	if err := <-acked; err != nil {
		return err
	}
	return failed
}

// freshConsumer replaces the ingest consumer by one that starts at the
// first raw message not yet moved, with nothing outstanding: what a
// previous holder took and did not acknowledge comes first again.
func (e *Engine) freshConsumer(ctx context.Context) (jetstream.Consumer, error) {
	err := e.js.DeleteConsumer(ctx, IngestStream, IngestConsumer)
	if err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, fmt.Errorf("consumer %s: %w", IngestConsumer, err)
	}
	cons, err := e.js.CreateConsumer(ctx, IngestStream, jetstream.ConsumerConfig{
		Durable:       IngestConsumer,
		Description:   "moves store notifications to " + LogStream + "; used by the lease holder",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       ingestAckWait,
		MaxAckPending: ingestInFlight,
	})
	if err != nil {
		return nil, fmt.Errorf("consumer %s: %w", IngestConsumer, err)
	}
	return cons, nil
}

// ackInOrder waits for each raw message's records to be confirmed, in the
// order they were taken, and acknowledges it. After a failure it
// acknowledges nothing more and stops the pipeline.
func (e *Engine) ackInOrder(pending <-chan moved, stop func()) error {
	var failed error
	for m := range pending {
		if failed != nil {
			continue
		}
		if err := e.confirm(m.futures); err != nil {
			failed = err
			stop()
			continue
		}
		if m.drop {
			_ = m.msg.Term()
			continue
		}
		if err := m.msg.Ack(); err != nil {
			// The message comes again; its records are dropped as duplicates.
			e.log.Debug("events: ack of a store notification", zap.Error(err))
		}
	}
	return failed
}

// confirm waits for NATS's answer to each publish and counts it.
func (e *Engine) confirm(futures []jetstream.PubAckFuture) error {
	for _, f := range futures {
		select {
		case ack := <-f.Ok():
			if ack.Duplicate {
				e.metrics.Duplicate()
			} else {
				e.metrics.Received()
			}
		case err := <-f.Err():
			return fmt.Errorf("publish to %s: %w", f.Msg().Subject, err)
		}
	}
	return nil
}
