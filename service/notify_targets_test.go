package service

import (
	"testing"

	"s3gateway/errs"
)

// A target the tenant may not use is refused before any store call, with
// the same message whether the store has it (another tenant's) or not.
func TestSetBucketNotification_targetNotAllowed(t *testing.T) {
	g, f, ctx := fakeEnv(t, "ta-box")
	config := func(arn string) NotificationConfig {
		return NotificationConfig{Queues: []NotificationTarget{{ARN: arn, Events: []string{"s3:ObjectCreated:*"}}}}
	}
	var messages []string
	for _, arn := range []string{"arn:minio:sqs::OTHER:webhook", "arn:minio:sqs::NOPE:webhook"} {
		_, err := g.SetBucketNotification(ctx, "box", config(arn))
		wantCode(t, err, errs.InvalidArgument)
		e, _ := errs.As(err)
		messages = append(messages, e.Message)
	}
	if f.callCount() != 0 {
		t.Fatalf("store called for a refused target: %v", f.calls)
	}
	if a, b := messages[0], messages[1]; a != b {
		t.Fatalf("messages differ: %q, %q", a, b)
	}

	// A refused target among allowed ones refuses the whole configuration.
	mixed := config(fakeTenantARN)
	mixed.Topics = []NotificationTarget{{ARN: "arn:minio:sns::OTHER:webhook", Events: []string{"s3:ObjectCreated:*"}}}
	_, err := g.SetBucketNotification(ctx, "box", mixed)
	wantCode(t, err, errs.InvalidArgument)

	if _, err := g.SetBucketNotification(ctx, "box", config(fakeTenantARN)); err != nil {
		t.Fatalf("allowed target: %v", err)
	}
}
