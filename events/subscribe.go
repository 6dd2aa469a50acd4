package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
)

// Filter selects the events a subscriber gets. The zero Filter takes all.
type Filter struct {
	// Scope is the prefix every name must have, the reach of a scoped
	// credential; Prefix and Suffix narrow further.
	Scope  string
	Prefix string
	Suffix string
	// Types are event names or patterns ending in '*' (s3:ObjectCreated:*);
	// none takes every type.
	Types []string
}

// Match reports whether ev passes the filter.
func (f Filter) Match(ev Event) bool {
	if !strings.HasPrefix(ev.Name, f.Scope) || !strings.HasPrefix(ev.Name, f.Prefix) ||
		!strings.HasSuffix(ev.Name, f.Suffix) {
		return false
	}
	if len(f.Types) == 0 {
		return true
	}
	for _, t := range f.Types {
		if p, ok := strings.CutSuffix(t, "*"); ok && strings.HasPrefix(ev.Type, p) || t == ev.Type {
			return true
		}
	}
	return false
}

// ResetExpired is the reason of a Reset: the id the subscriber resumes from
// is no longer in the log (older than the retention, or unknown to it).
const ResetExpired = "expired"

// Message is one item of a subscription: an event with its id, or a reset.
type Message struct {
	// ID is the event's position in the log, increasing within a bucket;
	// resuming after it (Subscribe's after) continues with the next event.
	ID    uint64
	Event Event
	// Reset, when not empty, says why the events after the requested id
	// cannot be replayed (ResetExpired); it comes first and alone, and the
	// subscriber should resynchronise (list the bucket). Live events follow.
	Reset string
}

// subscriptionInactive is how long NATS keeps a subscriber's consumer after
// the engine stopped reading it (a crash, a lost connection).
const subscriptionInactive = 30 * time.Second

// Subscribe streams the events of a physical bucket that match f. With
// after = 0 it starts with the events that happen from now on; with the id
// of an earlier message it first replays every later matching event still in
// the log, then continues live, each once and in order. When that id is no
// longer in the log the first message is a Reset, then live events follow.
//
// The channel closes when ctx ends or the engine closes. A subscriber that
// does not read holds only its own stream.
func (e *Engine) Subscribe(ctx context.Context, bucket string, after uint64, f Filter) (<-chan Message, error) {
	subject, err := LogSubject(bucket)
	if err != nil {
		return nil, err
	}
	if e.conn.IsClosed() {
		return nil, errClosed
	}
	cfg := jetstream.OrderedConsumerConfig{
		FilterSubjects:    []string{subject},
		DeliverPolicy:     jetstream.DeliverNewPolicy,
		InactiveThreshold: subscriptionInactive,
	}
	var replayUntil uint64 // the last id that counts as replayed
	reset := ""
	if after > 0 {
		info, err := e.js.Stream(ctx, LogStream)
		if err != nil {
			return nil, fmt.Errorf("events: stream %s: %w", LogStream, err)
		}
		state := info.CachedInfo().State
		if after < state.FirstSeq || after > state.LastSeq {
			// The event after which to resume is gone, or never was: say
			// so, then go on with what comes after what the log holds now.
			reset = ResetExpired
			cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
			cfg.OptStartSeq = state.LastSeq + 1
		} else {
			cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
			cfg.OptStartSeq = after + 1
			replayUntil = state.LastSeq
		}
	}
	cons, err := e.js.OrderedConsumer(ctx, LogStream, cfg)
	if err != nil {
		return nil, fmt.Errorf("events: subscribe to %s: %w", bucket, err)
	}
	it, err := cons.Messages()
	if err != nil {
		return nil, fmt.Errorf("events: subscribe to %s: %w", bucket, err)
	}
	s := &subscription{e: e, it: it, filter: f, replayUntil: replayUntil, out: make(chan Message)}
	go s.run(ctx, reset)
	return s.out, nil
}

// subscription is one subscriber's read of its bucket's subject.
type subscription struct {
	e           *Engine
	it          jetstream.MessagesContext
	filter      Filter
	replayUntil uint64
	out         chan Message
}

func (s *subscription) run(ctx context.Context, reset string) {
	defer close(s.out)
	stop := context.AfterFunc(ctx, s.it.Stop)
	defer stop()
	defer s.it.Stop()
	if reset != "" && !s.send(ctx, Message{Reset: reset}) {
		return
	}
	for {
		msg, err := s.it.Next()
		if err != nil {
			if !errors.Is(err, jetstream.ErrMsgIteratorClosed) && ctx.Err() == nil {
				s.e.log.Warn("events: a subscription ended", zap.Error(err))
			}
			return
		}
		meta, err := msg.Metadata()
		if err != nil {
			s.e.log.Warn("events: a log message without metadata", zap.Error(err))
			continue
		}
		var ev Event
		if err := json.Unmarshal(msg.Data(), &ev); err != nil {
			s.e.log.Warn("events: a log message that is not an event", zap.Error(err), zap.Uint64("id", meta.Sequence.Stream))
			continue
		}
		if !s.filter.Match(ev) {
			continue
		}
		if !s.send(ctx, Message{ID: meta.Sequence.Stream, Event: ev}) {
			return
		}
		if meta.Sequence.Stream <= s.replayUntil {
			s.e.metrics.Delivered(true, 0)
		} else {
			s.e.metrics.Delivered(false, time.Since(ev.Time))
		}
	}
}

// send delivers m unless ctx ends first.
func (s *subscription) send(ctx context.Context, m Message) bool {
	select {
	case s.out <- m:
		return true
	case <-ctx.Done():
		return false
	}
}
