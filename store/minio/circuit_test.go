package miniostore

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"s3gateway/errs"
)

// fakeClock is a settable clock for the circuit.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newTestCircuit() (*circuit, *fakeClock) { // threshold 3, cool-down 5 s
	clock := &fakeClock{t: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
	c := newCircuit(3, 5*time.Second)
	c.now = clock.now
	return c, clock
}

func TestCircuit(t *testing.T) {
	t.Run("circuit_opensAfterThreshold", func(t *testing.T) {
		c, _ := newTestCircuit()
		for i := 0; i < 2; i++ {
			c.unanswered()
			if !c.allow() || c.open() {
				t.Fatalf("closed circuit refused after %d failures", i+1)
			}
		}
		c.unanswered()
		if c.allow() || !c.open() {
			t.Fatal("circuit not open after 3 failures in a row")
		}
	})
	t.Run("circuit_answerResetsCount", func(t *testing.T) {
		c, _ := newTestCircuit()
		c.unanswered()
		c.unanswered()
		c.answered()
		c.unanswered()
		c.unanswered()
		if !c.allow() {
			t.Fatal("failures that were not in a row opened the circuit")
		}
	})
	t.Run("circuit_oneTrialPerCooldown", func(t *testing.T) {
		c, clock := newTestCircuit()
		for i := 0; i < 3; i++ {
			c.unanswered()
		}
		clock.advance(4 * time.Second)
		if c.allow() {
			t.Fatal("allowed within the cool-down")
		}
		clock.advance(time.Second)
		if !c.allow() {
			t.Fatal("no trial after the cool-down")
		}
		if c.allow() {
			t.Fatal("a second request went with the trial")
		}
		c.unanswered() // the trial failed: another cool-down
		clock.advance(4 * time.Second)
		if c.allow() {
			t.Fatal("allowed within the second cool-down")
		}
		clock.advance(time.Second)
		if !c.allow() {
			t.Fatal("no second trial")
		}
		c.answered() // the trial got an answer: closed
		first, second := c.allow(), c.allow()
		if !first || !second || c.open() {
			t.Fatal("circuit still open after an answer")
		}
	})
}

// scriptedTransport answers with err, or a response of status.
type scriptedTransport struct {
	mu     sync.Mutex
	err    error
	status int
	calls  int
}

func (s *scriptedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.err != nil {
		return nil, s.err
	}
	return &http.Response{StatusCode: s.status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
}

// closeRecorder records whether a request body was closed.
type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

func TestStoreTransport(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	newTransport := func() (storeTransport, *scriptedTransport, *[]errs.Code, *fakeClock) {
		base := &scriptedTransport{}
		c, clock := newTestCircuit()
		var reported []errs.Code
		return storeTransport{base: base, circuit: c, onError: func(code errs.Code) { reported = append(reported, code) }}, base, &reported, clock
	}
	get := func(t *testing.T, tr storeTransport, ctx context.Context) error {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://store.invalid/", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := tr.RoundTrip(req)
		if resp != nil {
			resp.Body.Close()
		}
		return err
	}

	t.Run("transport_failsFastWhenDown", func(t *testing.T) {
		tr, base, reported, clock := newTransport()
		base.err = refused
		for i := 0; i < 3; i++ {
			if err := get(t, tr, context.Background()); !errors.Is(err, syscall.ECONNREFUSED) {
				t.Fatalf("call %d: %v", i, err)
			}
		}
		body := &closeRecorder{Reader: strings.NewReader("data")}
		req, _ := http.NewRequest(http.MethodPut, "http://store.invalid/b/o", body)
		_, err := tr.RoundTrip(req)
		if !errs.Is(err, errs.BackendUnavailable) || base.calls != 3 {
			t.Fatalf("open circuit: %v after %d store calls", err, base.calls)
		}
		if !body.closed {
			t.Error("the body of a refused request was not closed")
		}
		want := []errs.Code{errs.BackendUnavailable, errs.BackendUnavailable, errs.BackendUnavailable, errs.BackendUnavailable}
		if strings.Join(codes(*reported), ",") != strings.Join(codes(want), ",") {
			t.Errorf("reported %v, want %v", *reported, want)
		}

		// The store is back: the trial after the cool-down closes it.
		base.err, base.status = nil, http.StatusOK
		clock.advance(5 * time.Second)
		if err := get(t, tr, context.Background()); err != nil {
			t.Fatalf("trial: %v", err)
		}
		if err := get(t, tr, context.Background()); err != nil || base.calls != 5 {
			t.Fatalf("after the trial: %v, %d store calls", err, base.calls)
		}
	})

	t.Run("transport_probeGoesThroughAndCloses", func(t *testing.T) {
		tr, base, _, _ := newTransport()
		base.err = refused
		for i := 0; i < 3; i++ {
			_ = get(t, tr, context.Background())
		}
		base.err, base.status = nil, http.StatusForbidden // any answer means up
		if err := get(t, tr, withMark(context.Background(), markProbe)); err != nil || base.calls != 4 {
			t.Fatalf("probe: %v, %d store calls", err, base.calls)
		}
		if err := get(t, tr, context.Background()); err != nil {
			t.Fatalf("after the probe: %v", err)
		}
	})

	t.Run("transport_timeoutsCount", func(t *testing.T) {
		tr, base, reported, _ := newTransport()
		base.err = context.DeadlineExceeded
		for i := 0; i < 3; i++ {
			_ = get(t, tr, context.Background())
		}
		if !tr.circuit.open() {
			t.Error("time-outs did not open the circuit")
		}
		if (*reported)[0] != errs.BackendTimeout {
			t.Errorf("reported %v", *reported)
		}
	})

	t.Run("transport_callerCancelsIsNoFailure", func(t *testing.T) {
		tr, base, reported, _ := newTransport()
		base.err = context.Canceled
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for i := 0; i < 5; i++ {
			_ = get(t, tr, ctx)
		}
		if tr.circuit.open() || len(*reported) != 0 {
			t.Errorf("cancelled calls counted: open %v, reported %v", tr.circuit.open(), *reported)
		}
	})

	t.Run("transport_5xxIsReportedButUp", func(t *testing.T) {
		tr, base, reported, _ := newTransport()
		for _, status := range []int{http.StatusServiceUnavailable, http.StatusGatewayTimeout, http.StatusInternalServerError, http.StatusNotFound} {
			base.status = status
			if err := get(t, tr, context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		want := []errs.Code{errs.BackendUnavailable, errs.BackendTimeout, errs.InternalError}
		if strings.Join(codes(*reported), ",") != strings.Join(codes(want), ",") {
			t.Errorf("reported %v, want %v", *reported, want)
		}
		if tr.circuit.open() {
			t.Error("answers opened the circuit")
		}
	})
}

func codes(cs []errs.Code) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}
