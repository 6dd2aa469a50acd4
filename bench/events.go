package bench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"s3gateway/access"
	"s3gateway/internal/minioproc"
	"s3gateway/provision"
)

// The event streams' goals (issue 14): delivery latency from an upload's
// answer to its event on a stream at eventsRate uploads/s, the gateway's
// memory with many idle streams, and a replay after a reconnect.
const (
	eventsRate          = 200
	targetEventsP50Ms   = 50
	targetEventsP99Ms   = 250
	targetIdleRSSMiB    = 150
	targetReplaySeconds = 2
)

// EventsResult is the events section of results.json; its keys sit at the
// top level (Results embeds it).
type EventsResult struct {
	LatencyP50Ms     float64 `json:"events_latency_p50_ms"`
	LatencyP99Ms     float64 `json:"events_latency_p99_ms"`
	LatencyMaxMs     float64 `json:"events_latency_max_ms"`
	LatencyEvents    int     `json:"events_latency_events"`
	FromStoreP50Ms   float64 `json:"events_latency_from_store_time_p50_ms"`
	FromStoreP99Ms   float64 `json:"events_latency_from_store_time_p99_ms"`
	IdleStreams      int     `json:"events_idle_streams"`
	IdleGatewayMiB   float64 `json:"events_idle_1000_gateway_rss_mib"`
	IdleGatewayBase  float64 `json:"events_idle_gateway_rss_before_mib"`
	IdleStoreBefore  float64 `json:"events_idle_store_rss_before_mib"`
	IdleStoreAfter   float64 `json:"events_idle_store_rss_after_mib"`
	IdleStoreDelta   float64 `json:"events_idle_1000_store_rss_delta_mib"`
	ReplayEvents     int     `json:"events_replay_events"`
	ReplaySeconds    float64 `json:"events_replay_10000_seconds"`
	IngestPerSecond  float64 `json:"events_ingested_per_second"`
	LoadAvgDuring    string  `json:"events_loadavg"`
	EventsQuickScale bool    `json:"events_quick_counts"`
}

// wantEvents reports whether the run measures event streams: always,
// unless -only names workloads without "events".
func wantEvents(cfg Config) bool {
	return len(cfg.Only) == 0 || slices.Contains(cfg.Only, "events")
}

// runEvents measures event streams against a MinIO of their own, set up
// as the gateway needs it (its two NATS targets), and a gateway process
// whose embedded NATS they publish to.
func runEvents(ctx context.Context, cfg Config, res *Results, logf func(string, ...any)) error {
	if !wantEvents(cfg) {
		return nil
	}
	streams, latencyFor, replay := 1000, 10*time.Second, 10000
	if cfg.Quick {
		streams, latencyFor, replay = 200, 3*time.Second, 2000
	}
	logf("events: starting MinIO with the gateway's NATS targets and a gateway")
	e, err := setupEvents(ctx, cfg)
	if err != nil {
		return err
	}
	defer e.close()
	r := &EventsResult{IdleStreams: streams, ReplayEvents: replay, EventsQuickScale: cfg.Quick}

	logf("events: %d idle streams", streams)
	if err := measureIdleStreams(ctx, e, streams, r); err != nil {
		return fmt.Errorf("idle streams: %w", err)
	}
	logf("events: gateway RSS %.1f MiB with %d streams (%.1f before); MinIO %.1f → %.1f MiB",
		r.IdleGatewayMiB, streams, r.IdleGatewayBase, r.IdleStoreBefore, r.IdleStoreAfter)

	time.Sleep(3 * time.Second) // NATS removes the idle streams' consumers
	logf("events: latency at %d uploads/s for %v", eventsRate, latencyFor)
	lat, fromStore, err := measureEventLatency(ctx, e, int(latencyFor.Seconds()*eventsRate))
	if err != nil {
		return fmt.Errorf("latency: %w", err)
	}
	r.FromStoreP50Ms, r.FromStoreP99Ms = round1(ms(fromStore[len(fromStore)/2])), round1(ms(fromStore[len(fromStore)*99/100]))
	r.LatencyEvents = len(lat)
	r.LatencyP50Ms, r.LatencyP99Ms = round1(ms(lat[len(lat)/2])), round1(ms(lat[len(lat)*99/100]))
	r.LatencyMaxMs = round1(ms(lat[len(lat)-1]))
	r.LoadAvgDuring = loadavg()
	logf("events: latency p50 %.1f ms, p99 %.1f ms, max %.1f ms; from the store's event time p50 %.1f ms, p99 %.1f ms (load %s)",
		r.LatencyP50Ms, r.LatencyP99Ms, r.LatencyMaxMs, r.FromStoreP50Ms, r.FromStoreP99Ms, r.LoadAvgDuring)

	logf("events: replay of %d events", replay)
	if err := measureReplay(ctx, e, replay, r); err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	logf("events: replay in %.2f s (ingested at %.0f events/s)", r.ReplaySeconds, r.IngestPerSecond)
	res.EventsResult = r
	return nil
}

// setupEvents is setup's counterpart for events: MinIO publishing to a
// NATS address chosen first, the gateway's embedded NATS listening there.
func setupEvents(ctx context.Context, cfg Config) (_ *env, err error) {
	dir, err := os.MkdirTemp(cfg.TempDir, "s3gateway-bench-events-")
	if err != nil {
		return nil, err
	}
	cfg.PprofAddr = "" // the main gateway has it
	e := &env{cfg: cfg, dir: dir, phys: bucketPrefix + bucketName, http: &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute, DisableCompression: true,
	}}}
	defer func() {
		if err != nil {
			e.close()
		}
	}()
	natsAddr, err := minioproc.FreeAddr()
	if err != nil {
		return nil, err
	}
	if e.mini, err = minioproc.Start(filepath.Join(dir, "minio"), minioproc.Options{
		NATS: natsAddr, EventsQueueDir: filepath.Join(dir, "events-queue"),
	}); err != nil {
		return nil, err
	}
	e.minioHost, e.minioPID = e.mini.Addr, findPID(e.mini.DataDir)
	t := &access.Tenant{ID: tenantID, BucketPrefix: bucketPrefix, AccessKey: "bench-" + randomHex(6), SecretKey: randomHex(20)}
	e.apiKey = randomHex(16)
	pctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := provision.Tenant(pctx, e.mini.Admin, t); err != nil {
		return nil, err
	}
	tenantsFile := filepath.Join(dir, "tenants.yaml")
	yaml := fmt.Sprintf("tenants:\n  - id: %s\n    bucketPrefix: %s\n    apiKeys:\n      - %q\n    s3:\n      accessKey: %s\n      secretKey: %s\n",
		t.ID, t.BucketPrefix, access.HashKey(e.apiKey), t.AccessKey, t.SecretKey)
	if err := os.WriteFile(tenantsFile, []byte(yaml), 0o600); err != nil {
		return nil, err
	}
	// Later entries win: the NATS address MinIO knows; no caps on streams
	// and uploads, which a loaded machine would reach at 200 uploads/s.
	e.cfg.GatewayEnv = append(slices.Clone(cfg.GatewayEnv),
		"GATEWAY_NATS_LISTEN="+natsAddr, "GATEWAY_MAX_STREAMS_PER_TENANT=0", "GATEWAY_MAX_UPLOADS_PER_TENANT=0")
	gw, err := e.startGateway(ctx, pathGateway, tenantsFile)
	if err != nil {
		return nil, err
	}
	e.gateway, e.gatewayURL = gw, gw.url
	if err := e.createBucket(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// measureIdleStreams opens n streams that receive nothing and reads the
// gateway's and MinIO's resident memory before and after.
func measureIdleStreams(ctx context.Context, e *env, n int, r *EventsResult) error {
	settle := func() { time.Sleep(2 * time.Second) }
	settle()
	gwBefore, _, err := procStatus(e.gatewayPID())
	if err != nil {
		return err
	}
	storeBefore, _, err := procStatus(e.minioPID)
	if err != nil {
		return err
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opened := make(chan error, n)
	sem := make(chan struct{}, 32)
	for i := range n {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			// Each on a prefix of its own: open and idle.
			_, err := openEventStream(sctx, e, fmt.Sprintf("prefix=idle/%d/", i), "")
			opened <- err
		}()
	}
	for range n {
		if err := <-opened; err != nil {
			return err
		}
	}
	settle()
	gwAfter, _, err := procStatus(e.gatewayPID())
	if err != nil {
		return err
	}
	storeAfter, _, err := procStatus(e.minioPID)
	if err != nil {
		return err
	}
	r.IdleGatewayBase, r.IdleGatewayMiB = round1(float64(gwBefore)/1024), round1(float64(gwAfter)/1024)
	r.IdleStoreBefore, r.IdleStoreAfter = round1(float64(storeBefore)/1024), round1(float64(storeAfter)/1024)
	r.IdleStoreDelta = round1(r.IdleStoreAfter - r.IdleStoreBefore)
	return nil
}

// measureEventLatency uploads n objects through the gateway at eventsRate
// and returns, sorted, the times from each upload's answer to its event on
// a stream, and from the store's event time to it (where the time goes).
func measureEventLatency(ctx context.Context, e *env, n int) (lat, fromStore []time.Duration, err error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s, err := openEventStream(sctx, e, "prefix=lat/", "")
	if err != nil {
		return nil, nil, err
	}
	var mu sync.Mutex
	answered := make(map[string]time.Time, n)
	failed := make(chan error, 1)
	go func() {
		tick := time.NewTicker(time.Second / eventsRate)
		defer tick.Stop()
		for i := range n {
			<-tick.C
			go func(name string) {
				if err := (gatewayPath{e: e}).put(sctx, name, strings.NewReader("x"), 1); err != nil {
					select {
					case failed <- fmt.Errorf("put %s: %w", name, err):
					default:
					}
					return
				}
				mu.Lock()
				answered[name] = time.Now()
				mu.Unlock()
			}(fmt.Sprintf("lat/%05d", i))
		}
	}()
	received := make(map[string]time.Time, n)
	deadline := time.After(time.Duration(n/eventsRate)*time.Second + 30*time.Second)
	for len(received) < n {
		select {
		case m, ok := <-s:
			if !ok {
				return nil, nil, fmt.Errorf("the stream ended after %d of %d events", len(received), n)
			}
			received[m.Name] = time.Now()
			fromStore = append(fromStore, time.Since(m.Time))
		case err := <-failed:
			return nil, nil, err
		case <-deadline:
			return nil, nil, fmt.Errorf("%d of %d events arrived", len(received), n)
		}
	}
	time.Sleep(100 * time.Millisecond) // the last answers may be read after their events
	mu.Lock()
	defer mu.Unlock()
	for name, at := range received {
		if put, ok := answered[name]; ok {
			lat = append(lat, max(0, at.Sub(put))) // an event can beat the answer
		}
	}
	if len(lat) == 0 {
		return nil, nil, fmt.Errorf("no upload answered")
	}
	slices.Sort(lat)
	slices.Sort(fromStore)
	return lat, fromStore, nil
}

// measureReplay stores n objects while a stream counts their events, then
// times a stream that resumes from before them until it has all n.
func measureReplay(ctx context.Context, e *env, n int, r *EventsResult) error {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	live, err := openEventStream(sctx, e, "prefix=replay/", "")
	if err != nil {
		return err
	}
	gw := gatewayPath{e: e}
	if err := gw.put(sctx, "replay/start", strings.NewReader("x"), 1); err != nil {
		return err
	}
	start := (<-live).ID
	began := time.Now()
	if err := putMany(sctx, gw, "replay/r", n, 32); err != nil {
		return err
	}
	for i := range n {
		if _, ok := <-live; !ok {
			return fmt.Errorf("the live stream ended after %d of %d events", i, n)
		}
	}
	r.IngestPerSecond = round1(float64(n) / time.Since(began).Seconds())
	began = time.Now()
	again, err := openEventStream(sctx, e, "prefix=replay/", start)
	if err != nil {
		return err
	}
	for i := range n {
		if _, ok := <-again; !ok {
			return fmt.Errorf("the resumed stream ended after %d of %d events", i, n)
		}
	}
	r.ReplaySeconds = round3(time.Since(began).Seconds())
	return nil
}

// eventTargets are the goals of event streams, when the run measured them.
func (r *Results) eventTargets() []Target {
	ev := r.EventsResult
	if ev == nil {
		return nil
	}
	scale := ""
	if ev.EventsQuickScale {
		scale = " (QUICK: fewer)"
	}
	return []Target{
		{Key: "events_p50", Name: fmt.Sprintf("event delivery latency p50 at %d uploads/s (ms)", eventsRate), Measured: ev.LatencyP50Ms,
			Goal: fmt.Sprintf("≤ %d", targetEventsP50Ms), Holds: ev.LatencyP50Ms <= targetEventsP50Ms},
		{Key: "events_p99", Name: fmt.Sprintf("event delivery latency p99 at %d uploads/s (ms)", eventsRate), Measured: ev.LatencyP99Ms,
			Goal: fmt.Sprintf("≤ %d", targetEventsP99Ms), Holds: ev.LatencyP99Ms <= targetEventsP99Ms},
		{Key: "events_idle", Name: fmt.Sprintf("gateway RSS with %d idle event streams%s (MiB)", ev.IdleStreams, scale), Measured: ev.IdleGatewayMiB,
			Goal: fmt.Sprintf("≤ %d", targetIdleRSSMiB), Holds: ev.IdleGatewayMiB > 0 && ev.IdleGatewayMiB <= targetIdleRSSMiB},
		{Key: "events_replay", Name: fmt.Sprintf("replay of %d events after a reconnect%s (s)", ev.ReplayEvents, scale), Measured: ev.ReplaySeconds,
			Goal: fmt.Sprintf("≤ %d", targetReplaySeconds), Holds: ev.ReplaySeconds > 0 && ev.ReplaySeconds <= targetReplaySeconds},
	}
}

// eventsMarkdown is the events section of RESULTS.md.
func (r *Results) eventsMarkdown(b *strings.Builder) {
	ev := r.EventsResult
	if ev == nil {
		return
	}
	p := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	p("## Event streams")
	p("")
	p("A MinIO of its own with the gateway's two NATS targets (`GATEWAY`, with a queue directory, and")
	p("`GATEWAYFAST`, without), publishing to the gateway's embedded NATS; the gateway as its own process;")
	p("streams read over HTTP from `GET /api/v1/buckets/{bucket}/events`. Load average while measuring")
	p("latency: %s.", ev.LoadAvgDuring)
	p("")
	p("| measurement | figure |")
	p("|---|---:|")
	p("| delivery latency, upload answered → event read, %d uploads at %d/s: p50 / p99 / max | %s / %s / %s ms |",
		ev.LatencyEvents, eventsRate, trim(ev.LatencyP50Ms), trim(ev.LatencyP99Ms), trim(ev.LatencyMaxMs))
	p("| the same from the store's event time (`time` of the event): p50 / p99 | %s / %s ms |", trim(ev.FromStoreP50Ms), trim(ev.FromStoreP99Ms))
	p("| gateway VmRSS before → with %d idle streams open | %s → %s MiB |", ev.IdleStreams, trim(ev.IdleGatewayBase), trim(ev.IdleGatewayMiB))
	p("| MinIO VmRSS before → with those streams (difference) | %s → %s MiB (%+.1f) |", trim(ev.IdleStoreBefore), trim(ev.IdleStoreAfter), ev.IdleStoreDelta)
	p("| replay of %d events with `Last-Event-ID`, request → last event read | %s s |", ev.ReplayEvents, trim(ev.ReplaySeconds))
	p("| rate at which those events reached a live stream, 32 uploads at a time | %s events/s |", trim(ev.IngestPerSecond))
	p("")
}
