// Package bench measures the gateway against what a user would run
// instead: direct MinIO (minio-go with the tenant's own credentials), nginx
// as a plain reverse proxy in front of MinIO, and MinIO Console's REST API.
// The same objects, the same concurrency, every proxy its own process (so
// that its CPU time and memory can be read from /proc), with every process
// free to use every core and with each proxy pinned to a core of its own.
// Rounds turn which path goes first, so that drift of the machine spreads
// over all of them; figures are medians of the rounds. Curves show how the
// gateway's cost grows with tenants, bucket size, event streams and
// clients. The command is bench/cmd/bench ("make bench").
package bench

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Config is one benchmark run.
type Config struct {
	Quick       bool
	Rounds      int           // measured rounds
	OpsDuration time.Duration // of each operations workload, per path and round
	BigPerRound int           // 64 MiB objects per worker, per path and round
	RSSUploads  int           // concurrent chunked uploads of the memory test
	RSSSize     int64         // bytes of each

	// MinIOEndpoint, when set, is an existing MinIO (http://host:port) to
	// use with the given root credentials; else one is started.
	MinIOEndpoint     string
	MinIORootUser     string
	MinIORootPassword string

	GatewayBin string   // the gateway binary to run
	GatewayEnv []string // extra KEY=VALUE for the gateway

	// Profile takes a CPU profile of the gateway during each targeted
	// workload after the measured rounds (through GATEWAY_PPROF_ADDR), and
	// puts its top functions in the report.
	Profile        bool
	ProfileSeconds int
	PprofAddr      string

	// Only, when not empty, limits the run to these workloads (keys such as
	// get_64mib_c4), and SkipRSS leaves out the memory test: for
	// experiments, not for the report.
	Only       []string
	SkipRSS    bool
	SkipCurves bool

	OutDir string // results.json and RESULTS.md
	// ProfileDir receives the CPU profiles: machine-specific output, kept
	// out of git (default bench/tmp/profiles).
	ProfileDir string
	TempDir    string // MinIO's data and the gateway's log ("" : the system's)
	KeepTemp   bool
	Log        io.Writer
}

// Defaults fills what cfg leaves unset, for a full or a quick run.
func (cfg *Config) Defaults() {
	if cfg.Rounds <= 0 {
		cfg.Rounds = 3
		if cfg.Quick {
			cfg.Rounds = 2
		}
	}
	if cfg.OpsDuration <= 0 {
		cfg.OpsDuration = 1500 * time.Millisecond
		if cfg.Quick {
			cfg.OpsDuration = 300 * time.Millisecond
		}
	}
	if cfg.BigPerRound <= 0 {
		cfg.BigPerRound = 2
		if cfg.Quick {
			cfg.BigPerRound = 1
		}
	}
	if cfg.RSSUploads <= 0 {
		cfg.RSSUploads = 16
	}
	if cfg.RSSSize <= 0 {
		cfg.RSSSize = 256 << 20
	}
	if cfg.ProfileSeconds <= 0 {
		cfg.ProfileSeconds = 5
		if cfg.Quick {
			cfg.ProfileSeconds = 2
		}
	}
	if cfg.Profile && cfg.PprofAddr == "" {
		if addr, err := freeAddr(); err == nil {
			cfg.PprofAddr = addr
		}
	}
	if cfg.GatewayBin == "" {
		cfg.GatewayBin = "bin/gateway"
	}
	if cfg.OutDir == "" {
		cfg.OutDir = "bench"
	}
	if cfg.ProfileDir == "" {
		cfg.ProfileDir = filepath.Join("bench", "tmp", "profiles")
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
}

// Run runs the benchmark and writes results.json and RESULTS.md to
// cfg.OutDir.
func Run(ctx context.Context, cfg Config) (*Results, error) {
	cfg.Defaults()
	logf := func(format string, args ...any) { fmt.Fprintf(cfg.Log, format+"\n", args...) }
	res := newResults(cfg)

	logf("starting MinIO and the gateway (%s)", cfg.GatewayBin)
	e, err := setup(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer e.close()
	res.Gateway.Env = gatewayEnvSummary(cfg)

	d := &data{big: randomBytes(1, bigSize), medium: randomBytes(2, mediumSize)}
	bigSum := sha256.Sum256(d.big)
	d.bigDigest = "sha-256=:" + base64.StdEncoding.EncodeToString(bigSum[:]) + ":"
	logf("storing the objects to read")
	if err := populate(ctx, e, d); err != nil {
		return nil, fmt.Errorf("populate: %w", err)
	}
	logf("warming up")
	if err := warmUp(ctx, e, d); err != nil {
		return nil, err
	}
	m, err := measureRounds(ctx, cfg, e, d, logf)
	if err != nil {
		return nil, err
	}
	res.addWorkloads(m)

	if !cfg.SkipRSS {
		logf("memory: %d concurrent chunked uploads of %d MiB through the gateway", cfg.RSSUploads, cfg.RSSSize>>20)
		rss, err := measureRSS(ctx, e, cfg.RSSUploads, cfg.RSSSize)
		if err != nil {
			return nil, err
		}
		res.setRSS(rss)
		logf("memory: peak RSS %.1f MiB (sampled %.1f, HWM %.1f, baseline %.1f MiB), %.1f MiB/s",
			rss.PeakMiB, rss.PeakSampledMiB, rss.PeakHWMMiB, rss.BaselineMiB, rss.ThroughputMiBs)
	}

	// The curves come after the memory test: the streams and listings
	// they make leave the gateway's heap larger than it was.
	if !cfg.SkipCurves {
		if res.Curves, err = measureCurves(ctx, cfg, e, d, logf); err != nil {
			return nil, err
		}
	}

	if cfg.Profile {
		if err := profile(ctx, cfg, e, d, res, logf); err != nil {
			return nil, fmt.Errorf("profile: %w", err)
		}
	}
	if err := runMultipart(ctx, cfg, e, res, logf); err != nil {
		return nil, err
	}
	if err := runEvents(ctx, cfg, res, logf); err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	res.finish()
	if err := res.write(cfg.OutDir); err != nil {
		return nil, err
	}
	return res, nil
}

// gatewayEnvSummary lists the gateway settings that differ from its
// defaults.
func gatewayEnvSummary(cfg Config) []string {
	out := []string{"GATEWAY_LOG_LEVEL=info"}
	return append(out, cfg.GatewayEnv...)
}

// profiled are the workloads whose gateway CPU profile the report shows.
var profiled = []string{"get_64mib_c4", "put_64mib_c4", "get_1kib_c16", "stat_1kib_c16"}

// profile runs each profiled workload on the gateway path for
// ProfileSeconds while the gateway records a CPU profile, and keeps the
// profile's top functions.
func profile(ctx context.Context, cfg Config, e *env, d *data, res *Results, logf func(string, ...any)) error {
	dir := cfg.ProfileDir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	keys := profiled
	if len(cfg.Only) > 0 {
		keys = cfg.Only
	}
	for _, key := range keys {
		var w workload
		for _, c := range workloads {
			if c.Key == key {
				w = c
			}
		}
		logf("profiling the gateway during %s", key)
		file := filepath.Join(dir, key+".pprof")
		got := make(chan error, 1)
		go func() { got <- fetchProfile(ctx, cfg.PprofAddr, cfg.ProfileSeconds, file) }()
		var perr error
		for done := false; !done; {
			select {
			case perr = <-got:
				done = true
			default:
				if _, err := run(ctx, w, gatewayPath{e: e, gw: e.gateway}, d, 1, 500*time.Millisecond, nil); err != nil {
					return err
				}
			}
		}
		if perr != nil {
			return perr
		}
		top, err := pprofTop(cfg.GatewayBin, file)
		if err != nil {
			return err
		}
		res.Profiles = append(res.Profiles, Profile{Workload: key, File: file, Top: top})
	}
	return nil
}

func fetchProfile(ctx context.Context, addr string, seconds int, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, seconds), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("pprof: %s", resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// pprofTop is the top of "go tool pprof -top" of a profile: the functions
// with the most CPU time of their own.
func pprofTop(bin, file string) ([]string, error) {
	out, err := exec.Command(runtimeGo(), "tool", "pprof", "-top", "-nodecount=15", bin, file).Output()
	if err != nil {
		return nil, fmt.Errorf("go tool pprof: %w", err)
	}
	var lines []string
	header := true
	for _, l := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if header {
			if strings.Contains(l, "flat%") {
				header = false
				lines = append(lines, strings.TrimSpace(l))
			} else if strings.HasPrefix(l, "Showing") || strings.HasPrefix(l, "Duration") {
				lines = append(lines, strings.TrimSpace(l))
			}
			continue
		}
		lines = append(lines, strings.TrimSpace(l))
	}
	return lines, nil
}

// runtimeGo is the go command: $GOROOT/bin/go when GOROOT is set (make
// and go run set it), else go on PATH.
func runtimeGo() string {
	if root := os.Getenv("GOROOT"); root != "" {
		if p := filepath.Join(root, "bin", "go"); fileExists(p) {
			return p
		}
	}
	return "go"
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
