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
	targetCPUvsNginx      = 2.0
	targetPeakRSSMiB      = 200
	// The splice transport stays only if it saves this share of the
	// gateway's CPU per MiB of 64 MiB GETs, without losing throughput
	// (within the noise: spliceThroughputFloor).
	spliceMinSaving       = 0.25
	spliceThroughputFloor = 0.95
)

// Results is what results.json holds. The headline figures are at the top
// level, under the names the issue gives them.
type Results struct {
	OwnCoreGetRatio   float64 `json:"owncore_get_64mib_ratio"`
	OwnCoreSmallRatio float64 `json:"owncore_small_ops_ratio"`
	SmallGetCPUNginx  float64 `json:"small_get_cpu_vs_nginx"`
	PutRatio          float64 `json:"put_64mib_ratio"`
	PeakRSSMiB        float64 `json:"peak_rss_mib_16x256mib_upload"`
	// Shared-core figures, gateway ÷ direct.
	GetRatio   float64 `json:"get_64mib_ratio"`
	SmallRatio float64 `json:"small_ops_ratio"`
	// VsConsole is the lowest gateway ÷ Console over the rows both have.
	VsConsole float64        `json:"gateway_vs_console_min"`
	Splice    SpliceDecision `json:"splice"`

	Targets []Target `json:"targets"`

	Date        string      `json:"date"`
	Quick       bool        `json:"quick"`
	Rounds      int         `json:"rounds"`
	OpsSeconds  float64     `json:"opsSecondsPerRound"`
	BigPerRound int         `json:"bigObjectsPerWorkerPerRound"`
	Machine     Machine     `json:"machine"`
	Gateway     GatewayInfo `json:"gateway"`
	Workloads   []Result    `json:"workloads"`
	Curves      Curves      `json:"curves"`
	RSS         rssResult   `json:"rss"`
	Profiles    []Profile   `json:"profiles,omitempty"`

	*EventsResult    // events_* keys, when measured (events.go)
	*MultipartResult // multipart_* keys, when measured (multipart.go)
}

// SpliceDecision compares the gateway's object reads on the splice
// transport with the standard transport, on 64 MiB GETs.
type SpliceDecision struct {
	// CPUSaving is 1 - splice ÷ standard of the gateway's CPU per MiB, per
	// placement; ThroughputRatio splice ÷ standard.
	CPUSaving       map[string]float64 `json:"cpuSaving"`
	ThroughputRatio map[string]float64 `json:"throughputRatio"`
	Keep            bool               `json:"keep"`
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

// Result is one workload's figures on every path, in one placement.
type Result struct {
	workload
	Placement string                `json:"placement"`
	Paths     map[string]PathResult `json:"paths"`
	// Ratio is the median of the rounds' gateway ÷ direct.
	Ratio       float64   `json:"ratio"`
	RatioRounds []float64 `json:"ratioRounds"`
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
	// workloads) of each process: client, proxy (the gateway, nginx or
	// Console; none on the direct path), minio.
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

func (r *Results) addWorkloads(m measurements) {
	for _, pl := range []string{placeShared, placeOwnCore} {
		for _, w := range workloads {
			byPath, ok := m[pl][w.Key]
			if !ok {
				continue
			}
			res := Result{workload: w, Placement: pl, Paths: map[string]PathResult{}}
			for name, ss := range byPath {
				res.Paths[name] = pathResult(ss)
			}
			dr, gw := res.Paths[pathDirect], res.Paths[pathGateway]
			for i := range min(len(dr.Rounds), len(gw.Rounds)) {
				if dr.Rounds[i] > 0 {
					res.RatioRounds = append(res.RatioRounds, round3(gw.Rounds[i]/dr.Rounds[i]))
				}
			}
			res.Ratio = round3(median(res.RatioRounds))
			r.Workloads = append(r.Workloads, res)
		}
	}
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

func (r *Results) workload(placement, key string) Result {
	for _, w := range r.Workloads {
		if w.Key == key && w.Placement == placement {
			return w
		}
	}
	return Result{}
}

// finish computes the headline figures, the splice decision and the
// targets.
func (r *Results) finish() {
	r.Machine.LoadAvgEnd = loadavg()
	r.GetRatio = r.workload(placeShared, "get_64mib_c4").Ratio
	r.PutRatio = r.workload(placeShared, "put_64mib_c4").Ratio
	r.SmallRatio = math.Min(r.workload(placeShared, "get_1kib_c16").Ratio, r.workload(placeShared, "stat_1kib_c16").Ratio)
	r.OwnCoreGetRatio = r.workload(placeOwnCore, "get_64mib_c4").Ratio
	r.OwnCoreSmallRatio = math.Min(r.workload(placeOwnCore, "get_1kib_c16").Ratio, r.workload(placeOwnCore, "stat_1kib_c16").Ratio)
	small := r.workload(placeShared, "get_1kib_c16")
	if ng := small.Paths[pathNginx].CPUms["proxy"]; ng > 0 {
		r.SmallGetCPUNginx = round3(small.Paths[pathGateway].CPUms["proxy"] / ng)
	}
	r.VsConsole = 0
	for _, w := range r.Workloads {
		if c, ok := w.Paths[pathConsole]; ok && c.Median > 0 {
			v := round3(w.Paths[pathGateway].Median / c.Median)
			if r.VsConsole == 0 || v < r.VsConsole {
				r.VsConsole = v
			}
		}
	}
	r.decideSplice()
	r.Targets = r.targets()
}

func (r *Results) decideSplice() {
	d := SpliceDecision{CPUSaving: map[string]float64{}, ThroughputRatio: map[string]float64{}, Keep: true}
	any := false
	for _, pl := range []string{placeShared, placeOwnCore} {
		w := r.workload(pl, "get_64mib_c4")
		sp, std := w.Paths[pathGateway], w.Paths[pathGatewayStd]
		if std.Median <= 0 || std.CPUms["proxy"] <= 0 {
			continue
		}
		any = true
		d.CPUSaving[pl] = round3(1 - sp.CPUms["proxy"]/std.CPUms["proxy"])
		d.ThroughputRatio[pl] = round3(sp.Median / std.Median)
		d.Keep = d.Keep && d.CPUSaving[pl] >= spliceMinSaving && d.ThroughputRatio[pl] >= spliceThroughputFloor
	}
	d.Keep = d.Keep && any
	r.Splice = d
}

func (r *Results) targets() []Target {
	atLeast := func(f float64) string { return fmt.Sprintf("≥ %.2f", f) }
	minSaving := 1.0
	for _, v := range r.Splice.CPUSaving {
		minSaving = math.Min(minSaving, v)
	}
	if len(r.Splice.CPUSaving) == 0 {
		minSaving = 0
	}
	targets := []Target{
		{Key: "owncore_get", Name: "GET 64 MiB throughput, gateway ÷ direct, proxy on its own core (c=4)", Measured: r.OwnCoreGetRatio, Goal: atLeast(targetThroughputRatio), Holds: r.OwnCoreGetRatio >= targetThroughputRatio},
		{Key: "owncore_small", Name: "1 KiB GET and stat ops/s, gateway ÷ direct, proxy on its own core, the lower (c=16)", Measured: r.OwnCoreSmallRatio, Goal: atLeast(targetSmallOpsRatio), Holds: r.OwnCoreSmallRatio >= targetSmallOpsRatio},
		{Key: "cpu_vs_nginx", Name: "gateway CPU per 1 KiB GET ÷ nginx's (c=16)", Measured: r.SmallGetCPUNginx, Goal: fmt.Sprintf("≤ %.1f", targetCPUvsNginx), Holds: r.SmallGetCPUNginx > 0 && r.SmallGetCPUNginx <= targetCPUvsNginx},
		{Key: "console", Name: "gateway ÷ Console, the lowest row", Measured: r.VsConsole, Goal: "> 1", Holds: r.VsConsole > 1},
		{Key: "put", Name: "PUT 64 MiB throughput, gateway ÷ direct (c=4, shared cores)", Measured: r.PutRatio, Goal: atLeast(targetThroughputRatio), Holds: r.PutRatio >= targetThroughputRatio},
		{Key: "rss", Name: fmt.Sprintf("peak gateway RSS, %d chunked uploads of %d MiB at once (MiB)", r.RSS.Uploads, r.RSS.UploadMiB), Measured: r.PeakRSSMiB, Goal: fmt.Sprintf("≤ %d", targetPeakRSSMiB), Holds: r.PeakRSSMiB > 0 && r.PeakRSSMiB <= targetPeakRSSMiB},
		{Key: "splice", Name: "splice transport: gateway CPU per MiB saved on 64 MiB GETs, the lower placement", Measured: minSaving, Goal: atLeast(spliceMinSaving), Holds: r.Splice.Keep},
	}
	return append(append(targets, r.eventTargets()...), r.multipartTargets()...)
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
