package miniostore

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"s3gateway/access"
)

// streamServer is a plain HTTP/1.1 server that counts the connections
// made to it.
type streamServer struct {
	*httptest.Server
	conns atomic.Int32
}

func newStreamServer(t *testing.T, h http.HandlerFunc) *streamServer {
	t.Helper()
	s := &streamServer{}
	s.Server = httptest.NewUnstartedServer(h)
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func streamGet(t *testing.T, tr *streamTransport, ctx context.Context, method, url string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return resp
}

func TestStreamTransport_reusesConnectionAfterWholeBody(t *testing.T) {
	body := strings.Repeat("0123456789", 100_000)
	srv := newStreamServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000000")
		_, _ = io.WriteString(w, body)
	})
	tr := newStreamTransport(30 * time.Second)
	for i := range 3 {
		resp := streamGet(t, tr, context.Background(), http.MethodGet, srv.URL+"/o")
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(got) != body {
			t.Fatalf("request %d: %d bytes, %v", i, len(got), err)
		}
	}
	// HEAD answers have no body: the connection is free at once.
	resp := streamGet(t, tr, context.Background(), http.MethodHead, srv.URL+"/o")
	resp.Body.Close()
	if resp.ContentLength != 1_000_000 {
		t.Errorf("HEAD Content-Length %d", resp.ContentLength)
	}
	resp = streamGet(t, tr, context.Background(), http.MethodGet, srv.URL+"/o")
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("%d connections for 5 requests, want 1", n)
	}
}

func TestStreamTransport_closesConnectionOfUnfinishedBody(t *testing.T) {
	srv := newStreamServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(bytes.Repeat([]byte("x"), 1<<20))
	})
	tr := newStreamTransport(30 * time.Second)
	resp := streamGet(t, tr, context.Background(), http.MethodGet, srv.URL+"/o")
	if _, err := io.ReadFull(resp.Body, make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp = streamGet(t, tr, context.Background(), http.MethodGet, srv.URL+"/o")
	if n, err := io.Copy(io.Discard, resp.Body); n != 1<<20 || err != nil {
		t.Fatalf("second body: %d bytes, %v", n, err)
	}
	resp.Body.Close()
	if n := srv.conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2: a half-read body's connection must not be reused", n)
	}
}

// readerFromRecorder records what its ReadFrom was handed.
type readerFromRecorder struct {
	bytes.Buffer
	from []io.Reader
}

func (w *readerFromRecorder) ReadFrom(r io.Reader) (int64, error) {
	w.from = append(w.from, r)
	return w.Buffer.ReadFrom(r)
}

func TestStreamBody_WriteToHandsOverTheConnection(t *testing.T) {
	body := strings.Repeat("abcdefgh", 1<<17) // 1 MiB: more than is read with the headers
	srv := newStreamServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1048576")
		_, _ = io.WriteString(w, body)
	})
	tr := newStreamTransport(30 * time.Second)
	resp := streamGet(t, tr, context.Background(), http.MethodGet, srv.URL+"/o")
	defer resp.Body.Close()
	wt, ok := resp.Body.(io.WriterTo)
	if !ok {
		t.Fatalf("body %T is not an io.WriterTo", resp.Body)
	}
	var w readerFromRecorder
	n, err := wt.WriteTo(&w)
	if err != nil || n != int64(len(body)) || w.String() != body {
		t.Fatalf("WriteTo = %d, %v; %d bytes arrived", n, err, w.Len())
	}
	if len(w.from) != 1 {
		t.Fatalf("ReadFrom called %d times, want 1", len(w.from))
	}
	lr, ok := w.from[0].(*io.LimitedReader)
	if !ok {
		t.Fatalf("ReadFrom got %T, want *io.LimitedReader", w.from[0])
	}
	if _, ok := lr.R.(*net.TCPConn); !ok {
		t.Fatalf("ReadFrom got a limited %T, want *net.TCPConn (what splice needs)", lr.R)
	}
}

func TestStreamBody_shortBodyIsAnError(t *testing.T) {
	srv := newStreamServer(t, func(w http.ResponseWriter, r *http.Request) {
		// Promise more than is sent, then drop the connection.
		conn, bufw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		_, _ = bufw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nonly this")
		_ = bufw.Flush()
		conn.Close()
	})
	tr := newStreamTransport(30 * time.Second)
	for _, via := range []string{"Read", "WriteTo"} {
		resp := streamGet(t, tr, context.Background(), http.MethodGet, srv.URL+"/o")
		var err error
		if via == "Read" {
			_, err = io.ReadAll(resp.Body)
		} else {
			_, err = resp.Body.(io.WriterTo).WriteTo(&readerFromRecorder{})
		}
		resp.Body.Close()
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s of a cut body: %v, want io.ErrUnexpectedEOF", via, err)
		}
	}
}

func TestStreamTransport_resendsOnAConnectionTheStoreClosed(t *testing.T) {
	srv := newStreamServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "fine")
	})
	tr := newStreamTransport(30 * time.Second)
	for i := range 2 {
		resp := streamGet(t, tr, context.Background(), http.MethodGet, srv.URL+"/o")
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(got) != "fine" {
			t.Fatalf("request %d: %q, %v", i, got, err)
		}
		// The store drops its idle connections; the pooled one is stale.
		srv.CloseClientConnections()
		time.Sleep(50 * time.Millisecond)
	}
	if n := srv.conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

func TestStreamTransport_headerTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := newStreamServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
	})
	defer close(release)
	tr := newStreamTransport(30 * time.Second)
	tr.headerTimeout = 100 * time.Millisecond
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/o", nil)
	start := time.Now()
	_, err := tr.RoundTrip(req)
	var netErr net.Error
	if !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("timed out after %v", took)
	}
	if code := translate(err, "b", "o"); !strings.Contains(code.Error(), "did not answer in time") {
		t.Errorf("translated to %v, want BackendTimeout", code)
	}
}

// A store that hangs on a kept-alive connection is not asked again on a
// new one: the caller waits one timeout, not two.
func TestStreamTransport_noResendAfterATimeout(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	srv := newStreamServer(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) > 1 {
			<-release
		}
	})
	defer close(release)
	tr := newStreamTransport(200 * time.Millisecond)
	resp := streamGet(t, tr, context.Background(), http.MethodGet, srv.URL+"/o")
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/o", nil)
	if _, err := tr.RoundTrip(req); err == nil {
		t.Fatal("a hung store answered")
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("the store was asked %d times, want 2 (no resend after a timeout)", n)
	}
}

func TestStreamTransport_contextEndsAWaitingBody(t *testing.T) {
	sent := make(chan struct{})
	release := make(chan struct{})
	srv := newStreamServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000000")
		_, _ = io.WriteString(w, "the start")
		http.NewResponseController(w).Flush()
		close(sent)
		<-release
	})
	defer close(release)
	tr := newStreamTransport(30 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	resp := streamGet(t, tr, ctx, http.MethodGet, srv.URL+"/o")
	defer resp.Body.Close()
	<-sent
	done := make(chan error, 1)
	go func() {
		_, err := resp.Body.(io.WriterTo).WriteTo(&readerFromRecorder{})
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("WriteTo of a cancelled download succeeded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WriteTo still blocked 5 s after its context ended")
	}
}

func TestStreamTransport_unknownLengthAndErrors(t *testing.T) {
	srv := newStreamServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, "<Error><Code>NoSuchKey</Code></Error>")
			return
		}
		// Chunked: no Content-Length.
		_, _ = io.WriteString(w, "part one,")
		http.NewResponseController(w).Flush()
		_, _ = io.WriteString(w, "part two")
	})
	tr := newStreamTransport(30 * time.Second)
	resp := streamGet(t, tr, context.Background(), http.MethodGet, srv.URL+"/chunked")
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(got) != "part one,part two" {
		t.Fatalf("chunked body %q, %v", got, err)
	}
	resp = streamGet(t, tr, context.Background(), http.MethodGet, srv.URL+"/missing")
	got, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || err != nil || !strings.Contains(string(got), "NoSuchKey") {
		t.Fatalf("error answer %d %q, %v", resp.StatusCode, got, err)
	}
}

func TestStreamEligible(t *testing.T) {
	t.Parallel()
	// Loopback is never proxied, whatever the environment says.
	for raw, want := range map[string]bool{
		"http://127.0.0.1:9000":  true,
		"https://127.0.0.1:9000": false,
	} {
		u, _ := url.Parse(raw)
		if got := streamEligible(u); got != want {
			t.Errorf("streamEligible(%s) = %v, want %v", raw, got, want)
		}
	}
}

// Object reads take the stream transport only with the default transport
// to an http:// store, unless the configuration asks for the standard one.
func TestNew_objectReadTransport(t *testing.T) {
	parse := func(raw string) *url.URL {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	for name, tc := range map[string]struct {
		cfg        Config
		wantStream bool
	}{
		"objectReads_streamAsked":   {Config{Endpoint: parse("http://127.0.0.1:9000"), ZeroCopyReads: true}, true},
		"objectReads_standardAsked": {Config{Endpoint: parse("http://127.0.0.1:9000")}, false},
		"objectReads_tlsStore":      {Config{Endpoint: parse("https://127.0.0.1:9000"), ZeroCopyReads: true}, false},
		"objectReads_ownTransport":  {Config{Endpoint: parse("http://127.0.0.1:9000"), ZeroCopyReads: true, Transport: newTransport(time.Second)}, false},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tc.cfg.PartSize, tc.cfg.BackendTimeout, tc.cfg.FailFastCooldown = 8<<20, time.Second, time.Second
			m, err := New(tc.cfg, &access.Registry{})
			if err != nil {
				t.Fatal(err)
			}
			tr := m.storeTransport(m.newCircuit()).(storeTransport)
			if got := tr.stream != nil; got != tc.wantStream {
				t.Errorf("object reads on the stream transport: %v, want %v", got, tc.wantStream)
			}
		})
	}
}

// An answer whose header does not fit in the connection's buffer is an
// error, read no further, on a connection that is then closed; a header
// just under the bound is read as usual.
func TestStreamTransport_answerHeaderBounded(t *testing.T) {
	var size atomic.Int64
	srv := newStreamServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amz-Meta-Big", strings.Repeat("a", int(size.Load())))
		_, _ = io.WriteString(w, "body")
	})
	tr := newStreamTransport(5 * time.Second)

	size.Store(maxAnswerHeader - 1024)
	resp := streamGet(t, tr, context.Background(), http.MethodGet, srv.URL+"/o")
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(b) != "body" {
		t.Fatalf("body %q, %v", b, err)
	}

	size.Store(maxAnswerHeader)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/o", nil)
	if _, err := tr.RoundTrip(req); !errors.Is(err, errAnswerHeaderTooLarge) {
		t.Fatalf("err = %v, want errAnswerHeaderTooLarge", err)
	}
	// The kept-alive connection took the oversized answer and is closed,
	// not sent the request again nor given back.
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1 (no resend on a new one)", n)
	}
	if c := tr.idle.get(strings.TrimPrefix(srv.URL, "http://")); c != nil {
		t.Error("the connection was given back to the pool")
	}
}

// A header that arrives in pieces is waited for whole.
func TestAwaitHeader_splitHeader(t *testing.T) {
	t.Parallel()
	client, server := net.Pipe()
	defer client.Close()
	go func() {
		defer server.Close()
		for _, part := range []string{"HTTP/1.1 200 OK\r\nContent-Le", "ngth: 2\r\n\r", "\nok"} {
			_, _ = server.Write([]byte(part))
		}
	}()
	br := bufio.NewReaderSize(client, 64)
	if err := awaitHeader(br); err != nil {
		t.Fatal(err)
	}
	if got := br.Buffered(); got < len("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n") {
		t.Errorf("%d bytes buffered, want the whole header", got)
	}
}
