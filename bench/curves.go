package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"

	"s3gateway/access"
)

// Curves are how the gateway's cost grows with what it serves.
type Curves struct {
	Tenants     []TenantPoint `json:"tenants"`
	Bucket      []BucketPoint `json:"bucket"`
	Streams     []StreamPoint `json:"streams"`
	StreamsNote string        `json:"streamsNote,omitempty"`
	Concurrency []ConcPoint   `json:"concurrency"`
}

// TenantPoint is 1 KiB GETs (c=16) on a gateway with Tenants tenants
// configured, each with one key.
type TenantPoint struct {
	Tenants   int     `json:"tenants"`
	OpsPerSec float64 `json:"opsPerSec"`
	CPUMsOp   float64 `json:"gatewayCpuMsPerOp"`
	P99Ms     float64 `json:"p99Ms"`
	RSSMiB    float64 `json:"gatewayRssMiB"`
	StartSec  float64 `json:"startSeconds"`
}

// BucketPoint is a listing of every object of a bucket of Objects
// objects, page by page (1,000 a page) through the gateway.
type BucketPoint struct {
	Objects     int     `json:"objects"`
	Pages       int     `json:"pages"`
	Seconds     float64 `json:"seconds"`
	MsPer1000   float64 `json:"msPer1000Objects"`
	BaselineMiB float64 `json:"gatewayRssBeforeMiB"`
	PeakMiB     float64 `json:"gatewayRssPeakMiB"`
	// DirectSeconds is the same listing straight from the store
	// (ListObjectsV2 pages of 1,000): how much of the time is the store's.
	DirectSeconds float64 `json:"directSeconds"`
}

// StreamPoint is Streams event streams open at once on one bucket.
type StreamPoint struct {
	Streams        int     `json:"streams"`
	OpenSeconds    float64 `json:"openSeconds"`
	GatewayRSSMiB  float64 `json:"gatewayRssMiB"`
	PerStreamKiB   float64 `json:"gatewayKiBPerStream"`
	MinIORSSMiB    float64 `json:"minioRssMiB"`
	MinIOGrowthMiB float64 `json:"minioGrowthMiB"`
}

// ConcPoint is 1 KiB GETs through the gateway at one concurrency.
type ConcPoint struct {
	Concurrency int     `json:"concurrency"`
	OpsPerSec   float64 `json:"opsPerSec"`
	P50Ms       float64 `json:"p50Ms"`
	P99Ms       float64 `json:"p99Ms"`
	Errors      int64   `json:"errors"`
}

// curveSizes are the points of each curve.
type curveSizes struct{ tenants, objects, streams, clients []int }

func sizesFor(quick bool) curveSizes {
	if quick {
		return curveSizes{
			tenants: []int{10, 1000, 10000},
			objects: []int{1000, 3000, 10000},
			streams: []int{1, 100, 300},
			clients: []int{1, 16, 64, 256},
		}
	}
	return curveSizes{
		tenants: []int{10, 1000, 10000},
		objects: []int{1000, 10000, 100000},
		streams: []int{1, 100, 1000},
		clients: []int{1, 16, 64, 256},
	}
}

// measureCurves runs the four curves; a curve that cannot run is noted,
// not fatal, except for errors of the benchmark itself.
func measureCurves(ctx context.Context, cfg Config, e *env, d *data, logf func(string, ...any)) (Curves, error) {
	var c Curves
	sz := sizesFor(cfg.Quick)
	var err error
	logf("curve: tenants configured %v", sz.tenants)
	if c.Tenants, err = tenantCurve(ctx, cfg, e, d, sz.tenants); err != nil {
		return c, fmt.Errorf("tenant curve: %w", err)
	}
	logf("curve: concurrent clients %v", sz.clients)
	if c.Concurrency, err = concurrencyCurve(ctx, cfg, e, d, sz.clients); err != nil {
		return c, fmt.Errorf("concurrency curve: %w", err)
	}
	logf("curve: event streams %v", sz.streams)
	c.Streams, err = streamCurve(ctx, e, sz.streams)
	if err != nil {
		c.StreamsNote = err.Error()
		logf("curve: event streams did not run: %v", err)
	}
	logf("curve: bucket size %v", sz.objects)
	if c.Bucket, err = bucketCurve(ctx, e, sz.objects, logf); err != nil {
		return c, fmt.Errorf("bucket curve: %w", err)
	}
	return c, nil
}

// writeTenants writes a tenants file with t (whose one key is apiKey) and
// extra tenants more, each with a key of its own.
func writeTenants(file string, t *access.Tenant, apiKey string, extra int) error {
	var b bytes.Buffer
	b.WriteString("tenants:\n")
	add := func(id, prefix, keyHash, ak, sk string) {
		fmt.Fprintf(&b, "  - id: %s\n    bucketPrefix: %s\n    apiKeys:\n      - %q\n    s3:\n      accessKey: %s\n      secretKey: %s\n",
			id, prefix, keyHash, ak, sk)
	}
	add(t.ID, t.BucketPrefix, access.HashKey(apiKey), t.AccessKey, t.SecretKey)
	for i := range extra {
		add(fmt.Sprintf("t%05d", i), fmt.Sprintf("t%05d-", i), access.HashKey(randomHex(16)),
			fmt.Sprintf("ak%05d", i), randomHex(20))
	}
	return os.WriteFile(file, b.Bytes(), 0o600)
}

func tenantCurve(ctx context.Context, cfg Config, e *env, d *data, sizes []int) ([]TenantPoint, error) {
	w := workload{Key: "get_1kib_c16", Op: "get", Size: smallSize, Concurrency: 16}
	var out []TenantPoint
	for _, n := range sizes {
		file := filepath.Join(e.dir, fmt.Sprintf("tenants-%d.yaml", n))
		if err := writeTenants(file, e.tenant, e.apiKey, n-1); err != nil {
			return nil, err
		}
		start := time.Now()
		gw, err := e.startGateway(ctx, fmt.Sprintf("gateway_tenants_%d", n), file)
		if err != nil {
			return nil, err
		}
		startSec := time.Since(start).Seconds()
		p := gatewayPath{e: e, gw: gw}
		_, err = run(ctx, w, p, d, 1, 200*time.Millisecond, nil)
		var s sample
		if err == nil {
			s, err = run(ctx, w, p, d, 1, 2*cfg.OpsDuration, e.procsFor(p))
		}
		rss, _, _ := procStatus(gw.pid())
		gw.stop()
		if err != nil {
			return nil, err
		}
		out = append(out, TenantPoint{Tenants: n, OpsPerSec: round1(s.Value), CPUMsOp: round3(s.CPU["proxy"]),
			P99Ms: round3(ms(s.P99)), RSSMiB: round1(float64(rss) / 1024), StartSec: round1(startSec)})
	}
	return out, nil
}

func concurrencyCurve(ctx context.Context, cfg Config, e *env, d *data, sizes []int) ([]ConcPoint, error) {
	var out []ConcPoint
	for _, n := range sizes {
		w := workload{Key: fmt.Sprintf("get_1kib_c%d", n), Op: "get", Size: smallSize, Concurrency: n, countErrors: true}
		s, err := run(ctx, w, gatewayPath{e: e, gw: e.gateway}, d, 1, 2*cfg.OpsDuration, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, ConcPoint{Concurrency: n, OpsPerSec: round1(s.Value), P50Ms: round3(ms(s.P50)),
			P99Ms: round3(ms(s.P99)), Errors: s.Errors})
	}
	return out, nil
}

// growPrefix holds the objects of the bucket-size curve.
const growPrefix = "grow/"

// bucketCurve grows a prefix of the bucket to each size in turn and lists
// all of it through the gateway, page by page.
func bucketCurve(ctx context.Context, e *env, sizes []int, logf func(string, ...any)) ([]BucketPoint, error) {
	var out []BucketPoint
	have := 0
	for _, n := range sizes {
		g := newGroup(ctx, 32)
		for i := have; i < n; i++ {
			g.Go(func(ctx context.Context) error {
				return e.directPath().put(ctx, fmt.Sprintf("%s%07d", growPrefix, i), strings.NewReader(""), 0)
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		have = n
		pt, err := listAll(ctx, e, n)
		if err != nil {
			return nil, err
		}
		if pt.DirectSeconds, err = directListAll(e, n); err != nil {
			return nil, err
		}
		logf("curve: listed %d objects in %d pages, %.2fs (direct %.2fs), gateway RSS peak %.1f MiB", n, pt.Pages, pt.Seconds, pt.DirectSeconds, pt.PeakMiB)
		out = append(out, pt)
	}
	return out, nil
}

// listAll lists every object under growPrefix through the gateway,
// following nextCursor, while sampling the gateway's memory.
func listAll(ctx context.Context, e *env, want int) (BucketPoint, error) {
	pid := e.gateway.pid()
	rss, _, _ := procStatus(pid)
	pt := BucketPoint{Objects: want, BaselineMiB: round1(float64(rss) / 1024)}
	stop := sampleRSS(pid)
	start := time.Now()
	got, cursor := 0, ""
	for {
		n, next, err := gatewayPath{e: e, gw: e.gateway}.listPage(ctx, growPrefix, cursor)
		if err != nil {
			stop()
			return pt, err
		}
		got += n
		pt.Pages++
		if next == "" {
			break
		}
		cursor = next
	}
	pt.Seconds = round3(time.Since(start).Seconds())
	pt.PeakMiB = round1(float64(stop()) / 1024)
	pt.MsPer1000 = round1(pt.Seconds * 1000 / float64(want) * 1000)
	if got != want {
		return pt, fmt.Errorf("listed %d objects, want %d", got, want)
	}
	return pt, nil
}

// directListAll lists every object under growPrefix straight from the
// store, 1,000 a page, and returns the seconds it took.
func directListAll(e *env, want int) (float64, error) {
	core := minio.Core{Client: e.direct}
	start := time.Now()
	got, token := 0, ""
	for {
		res, err := core.ListObjectsV2(e.phys, growPrefix, "", token, "", 1000)
		if err != nil {
			return 0, err
		}
		got += len(res.Contents)
		if !res.IsTruncated {
			break
		}
		token = res.NextContinuationToken
	}
	if got != want {
		return 0, fmt.Errorf("listed %d objects straight from the store, want %d", got, want)
	}
	return round3(time.Since(start).Seconds()), nil
}

// sampleRSS samples pid's VmRSS every 10 ms until the returned function
// is called; it returns the peak, in KiB.
func sampleRSS(pid int) func() int64 {
	done := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var p int64
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if rss, _, err := procStatus(pid); err == nil {
				p = max(p, rss)
			}
			select {
			case <-done:
				peak <- p
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 { close(done); return <-peak }
}
