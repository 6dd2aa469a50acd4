package integration

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Delivery latency from an upload's answer to its event on a stream, at
// 200 uploads per second (the target: p50 ≤ 50 ms, p99 ≤ 250 ms).
// Logged, and checked loosely: the test machine is shared.
func TestEventLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("a measurement")
	}
	c := as(t, alphaKey)
	bucket := c.newBucket()
	s := openStream(t, suite.gateway.URL, alphaKey, bucket, "events=s3:ObjectCreated:*", "")
	const n, rate = 600, 200
	var mu sync.Mutex
	answered := map[string]time.Time{}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Second / rate)
		defer tick.Stop()
		var wg sync.WaitGroup
		for i := range n {
			<-tick.C
			wg.Add(1)
			go func(name string) {
				defer wg.Done()
				req, _ := http.NewRequest(http.MethodPut, suite.gateway.URL+objectPath("objects", bucket, name), strings.NewReader("x"))
				req.Header.Set("Authorization", "Bearer "+alphaKey)
				resp, err := client.Do(req)
				if err != nil || resp.StatusCode != http.StatusCreated {
					t.Errorf("put %s: %v", name, err)
					return
				}
				resp.Body.Close()
				mu.Lock()
				answered[name] = time.Now()
				mu.Unlock()
			}(fmt.Sprintf("lat-%04d", i))
		}
		wg.Wait()
	}()
	received := map[string]time.Time{}
	for len(received) < n {
		_, data := s.nextEvent(30 * time.Second)
		received[data.Name] = time.Now()
	}
	<-done
	var lat []time.Duration
	for name, at := range received {
		// An event can arrive before the client has read the answer.
		lat = append(lat, max(0, at.Sub(answered[name])))
	}
	slices.Sort(lat)
	p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
	t.Logf("%d events at %d/s: p50 %v, p99 %v, max %v", n, rate, p50, p99, lat[len(lat)-1])
	if p50 > 500*time.Millisecond || p99 > 3*time.Second {
		t.Errorf("latency p50 %v p99 %v: the prompt target is not working", p50, p99)
	}
}
