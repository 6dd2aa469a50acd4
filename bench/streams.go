package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// streamCurve opens event streams on the bench bucket through the gateway,
// up to each size in turn (the earlier ones stay open), and reads the
// memory of the gateway and of MinIO once all are open.
func streamCurve(ctx context.Context, e *env, sizes []int) ([]StreamPoint, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // closes every stream
	client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: -1}}
	defer client.CloseIdleConnections()
	gwBase, _, _ := procStatus(e.gateway.pid())
	var minioBase int64
	if e.minioPID != 0 {
		minioBase, _, _ = procStatus(e.minioPID)
	}
	var out []StreamPoint
	open := 0
	for _, n := range sizes {
		start := time.Now()
		g := newGroup(ctx, 32)
		for range n - open {
			g.Go(func(context.Context) error { return openStream(ctx, e, client) })
		}
		if err := g.Wait(); err != nil {
			return out, err
		}
		open = n
		pt := StreamPoint{Streams: n, OpenSeconds: round3(time.Since(start).Seconds())}
		time.Sleep(500 * time.Millisecond) // let the last ones settle
		rss, _, _ := procStatus(e.gateway.pid())
		pt.GatewayRSSMiB = round1(float64(rss) / 1024)
		pt.PerStreamKiB = round1(float64(rss-gwBase) / float64(n))
		if e.minioPID != 0 {
			m, _, _ := procStatus(e.minioPID)
			pt.MinIORSSMiB = round1(float64(m) / 1024)
			pt.MinIOGrowthMiB = round1(float64(m-minioBase) / 1024)
		}
		out = append(out, pt)
	}
	return out, nil
}

// openStream opens one event stream and returns once its headers came;
// the stream is read (and dropped) until ctx ends.
func openStream(ctx context.Context, e *env, client *http.Client) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.gatewayURL+"/api/v1/buckets/"+bucketName+"/events", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+e.apiKey)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("event stream: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return expect(resp, http.StatusOK, nil)
	}
	go func() {
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, bufio.NewReader(resp.Body))
	}()
	return nil
}
