package handlers

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"s3gateway/errs"
	"s3gateway/internal/testwait"
	"s3gateway/service"
)

// sseClient reads an event stream line by line.
type sseClient struct {
	t     *testing.T
	res   *http.Response
	lines chan string
}

func openStream(t *testing.T, ctx context.Context, srv *httptest.Server, target string) *sseClient {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+acmeKey)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	c := &sseClient{t: t, res: res, lines: make(chan string, 100)}
	done := make(chan struct{})
	t.Cleanup(func() {
		close(done)
		res.Body.Close()
	})
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			select {
			case c.lines <- sc.Text():
			case <-done:
				return
			}
		}
	}()
	return c
}

// next returns the next line, failing after a while.
func (c *sseClient) next() string {
	c.t.Helper()
	select {
	case l, ok := <-c.lines:
		if !ok {
			c.t.Fatal("stream ended")
		}
		return l
	case <-time.After(5 * time.Second):
		c.t.Fatal("no line within 5 s")
	}
	return ""
}

// expect reads the next lines and compares them.
func (c *sseClient) expect(lines ...string) {
	c.t.Helper()
	for _, want := range lines {
		if got := c.next(); got != want {
			c.t.Fatalf("line %q, want %q", got, want)
		}
	}
}

// ended reports whether the stream ends within a while.
func (c *sseClient) ended() bool {
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-c.lines:
			if !ok {
				return true
			}
		case <-deadline:
			return false
		}
	}
}

func TestStreamBucketEvents(t *testing.T) {
	t.Run("events_stream", func(t *testing.T) {
		env := newEnv(t)
		items := make(chan service.StreamItem)
		env.svc.listenBucket = func(ctx context.Context, b string, f service.EventFilter) (<-chan service.StreamItem, error) {
			return items, nil
		}
		srv := httptest.NewServer(env.e)
		t.Cleanup(srv.Close) // after the stream's body is closed
		c := openStream(t, context.Background(), srv, "/api/v1/buckets/photos/events?prefix=p/&suffix=.jpg&events=s3:ObjectCreated:*,s3:ObjectRemoved:*&events=s3:ObjectAccessed:Get")
		if c.res.StatusCode != 200 {
			t.Fatalf("status %d", c.res.StatusCode)
		}
		for k, v := range map[string]string{"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"} {
			if got := c.res.Header.Get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
		c.expect(": connected", "")

		items <- service.StreamItem{ID: 41, Event: &service.Event{Type: "s3:ObjectCreated:Put", Bucket: "photos", Name: "p/a b.jpg", Size: 3, ETag: "e1", Time: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}}
		c.expect(
			"id: 41",
			"event: s3:ObjectCreated:Put",
			`data: {"type":"s3:ObjectCreated:Put","bucket":"photos","name":"p/a b.jpg","size":3,"etag":"e1","time":"2024-05-01T12:00:00.000Z"}`,
			"",
		)
		items <- service.StreamItem{Reset: service.ResetExpired}
		c.expect("event: reset", `data: {"reason":"expired"}`, "")

		call, _ := env.svc.only()
		want := service.EventFilter{Prefix: "p/", Suffix: ".jpg", Events: []string{"s3:ObjectCreated:*", "s3:ObjectRemoved:*", "s3:ObjectAccessed:Get"}}
		if !reflect.DeepEqual(call.Args, want) || call.Bucket != "photos" || call.Tenant != "acme" {
			t.Errorf("ListenBucket %+v, want %+v", call, want)
		}

		close(items) // the service ends the stream
		if !c.ended() {
			t.Error("stream did not end when the service closed it")
		}
	})

	t.Run("events_heartbeat", func(t *testing.T) {
		env := newEnv(t, func(c *Config) { c.EventHeartbeat = 20 * time.Millisecond })
		srv := httptest.NewServer(env.e)
		t.Cleanup(srv.Close) // after the stream's body is closed
		c := openStream(t, context.Background(), srv, "/api/v1/buckets/photos/events")
		c.expect(": connected", "", ": ping", "", ": ping", "")
	})

	t.Run("events_clientCancels", func(t *testing.T) {
		env := newEnv(t)
		listenerDone := make(chan struct{})
		env.svc.listenBucket = func(ctx context.Context, b string, f service.EventFilter) (<-chan service.StreamItem, error) {
			ch := make(chan service.StreamItem)
			go func() {
				<-ctx.Done()
				close(ch)
				close(listenerDone)
			}()
			return ch, nil
		}
		srv := httptest.NewServer(env.e)
		t.Cleanup(srv.Close) // after the stream's body is closed
		ctx, cancel := context.WithCancel(context.Background())
		c := openStream(t, ctx, srv, "/api/v1/buckets/photos/events")
		c.expect(": connected", "")
		cancel()
		select {
		case <-listenerDone:
		case <-time.After(5 * time.Second):
			t.Fatal("the listener's context did not end when the client went")
		}
		// The handler has returned when its request is logged.
		testwait.Within(5*time.Second, func() bool { return env.logs.Len() != 0 })
		if env.logs.Len() != 1 {
			t.Fatalf("%d log lines; the handler did not return", env.logs.Len())
		}
		if f := env.logs.All()[0].ContextMap(); f["status"] != int64(200) || f["route"] != "/api/v1/buckets/:bucket/events" {
			t.Errorf("log %v", f)
		}
	})

	t.Run("events_lastEventID", func(t *testing.T) {
		for _, tc := range []struct {
			header, query string
			want          uint64
		}{
			{"", "", 0},
			{"17", "", 17},
			{"", "18", 18},
			{"19", "20", 19}, // the header wins: EventSource sets it on reconnection
			{"18446744073709551615", "", 18446744073709551615},
		} {
			env := newEnv(t)
			target := "/api/v1/buckets/photos/events"
			if tc.query != "" {
				target += "?lastEventId=" + tc.query
			}
			env.svc.listenBucket = func(context.Context, string, service.EventFilter) (<-chan service.StreamItem, error) {
				return nil, errs.New(errs.NoSuchBucket, "gone") // only the filter matters
			}
			req := request{method: "GET", target: target}
			if tc.header != "" {
				req.headers = map[string]string{"Last-Event-ID": tc.header}
			}
			env.do(t, req)
			call, _ := env.svc.only()
			if got := call.Args.(service.EventFilter).After; got != tc.want {
				t.Errorf("header %q query %q: After = %d, want %d", tc.header, tc.query, got, tc.want)
			}
		}
		for _, bad := range []string{"abc", "0", "-1", "+1", "1.0", " ", "18446744073709551616"} {
			env := newEnv(t)
			rec := env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/events", headers: map[string]string{"Last-Event-ID": bad}})
			wantError(t, rec, 400, "InvalidArgument")
			rec = env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/events?lastEventId=" + url.QueryEscape(bad)})
			wantError(t, rec, 400, "InvalidArgument")
			if n := len(env.svc.calls); n != 0 {
				t.Errorf("Last-Event-ID %q reached the service", bad)
			}
		}
	})

	t.Run("events_errorBeforeStream", func(t *testing.T) {
		env := newEnv(t)
		env.svc.listenBucket = func(context.Context, string, service.EventFilter) (<-chan service.StreamItem, error) {
			return nil, errs.New(errs.NoSuchBucket, `bucket "photos" does not exist`)
		}
		rec := env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/events"})
		wantError(t, rec, 404, "NoSuchBucket")
	})

	t.Run("events_eventTypeCannotBreakFraming", func(t *testing.T) {
		env := newEnv(t)
		items := make(chan service.StreamItem, 1)
		items <- service.StreamItem{Event: &service.Event{Type: "x\ndata: injected"}}
		env.svc.listenBucket = func(context.Context, string, service.EventFilter) (<-chan service.StreamItem, error) {
			return items, nil
		}
		srv := httptest.NewServer(env.e)
		t.Cleanup(srv.Close) // after the stream's body is closed
		c := openStream(t, context.Background(), srv, "/api/v1/buckets/photos/events")
		c.expect(": connected", "", "id: 0", "event: x data: injected")
		if l := c.next(); !strings.HasPrefix(l, `data: {"type":"x\ndata: injected"`) {
			t.Errorf("data line %q", l)
		}
	})
}
