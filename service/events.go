package service

import (
	"context"
	"strings"

	"go.uber.org/zap"

	"s3gateway/errs"
	"s3gateway/events"
	"s3gateway/internal/logctx"
)

// EventLog is the event engine as the service uses it: an ordered,
// replayable log of each physical bucket's events (events.Engine).
type EventLog interface {
	Subscribe(ctx context.Context, bucket string, after uint64, f events.Filter) (<-chan events.Message, error)
	Ready(ctx context.Context) error
}

// ErrEventsNotReady marks a Ready failure of the event engine (the store
// answers, the engine does not).
var ErrEventsNotReady = errorString("the event engine is not ready")

type errorString string

func (e errorString) Error() string { return string(e) }

// defaultListenEvents are the events of a stream that names none.
var defaultListenEvents = []string{"s3:ObjectCreated:*", "s3:ObjectRemoved:*", "s3:ObjectAccessed:*"}

// ListenBucket implements Events.
//
// The stream reads the bucket's events from the event engine: with
// filter.After, first those after that id still in the log, then live ones.
// Before the first stream of a bucket in this process, the gateway's store
// targets are put into the bucket's notification configuration (when it
// lacks them), so that its events reach the engine at all. The channel
// closes when ctx ends or the engine closes.
func (g *Gateway) ListenBucket(ctx context.Context, bucket string, filter EventFilter) (<-chan StreamItem, error) {
	c, physical, err := g.bucketTarget(ctx, bucket)
	if err != nil {
		return nil, err
	}
	if g.events == nil {
		return nil, errs.New(errs.BackendUnavailable, "event streams are not configured on this gateway")
	}
	types := filter.Events
	if len(types) == 0 {
		types = defaultListenEvents
	}
	for _, e := range types {
		if err := ValidateEventName(e); err != nil {
			return nil, err
		}
	}
	for _, f := range [][2]string{{"prefix", filter.Prefix}, {"suffix", filter.Suffix}, {"scope", filter.Scope}} {
		if err := validateKeyFilter(f[0], f[1]); err != nil {
			return nil, err
		}
	}
	exists, err := c.BucketExists(ctx, physical)
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, errs.New(errs.NoSuchBucket, "bucket %q does not exist", bucket)
	}
	if err := g.ensureEventTargets(ctx, c, physical, true); err != nil {
		return nil, err
	}
	msgs, err := g.events.Subscribe(ctx, physical, filter.After, events.Filter{
		Scope:  filter.Scope,
		Prefix: filter.Prefix,
		Suffix: filter.Suffix,
		Types:  append([]string(nil), types...),
	})
	if err != nil {
		logctx.From(ctx).Warn("the event engine refused a subscription", zap.Error(err))
		return nil, errs.Wrap(err, errs.BackendUnavailable, "the event engine is unavailable")
	}
	out := make(chan StreamItem)
	go forwardEvents(ctx, bucket, msgs, out)
	return out, nil
}

// forwardEvents turns the engine's messages into the tenant's stream items,
// naming the bucket as the tenant does.
func forwardEvents(ctx context.Context, logical string, msgs <-chan events.Message, out chan<- StreamItem) {
	defer close(out)
	for m := range msgs {
		item := StreamItem{ID: m.ID, Reset: m.Reset}
		if m.Reset == "" {
			item.Event = &Event{
				Type: m.Event.Type, Bucket: logical, Name: m.Event.Name,
				Size: m.Event.Size, ETag: strings.Trim(m.Event.ETag, `"`), Time: m.Event.Time,
			}
		}
		select {
		case out <- item:
		case <-ctx.Done():
			for range msgs { // the engine closes msgs as ctx ends
			}
			return
		}
	}
}
