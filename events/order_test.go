package events

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/nats-io/nats.go"

	"s3gateway/internal/minitest"
)

// fastTargetARN is the store's second NATS target, without a queue
// directory (minioproc.NATSEnv): it publishes as each request ends.
const fastTargetARN = "arn:minio:sqs::GATEWAYFAST:nats"

// A burst of raw messages reaches the log in the order NATS took them,
// none lost and none twice, while the engine moving them stops halfway and
// a replica takes over.
func TestBurst_logKeepsThePublishedOrderAcrossAHandover(t *testing.T) {
	const bucket, total = "burst.bucket", 3000
	n := startNATS(t)
	first := startEngine(t, Config{NATSURL: n.url()})
	second := startEngine(t, Config{NATSURL: n.url()})
	ch := subscribe(t, second, bucket, 0, Filter{})
	want := names("o", 0, total)
	publish := func(from, to int) {
		for i := from; i < to; i++ {
			if _, err := second.js.PublishAsync(DefaultSubject, storeMessage(bucket, want[i], fmt.Sprint("REQ", i))); err != nil {
				t.Fatalf("publish %d: %v", i, err)
			}
		}
		select {
		case <-second.js.PublishAsyncComplete():
		case <-time.After(30 * time.Second):
			t.Fatal("the ingest stream did not take the burst within 30s")
		}
	}
	began := time.Now()
	publish(0, total/2)
	first.Close() // whichever engine was moving, the other one moves the rest
	publish(total/2, total)
	got := receive(t, ch, total, time.Minute)
	t.Logf("%d events moved in %v", total, time.Since(began))
	checkNames(t, got, want)
	quiet(t, ch, time.Second)
}

// Objects written and removed as fast as the store takes them: the log
// holds each event once, in the order the store published them (the first
// copy of each, whichever of its two targets sent it).
func TestBurst_logFollowsTheStoresOrder(t *testing.T) {
	const objects, workers = 500, 16
	e := startEngine(t, Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0"})
	published := recordPublished(t, e)
	srv := minitest.Start(t, minitest.Options{
		Bin: stockBinary("MINIO_STOCK_BIN", "minio"), NATS: e.Addr(), EventsQueueDir: t.TempDir(),
	})
	client, err := minio.New(srv.Addr, &minio.Options{Creds: credentials.NewStaticV4(minitest.RootUser, minitest.RootPassword, "")})
	if err != nil {
		t.Fatal(err)
	}
	bucket := bucketName()
	newBucketTargets(t, client, bucket, TargetARN, fastTargetARN)
	ch := subscribe(t, e, bucket, 0, Filter{})

	jobs := make(chan string)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for name := range jobs {
				put(t, client, bucket, name)
				if err := client.RemoveObject(context.Background(), bucket, name, minio.RemoveObjectOptions{}); err != nil {
					t.Errorf("remove %s: %v", name, err)
				}
			}
		})
	}
	began := time.Now()
	for _, name := range names("burst/", 0, objects) {
		jobs <- name
	}
	close(jobs)
	wg.Wait()
	t.Logf("%d uploads and removals took %v", objects, time.Since(began))
	got := receive(t, ch, 2*objects, time.Minute)
	quiet(t, ch, quietFor) // the queued copies come on MinIO's 3 s tick: all dropped

	want := published()
	if len(want) != 2*objects {
		t.Fatalf("the store published %d distinct events, want %d", len(want), 2*objects)
	}
	perObject := map[string]int{}
	for i, m := range got {
		if w := want[i]; m.Event.Name != w.Name || m.Event.Type != w.Type {
			t.Fatalf("log event %d is %s, the store published %s %s", i, describe(got[i:i+1]), w.Type, w.Name)
		}
		perObject[m.Event.Name]++
	}
	for name, n := range perObject {
		if n != 2 {
			t.Fatalf("%s: %d events, want an upload and a removal", name, n)
		}
	}
}

// recordPublished watches the ingest subject and returns a function giving
// the first copy of each record the store published, in the order NATS
// took them.
func recordPublished(t *testing.T, e *Engine) func() []Event {
	var mu sync.Mutex
	var order []Event
	seen := map[string]bool{}
	sub, err := e.conn.Subscribe(e.cfg.Subject, func(msg *nats.Msg) {
		var raw storeLog
		if err := json.Unmarshal(msg.Data, &raw); err != nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for _, rec := range raw.Records {
			ev, id, err := toEvent(rec)
			if err == nil && !seen[id] {
				seen[id] = true
				order = append(order, ev)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	return func() []Event {
		mu.Lock()
		defer mu.Unlock()
		return append([]Event(nil), order...)
	}
}
