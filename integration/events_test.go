package integration

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sseEvent is one message of an event stream; comments have name ":".
type sseEvent struct {
	id   string
	name string
	data string
}

// readEvents parses an SSE stream into events on a channel.
func readEvents(body *bufio.Reader) <-chan sseEvent {
	out := make(chan sseEvent, 256)
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
			case strings.HasPrefix(line, "id:"):
				ev.id = strings.TrimSpace(strings.TrimPrefix(line, "id:"))
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

// eventData is the data of an event message.
type eventData struct {
	Type, Bucket, Name, ETag, Time string
	Size                           int64
}

// sseStream is an open event stream.
type sseStream struct {
	t      *testing.T
	body   io.Closer
	events <-chan sseEvent
}

// openStream opens a bucket's event stream on the gateway at base as the
// tenant with key; lastID, when set, is sent as Last-Event-ID. It returns
// once the gateway said the stream is connected: later events reach it.
func openStream(t *testing.T, base, key, bucket, query, lastID string) *sseStream {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/api/v1/buckets/"+bucket+"/events?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("event stream: %d %s", resp.StatusCode, body)
	}
	s := &sseStream{t: t, body: resp.Body, events: readEvents(bufio.NewReader(resp.Body))}
	t.Cleanup(s.close)
	if first := s.nextAny(10 * time.Second); first.data != ": connected" {
		t.Fatalf("first line %+v, want : connected", first)
	}
	return s
}

func (s *sseStream) close() { s.body.Close() }

// nextAny is the next message or comment.
func (s *sseStream) nextAny(limit time.Duration) sseEvent {
	s.t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			s.t.Fatal("the stream ended")
		}
		return ev
	case <-time.After(limit):
		s.t.Fatalf("nothing on the stream within %v", limit)
	}
	return sseEvent{}
}

// next is the next message, comments skipped.
func (s *sseStream) next(limit time.Duration) sseEvent {
	s.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		if ev := s.nextAny(time.Until(deadline)); ev.name != ":" {
			return ev
		}
	}
}

// nextEvent is the next event message, decoded.
func (s *sseStream) nextEvent(limit time.Duration) (sseEvent, eventData) {
	s.t.Helper()
	ev := s.next(limit)
	var data eventData
	if err := json.Unmarshal([]byte(ev.data), &data); err != nil || ev.id == "" {
		s.t.Fatalf("event %+v: %v", ev, err)
	}
	return ev, data
}

// quiet checks that no message arrives within d.
func (s *sseStream) quiet(d time.Duration) {
	s.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case ev, ok := <-s.events:
			if ok && ev.name != ":" {
				s.t.Fatalf("unexpected message %+v", ev)
			}
			if !ok {
				return
			}
		case <-deadline:
			return
		}
	}
}

// storeListeners counts the goroutines holding a store listen request: the
// gateway makes none.
func storeListeners() int {
	var b strings.Builder
	_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
	return strings.Count(b.String(), "ListenBucketNotification")
}

func TestEventStream(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	s := openStream(t, suite.gateway.URL, alphaKey, bucket, "prefix=live/&events=s3:ObjectCreated:*", "")
	if n := storeListeners(); n != 0 {
		t.Fatalf("%d store listen requests", n)
	}
	c.put(bucket, "other/skip.txt", []byte("no"), nil)
	c.put(bucket, "live/ev é+%.txt", []byte("hello"), nil)
	c.put(bucket, "live/second.txt", []byte("hi"), nil)
	ev, data := s.nextEvent(15 * time.Second)
	if ev.name != data.Type || !strings.HasPrefix(data.Type, "s3:ObjectCreated:") || data.Bucket != bucket ||
		data.Name != "live/ev é+%.txt" || data.Size != 5 || data.Time == "" || data.ETag == "" {
		t.Fatalf("event %s %+v", ev.name, data)
	}
	ev2, data2 := s.nextEvent(15 * time.Second)
	first, _ := strconv.ParseUint(ev.id, 10, 64)
	second, _ := strconv.ParseUint(ev2.id, 10, 64)
	if data2.Name != "live/second.txt" || second <= first || first == 0 {
		t.Fatalf("second event %s %+v after id %s", ev2.id, data2, ev.id)
	}
	// The store sends each event twice (its prompt target and its durable
	// one, 3 s later): the stream has it once.
	s.quiet(4 * time.Second)
}

// A client that reconnects with its last id gets exactly what it missed,
// in order, then live events.
func TestEventStreamResume(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	s := openStream(t, suite.gateway.URL, alphaKey, bucket, "events=s3:ObjectCreated:*", "")
	for i := range 3 {
		c.put(bucket, fmt.Sprintf("first-%d", i), []byte("x"), nil)
	}
	var last string
	for i := range 3 {
		ev, data := s.nextEvent(15 * time.Second)
		if data.Name != fmt.Sprintf("first-%d", i) {
			t.Fatalf("event %d: %+v", i, data)
		}
		last = ev.id
	}
	s.close()
	for i := range 20 {
		c.put(bucket, fmt.Sprintf("missed-%02d", i), []byte("x"), nil)
	}
	// The header, or the query parameter for clients that cannot set it.
	for _, viaQuery := range []bool{false, true} {
		var r *sseStream
		if viaQuery {
			r = openStream(t, suite.gateway.URL, alphaKey, bucket, "events=s3:ObjectCreated:*&lastEventId="+last, "")
		} else {
			r = openStream(t, suite.gateway.URL, alphaKey, bucket, "events=s3:ObjectCreated:*", last)
		}
		for i := range 20 {
			if _, data := r.nextEvent(15 * time.Second); data.Name != fmt.Sprintf("missed-%02d", i) {
				t.Fatalf("resumed event %d: %+v", i, data)
			}
		}
		live := "live-" + strconv.FormatBool(viaQuery)
		c.put(bucket, live, []byte("x"), nil)
		for {
			_, data := r.nextEvent(15 * time.Second)
			if data.Name == live {
				break
			}
			if !strings.HasPrefix(data.Name, "live-") { // the other pass's live event
				t.Fatalf("after the replay: %+v", data)
			}
		}
		r.close()
	}
}

// An id the log no longer holds starts with a reset; a malformed one is
// refused before the stream starts.
func TestEventStreamResetAndBadLastEventID(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	s := openStream(t, suite.gateway.URL, alphaKey, bucket, "", "999999999999")
	if ev := s.next(10 * time.Second); ev.name != "reset" || ev.data != `{"reason":"expired"}` || ev.id != "" {
		t.Fatalf("first message %+v, want a reset", ev)
	}
	c.put(bucket, "after-reset", []byte("x"), nil)
	if _, data := s.nextEvent(15 * time.Second); data.Name != "after-reset" {
		t.Fatalf("after the reset: %+v", data)
	}
	path := "/api/v1/buckets/" + bucket + "/events"
	for _, bad := range []string{"abc", "0", "-3", "1.5", "+7", "99999999999999999999999"} {
		resp, body := c.do(request{method: http.MethodGet, path: path, headers: map[string]string{"Last-Event-ID": bad}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "InvalidArgument") {
			t.Fatalf("Last-Event-ID %q: %d %s", bad, resp.StatusCode, body)
		}
	}
	c.wantError(http.MethodGet, path+"?lastEventId=x", nil, http.StatusBadRequest, "InvalidArgument")
}

// A stream never carries another tenant's events, even for a bucket of the
// same name.
func TestEventStreamTenantIsolation(t *testing.T) {
	alpha, beta := as(t, alphaKey), as(t, betaKey)
	bucket := alpha.newBucket()
	beta.call(http.MethodPost, "/api/v1/buckets", map[string]string{"name": bucket}, http.StatusCreated, nil)
	t.Cleanup(func() { beta.emptyAndRemove(bucket) })
	sa := openStream(t, suite.gateway.URL, alphaKey, bucket, "", "")
	sb := openStream(t, suite.gateway.URL, betaKey, bucket, "", "")
	alpha.put(bucket, "alpha-only", []byte("a"), nil)
	beta.put(bucket, "beta-only", []byte("b"), nil)
	if _, data := sa.nextEvent(15 * time.Second); data.Name != "alpha-only" || data.Bucket != bucket {
		t.Fatalf("alpha's stream: %+v", data)
	}
	if _, data := sb.nextEvent(15 * time.Second); data.Name != "beta-only" || data.Bucket != bucket {
		t.Fatalf("beta's stream: %+v", data)
	}
	sa.quiet(time.Second)
	sb.quiet(time.Second)
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
