package events

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The measurements behind the performance goals of event streams; run with
//
//	go test ./events/ -run '^$' -bench . -benchtime 1x
//
// BenchmarkDeliveryLatency uploads at deliveryRate for deliveryFor and
// reports the time from each upload's answer to its event reaching a
// subscriber, with MinIO's queue directory (what durability needs) and
// without it (MinIO publishes as the request ends, but loses what happens
// while NATS is away).
const (
	deliveryRate = 200 // uploads per second
	deliveryFor  = 10 * time.Second
)

func BenchmarkDeliveryLatency(b *testing.B) {
	for _, queue := range []bool{true, false} {
		b.Run(fmt.Sprintf("queueDir=%v", queue), func(b *testing.B) {
			e := startEngine(b, Config{DataDir: b.TempDir(), Listen: "127.0.0.1:0"})
			_, client := startMinIOQueue(b, e.Addr(), queue)
			bucket := bucketName()
			newBucket(b, client, bucket)
			for b.Loop() {
				p50, p99 := measureDelivery(b, e, client, bucket)
				b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
			}
		})
	}
}

// measureDelivery uploads at deliveryRate and returns the 50th and 99th
// percentiles of the delivery latency.
func measureDelivery(b *testing.B, e *Engine, client *minio.Client, bucket string) (p50, p99 time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := e.Subscribe(ctx, bucket, 0, Filter{})
	if err != nil {
		b.Fatal(err)
	}
	n := int(deliveryFor.Seconds() * deliveryRate)
	var mu sync.Mutex
	answered := make(map[string]time.Time, n)
	arrivals := make(chan map[string]time.Time, 1)
	go func() {
		received := make(map[string]time.Time, n)
		deadline := time.After(deliveryFor + 30*time.Second)
		for len(received) < n {
			select {
			case m := <-ch:
				received[m.Event.Name] = time.Now()
			case <-deadline:
				arrivals <- received
				return
			}
		}
		arrivals <- received
	}()
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / deliveryRate)
	defer tick.Stop()
	run := time.Now().UnixNano()
	for i := range n {
		<-tick.C
		name := fmt.Sprintf("lat/%d/%05d", run, i)
		wg.Go(func() {
			body := []byte("x")
			if _, err := client.PutObject(ctx, bucket, name, bytes.NewReader(body), 1, minio.PutObjectOptions{}); err != nil {
				b.Error(err)
				return
			}
			mu.Lock()
			answered[name] = time.Now()
			mu.Unlock()
		})
	}
	wg.Wait()
	received := <-arrivals
	if len(received) < n {
		b.Fatalf("%d of %d events arrived", len(received), n)
	}
	var latencies []time.Duration
	for name, at := range received {
		if put, ok := answered[name]; ok {
			latencies = append(latencies, max(0, at.Sub(put)))
		}
	}
	slices.Sort(latencies)
	return latencies[len(latencies)/2], latencies[len(latencies)*99/100]
}

// BenchmarkReplay10k times a subscriber resuming 10,000 events back; it
// also reports how fast the engine moved them from the ingest stream to the
// log (the raw messages published as fast as NATS takes them).
func BenchmarkReplay10k(b *testing.B) {
	const events = 10000
	e := startEngine(b, Config{DataDir: b.TempDir(), Listen: "127.0.0.1:0"})
	const bucket = "replay.bucket"
	live := subscribe(b, e, bucket, 0, Filter{})
	publishRaw(b, e, storeMessage(bucket, "start", "REQ-start"))
	start := receive(b, live, 1, 10*time.Second)[0].ID
	began := time.Now()
	// The store's side: a connection of its own, publishing as fast as
	// NATS answers.
	nc, err := nats.Connect("nats://" + e.Addr())
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	store, err := jetstream.New(nc)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < events; {
		_, err := store.PublishAsync(e.cfg.Subject, storeMessage(bucket, fmt.Sprintf("r%05d", i), fmt.Sprint("REQ", i)))
		switch {
		case err == nil:
			i++
		case !errors.Is(err, jetstream.ErrTooManyStalledMsgs):
			b.Fatal(err)
		}
	}
	receive(b, live, events, 2*time.Minute)
	ingestRate := float64(events) / time.Since(began).Seconds()
	for b.Loop() {
		got := receive(b, subscribe(b, e, bucket, start, Filter{}), events, time.Minute)
		if got[events-1].Event.Name != fmt.Sprintf("r%05d", events-1) {
			b.Fatalf("last replayed event is %s", describe(got[events-1:]))
		}
	}
	b.ReportMetric(ingestRate, "ingested-events/s")
}
