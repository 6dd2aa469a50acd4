// Command bench measures the gateway against direct MinIO, nginx and
// MinIO Console, and writes bench/results.json and bench/RESULTS.md ("make
// bench"); "make bench QUICK=1" writes them to bench/tmp/quick instead.
//
// It starts MinIO in a temporary directory (or uses -minio with its root
// credentials), provisions one tenant, runs bin/gateway (twice: with and
// without the splice transport), nginx and Console as processes of their
// own in front of it, and measures every path with the same objects and
// concurrency, round after round, on shared cores and with each proxy on a
// core of its own; then the growth curves.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"s3gateway/bench"
	"s3gateway/internal/minioproc"
)

func main() {
	var cfg bench.Config
	var gatewayEnv string
	flag.BoolVar(&cfg.Quick, "quick", isTrue(os.Getenv("QUICK")), "fewer and shorter rounds, for a check (default from $QUICK)")
	flag.IntVar(&cfg.Rounds, "rounds", 0, "measured rounds (default 5, quick 2)")
	flag.DurationVar(&cfg.OpsDuration, "ops-duration", 0, "duration of each operations workload per path and round (default 2s, quick 400ms)")
	flag.IntVar(&cfg.BigPerRound, "big", 0, "64 MiB objects per worker per path and round (default 2, quick 1)")
	flag.IntVar(&cfg.RSSUploads, "rss-uploads", 16, "concurrent chunked uploads of the memory test")
	rssMiB := flag.Int64("rss-mib", 256, "MiB of each upload of the memory test")
	flag.StringVar(&cfg.MinIOEndpoint, "minio", "", "an existing MinIO (http://host:port) instead of starting one")
	flag.StringVar(&cfg.MinIORootUser, "minio-root-user", minioproc.RootUser, "root user of -minio, to provision the tenant")
	flag.StringVar(&cfg.MinIORootPassword, "minio-root-password", minioproc.RootPassword, "root password of -minio")
	flag.StringVar(&cfg.GatewayBin, "gateway", "bin/gateway", "the gateway binary (make build)")
	flag.StringVar(&gatewayEnv, "gateway-env", "", "extra gateway settings, comma-separated KEY=VALUE")
	flag.BoolVar(&cfg.Profile, "profile", true, "take CPU profiles of the gateway for the report (after the measured rounds)")
	flag.IntVar(&cfg.ProfileSeconds, "profile-seconds", 0, "length of each CPU profile (default 5s, quick 2s)")
	only := flag.String("only", "", "run only these workloads, comma-separated keys, or the sections events and multipart (experiments)")
	flag.BoolVar(&cfg.SkipRSS, "no-rss", false, "leave out the memory test (experiments)")
	flag.BoolVar(&cfg.SkipCurves, "no-curves", false, "leave out the growth curves (experiments)")
	flag.StringVar(&cfg.OutDir, "out", "", "directory of results.json and RESULTS.md (default bench, quick bench/tmp/quick)")
	flag.StringVar(&cfg.ProfileDir, "profiles", "", "directory of the gateway's CPU profiles (default bench/tmp/profiles)")
	flag.StringVar(&cfg.TempDir, "tmp", "", "parent of the temporary directory (MinIO data, gateway log)")
	flag.BoolVar(&cfg.KeepTemp, "keep", false, "keep the temporary directory")
	render := flag.Bool("render", false, "only rewrite RESULTS.md from the results.json in -out (default bench)")
	flag.Parse()
	if *render {
		dir := cfg.OutDir
		if dir == "" {
			dir = "bench"
		}
		if err := bench.Render(dir); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	cfg.RSSSize = *rssMiB << 20
	if cfg.OutDir == "" {
		// A quick run is a check, not a result: it leaves the committed
		// figures alone.
		cfg.OutDir = "bench"
		if cfg.Quick {
			cfg.OutDir = filepath.Join("bench", "tmp", "quick")
		}
	}
	for _, kv := range strings.Split(gatewayEnv, ",") {
		if kv = strings.TrimSpace(kv); kv != "" {
			cfg.GatewayEnv = append(cfg.GatewayEnv, kv)
		}
	}
	for _, k := range strings.Split(*only, ",") {
		if k = strings.TrimSpace(k); k != "" {
			cfg.Only = append(cfg.Only, k)
		}
	}
	cfg.Log = os.Stderr

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	res, err := bench.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	fmt.Printf("\nbench: done in %s; %s/RESULTS.md and %s/results.json written\n", time.Since(start).Round(time.Second), cfg.OutDir, cfg.OutDir)
	for _, t := range res.Targets {
		mark := "holds"
		if !t.Holds {
			mark = "NOT MET"
		}
		fmt.Printf("  %-70s %8.3f  %-7s %s\n", t.Name, t.Measured, t.Goal, mark)
	}
}

func isTrue(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}
