package service

import (
	"context"
	"errors"
	"time"

	"go.uber.org/zap"

	"s3gateway/errs"
	"s3gateway/internal/logctx"
)

// Resuming a dropped event stream: the wait between attempts starts at
// listenBackoffMin and doubles up to listenBackoffMax; it starts from the
// minimum again once a resumed stream has lasted listenStable.
const (
	listenBackoffMin = 250 * time.Millisecond
	listenBackoffMax = 5 * time.Second
	listenStable     = 10 * time.Second
)

// defaultListenEvents are the events of a stream that names none.
var defaultListenEvents = []string{"s3:ObjectCreated:*", "s3:ObjectRemoved:*", "s3:ObjectAccessed:*"}

// errStreamEnded is the store client closing its stream without an error.
var errStreamEnded = errors.New("the store's event stream ended")

// ListenBucket implements Events.
//
// The store's stream is read by the store client's own goroutine. When it
// fails or ends while ctx is alive, the stream says NoticeReconnecting, waits
// (with backoff) until the store answers for the bucket again, says
// NoticeReconnected and listens anew; events that happen in between are not
// delivered. The stream ends for good, closing the channel, when ctx ends
// (after the store client's goroutine has ended) or when the bucket is gone
// or the store refuses the listen request as invalid.
func (g *Gateway) ListenBucket(ctx context.Context, bucket string, filter EventFilter) (<-chan StreamItem, error) {
	c, physical, err := g.bucketTarget(ctx, bucket)
	if err != nil {
		return nil, err
	}
	events := filter.Events
	if len(events) == 0 {
		events = defaultListenEvents
	}
	for _, e := range events {
		if err := ValidateEventName(e); err != nil {
			return nil, err
		}
	}
	if err := validateKeyFilter("prefix", filter.Prefix); err != nil {
		return nil, err
	}
	if err := validateKeyFilter("suffix", filter.Suffix); err != nil {
		return nil, err
	}
	l := &bucketListener{
		c: c, logical: bucket, physical: physical,
		filter: EventFilter{Prefix: filter.Prefix, Suffix: filter.Suffix, Events: append([]string(nil), events...)},
		out:    make(chan StreamItem),
		log:    logctx.From(ctx).With(zap.String("bucket", bucket)),
	}
	exists, err := l.bucketExists(ctx)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, errs.New(errs.NoSuchBucket, "bucket %q does not exist", bucket)
	}
	go l.run(ctx)
	return l.out, nil
}

// bucketListener is one live event stream.
type bucketListener struct {
	c        StoreClient
	logical  string
	physical string
	filter   EventFilter // checked, with its events
	out      chan StreamItem
	log      *zap.Logger
}

func (l *bucketListener) run(ctx context.Context) {
	defer close(l.out)
	backoff := listenBackoffMin
	for {
		started := time.Now()
		err := l.stream(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(started) >= listenStable {
			backoff = listenBackoffMin
		}
		if errors.Is(err, ErrStreamRefused) {
			l.log.Warn("the object store refused the event stream; ending it", zap.Error(err))
			return
		}
		l.log.Info("the object store's event stream dropped; reconnecting", zap.Error(err))
		if !l.send(ctx, StreamItem{Notice: NoticeReconnecting}) {
			return
		}
		for {
			if !listenWait(ctx, backoff) {
				return
			}
			backoff = min(2*backoff, listenBackoffMax)
			exists, err := l.bucketExists(ctx)
			if ctx.Err() != nil {
				return
			}
			if err == nil && !exists {
				l.log.Info("the bucket is gone; ending its event stream")
				return
			}
			if err == nil {
				break
			}
			l.log.Debug("the object store does not answer yet", zap.Error(err))
		}
		if !l.send(ctx, StreamItem{Notice: NoticeReconnected}) {
			return
		}
	}
}

// stream listens once, forwarding events until the store's stream fails
// or ends (the error says why) or ctx ends. It returns only once the store
// client is done with the stream.
func (l *bucketListener) stream(ctx context.Context) error {
	sctx, cancel := context.WithCancel(ctx)
	batches := l.c.ListenBucket(sctx, l.physical, l.filter)
	defer func() {
		cancel()
		for range batches { // the store client closes batches as it ends
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case batch, ok := <-batches:
			if !ok {
				return errStreamEnded
			}
			if batch.Err != nil {
				return batch.Err
			}
			for _, ev := range batch.Events {
				ev.Bucket = l.logical
				if !l.send(ctx, StreamItem{Event: &ev}) {
					return ctx.Err()
				}
			}
		}
	}
}

// send delivers item unless ctx ends first, so a consumer that has gone
// away never holds the stream.
func (l *bucketListener) send(ctx context.Context, item StreamItem) bool {
	select {
	case l.out <- item:
		return true
	case <-ctx.Done():
		return false
	}
}

func (l *bucketListener) bucketExists(ctx context.Context) (bool, error) {
	return l.c.BucketExists(ctx, l.physical)
}

// listenWait waits for d, or less when ctx ends; it reports whether ctx is alive.
func listenWait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
