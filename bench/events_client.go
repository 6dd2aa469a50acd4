package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The client side of the events section: uploads and event streams over
// HTTP, as an application does.

// putMany stores n one-byte objects named prefix + number through the
// gateway, workers at a time.
func putMany(ctx context.Context, gw gatewayPath, prefix string, n, workers int) error {
	names := make(chan string)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for name := range names {
				if err := gw.put(ctx, name, strings.NewReader("x"), 1); err != nil {
					errs <- fmt.Errorf("put %s: %w", name, err)
					return
				}
			}
		})
	}
	var err error
feed:
	for i := range n {
		select {
		case names <- fmt.Sprintf("%s%06d", prefix, i):
		case err = <-errs:
			break feed
		}
	}
	close(names)
	wg.Wait()
	if err == nil && len(errs) > 0 {
		err = <-errs
	}
	return err
}

// streamEvent is one event of a stream: its id and object name.
type streamEvent struct {
	ID   string
	Name string
	Time time.Time // the store's event time
}

// openEventStream opens the bucket's event stream with query (and
// Last-Event-ID lastID, when set) and returns its events once the gateway
// said it is connected. The stream ends with ctx. A 503 is tried again for
// a while: right after many streams closed, NATS is still removing their
// consumers and a new one can wait too long for its turn.
func openEventStream(ctx context.Context, e *env, query, lastID string) (<-chan streamEvent, error) {
	var resp *http.Response
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet,
			e.gatewayURL+"/api/v1/buckets/"+bucketName+"/events?"+query, nil)
		if err != nil {
			return nil, err
		}
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		if resp, err = e.do(req); err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusOK {
			break
		}
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || time.Now().After(deadline) {
			return nil, fmt.Errorf("event stream: %s: %s", resp.Status, msg)
		}
	}
	body := bufio.NewReader(resp.Body)
	if line, err := body.ReadString('\n'); err != nil || !strings.HasPrefix(line, ": connected") {
		resp.Body.Close()
		return nil, fmt.Errorf("event stream: first line %q: %v", line, err)
	}
	out := make(chan streamEvent, 1024)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		var ev streamEvent
		for {
			line, err := body.ReadBytes('\n')
			if err != nil {
				return
			}
			line = bytes.TrimRight(line, "\r\n")
			switch {
			case bytes.HasPrefix(line, []byte("id:")):
				ev.ID = string(bytes.TrimSpace(line[3:]))
			case bytes.HasPrefix(line, []byte("data:")):
				var d struct {
					Name string
					Time time.Time
				}
				if json.Unmarshal(bytes.TrimSpace(line[5:]), &d) == nil {
					ev.Name, ev.Time = d.Name, d.Time
				}
			case len(line) == 0 && ev.Name != "":
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
				ev = streamEvent{}
			}
		}
	}()
	return out, nil
}
