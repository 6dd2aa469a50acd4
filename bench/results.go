package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// The targets of the issue.
const (
	targetThroughputRatio = 0.90
	targetSmallOpsRatio   = 0.80
	targetPeakRSSMiB      = 200
)

// Results is what results.json holds. The four headline figures are at the
// top level, under the names the issue gives them.
type Results struct {
	GetRatio   float64 `json:"get_64mib_ratio"`
	PutRatio   float64 `json:"put_64mib_ratio"`
	SmallRatio float64 `json:"small_ops_ratio"`
	PeakRSSMiB float64 `json:"peak_rss_mib_16x256mib_upload"`

	Targets []Target `json:"targets"`

	Date        string      `json:"date"`
	Quick       bool        `json:"quick"`
	Rounds      int         `json:"rounds"`
	OpsSeconds  float64     `json:"opsSecondsPerRound"`
	BigPerRound int         `json:"bigObjectsPerWorkerPerRound"`
	Machine     Machine     `json:"machine"`
	Gateway     GatewayInfo `json:"gateway"`
	Workloads   []Result    `json:"workloads"`
	RSS         rssResult   `json:"rss"`
	Profiles    []Profile   `json:"profiles,omitempty"`

	*EventsResult // events_* keys, when measured (events.go)
}

// Target is one goal and whether this run meets it.
type Target struct {
	Key      string  `json:"key"`
	Name     string  `json:"name"`
	Measured float64 `json:"measured"`
	Goal     string  `json:"goal"`
	Holds    bool    `json:"holds"`
}

// Machine describes where the run happened.
type Machine struct {
	Cores        int    `json:"cores"`
	MemoryMiB    int64  `json:"memoryMiB"`
	CPU          string `json:"cpu"`
	GoVersion    string `json:"goVersion"`
	OS           string `json:"os"`
	Kernel       string `json:"kernel"`
	LoadAvgStart string `json:"loadavgStart"`
	LoadAvgEnd   string `json:"loadavgEnd"`
}

// GatewayInfo is how the gateway was run.
type GatewayInfo struct {
	Env []string `json:"env"`
}

// Result is one workload's figures on both paths.
type Result struct {
	workload
	Direct  PathResult `json:"direct"`
	Gateway PathResult `json:"gateway"`
	// Ratio is the median of the rounds' gateway ÷ direct.
	Ratio       float64   `json:"ratio"`
	RatioRounds []float64 `json:"ratioRounds"`
	// CPUBoundRatio is the ratio to expect when every core is busy: the
	// CPU that all processes spend per unit of work on the direct path
	// over that on the gateway path.
	CPUBoundRatio float64 `json:"cpuBoundRatio"`
}

// PathResult is one path's medians over the rounds, and every round.
type PathResult struct {
	Median    float64   `json:"median"`
	P50Ms     float64   `json:"p50Ms"`
	P99Ms     float64   `json:"p99Ms"`
	Rounds    []float64 `json:"rounds"`
	P50Rounds []float64 `json:"p50MsRounds"`
	P99Rounds []float64 `json:"p99MsRounds"`
	Ops       int       `json:"ops"`
	// CPUms is the median CPU time per operation (per MiB for throughput
	// workloads) of each process: client, gateway, minio.
	CPUms map[string]float64 `json:"cpuMsPerUnit"`
}

// Profile is the gateway's CPU profile during one workload.
type Profile struct {
	Workload string   `json:"workload"`
	File     string   `json:"file"`
	Top      []string `json:"top"`
}

func newResults(cfg Config) *Results {
	return &Results{
		Date:        time.Now().UTC().Format(time.RFC3339),
		Quick:       cfg.Quick,
		Rounds:      cfg.Rounds,
		OpsSeconds:  cfg.OpsDuration.Seconds(),
		BigPerRound: cfg.BigPerRound,
		Machine:     machine(),
	}
}

func machine() Machine {
	m := Machine{
		Cores:        runtime.NumCPU(),
		GoVersion:    runtime.Version(),
		OS:           runtime.GOOS + "/" + runtime.GOARCH,
		LoadAvgStart: loadavg(),
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			if v, ok := strings.CutPrefix(s.Text(), "MemTotal:"); ok {
				kib, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
				m.MemoryMiB = kib / 1024
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if out, err := exec.Command("uname", "-r").Output(); err == nil {
		m.Kernel = strings.TrimSpace(string(out))
	}
	return m
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func (r *Results) addWorkloads(samples map[string]map[string][]sample) {
	for _, w := range workloads {
		if _, ok := samples[w.Key]; !ok {
			continue
		}
		res := Result{workload: w, Direct: pathResult(samples[w.Key][pathDirect]), Gateway: pathResult(samples[w.Key][pathGateway])}
		for i := range res.Direct.Rounds {
			if res.Direct.Rounds[i] > 0 {
				res.RatioRounds = append(res.RatioRounds, round3(res.Gateway.Rounds[i]/res.Direct.Rounds[i]))
			}
		}
		res.Ratio = round3(median(res.RatioRounds))
		if gw := cpuTotal(res.Gateway.CPUms); gw > 0 {
			res.CPUBoundRatio = round3(cpuTotal(res.Direct.CPUms) / gw)
		}
		r.Workloads = append(r.Workloads, res)
	}
}

// floorlessRatio is the CPU-bound ratio of a gateway that costs exactly
// what the direct client does: the best a gateway built on the same store
// client can reach when every core is busy.
func floorlessRatio(w Result) float64 {
	d := w.Direct.CPUms
	g := w.Gateway.CPUms
	if den := g["client"] + d["client"] + g["minio"]; den > 0 {
		return (d["client"] + d["minio"]) / den
	}
	return 0
}

// cpuTotal is the CPU per unit of work of all processes but an idle
// gateway.
func cpuTotal(cpu map[string]float64) float64 {
	return cpu["client"] + cpu["gateway"] + cpu["minio"]
}

func pathResult(ss []sample) PathResult {
	var p PathResult
	for _, s := range ss {
		p.Rounds = append(p.Rounds, round1(s.Value))
		p.P50Rounds = append(p.P50Rounds, round3(ms(s.P50)))
		p.P99Rounds = append(p.P99Rounds, round3(ms(s.P99)))
		p.Ops += s.Ops
	}
	p.CPUms = map[string]float64{}
	if len(ss) > 0 {
		for name := range ss[0].CPU {
			var xs []float64
			for _, s := range ss {
				xs = append(xs, s.CPU[name])
			}
			p.CPUms[name] = round3(median(xs))
		}
	}
	p.Median = round1(median(p.Rounds))
	p.P50Ms = round3(median(p.P50Rounds))
	p.P99Ms = round3(median(p.P99Rounds))
	return p
}

func (r *Results) setRSS(rss rssResult) {
	rss.BaselineMiB = round1(rss.BaselineMiB)
	rss.PeakSampledMiB = round1(rss.PeakSampledMiB)
	rss.PeakHWMMiB = round1(rss.PeakHWMMiB)
	rss.PeakMiB = round1(rss.PeakMiB)
	rss.ThroughputMiBs = round1(rss.ThroughputMiBs)
	rss.Seconds = round1(rss.Seconds)
	r.RSS = rss
	r.PeakRSSMiB = rss.PeakMiB
}

func (r *Results) workload(key string) Result {
	for _, w := range r.Workloads {
		if w.Key == key {
			return w
		}
	}
	return Result{}
}

// finish computes the headline figures and the targets.
func (r *Results) finish() {
	r.Machine.LoadAvgEnd = loadavg()
	r.GetRatio = r.workload("get_64mib_c4").Ratio
	r.PutRatio = r.workload("put_64mib_c4").Ratio
	r.SmallRatio = math.Min(r.workload("get_1kib_c16").Ratio, r.workload("stat_1kib_c16").Ratio)
	goal := func(f float64) string { return fmt.Sprintf("≥ %.2f", f) }
	r.Targets = []Target{
		{Key: "get", Name: "GET 64 MiB throughput, gateway ÷ direct (c=4)", Measured: r.GetRatio, Goal: goal(targetThroughputRatio), Holds: r.GetRatio >= targetThroughputRatio},
		{Key: "put", Name: "PUT 64 MiB throughput, gateway ÷ direct (c=4)", Measured: r.PutRatio, Goal: goal(targetThroughputRatio), Holds: r.PutRatio >= targetThroughputRatio},
		{Key: "small", Name: "1 KiB GET and stat ops/s, gateway ÷ direct, the lower (c=16)", Measured: r.SmallRatio, Goal: goal(targetSmallOpsRatio), Holds: r.SmallRatio >= targetSmallOpsRatio},
		{Key: "rss", Name: fmt.Sprintf("peak gateway RSS, %d chunked uploads of %d MiB at once (MiB)", r.RSS.Uploads, r.RSS.UploadMiB), Measured: r.PeakRSSMiB, Goal: fmt.Sprintf("≤ %d", targetPeakRSSMiB), Holds: r.PeakRSSMiB > 0 && r.PeakRSSMiB <= targetPeakRSSMiB},
	}
	r.Targets = append(r.Targets, r.eventTargets()...)
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// write stores results.json and RESULTS.md in dir.
func (r *Results) write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "RESULTS.md"), []byte(r.markdown()), 0o644)
}

func yesNo(b bool) string {
	if b {
		return "**yes**"
	}
	return "**no**"
}

func (r *Results) markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	kind := "full run"
	if r.Quick {
		kind = "QUICK run (fewer rounds, shorter; not for comparison)"
	}
	p("# Gateway versus direct MinIO")
	p("")
	p("Written by `make bench` (bench/cmd/bench); the raw figures are in [results.json](results.json).")
	p("")
	p("- Date: %s, %s", r.Date, kind)
	p("- Machine: %d cores (%s), %.1f GiB memory, %s, Linux %s, %s", r.Machine.Cores, r.Machine.CPU,
		float64(r.Machine.MemoryMiB)/1024, r.Machine.OS, r.Machine.Kernel, r.Machine.GoVersion)
	p("- Load average (1, 5, 15 min): %s at the start, %s at the end", r.Machine.LoadAvgStart, r.Machine.LoadAvgEnd)
	p("- MinIO (single drive), the gateway and the load generator all on this machine, over 127.0.0.1;")
	p("  the gateway is its own process (`bin/gateway`, %s).", strings.Join(r.Gateway.Env, ", "))
	p("- %d rounds; each round runs every workload on both paths back to back, the first path", r.Rounds)
	p("  alternating between rounds. Figures are medians over the rounds; a ratio is the median of the")
	p("  rounds' gateway ÷ direct.")
	p("")
	p("## Targets")
	p("")
	p("| target | measured | goal | holds |")
	p("|---|---:|---:|:---:|")
	for _, t := range r.Targets {
		p("| %s | %s | %s | %s |", t.Name, trim(t.Measured), t.Goal, yesNo(t.Holds))
	}
	p("")
	p("## Every workload")
	p("")
	p("Direct: minio-go v7 with default options and the tenant's own credentials, on the physical bucket")
	p("(`PutObject`, `Core.GetObject`, `StatObject`, one `ListObjectsV2` request of 1000 keys per page).")
	p("Gateway: Go's net/http client against the REST API (`PUT`/`GET …/objects/{name}`, `GET …/stat/{name}`,")
	p("`GET …/objects?recursive=true&limit=1000`), JSON answers decoded.")
	p("")
	p("The PUT target compares with minio-go as an application gets it, whose default over plain HTTP")
	p("signs every 64 KiB of the body (SHA-256 in the client and again in MinIO); the gateway sends")
	p("UNSIGNED-PAYLOAD, which the store allows for a request whose signature covers everything else.")
	p("The reference row gives the direct path UNSIGNED-PAYLOAD too.")
	p("")
	p("| workload | concurrency | direct | gateway | unit | ratio | direct p50 / p99 ms | gateway p50 / p99 ms |")
	p("|---|---:|---:|---:|---|---:|---:|---:|")
	for _, w := range r.Workloads {
		p("| %s | %d | %s | %s | %s | %.3f | %s / %s | %s / %s |", w.Title, w.Concurrency,
			trim(w.Direct.Median), trim(w.Gateway.Median), w.Unit, w.Ratio,
			trim(w.Direct.P50Ms), trim(w.Direct.P99Ms), trim(w.Gateway.P50Ms), trim(w.Gateway.P99Ms))
	}
	p("")
	p("### CPU time per operation")
	p("")
	p("CPU time of each process (from `/proc/<pid>/stat`, 10 ms ticks) divided by the operations done, or")
	p("by the MiB moved for the 64 MiB workloads; medians over the rounds, in ms. The gateway column of the")
	p("direct path is what it used while idle.")
	p("")
	p("The last column is the ratio to expect when every core is busy: all the CPU the direct path")
	p("spends per unit of work over all the CPU the gateway path spends.")
	p("")
	p("| workload | concurrency | per | direct: client | MinIO | gateway path: client | gateway | MinIO | CPU-bound ratio |")
	p("|---|---:|---|---:|---:|---:|---:|---:|---:|")
	for _, w := range r.Workloads {
		per := "op"
		if w.bytes {
			per = "MiB"
		}
		p("| %s | %d | %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f |", w.Title, w.Concurrency, per,
			w.Direct.CPUms["client"], w.Direct.CPUms["minio"],
			w.Gateway.CPUms["client"], w.Gateway.CPUms["gateway"], w.Gateway.CPUms["minio"], w.CPUBoundRatio)
	}
	p("")
	p("## Memory")
	p("")
	p("%d uploads at once through the gateway, each %d MiB sent chunked (no Content-Length), bodies", r.RSS.Uploads, r.RSS.UploadMiB)
	p("generated on the fly. The gateway's resident memory, read from `/proc/<pid>/status`:")
	p("")
	p("| baseline VmRSS | peak VmRSS (sampled every 10 ms) | VmHWM (reset before: %v) | aggregate upload rate |", r.RSS.HWMReset)
	p("|---:|---:|---:|---:|")
	p("| %s MiB | %s MiB | %s MiB | %s MiB/s |", trim(r.RSS.BaselineMiB), trim(r.RSS.PeakSampledMiB), trim(r.RSS.PeakHWMMiB), trim(r.RSS.ThroughputMiBs))
	p("")
	p("An upload of unknown size holds one part buffer (`GATEWAY_PART_SIZE_MIB`, 8 MiB by default) for its")
	p("whole life and sends it part by part; uploads with a Content-Length stream each part straight")
	p("through without buffering. So memory is bounded by design: about uploads in flight × part size,")
	p("and the uploads in flight are bounded per tenant by `GATEWAY_MAX_UPLOADS_PER_TENANT`.")
	p("")
	r.eventsMarkdown(&b)
	r.whereTheTimeGoes(&b)
	return b.String()
}

// whereTheTimeGoes explains the targets that do not hold, with the CPU
// accounting and the gateway's profile.
func (r *Results) whereTheTimeGoes(b *strings.Builder) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	var missed []Target
	for _, t := range r.Targets {
		if !t.Holds {
			missed = append(missed, t)
		}
	}
	if len(missed) == 0 && len(r.Profiles) == 0 {
		return
	}
	p("## Where the time goes")
	p("")
	if len(missed) == 0 {
		p("Every target holds in this run.")
		p("")
	}
	for _, t := range missed {
		p("**Not met: %s** (%s, goal %s).", t.Name, trim(t.Measured), t.Goal)
		p("")
		switch t.Key {
		case "get":
			w := r.workload("get_64mib_c4")
			p("The gateway spends %.2f ms of CPU per MiB sent, against %.2f ms for MinIO to read, check", w.Gateway.CPUms["gateway"], w.Gateway.CPUms["minio"])
			p("and send it and %.2f ms for the client to receive it; with every core busy the ratio can be", w.Gateway.CPUms["client"])
			p("at most about %.2f. Downloads already leave the gateway by splice(2): the stream transport", w.CPUBoundRatio)
			p("(service/stream.go) hands net/http's response writer the store's TCP connection, and the bytes")
			p("go from socket to socket inside the kernel, never through the gateway's memory (`splice` below).")
			p("With `-gateway-env GATEWAY_ZERO_COPY_READS=false` (the copy through user space) the gateway")
			p("spends about half as much again per MiB, but on loopback part of the saving reappears in MinIO")
			p("and the client, which process the spliced segments, and the ratio barely moves. What is left is the")
			p("kernel's TCP work of a second connection, which the direct path does not have: on loopback the")
			p("sender of each segment also runs the receiver's TCP processing, so the gateway pays for both")
			p("hops, store to gateway (`spliceDrain`) and gateway to client (`splicePump`). No change in user")
			p("space removes that hop. Where the gateway has cores of its own, as behind a load balancer, its")
			p("CPU no longer comes off MinIO's and the client's and the hop costs latency only.")
		case "put":
			w := r.workload("put_64mib_c4")
			p("CPU per MiB: gateway %.2f ms, MinIO %.2f ms (direct path: MinIO %.2f ms, client %.2f ms).",
				w.Gateway.CPUms["gateway"], w.Gateway.CPUms["minio"], w.Direct.CPUms["minio"], w.Direct.CPUms["client"])
		case "small":
			w := r.workload("get_1kib_c16")
			if s := r.workload("stat_1kib_c16"); s.Ratio < w.Ratio {
				w = s
			}
			p("%s at concurrency %d: the gateway spends %.3f ms of CPU per request, MinIO %.3f ms and the", w.Title, w.Concurrency, w.Gateway.CPUms["gateway"], w.Gateway.CPUms["minio"])
			p("client %.3f ms; on the direct path the client spends %.3f ms and MinIO %.3f ms. With every", w.Gateway.CPUms["client"], w.Direct.CPUms["client"], w.Direct.CPUms["minio"])
			p("core busy the ratio can be at most about %.2f. A request through the gateway is two HTTP", w.CPUBoundRatio)
			p("exchanges instead of one: the gateway's server reads and parses the request, runs its")
			p("middleware (request id, metrics, log line, auth), and then does what the direct client does,")
			p("a minio-go request with its SigV4 signature (five HMAC-SHA256 and a SHA-256 per request) and")
			p("the parsing of the store's answer. What was cut: object GETs and HEADs run their exchange with")
			p("the store on the request's own goroutine (the stream transport) instead of handing it to the")
			p("standard transport's two goroutines per connection, which took about a fifth of the gateway's")
			p("CPU per request; the per-download 32 KiB copy buffer; the copy of the store's headers kept for")
			p("a 304 on every read; the per-request logger clone and caller lookup. What is left (see the")
			p("profile) is the system calls of two connections, minio-go's signing and request building, the")
			p("server's header parsing, and the garbage those make: as much again as the direct client's")
			p("whole request, which on two shared cores is what the ratio pays for. Even if everything the")
			p("gateway does around its minio-go call cost nothing, so that its request cost what the direct")
			p("client's does, the ratio could be at most about %.2f: (direct client + MinIO) over (gateway-path", floorlessRatio(w))
			p("client + direct client + MinIO).")
		case "rss":
			p("Peak %s MiB with %d uploads of unknown size, each holding one part buffer.", trim(r.RSS.PeakMiB), r.RSS.Uploads)
		}
		p("")
	}
	if len(r.Profiles) > 0 {
		p("The gateway's CPU profile during each targeted workload, taken after the measured rounds")
		p("(`go tool pprof -top`: functions by their own time; `flat` is CPU time in the function itself):")
		p("")
	}
	for _, prof := range r.Profiles {
		p("### %s", prof.Workload)
		p("")
		p("```")
		for _, l := range prof.Top {
			p("%s", l)
		}
		p("```")
		p("")
	}
}

// trim formats f without needless decimals.
func trim(f float64) string {
	switch {
	case f >= 100:
		return strconv.FormatFloat(f, 'f', 0, 64)
	case f >= 10:
		return strconv.FormatFloat(f, 'f', 1, 64)
	default:
		return strconv.FormatFloat(f, 'f', 2, 64)
	}
}
