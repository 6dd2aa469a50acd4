package miniostore

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"s3gateway/errs"
	"s3gateway/internal/minitest"
	"s3gateway/service"
)

// extWebhookRecord is what the store posts to a webhook target, in part.
type extWebhookRecord struct {
	EventName string `json:"eventName"`
	S3        struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object struct {
			Key string `json:"key"`
		} `json:"object"`
	} `json:"s3"`
}

// extWebhook starts a webhook receiver before the store (which checks its
// targets as it starts) and returns its URL and the records it receives.
func extWebhook(t *testing.T) (string, <-chan extWebhookRecord) {
	t.Helper()
	records := make(chan extWebhookRecord, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var msg struct{ Records []extWebhookRecord }
		if r.Method == http.MethodPost && json.Unmarshal(body, &msg) == nil {
			for _, rec := range msg.Records {
				records <- rec
			}
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/hook", records
}

func TestNotifications(t *testing.T) {
	t.Parallel()
	hook, records := extWebhook(t)
	env := extEnv(t, minitest.Options{Env: map[string]string{
		"MINIO_NOTIFY_WEBHOOK_ENABLE_PRIMARY":   "on",
		"MINIO_NOTIFY_WEBHOOK_ENDPOINT_PRIMARY": hook,
	}})
	ctx := env.ctx
	physical := env.extBucket(t, "pics")
	const arn = "arn:minio:sqs::PRIMARY:webhook"

	got, err := env.svc.GetBucketNotification(ctx, "pics")
	if err != nil {
		t.Fatal(err)
	}
	extWantEmptyConfig(t, got)

	want := service.NotificationConfig{
		Queues: []service.NotificationTarget{{
			ID: "1", ARN: arn, Events: []string{"s3:ObjectCreated:*"}, Prefix: "in/", Suffix: ".jpg",
		}},
		Topics:         []service.NotificationTarget{},
		CloudFunctions: []service.NotificationTarget{},
	}
	got, err = env.svc.SetBucketNotification(ctx, "pics", want)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("set returned\n%+v\nwant\n%+v", got, want)
	}
	if got, err = env.svc.GetBucketNotification(ctx, "pics"); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("get returned %+v, %v", got, err)
	}

	// Objects outside the filter first: had the store sent them, they would
	// arrive before the one inside it.
	env.extPut(t, "pics", "in/b.txt", "b")
	env.extPut(t, "pics", "out/c.jpg", "c")
	env.extPut(t, "pics", "in/a.jpg", "a")
	select {
	case rec := <-records:
		key, _ := url.QueryUnescape(rec.S3.Object.Key)
		if key != "in/a.jpg" || rec.EventName != "s3:ObjectCreated:Put" {
			t.Fatalf("webhook got %s %s (key as sent %q), want s3:ObjectCreated:Put in/a.jpg", rec.EventName, key, rec.S3.Object.Key)
		}
		// The store addresses its targets itself, with its own names.
		t.Logf("webhook record: bucket %q, key as sent %q", rec.S3.Bucket.Name, rec.S3.Object.Key)
		if rec.S3.Bucket.Name != physical {
			t.Errorf("webhook bucket %q, expected the store's name %q", rec.S3.Bucket.Name, physical)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook delivery for in/a.jpg within 10 s")
	}
	select {
	case rec := <-records:
		t.Fatalf("unexpected delivery: %s %s", rec.EventName, rec.S3.Object.Key)
	case <-time.After(500 * time.Millisecond):
	}

	// What the store refuses; the service's own refusals are tested
	// against the fake store (service.TestSetBucketNotificationArguments).
	t.Run("refused", func(t *testing.T) {
		created := []string{"s3:ObjectCreated:*"}
		for _, c := range []struct {
			name, says string
			cfg        service.NotificationConfig
		}{
			{"unknown arn", "ARN the object store does not know", service.NotificationConfig{Queues: []service.NotificationTarget{{ARN: "arn:minio:sqs::NOPE:webhook", Events: created}}}},
			{"topic", "queueConfigurations only", service.NotificationConfig{Topics: []service.NotificationTarget{{ARN: "arn:minio:sns::PRIMARY:webhook", Events: created}}}},
		} {
			_, err := env.svc.SetBucketNotification(ctx, "pics", c.cfg)
			t.Logf("%s: %v", c.name, err)
			extWantCode(t, err, errs.InvalidArgument)
			if e, _ := errs.As(err); !strings.Contains(e.Message, c.says) {
				t.Errorf("%s: message %q does not say %q", c.name, e.Message, c.says)
			}
		}
		// The configuration set before is still there.
		if got, err := env.svc.GetBucketNotification(ctx, "pics"); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("after refusals: %+v, %v", got, err)
		}
		_, err := env.svc.GetBucketNotification(ctx, "missing")
		extWantCode(t, err, errs.NoSuchBucket)
		_, err = env.svc.SetBucketNotification(ctx, "missing", want)
		extWantCode(t, err, errs.NoSuchBucket)
	})

	if err := env.svc.RemoveBucketNotification(ctx, "pics"); err != nil {
		t.Fatal(err)
	}
	got, err = env.svc.GetBucketNotification(ctx, "pics")
	if err != nil {
		t.Fatal(err)
	}
	extWantEmptyConfig(t, got)
	env.extPut(t, "pics", "in/d.jpg", "d")
	select {
	case rec := <-records:
		t.Fatalf("delivery after remove: %s %s", rec.EventName, rec.S3.Object.Key)
	case <-time.After(time.Second):
	}
}

func extWantEmptyConfig(t *testing.T, cfg service.NotificationConfig) {
	t.Helper()
	if cfg.Queues == nil || cfg.Topics == nil || cfg.CloudFunctions == nil ||
		len(cfg.Queues)+len(cfg.Topics)+len(cfg.CloudFunctions) != 0 {
		t.Fatalf("want empty, non-nil lists, got %#v", cfg)
	}
}
