package miniostore

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/signer"

	"s3gateway/errs"
	"s3gateway/internal/minitest"
	"s3gateway/service"
)

// extNext returns the next item of a stream, failing after limit.
func extNext(t *testing.T, ch <-chan service.StreamItem, limit time.Duration) service.StreamItem {
	t.Helper()
	select {
	case item, ok := <-ch:
		if !ok {
			t.Fatal("stream closed")
		}
		return item
	case <-time.After(limit):
		t.Fatalf("nothing on the stream within %s", limit)
	}
	return service.StreamItem{}
}

// extWarmUp puts objects named by key(i) until the stream delivers one of
// them: the store registers a listener a moment after it is asked to, and
// what happens before is not sent. It returns once the stream is quiet.
func extWarmUp(t *testing.T, env *extEnvironment, ch <-chan service.StreamItem, bucket string, key func(i int) string) {
	t.Helper()
	warm := map[string]bool{}
	deadline := time.Now().Add(20 * time.Second)
	delivered := false
	for i := 0; !delivered && time.Now().Before(deadline); i++ {
		warm[key(i)] = true
		env.extPut(t, bucket, key(i), "warm")
		select {
		case item, ok := <-ch:
			if !ok {
				t.Fatal("stream closed while warming up")
			}
			delivered = item.Event != nil && warm[item.Event.Name]
		case <-time.After(300 * time.Millisecond):
		}
	}
	if !delivered {
		t.Fatal("the stream delivered nothing within 20 s")
	}
	for {
		select {
		case item, ok := <-ch:
			if !ok {
				t.Fatal("stream closed while warming up")
			}
			if item.Event == nil || !warm[item.Event.Name] {
				t.Fatalf("unexpected item while warming up: %+v", item)
			}
		case <-time.After(300 * time.Millisecond):
			return
		}
	}
}

// extNextEvent returns the next event, skipping notices.
func extNextEvent(t *testing.T, ch <-chan service.StreamItem, limit time.Duration) service.Event {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		item := extNext(t, ch, time.Until(deadline))
		if item.Event != nil {
			return *item.Event
		}
	}
}

// extWaitClosed waits for a stream to close, discarding what it still sends.
func extWaitClosed(t *testing.T, ch <-chan service.StreamItem, limit time.Duration) {
	t.Helper()
	timeout := time.After(limit)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatalf("stream not closed within %s", limit)
		}
	}
}

// extListenerGoroutines returns the stacks of goroutines that belong to a
// live event stream: ours, or the store client's listener.
func extListenerGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var found []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "ListenBucketNotification") || strings.Contains(g, "(*bucketListener)") {
			found = append(found, g)
		}
	}
	return found
}

// extNoListeners fails unless every stream goroutine has ended. They have
// done their work before the stream's channel closes; a moment is allowed
// for them to finish exiting.
func extNoListeners(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	gs := extListenerGoroutines()
	for len(gs) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		gs = extListenerGoroutines()
	}
	if len(gs) > 0 {
		t.Fatalf("%d stream goroutines left:\n%s", len(gs), strings.Join(gs, "\n\n"))
	}
}

// extRequireStreamingListen fails the test, saying why, when the store
// under test does not stream its listen responses: MinIO builds from
// 2025-10-21 (minio/minio#21651) wrap every S3 response in a writer that
// drops Flush, so a listen response stays in the server's buffers (its
// headers included) until some kilobytes of events have piled up.
func extRequireStreamingListen(t *testing.T, env *extEnvironment, physical string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, env.srv.Endpoint+"/"+physical+"?ping=1&events=s3%3AObjectCreated%3A%2A", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Content-Sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") // of an empty body
	req = signer.SignV4(*req, env.tenant.AccessKey, env.tenant.SecretKey, "", "us-east-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		bin, _ := minitest.Binary()
		t.Fatalf("the MinIO under test (%s) does not stream bucket notifications: no response headers to a listen request "+
			"within 5 s (%v). MinIO builds from 2025-10-21 on (minio/minio#21651) lose Flush in their response writer; "+
			"live events need a build without that regression (MINIO_BIN selects the binary).", bin, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("listen request: %s", resp.Status)
	}
}

func TestEventsListen(t *testing.T) {
	env := extEnv(t, minitest.Options{})
	extRequireStreamingListen(t, env, env.extBucket(t, "feed"))

	t.Run("delivered", func(t *testing.T) {
		ctx, cancel := context.WithCancel(env.ctx)
		defer cancel()
		ch, err := env.svc.ListenBucket(ctx, "feed", service.EventFilter{})
		if err != nil {
			t.Fatal(err)
		}
		extWarmUp(t, env, ch, "feed", func(i int) string { return fmt.Sprintf("warm-%d", i) })

		// The name comes back exactly: not decoded a second time ('+', '%').
		const name = "dir/a b+c ü 中%2B%.txt"
		before := time.Now().Add(-time.Second)
		info := env.extPut(t, "feed", name, "hello events")
		ev := extNextEvent(t, ch, 10*time.Second)
		if ev.Type != "s3:ObjectCreated:Put" || ev.Bucket != "feed" || ev.Name != name || ev.Size != 12 || ev.ETag != info.ETag {
			t.Fatalf("event %+v, want s3:ObjectCreated:Put feed %q 12 %s", ev, name, info.ETag)
		}
		if ev.Time.Before(before) || ev.Time.After(time.Now().Add(time.Second)) || ev.Time.Location() != time.UTC {
			t.Fatalf("event time %v", ev.Time)
		}
		if err := env.raw.RemoveObject(context.Background(), "acme-feed", name, minio.RemoveObjectOptions{}); err != nil {
			t.Fatal(err)
		}
		if ev := extNextEvent(t, ch, 10*time.Second); ev.Type != "s3:ObjectRemoved:Delete" || ev.Name != name {
			t.Fatalf("event %+v, want s3:ObjectRemoved:Delete %q", ev, name)
		}
		cancel()
		extWaitClosed(t, ch, 10*time.Second)
		extNoListeners(t)
	})

	t.Run("filtered", func(t *testing.T) {
		ctx, cancel := context.WithCancel(env.ctx)
		defer cancel()
		ch, err := env.svc.ListenBucket(ctx, "feed", service.EventFilter{Prefix: "in/", Suffix: ".jpg", Events: []string{"s3:ObjectCreated:*"}})
		if err != nil {
			t.Fatal(err)
		}
		extWarmUp(t, env, ch, "feed", func(i int) string { return fmt.Sprintf("in/warm-%d.jpg", i) })
		// What the filter excludes goes first: had it been sent, it would
		// arrive before what the filter lets through.
		env.extPut(t, "feed", "out/x.jpg", "x")
		env.extPut(t, "feed", "in/x.txt", "x")
		if err := env.raw.RemoveObject(context.Background(), "acme-feed", "in/warm-0.jpg", minio.RemoveObjectOptions{}); err != nil {
			t.Fatal(err)
		}
		env.extPut(t, "feed", "in/y.jpg", "y")
		if ev := extNextEvent(t, ch, 10*time.Second); ev.Name != "in/y.jpg" || ev.Type != "s3:ObjectCreated:Put" {
			t.Fatalf("event %+v, want in/y.jpg created", ev)
		}
		cancel()
		extWaitClosed(t, ch, 10*time.Second)
		extNoListeners(t)
	})

	t.Run("slow consumer leaves", func(t *testing.T) {
		ctx, cancel := context.WithCancel(env.ctx)
		ch, err := env.svc.ListenBucket(ctx, "feed", service.EventFilter{Prefix: "slow/"})
		if err != nil {
			t.Fatal(err)
		}
		extWarmUp(t, env, ch, "feed", func(i int) string { return fmt.Sprintf("slow/warm-%d", i) })
		// Events pile up unread, then the consumer goes; nothing reads the
		// channel, yet every stream goroutine ends and the channel closes.
		for i := range 5 {
			env.extPut(t, "feed", fmt.Sprintf("slow/%d", i), "s")
		}
		time.Sleep(300 * time.Millisecond)
		cancel()
		extNoListeners(t)
		select {
		case _, ok := <-ch:
			if ok {
				t.Fatal("an item after the consumer left")
			}
		default:
			t.Fatal("stream not closed")
		}
	})

	t.Run("refused", func(t *testing.T) {
		for _, c := range []struct {
			bucket string
			filter service.EventFilter
			code   errs.Code
		}{
			{"missing", service.EventFilter{}, errs.NoSuchBucket},
			{"Bad_Bucket", service.EventFilter{}, errs.InvalidBucketName},
			{"feed", service.EventFilter{Events: []string{"s3:Bogus:*"}}, errs.InvalidArgument},
			{"feed", service.EventFilter{Events: []string{"ObjectCreated:*"}}, errs.InvalidArgument},
			{"feed", service.EventFilter{Events: []string{"s3:ObjectCreated:*", "s3:ObjectCreated:Teleport"}}, errs.InvalidArgument},
		} {
			_, err := env.svc.ListenBucket(env.ctx, c.bucket, c.filter)
			extWantCode(t, err, c.code)
		}
		extNoListeners(t)
	})
}

func TestEventsReconnect(t *testing.T) {
	env := extEnv(t, minitest.Options{})
	extRequireStreamingListen(t, env, env.extBucket(t, "feed"))
	ctx, cancel := context.WithCancel(env.ctx)
	defer cancel()
	ch, err := env.svc.ListenBucket(ctx, "feed", service.EventFilter{Events: []string{"s3:ObjectCreated:*"}})
	if err != nil {
		t.Fatal(err)
	}
	extWarmUp(t, env, ch, "feed", func(i int) string { return fmt.Sprintf("before-%d", i) })

	restarted := make(chan error, 1)
	go func() { restarted <- env.srv.Restart(2 * time.Second) }()
	if item := extNext(t, ch, 15*time.Second); item.Notice != service.NoticeReconnecting {
		t.Fatalf("got %+v, want the reconnecting notice", item)
	}
	if item := extNext(t, ch, 60*time.Second); item.Notice != service.NoticeReconnected {
		t.Fatalf("got %+v, want the reconnected notice", item)
	}
	if err := <-restarted; err != nil {
		t.Fatal(err)
	}
	// Events flow again on the resumed stream.
	extWarmUp(t, env, ch, "feed", func(i int) string { return fmt.Sprintf("after-%d", i) })
	env.extPut(t, "feed", "after-last", "x")
	if ev := extNextEvent(t, ch, 10*time.Second); ev.Name != "after-last" || ev.Bucket != "feed" {
		t.Fatalf("event %+v, want after-last", ev)
	}
	cancel()
	extWaitClosed(t, ch, 40*time.Second)
	extNoListeners(t)
}
