package events

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
)

// MinIO sends what its queue directory holds on a 3-second tick, so an event
// takes up to that long to reach the log; these limits leave room for it.
const (
	eventLimit = 20 * time.Second
	quietFor   = 4 * time.Second
)

func TestResume_replaysWhatWasMissedThenLive(t *testing.T) {
	m := &countingMetrics{}
	e := startEngine(t, Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0", Metrics: m})
	defer func() {
		t.Logf("events received %d, repeated deliveries dropped %d", m.received.Load(), m.duplicates.Load())
	}()
	_, client := startMinIO(t, e.Addr())
	bucket := bucketName()
	newBucket(t, client, bucket)

	ctx, disconnect := context.WithCancel(context.Background())
	first, err := e.Subscribe(ctx, bucket, 0, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names("a", 0, 3) {
		put(t, client, bucket, n)
	}
	got := receive(t, first, 3, eventLimit)
	checkNames(t, got, names("a", 0, 3))
	checkEvent(t, got[0].Event, bucket, "a000")
	disconnect()
	last := got[2].ID

	for _, n := range names("b", 0, 20) {
		put(t, client, bucket, n)
	}
	again := subscribe(t, e, bucket, last, Filter{})
	checkNames(t, receive(t, again, 20, eventLimit), names("b", 0, 20))
	put(t, client, bucket, "c000")
	checkNames(t, receive(t, again, 1, eventLimit), []string{"c000"})
	quiet(t, again, quietFor)
}

// checkEvent checks the fields of a store event for an object put by put.
func checkEvent(t *testing.T, ev Event, bucket, name string) {
	t.Helper()
	size := int64(len("content of " + name))
	if ev.Type != "s3:ObjectCreated:Put" || ev.Bucket != bucket || ev.Name != name || ev.Size != size ||
		len(ev.ETag) != 32 || strings.Contains(ev.ETag, `"`) || time.Since(ev.Time) > time.Minute {
		t.Fatalf("event %+v: want an upload of %s/%s, %d bytes", ev, bucket, name, size)
	}
}

func TestNames_keysAreDecoded(t *testing.T) {
	e := startEngine(t, Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0"})
	_, client := startMinIO(t, e.Addr())
	bucket := bucketName()
	newBucket(t, client, bucket)
	ch := subscribe(t, e, bucket, 0, Filter{})
	odd := []string{"dir/a b+c%d.txt", "ünï/côdé&?=#.bin"}
	for _, n := range odd {
		put(t, client, bucket, n)
	}
	got := receive(t, ch, 2, eventLimit)
	checkNames(t, got, odd)
	checkEvent(t, got[1].Event, bucket, odd[1])
}

func TestFilters_applyToReplayAndLive(t *testing.T) {
	e := startEngine(t, Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0"})
	_, client := startMinIO(t, e.Addr())
	bucket := bucketName()
	newBucket(t, client, bucket)
	all := subscribe(t, e, bucket, 0, Filter{})
	f := Filter{Scope: "u1/", Prefix: "u1/photos/", Suffix: ".jpg", Types: []string{"s3:ObjectCreated:*"}}
	live := subscribe(t, e, bucket, 0, f)

	put(t, client, bucket, "start")
	start := receive(t, all, 1, eventLimit)[0].ID
	for _, n := range []string{"u1/photos/a.jpg", "u1/photos/a.png", "u2/photos/b.jpg", "u1/docs/c.jpg", "u1/photos/d.jpg"} {
		put(t, client, bucket, n)
	}
	if err := client.RemoveObject(context.Background(), bucket, "u1/photos/a.jpg", minio.RemoveObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	receive(t, all, 6, eventLimit) // everything reached the log
	want := []string{"u1/photos/a.jpg", "u1/photos/d.jpg"}
	checkNames(t, receive(t, live, 2, eventLimit), want)
	replay := subscribe(t, e, bucket, start, f)
	checkNames(t, receive(t, replay, 2, eventLimit), want)
	quiet(t, live, time.Second)
	quiet(t, replay, time.Second)

	removed := subscribe(t, e, bucket, start, Filter{Types: []string{"s3:ObjectRemoved:Delete"}})
	got := receive(t, removed, 1, eventLimit)
	if got[0].Event.Name != "u1/photos/a.jpg" || got[0].Event.Type != "s3:ObjectRemoved:Delete" {
		t.Fatalf("removal: got %s", describe(got))
	}
}

func TestEngineRestart_eventsWhileDownAreDelivered(t *testing.T) {
	addr, dir := freeAddr(t), t.TempDir()
	cfg := Config{DataDir: dir, Listen: addr}
	e := startEngine(t, cfg)
	_, client := startMinIO(t, addr)
	bucket := bucketName()
	newBucket(t, client, bucket)
	ch := subscribe(t, e, bucket, 0, Filter{})
	put(t, client, bucket, "a000")
	last := receive(t, ch, 1, eventLimit)[0].ID

	e.Close()
	began := time.Now()
	for _, n := range names("b", 0, 10) {
		put(t, client, bucket, n) // MinIO queues them: NATS is away
	}
	t.Logf("10 uploads while the engine was down took %v", time.Since(began))
	began = time.Now()
	e = startEngine(t, cfg)
	t.Logf("the engine restarted in %v", time.Since(began))
	got := receive(t, subscribe(t, e, bucket, last, Filter{}), 10, 60*time.Second)
	checkNames(t, got, names("b", 0, 10))
	t.Logf("the events reached the subscriber %v after the restart", time.Since(began))
}

func TestNATSOutage_resumingSubscriberGetsEveryEvent(t *testing.T) {
	n := startNATS(t)
	e := startEngine(t, Config{NATSURL: n.url()})
	_, client := startMinIO(t, n.addr)
	bucket := bucketName()
	newBucket(t, client, bucket)
	ch := subscribe(t, e, bucket, 0, Filter{})
	put(t, client, bucket, "a000")
	last := receive(t, ch, 1, eventLimit)[0].ID

	n.stop()
	for _, name := range names("b", 0, 10) {
		put(t, client, bucket, name)
		time.Sleep(time.Second)
	}
	n.restart(t)
	began := time.Now()
	waitReady(t, e)
	got := receive(t, subscribe(t, e, bucket, last, Filter{}), 10, 60*time.Second)
	checkNames(t, got, names("b", 0, 10))
	t.Logf("the events reached the subscriber %v after NATS came back", time.Since(began))
}

func waitReady(t *testing.T, e *Engine) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := e.Ready(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("engine not ready: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestReplicas_eachSubscriberOnEachEngineGetsEveryEventOnce(t *testing.T) {
	n := startNATS(t)
	engines := []*Engine{startEngine(t, Config{NATSURL: n.url()}), startEngine(t, Config{NATSURL: n.url()})}
	_, client := startMinIO(t, n.addr)
	bucket := bucketName()
	newBucket(t, client, bucket)
	var subs []<-chan Message
	for _, e := range engines {
		for range 3 {
			subs = append(subs, subscribe(t, e, bucket, 0, Filter{}))
		}
	}
	want := names("r", 0, 5)
	for _, name := range want {
		put(t, client, bucket, name)
	}
	var ids []uint64
	for i, ch := range subs {
		got := receive(t, ch, len(want), eventLimit)
		checkNames(t, got, want)
		if i == 0 {
			for _, m := range got {
				ids = append(ids, m.ID)
			}
		}
		for j, m := range got {
			if m.ID != ids[j] {
				t.Fatalf("subscriber %d: event %d has id %d, subscriber 0 saw %d", i, j, m.ID, ids[j])
			}
		}
	}
	for _, ch := range subs {
		quiet(t, ch, 500*time.Millisecond)
	}
}

func TestFanOut_oneUploadReachesAThousandSubscribers(t *testing.T) {
	const subscribers = 1000
	e := startEngine(t, Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0"})
	_, client := startMinIO(t, e.Addr())
	bucket := bucketName()
	newBucket(t, client, bucket)
	subs := make([]<-chan Message, subscribers)
	for i := range subs {
		subs[i] = subscribe(t, e, bucket, 0, Filter{})
	}
	put(t, client, bucket, "one")
	var wg sync.WaitGroup
	var reached atomic.Int64
	for _, ch := range subs {
		wg.Go(func() {
			select {
			case m := <-ch:
				if m.Event.Name == "one" {
					reached.Add(1)
				}
			case <-time.After(60 * time.Second):
			}
		})
	}
	wg.Wait()
	if got := reached.Load(); got != subscribers {
		t.Fatalf("the upload reached %d of %d subscribers", got, subscribers)
	}
}

// countingMetrics counts what the engine reports.
type countingMetrics struct {
	received, duplicates, malformed, replayed, live atomic.Int64
}

func (m *countingMetrics) Received()  { m.received.Add(1) }
func (m *countingMetrics) Duplicate() { m.duplicates.Add(1) }
func (m *countingMetrics) Malformed() { m.malformed.Add(1) }
func (m *countingMetrics) Delivered(replayed bool, _ time.Duration) {
	if replayed {
		m.replayed.Add(1)
	} else {
		m.live.Add(1)
	}
}

// storeMessage is a notification as MinIO's NATS target publishes it.
func storeMessage(bucket, key, requestID string) []byte {
	return fmt.Appendf(nil, `{"EventName":"s3:ObjectCreated:Put","Key":"%[1]s/%[2]s","Records":[{"eventVersion":"2.0",
"eventSource":"minio:s3","awsRegion":"","eventTime":"2026-02-20T10:00:00.123Z","eventName":"s3:ObjectCreated:Put",
"userIdentity":{"principalId":"root"},"requestParameters":{},"responseElements":{"x-amz-request-id":"%[3]s"},
"s3":{"s3SchemaVersion":"1.0","configurationId":"Config","bucket":{"name":"%[1]s","ownerIdentity":{"principalId":"root"},
"arn":"arn:aws:s3:::%[1]s"},"object":{"key":"%[2]s","size":5,"eTag":"0123456789abcdef0123456789abcdef",
"contentType":"text/plain","userMetadata":{},"sequencer":"18A2B3C4D5E6F708"}},"source":{"host":"","port":"","userAgent":""}}]}`,
		bucket, key, requestID)
}

func publishRaw(t testing.TB, e *Engine, data []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := e.js.Publish(ctx, e.cfg.Subject, data); err != nil {
		t.Fatalf("publish: %v", err)
	}
}

func TestDuplicates_aRecordDeliveredTwiceComesOnce(t *testing.T) {
	m := &countingMetrics{}
	e := startEngine(t, Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0", Metrics: m})
	ch := subscribe(t, e, "dup.bucket", 0, Filter{})
	publishRaw(t, e, storeMessage("dup.bucket", "same", "REQ1"))
	publishRaw(t, e, storeMessage("dup.bucket", "same", "REQ1"))
	publishRaw(t, e, storeMessage("dup.bucket", "same", "REQ2")) // a second read of it: another event
	publishRaw(t, e, []byte("not json"))
	got := receive(t, ch, 2, 10*time.Second)
	checkNames(t, got, []string{"same", "same"})
	quiet(t, ch, time.Second)
	if m.received.Load() != 2 || m.duplicates.Load() != 1 || m.malformed.Load() != 1 || m.live.Load() != 2 {
		t.Fatalf("metrics: received %d, duplicates %d, malformed %d, live %d; want 2, 1, 1, 2",
			m.received.Load(), m.duplicates.Load(), m.malformed.Load(), m.live.Load())
	}
	replay := subscribe(t, e, "dup.bucket", got[0].ID, Filter{})
	checkNames(t, receive(t, replay, 1, 5*time.Second), []string{"same"})
	if m.replayed.Load() != 1 {
		t.Fatalf("replayed %d, want 1", m.replayed.Load())
	}
}

func TestReset_idBeyondRetention(t *testing.T) {
	const retention = 2 * time.Second
	e := startEngine(t, Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0", Retention: retention})
	ch := subscribe(t, e, "old.bucket", 0, Filter{})
	publishRaw(t, e, storeMessage("old.bucket", "old", "REQ1"))
	old := receive(t, ch, 1, 10*time.Second)[0].ID

	deadline := time.Now().Add(30 * time.Second)
	for {
		s, err := e.js.Stream(context.Background(), LogStream)
		if err != nil {
			t.Fatal(err)
		}
		if s.CachedInfo().State.FirstSeq > old {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("event %d still kept after %v", old, 30*time.Second)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, after := range []uint64{old, old + 1000} { // expired; never was
		sub := subscribe(t, e, "old.bucket", after, Filter{})
		if got := receive(t, sub, 1, 5*time.Second); got[0].Reset != ResetExpired {
			t.Fatalf("after %d: got %s, want a reset", after, describe(got))
		}
		publishRaw(t, e, storeMessage("old.bucket", "new", fmt.Sprint("REQ", after)))
		checkNames(t, receive(t, sub, 1, 10*time.Second), []string{"new"})
	}
}
