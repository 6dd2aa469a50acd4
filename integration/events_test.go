package integration

import (
	"bufio"
	"encoding/json"
	"net/http"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"s3gateway/internal/testwait"
)

type sseEvent struct {
	name string
	data string
}

// readEvents parses an SSE stream into events on a channel; comments are
// reported with name ":".
func readEvents(body *bufio.Reader) <-chan sseEvent {
	out := make(chan sseEvent, 64)
	go func() {
		defer close(out)
		var ev sseEvent
		for {
			line, err := body.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			switch {
			case strings.HasPrefix(line, ":"):
				out <- sseEvent{name: ":", data: line}
			case strings.HasPrefix(line, "event:"):
				ev.name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				ev.data += strings.TrimSpace(strings.TrimPrefix(line, "data:"))
			case line == "" && (ev.name != "" || ev.data != ""):
				out <- ev
				ev = sseEvent{}
			}
		}
	}()
	return out
}

// listeners counts the goroutines holding a store listen stream.
func listeners() int {
	var b strings.Builder
	_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
	return strings.Count(b.String(), "ListenBucketNotification")
}

func TestEventStream(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	before := listeners()

	resp := c.open(request{method: http.MethodGet, path: "/api/v1/buckets/" + bucket + "/events?prefix=live/&events=s3:ObjectCreated:*"})
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	events := readEvents(bufio.NewReader(resp.Body))
	testwait.Until(t, 5*time.Second, "the store to register the listener", func() bool { return listeners() > before })

	c.put(bucket, "other/skip.txt", []byte("no"), nil)
	c.put(bucket, "live/ev é.txt", []byte("hello"), nil)
	timeout := time.After(15 * time.Second)
	for got := false; !got; {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("stream ended")
			}
			if ev.name == ":" {
				continue
			}
			var data struct {
				Type, Bucket, Name, ETag, Time string
				Size                           int64
			}
			if err := json.Unmarshal([]byte(ev.data), &data); err != nil {
				t.Fatalf("event data %q: %v", ev.data, err)
			}
			if data.Name == "other/skip.txt" {
				t.Fatalf("filtered event delivered: %+v", data)
			}
			if ev.name != data.Type || !strings.HasPrefix(data.Type, "s3:ObjectCreated:") || data.Bucket != bucket ||
				data.Name != "live/ev é.txt" || data.Size != 5 || data.Time == "" {
				t.Fatalf("event %s %+v", ev.name, data)
			}
			got = true
		case <-timeout:
			t.Fatal("no event within 15 s")
		}
	}

	resp.Body.Close()
	testwait.Until(t, 10*time.Second, "the store to drop the listener", func() bool { return listeners() <= before })
}

// A browser's EventSource cannot send headers: the stream also takes the
// key as the apiKey query parameter, and no other route does.
func TestEventStreamQueryKey(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	anon := as(t, "")
	resp := anon.open(request{method: http.MethodGet, path: "/api/v1/buckets/" + bucket + "/events?apiKey=" + alphaKey})
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("event stream with the query key: %d", resp.StatusCode)
	}
	anon.wantError(http.MethodGet, "/api/v1/buckets?apiKey="+alphaKey, nil, http.StatusUnauthorized, "Unauthorized")
	anon.wantError(http.MethodGet, "/api/v1/buckets/"+bucket+"/events?apiKey=wrong", nil, http.StatusUnauthorized, "Unauthorized")
}

func TestEventStreamErrorsAreJSON(t *testing.T) {
	c := as(t, alphaKey)
	c.wantError(http.MethodGet, "/api/v1/buckets/bnosuchbucket/events", nil, http.StatusNotFound, "NoSuchBucket")
	bucket := c.newBucket()
	c.wantError(http.MethodGet, "/api/v1/buckets/"+bucket+"/events?events=s3:Bogus", nil, http.StatusBadRequest, "InvalidArgument")
}
