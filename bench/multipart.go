package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
)

// The resumable uploads' goal (issue 15): one client uploading a large
// object in parts, mpParallel at a time, through part URLs the gateway
// signs is about as fast as minio-go sending the same parts to the store,
// and the gateway spends little CPU on it (it signs; the store carries
// the bytes).
const (
	mpPartSize           = 16 << 20
	mpParallel           = 4
	targetMultipartRatio = 0.90
	targetMultipartCPUms = 50
)

// The ways one upload is made, in the order of the first round.
const (
	mpGateway        = "gateway"         // orchestrated routes, parts PUT to the part URLs
	mpDirect         = "direct"          // minio-go Core, default options
	mpDirectUnsigned = "direct_unsigned" // the same with UNSIGNED-PAYLOAD, as the part URLs are
)

var mpWays = []string{mpGateway, mpDirect, mpDirectUnsigned}

// MultipartResult is the multipart section of results.json; its keys sit
// at the top level (Results embeds it).
type MultipartResult struct {
	Ratio            float64   `json:"multipart_1gib_ratio"`
	RatioUnsigned    float64   `json:"multipart_1gib_ratio_vs_unsigned"`
	GatewayCPUms     float64   `json:"multipart_gateway_cpu_ms_per_upload"`
	GatewayIdleCPUms float64   `json:"multipart_gateway_idle_cpu_ms"`
	GatewayMiBs      float64   `json:"multipart_gateway_mib_s"`
	DirectMiBs       float64   `json:"multipart_direct_mib_s"`
	UnsignedMiBs     float64   `json:"multipart_direct_unsigned_mib_s"`
	UploadMiB        int       `json:"multipart_upload_mib"`
	PartMiB          int       `json:"multipart_part_mib"`
	Parallel         int       `json:"multipart_parallel"`
	RatioRounds      []float64 `json:"multipart_ratio_rounds"`
	GatewayCPURounds []float64 `json:"multipart_gateway_cpu_ms_rounds"`
	IdleCPURounds    []float64 `json:"multipart_gateway_idle_cpu_ms_rounds"`
	LoadAvgDuring    string    `json:"multipart_loadavg"`
}

// wantMultipart reports whether the run measures multipart uploads:
// always, unless -only names workloads without "multipart".
func wantMultipart(cfg Config) bool {
	return len(cfg.Only) == 0 || slices.Contains(cfg.Only, "multipart")
}

// runMultipart uploads one object (1 GiB, QUICK 256 MiB) in mpPartSize
// parts, mpParallel at a time, each way in turn, round after round, the
// first way turning between rounds; figures are medians of the rounds.
func runMultipart(ctx context.Context, cfg Config, e *env, res *Results, logf func(string, ...any)) error {
	if !wantMultipart(cfg) {
		return nil
	}
	size := int64(1 << 30)
	if cfg.Quick {
		size = 256 << 20
	}
	r := &MultipartResult{UploadMiB: int(size >> 20), PartMiB: mpPartSize >> 20, Parallel: mpParallel}
	// Every part sends the same bytes: one buffer, read by every sender.
	part := randomBytes(15, mpPartSize)
	mibs := map[string][]float64{}
	for round := range cfg.Rounds {
		k := round % len(mpWays)
		var line strings.Builder
		for _, way := range append(slices.Clone(mpWays[k:]), mpWays[:k]...) {
			name := "multipart/" + way
			cpuBefore := threadCPUSeconds(e.gatewayPID())
			began := time.Now()
			if err := mpUpload(ctx, e, way, name, part, size); err != nil {
				return fmt.Errorf("multipart %s: %w", way, err)
			}
			took := time.Since(began)
			cpu := (threadCPUSeconds(e.gatewayPID()) - cpuBefore) * 1000
			mibs[way] = append(mibs[way], float64(size>>20)/took.Seconds())
			fmt.Fprintf(&line, "  %s %.1f", way, float64(size>>20)/took.Seconds())
			if way == mpGateway {
				idle, err := idleCPUms(ctx, e.gatewayPID(), took)
				if err != nil {
					return err
				}
				r.GatewayCPURounds = append(r.GatewayCPURounds, round1(cpu))
				r.IdleCPURounds = append(r.IdleCPURounds, round1(idle))
				fmt.Fprintf(&line, " (gateway %.1f ms CPU, %.1f ms idle over as long)", cpu, idle)
			}
			if err := e.direct.RemoveObject(ctx, e.phys, name, minio.RemoveObjectOptions{}); err != nil {
				return fmt.Errorf("remove %s: %w", name, err)
			}
		}
		last := len(mibs[mpGateway]) - 1
		r.RatioRounds = append(r.RatioRounds, round3(mibs[mpGateway][last]/mibs[mpDirect][last]))
		logf("multipart round %d/%d, %d MiB in %d MiB parts, %d at a time, MiB/s:%s",
			round+1, cfg.Rounds, size>>20, mpPartSize>>20, mpParallel, line.String())
	}
	r.LoadAvgDuring = loadavg()
	r.GatewayMiBs, r.DirectMiBs = round1(median(mibs[mpGateway])), round1(median(mibs[mpDirect]))
	r.UnsignedMiBs = round1(median(mibs[mpDirectUnsigned]))
	r.Ratio = round3(median(r.RatioRounds))
	if r.UnsignedMiBs > 0 {
		r.RatioUnsigned = round3(r.GatewayMiBs / r.UnsignedMiBs)
	}
	r.GatewayCPUms = round1(median(r.GatewayCPURounds))
	r.GatewayIdleCPUms = round1(median(r.IdleCPURounds))
	logf("multipart: gateway %.1f MiB/s, direct %.1f (unsigned %.1f); ratio %.3f; gateway CPU %.1f ms per upload, %.1f idle (load %s)",
		r.GatewayMiBs, r.DirectMiBs, r.UnsignedMiBs, r.Ratio, r.GatewayCPUms, r.GatewayIdleCPUms, r.LoadAvgDuring)
	res.MultipartResult = r
	return nil
}

// idleCPUms is the CPU time pid spends over d with no request of the
// bench's: its background work (the event engine, timers, the collector),
// which an upload's figure includes too.
func idleCPUms(ctx context.Context, pid int, d time.Duration) (float64, error) {
	before := threadCPUSeconds(pid)
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-time.After(d):
	}
	return (threadCPUSeconds(pid) - before) * 1000, nil
}

// mpUpload uploads size bytes (whole parts of len(part) bytes, the last
// maybe shorter) as name, one of the ways.
func mpUpload(ctx context.Context, e *env, way, name string, part []byte, size int64) error {
	n := int((size + int64(len(part)) - 1) / int64(len(part)))
	body := func(i int) []byte { // part i+1
		return part[:min(int64(len(part)), size-int64(i)*int64(len(part)))]
	}
	if way == mpGateway {
		return mpGatewayUpload(ctx, e, name, n, body)
	}
	core := minio.Core{Client: e.direct}
	id, err := core.NewMultipartUpload(ctx, e.phys, name, minio.PutObjectOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return err
	}
	parts := make([]minio.CompletePart, n)
	err = mpEach(n, func(i int) error {
		b := body(i)
		p, err := core.PutObjectPart(ctx, e.phys, name, id, i+1, bytes.NewReader(b), int64(len(b)),
			minio.PutObjectPartOptions{DisableContentSha256: way == mpDirectUnsigned})
		parts[i] = minio.CompletePart{PartNumber: i + 1, ETag: p.ETag}
		return err
	})
	if err != nil {
		_ = core.AbortMultipartUpload(context.WithoutCancel(ctx), e.phys, name, id)
		return err
	}
	_, err = core.CompleteMultipartUpload(ctx, e.phys, name, id, parts, minio.PutObjectOptions{})
	return err
}

// mpEach runs f for 0..n-1, mpParallel at a time, and returns the first
// error.
func mpEach(n int, f func(i int) error) error {
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	next := make(chan int)
	for range mpParallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					once.Do(func() { first = err })
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

type mpPart struct {
	PartNumber int    `json:"partNumber"`
	URL        string `json:"url,omitempty"`
	ETag       string `json:"etag,omitempty"`
}

// mpGatewayUpload is what a mobile app does: create the upload, have all
// part URLs signed in one call, PUT each part's bytes to its URL with plain
// net/http, complete with the ETags the store answered.
func mpGatewayUpload(ctx context.Context, e *env, name string, n int, body func(int) []byte) error {
	base := e.gatewayURL + "/api/v1/buckets/" + bucketName + "/multipart"
	var created struct {
		UploadID string `json:"uploadId"`
	}
	if err := mpCall(ctx, e, base, map[string]any{"name": name}, &created); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	numbers := make([]int, n)
	for i := range numbers {
		numbers[i] = i + 1
	}
	var signed struct {
		Parts []mpPart `json:"parts"`
	}
	if err := mpCall(ctx, e, base+"/"+created.UploadID+"/parts", map[string]any{"name": name, "partNumbers": numbers}, &signed); err != nil {
		return fmt.Errorf("sign parts: %w", err)
	}
	if len(signed.Parts) != n {
		return fmt.Errorf("sign parts: %d URLs for %d parts", len(signed.Parts), n)
	}
	done := make([]mpPart, n)
	err := mpEach(n, func(i int) error {
		p := signed.Parts[i]
		etag, err := mpPutPart(ctx, e.http, p.URL, body(p.PartNumber-1))
		done[i] = mpPart{PartNumber: p.PartNumber, ETag: etag}
		return err
	})
	if err != nil {
		return err
	}
	if err := mpCall(ctx, e, base+"/"+created.UploadID+"/complete", map[string]any{"name": name, "parts": done}, nil); err != nil {
		return fmt.Errorf("complete: %w", err)
	}
	return nil
}

// mpCall POSTs in as JSON to the gateway and decodes a 2xx answer into out
// (when not nil).
func mpCall(ctx context.Context, e *env, url string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("%s: %s", resp.Status, msg)
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// mpPutPart PUTs b to a part URL and returns the store's ETag.
func mpPutPart(ctx context.Context, c *http.Client, url string, b []byte) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, url, bytes.NewReader(b))
	if err != nil {
		return "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return "", fmt.Errorf("part PUT: %s: %s", resp.Status, msg)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	etag := resp.Header.Get("ETag")
	if etag == "" {
		return "", fmt.Errorf("part PUT: no ETag in the answer")
	}
	return etag, nil
}

// multipartTargets are the goals of multipart uploads, when the run
// measured them.
func (r *Results) multipartTargets() []Target {
	mp := r.MultipartResult
	if mp == nil {
		return nil
	}
	what := fmt.Sprintf("%d MiB upload in %d MiB parts, %d at a time", mp.UploadMiB, mp.PartMiB, mp.Parallel)
	return []Target{
		{Key: "multipart_ratio", Name: what + ", part URLs ÷ minio-go direct", Measured: mp.Ratio,
			Goal: fmt.Sprintf("≥ %.2f", targetMultipartRatio), Holds: mp.Ratio >= targetMultipartRatio},
		{Key: "multipart_cpu", Name: what + ": gateway CPU per upload (ms)", Measured: mp.GatewayCPUms,
			Goal: fmt.Sprintf("< %d", targetMultipartCPUms), Holds: mp.GatewayMiBs > 0 && mp.GatewayCPUms < targetMultipartCPUms},
	}
}

// multipartMarkdown is the multipart section of RESULTS.md.
func (r *Results) multipartMarkdown(b *strings.Builder) {
	mp := r.MultipartResult
	if mp == nil {
		return
	}
	p := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	p("## Resumable uploads: part URLs")
	p("")
	p("One client uploads %d MiB in %d MiB parts, %d at a time, each part from the same buffer. Through", mp.UploadMiB, mp.PartMiB, mp.Parallel)
	p("the gateway: `POST …/multipart`, one `POST …/multipart/{uploadId}/parts` for every part URL, each")
	p("part PUT to its URL with Go's net/http (UNSIGNED-PAYLOAD, signed in the URL), `POST …/complete`")
	p("with the ETags the store answered. Direct: minio-go `Core` (`NewMultipartUpload`, `PutObjectPart`,")
	p("`CompleteMultipartUpload`) with the tenant's credentials, by default signing every 64 KiB chunk over")
	p("plain HTTP, and again with `DisableContentSha256` (UNSIGNED-PAYLOAD, as the part URLs are). Times")
	p("from create to complete; each way in turn, the first turning between rounds; medians of the rounds.")
	p("The gateway's CPU is the sum of its threads' scheduler time (`/proc/<pid>/task/*/schedstat`,")
	p("nanoseconds) from create to complete. Right after each of its uploads the bench waits as long")
	p("again with no request and measures the gateway's CPU over that stretch too: its background work")
	p("(the event engine, timers, the collector), which the upload's figure includes. Load average at")
	p("the end: %s.", mp.LoadAvgDuring)
	p("")
	p("| measurement | figure |")
	p("|---|---:|")
	p("| through part URLs | %s MiB/s |", trim(mp.GatewayMiBs))
	p("| minio-go direct, default (chunk-signed) | %s MiB/s |", trim(mp.DirectMiBs))
	p("| minio-go direct, UNSIGNED-PAYLOAD | %s MiB/s |", trim(mp.UnsignedMiBs))
	p("| part URLs ÷ direct (median of the rounds: %s) | %.3f |", joinFloats(mp.RatioRounds), mp.Ratio)
	p("| part URLs ÷ direct unsigned (medians) | %.3f |", mp.RatioUnsigned)
	p("| gateway CPU per upload (rounds: %s) | %s ms |", joinFloats(mp.GatewayCPURounds), trim(mp.GatewayCPUms))
	p("| gateway CPU over as long idle (rounds: %s) | %s ms |", joinFloats(mp.IdleCPURounds), trim(mp.GatewayIdleCPUms))
	p("")
}

func joinFloats(xs []float64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = trim(x)
	}
	return strings.Join(s, ", ")
}
