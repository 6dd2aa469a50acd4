package bench

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minio/minio-go/v7"
)

// Object sizes and counts of the workloads.
const (
	bigSize     = 64 << 20
	bigWorkers  = 4
	mediumSize  = 1 << 20
	smallSize   = 1 << 10
	mediumCount = 16
	smallCount  = 64
	listCount   = 1000
	listPrefix  = "list/"
	copyBufSize = 256 << 10
)

// workload is one measured operation at one concurrency.
type workload struct {
	Key         string `json:"key"`
	Title       string `json:"title"`
	Op          string `json:"op"` // put, get, stat, list
	Size        int64  `json:"size,omitempty"`
	Concurrency int    `json:"concurrency"`
	Unit        string `json:"unit"` // MiB/s, ops/s or pages/s
	// bytes: a fixed amount of data per round, measured as throughput;
	// otherwise as many operations as fit in the round's duration.
	bytes bool
	// UnsignedDirect: the direct path uploads with UNSIGNED-PAYLOAD too (a
	// reference figure, not a target).
	UnsignedDirect bool `json:"unsignedDirect,omitempty"`
	// Digest: the gateway path sends Repr-Digest: sha-256 with each upload,
	// so the figure shows what checking it costs (the direct path is
	// unchanged).
	Digest bool `json:"digest,omitempty"`
	// ownCore: measured with the own-core placement too.
	ownCore bool
	// countErrors: failed operations are counted (sample.Errors) instead of
	// ending the run.
	countErrors bool
}

var workloads = []workload{
	{Key: "put_64mib_c4", Title: "PUT 64 MiB", Op: "put", Size: bigSize, Concurrency: bigWorkers, Unit: "MiB/s", bytes: true, ownCore: true},
	{Key: "put_64mib_c4_unsigned", Title: "PUT 64 MiB, direct also UNSIGNED-PAYLOAD (reference)", Op: "put", Size: bigSize, Concurrency: bigWorkers, Unit: "MiB/s", bytes: true, UnsignedDirect: true},
	{Key: "put_64mib_c4_digest", Title: "PUT 64 MiB, gateway with Repr-Digest: sha-256", Op: "put", Size: bigSize, Concurrency: bigWorkers, Unit: "MiB/s", bytes: true, Digest: true},
	{Key: "get_64mib_c4", Title: "GET 64 MiB", Op: "get", Size: bigSize, Concurrency: bigWorkers, Unit: "MiB/s", bytes: true, ownCore: true},
	{Key: "put_1mib_c1", Title: "PUT 1 MiB", Op: "put", Size: mediumSize, Concurrency: 1, Unit: "ops/s"},
	{Key: "put_1mib_c16", Title: "PUT 1 MiB", Op: "put", Size: mediumSize, Concurrency: 16, Unit: "ops/s"},
	{Key: "get_1mib_c1", Title: "GET 1 MiB", Op: "get", Size: mediumSize, Concurrency: 1, Unit: "ops/s"},
	{Key: "get_1mib_c16", Title: "GET 1 MiB", Op: "get", Size: mediumSize, Concurrency: 16, Unit: "ops/s"},
	{Key: "get_1kib_c1", Title: "GET 1 KiB", Op: "get", Size: smallSize, Concurrency: 1, Unit: "ops/s"},
	{Key: "get_1kib_c16", Title: "GET 1 KiB", Op: "get", Size: smallSize, Concurrency: 16, Unit: "ops/s", ownCore: true},
	{Key: "stat_1kib_c1", Title: "stat 1 KiB", Op: "stat", Size: smallSize, Concurrency: 1, Unit: "ops/s"},
	{Key: "stat_1kib_c16", Title: "stat 1 KiB", Op: "stat", Size: smallSize, Concurrency: 16, Unit: "ops/s", ownCore: true},
	{Key: "list_1000_c1", Title: "list 1,000 objects (one page)", Op: "list", Concurrency: 1, Unit: "pages/s"},
}

// sample is one path's figure for one workload in one round.
type sample struct {
	Value float64       // in the workload's unit
	P50   time.Duration // per operation
	P99   time.Duration
	Ops   int
	// Errors are the operations that failed (countErrors workloads).
	Errors int64
	// CPU is the CPU time each process used, per operation (ops
	// workloads) or per MiB moved (throughput workloads), in ms.
	CPU map[string]float64
}

// data is what the workloads send and expect.
type data struct {
	big    []byte
	medium []byte
	// bigDigest is big's Repr-Digest, for the workloads that send one.
	bigDigest string
}

// populate stores the objects the GET, stat and list workloads read, with
// the direct client.
func populate(ctx context.Context, e *env, d *data) error {
	g := newGroup(ctx, 16)
	put := func(key string, b []byte) {
		g.Go(func(ctx context.Context) error {
			return e.directPath().put(ctx, key, bytes.NewReader(b), int64(len(b)))
		})
	}
	for i := range bigWorkers {
		put(fmt.Sprintf("big/get/%d", i), d.big)
	}
	for i := range mediumCount {
		put(fmt.Sprintf("medium/%d", i), d.medium)
	}
	small := d.medium[:smallSize]
	for i := range smallCount {
		put(fmt.Sprintf("small/%d", i), small)
	}
	for i := range listCount {
		put(fmt.Sprintf("%s%05d", listPrefix, i), small[:16])
	}
	return g.Wait()
}

// run measures w on p once: a fixed amount of data for throughput
// workloads (perWorker objects per worker), else as many operations as fit
// in dur.
func run(ctx context.Context, w workload, p path, d *data, perWorker int, dur time.Duration, procs map[string]int) (sample, error) {
	var (
		mu        sync.Mutex
		latencies []time.Duration
		moved     atomic.Int64
		failed    atomic.Int64
	)
	cpu0 := map[string]float64{}
	for name, pid := range procs {
		cpu0[name] = cpuSeconds(pid)
	}
	deadline := time.Now().Add(dur)
	g := newGroup(ctx, 0)
	start := time.Now()
	for worker := range w.Concurrency {
		g.Go(func(ctx context.Context) error {
			buf := make([]byte, copyBufSize)
			var mine []time.Duration
			for i := 0; ; i++ {
				if w.bytes && i == perWorker || !w.bytes && i > 0 && time.Now().After(deadline) {
					break
				}
				t0 := time.Now()
				n, err := op(ctx, w, p, d, worker, i, buf)
				if err != nil && w.countErrors && ctx.Err() == nil {
					failed.Add(1)
					continue
				}
				if err != nil {
					return fmt.Errorf("%s %s: %w", p.name(), w.Key, err)
				}
				mine = append(mine, time.Since(t0))
				moved.Add(n)
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return sample{}, err
	}
	elapsed := time.Since(start).Seconds()
	s := sample{P50: percentile(latencies, 0.50), P99: percentile(latencies, 0.99), Ops: len(latencies), Errors: failed.Load(), CPU: map[string]float64{}}
	units := float64(len(latencies))
	if w.bytes {
		units = float64(moved.Load()) / (1 << 20)
		s.Value = units / elapsed
	} else {
		s.Value = units / elapsed
	}
	for name, pid := range procs {
		s.CPU[name] = (cpuSeconds(pid) - cpu0[name]) * 1000 / units
	}
	return s, nil
}

// op performs the i-th operation of a worker and returns the bytes moved.
func op(ctx context.Context, w workload, p path, d *data, worker, i int, buf []byte) (int64, error) {
	switch w.Op {
	case "put":
		body := d.medium
		key := fmt.Sprintf("medium-put/%s/%d", p.name(), worker)
		if w.Size == bigSize {
			body = d.big
			key = fmt.Sprintf("big/put-%s/%d-%d", p.name(), worker, i)
		}
		return w.Size, p.put(ctx, key, bytes.NewReader(body), w.Size)
	case "get":
		key := fmt.Sprintf("small/%d", (worker*7+i)%smallCount)
		switch w.Size {
		case bigSize:
			key = fmt.Sprintf("big/get/%d", worker%bigWorkers)
		case mediumSize:
			key = fmt.Sprintf("medium/%d", (worker*3+i)%mediumCount)
		}
		n, err := p.get(ctx, key, buf)
		if err == nil && n != w.Size {
			err = fmt.Errorf("get %s: %d bytes, want %d", key, n, w.Size)
		}
		return n, err
	case "stat":
		return 0, p.stat(ctx, fmt.Sprintf("small/%d", (worker*7+i)%smallCount))
	case "list":
		n, err := p.list(ctx, listPrefix)
		if err == nil && n != listCount {
			err = fmt.Errorf("list: %d entries, want %d", n, listCount)
		}
		return 0, err
	}
	return 0, fmt.Errorf("unknown op %q", w.Op)
}

// rssResult is the gateway's memory during concurrent chunked uploads.
type rssResult struct {
	Uploads        int     `json:"uploads"`
	UploadMiB      int64   `json:"uploadMiB"`
	BaselineMiB    float64 `json:"baselineRssMiB"`    // VmRSS before the uploads
	PeakSampledMiB float64 `json:"peakSampledRssMiB"` // highest VmRSS seen every 10 ms
	PeakHWMMiB     float64 `json:"peakHwmMiB"`        // VmHWM after the uploads (reset before them when possible)
	HWMReset       bool    `json:"hwmReset"`
	PeakMiB        float64 `json:"peakMiB"` // the larger of the two peaks
	ThroughputMiBs float64 `json:"throughputMiBs"`
	Seconds        float64 `json:"seconds"`
}

// measureRSS runs n concurrent chunked (unknown-size) uploads of size
// bytes each through the gateway, bodies made on the fly, while sampling
// the gateway process's resident memory.
func measureRSS(ctx context.Context, e *env, n int, size int64) (rssResult, error) {
	pid := e.gatewayPID()
	res := rssResult{Uploads: n, UploadMiB: size >> 20}
	rss, _, err := procStatus(pid)
	if err != nil {
		return res, err
	}
	res.BaselineMiB = float64(rss) / 1024
	res.HWMReset = resetPeakRSS(pid)

	stop := make(chan struct{})
	sampled := make(chan int64)
	go func() {
		var peak int64
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if rss, _, err := procStatus(pid); err == nil {
				peak = max(peak, rss)
			}
			select {
			case <-stop:
				sampled <- peak
				return
			case <-t.C:
			}
		}
	}()

	g := newGroup(ctx, 0)
	start := time.Now()
	for i := range n {
		g.Go(func(ctx context.Context) error {
			body := newPRNG(uint64(i+1)*0x9e3779b97f4a7c15, size)
			return gatewayPath{e: e, gw: e.gateway}.put(ctx, fmt.Sprintf("rss/%d", i), body, -1)
		})
	}
	err = g.Wait()
	elapsed := time.Since(start)
	close(stop)
	peak := <-sampled
	if err != nil {
		return res, fmt.Errorf("chunked uploads: %w", err)
	}
	_, hwm, err := procStatus(pid)
	if err != nil {
		return res, err
	}
	res.PeakSampledMiB = float64(peak) / 1024
	res.PeakHWMMiB = float64(hwm) / 1024
	res.PeakMiB = max(res.PeakSampledMiB, res.PeakHWMMiB)
	if !res.HWMReset {
		// VmHWM covers the whole life of the process; only the samples
		// are about the uploads.
		res.PeakMiB = res.PeakSampledMiB
	}
	res.Seconds = elapsed.Seconds()
	res.ThroughputMiBs = float64(int64(n)*size) / (1 << 20) / elapsed.Seconds()

	// Check what was stored, then free the space.
	for i := range n {
		info, err := e.direct.StatObject(ctx, e.phys, fmt.Sprintf("rss/%d", i), minio.StatObjectOptions{})
		if err != nil {
			return res, err
		}
		if info.Size != size {
			return res, fmt.Errorf("rss/%d: stored %d bytes, want %d", i, info.Size, size)
		}
		_ = e.direct.RemoveObject(ctx, e.phys, fmt.Sprintf("rss/%d", i), minio.RemoveObjectOptions{})
	}
	return res, nil
}

// group runs functions in goroutines, at most limit at once (0: no limit),
// and cancels the others' context at the first error.
type group struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	sem    chan struct{}
	once   sync.Once
	err    error
}

func newGroup(ctx context.Context, limit int) *group {
	g := &group{}
	g.ctx, g.cancel = context.WithCancel(ctx)
	if limit > 0 {
		g.sem = make(chan struct{}, limit)
	}
	return g
}

func (g *group) Go(f func(context.Context) error) {
	if g.sem != nil {
		g.sem <- struct{}{}
	}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if g.sem != nil {
			defer func() { <-g.sem }()
		}
		if err := f(g.ctx); err != nil {
			g.once.Do(func() { g.err = err; g.cancel() })
		}
	}()
}

func (g *group) Wait() error {
	g.wg.Wait()
	g.cancel()
	return g.err
}
