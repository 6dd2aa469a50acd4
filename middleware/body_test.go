package middleware

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"s3gateway/errs"
)

// bodyServer serves, over a real connection, BodyDeadline(idle) and Auth
// in front of POST /api/v1/read, which reads the whole body and answers
// with its length, or with the read error's code. handlerDone gets each
// handler's context error once it returns.
func bodyServer(t *testing.T, idle, work time.Duration) (addr string, handlerDone chan error) {
	t.Helper()
	handlerDone = make(chan error, 10)
	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		_ = c.String(errs.CodeOf(err).Status(), string(errs.CodeOf(err)))
	}
	e.Use(BodyDeadline(idle), Auth(testRegistry(t)))
	e.POST("/api/v1/read", func(c echo.Context) error {
		b, err := io.ReadAll(c.Request().Body)
		if err != nil {
			handlerDone <- c.Request().Context().Err()
			return err
		}
		// Work after the body is read must not be cut by the deadline.
		time.Sleep(work)
		handlerDone <- c.Request().Context().Err()
		return c.String(http.StatusOK, strings.Repeat("n", len(b)))
	})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String(), handlerDone
}

// stalledRequest sends a request that announces 100,000 bytes of body and
// sends one, then waits. It returns the response (nil if none came before
// the connection ended) and how long until the server closed the
// connection, up to limit.
func stalledRequest(t *testing.T, addr, key string, limit time.Duration) (*http.Response, time.Duration) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	head := "POST /api/v1/read HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
	if key != "" {
		head += "Authorization: Bearer " + key + "\r\n"
	}
	if _, err := io.WriteString(conn, head+"\r\nx"); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(start.Add(limit))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	// The server must then close the connection.
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("the connection is still open after %v (%v)", time.Since(start), err)
	}
	return resp, time.Since(start)
}

// A client without a key that stops sending its body gets its 401 at once,
// with Connection: close, and its connection ends: the server does not
// wait for the body it will not read.
func TestBodyDeadlineUnauthenticatedStall(t *testing.T) {
	addr, _ := bodyServer(t, time.Minute, 0)
	resp, took := stalledRequest(t, addr, "", 5*time.Second)
	if resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("response %+v, want 401", resp)
	}
	if !resp.Close { // Connection: close (ReadResponse takes the header out)
		t.Errorf("401 without Connection: close")
	}
	if took > 2*time.Second {
		t.Errorf("connection held %v", took)
	}
}

// An authenticated client that stops sending is cut after the idle time.
func TestBodyDeadlineAuthenticatedStall(t *testing.T) {
	addr, done := bodyServer(t, 300*time.Millisecond, 0)
	resp, took := stalledRequest(t, addr, testKey, 5*time.Second)
	if resp == nil || resp.StatusCode != http.StatusBadRequest || !resp.Close {
		t.Fatalf("response %+v, want 400 with Connection: close", resp)
	}
	if took < 300*time.Millisecond || took > 3*time.Second {
		t.Errorf("cut after %v, want about 300ms", took)
	}
	<-done
}

// A body that trickles in, a byte at a time with pauses shorter than the
// idle time, is read whole however long it takes in all; and the work done
// after it is read is not cut either.
func TestBodyDeadlineTrickle(t *testing.T) {
	const idle = 300 * time.Millisecond
	addr, done := bodyServer(t, idle, 2*idle)
	body, feed := io.Pipe()
	go func() {
		for range 20 { // 20 bytes over 2 s, more than six idle periods
			time.Sleep(100 * time.Millisecond)
			if _, err := feed.Write([]byte("b")); err != nil {
				return
			}
		}
		feed.Close()
	}()
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/read", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || len(b) != 20 {
		t.Fatalf("status %d, body %q", resp.StatusCode, b)
	}
	if err := <-done; err != nil {
		t.Errorf("the request's context ended during the work after the body: %v", err)
	}
	if resp.Close {
		t.Error("a fully read request's connection is not kept")
	}
}

// Without a real connection (a recorder) deadlines cannot be set; an
// unread body still gets Connection: close, a read one does not.
func TestBodyDeadlineRecorder(t *testing.T) {
	e := echo.New()
	e.Use(BodyDeadline(time.Second))
	e.POST("/read", func(c echo.Context) error {
		_, _ = io.Copy(io.Discard, c.Request().Body)
		return c.NoContent(204)
	})
	e.POST("/ignore", func(c echo.Context) error { return c.NoContent(204) })
	for path, want := range map[string]string{"/read": "", "/ignore": "close"} {
		rec := serve(e, httptest.NewRequest("POST", path, strings.NewReader("body")))
		if got := rec.Header().Get("Connection"); got != want || rec.Code != 204 {
			t.Errorf("%s: %d, Connection %q, want %q", path, rec.Code, got, want)
		}
	}
	rec := serve(e, httptest.NewRequest("POST", "/ignore", nil))
	if rec.Header().Get("Connection") != "" {
		t.Error("Connection: close on a request without a body")
	}
}
