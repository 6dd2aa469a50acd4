package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"s3gateway/access"
	"s3gateway/errs"
	"s3gateway/events"
)

// notifyStore keeps each bucket's notification configuration and knows the
// targets in known (the others it refuses as the store does).
type notifyStore struct {
	*fakeStore
	cfg   map[string]NotificationConfig
	known map[string]bool
}

// notifyStoreOf is the Store whose client is n.
type notifyStoreOf struct{ n *notifyStore }

func (s notifyStoreOf) Client(t *access.Tenant) (StoreClient, bool) {
	if t != fakeTenant {
		return nil, false
	}
	return s.n, true
}

func (s notifyStoreOf) Ready(context.Context) error { return nil }

func (n *notifyStore) GetBucketNotification(_ context.Context, b string) (NotificationConfig, error) {
	return n.cfg[b], nil
}

func (n *notifyStore) SetBucketNotification(_ context.Context, b string, cfg NotificationConfig) error {
	for _, q := range cfg.Queues {
		if !n.known[q.ARN] {
			return errs.Wrap(fmt.Errorf("%w: %s", ErrUnknownTarget, q.ARN), errs.InvalidArgument, "unknown ARN")
		}
	}
	n.cfg[b] = cfg
	return nil
}

func (n *notifyStore) RemoveBucketNotification(_ context.Context, b string) error {
	delete(n.cfg, b)
	return nil
}

// noLog is an EventLog with no events.
type noLog struct{}

func (noLog) Subscribe(ctx context.Context, _ string, _ uint64, _ events.Filter) (<-chan events.Message, error) {
	ch := make(chan events.Message)
	go func() { <-ctx.Done(); close(ch) }()
	return ch, nil
}

func (noLog) Ready(context.Context) error { return nil }

const (
	testARN  = "arn:minio:sqs::GATEWAY:nats"
	testFast = "arn:minio:sqs::GATEWAYFAST:nats"
	hookARN  = fakeTenantARN // a target the tenant may use
)

func notifyEnv(t *testing.T, known ...string) (*Gateway, *notifyStore, context.Context) {
	t.Helper()
	g, f, ctx := fakeEnv(t, "ta-photos")
	n := &notifyStore{fakeStore: f, cfg: map[string]NotificationConfig{}, known: map[string]bool{hookARN: true}}
	for _, k := range known {
		n.known[k] = true
	}
	g.store = notifyStoreOf{n}
	WithEvents(noLog{}, EventTargets{ARN: testARN, FastARN: testFast, Settle: 300 * time.Millisecond})(g)
	return g, n, ctx
}

func arns(list []NotificationTarget) []string {
	var out []string
	for _, t := range list {
		out = append(out, t.ARN)
	}
	return out
}

func TestGatewayTargetsHiddenAndKept(t *testing.T) {
	g, n, ctx := notifyEnv(t, testARN, testFast)
	stream, cancel := context.WithCancel(ctx)
	if _, err := g.ListenBucket(stream, "photos", EventFilter{}); err != nil {
		t.Fatal(err)
	}
	cancel()
	if got := arns(n.cfg["ta-photos"].Queues); !slices.Equal(got, []string{testARN, testFast}) {
		t.Fatalf("after the first stream the store has %v", got)
	}
	hook := NotificationTarget{ARN: hookARN, Events: []string{"s3:ObjectCreated:*"}}
	view, err := g.SetBucketNotification(ctx, "photos", NotificationConfig{Queues: []NotificationTarget{hook}})
	if err != nil {
		t.Fatal(err)
	}
	if got := arns(view.Queues); !slices.Equal(got, []string{hookARN}) {
		t.Fatalf("the tenant sees %v", got)
	}
	if got := arns(n.cfg["ta-photos"].Queues); !slices.Equal(got, []string{hookARN, testARN, testFast}) {
		t.Fatalf("after PUT the store has %v", got)
	}
	for _, own := range []string{testARN, "arn:minio:sqs:us-east-1:gatewayfast:nats"} {
		_, err := g.SetBucketNotification(ctx, "photos", NotificationConfig{Queues: []NotificationTarget{{ARN: own, Events: []string{"s3:ObjectCreated:*"}}}})
		if !errs.Is(err, errs.InvalidArgument) {
			t.Errorf("a tenant entry naming %s: %v", own, err)
		}
	}
	if err := g.RemoveBucketNotification(ctx, "photos"); err != nil {
		t.Fatal(err)
	}
	if got := arns(n.cfg["ta-photos"].Queues); !slices.Equal(got, []string{testARN, testFast}) {
		t.Fatalf("after DELETE the store has %v", got)
	}
}

// Without the prompt target the durable one serves alone; without the
// durable one a stream is refused with the setting to make.
func TestGatewayTargetsMissing(t *testing.T) {
	g, n, ctx := notifyEnv(t, testARN)
	if _, err := g.ListenBucket(ctx, "photos", EventFilter{}); err != nil {
		t.Fatal(err)
	}
	if got := arns(n.cfg["ta-photos"].Queues); !slices.Equal(got, []string{testARN}) {
		t.Fatalf("the store has %v", got)
	}

	g, _, ctx = notifyEnv(t)
	_, err := g.ListenBucket(ctx, "photos", EventFilter{})
	if !errs.Is(err, errs.BackendUnavailable) || !strings.Contains(err.Error(), "MINIO_NOTIFY_NATS_ENABLE_GATEWAY") {
		t.Fatalf("stream without the target: %v", err)
	}
}
