// Command loadtest puts a mixed load on the gateway in front of a real
// MinIO that it starts itself, restarts the store in the middle, and then
// checks that every write the gateway acknowledged is there, byte for byte.
//
//	go run ./cmd/loadtest [-clients 32] [-duration 60s] [-down 3s] [-report loadtest/report.json]
//
// N clients each work on their own object names (so that the ledger of each
// name is exact), doing puts of small and medium objects with and without a
// Content-Length (the latter through multipart uploads), full and ranged
// gets checked against the content written, stats, listings, deletes and
// copies. A write the gateway answered 201 (a delete 204) is acknowledged; a
// write that failed may or may not have happened, and the ledger keeps both
// possibilities until the next acknowledged change of that name.
//
// The outage window runs from the start of the restart to the moment the
// store is ready again plus a grace period (-grace, by default long enough
// for the gateway's fail-fast cool-down to let traffic through again). A
// request whose lifetime overlaps the window may fail; any other 5xx or
// transport error fails the run.
//
// The run fails (exit status 1) unless there are no corrupt bytes, no lost
// acknowledged objects, no 5xx or transport errors outside the outage
// window, and no inconsistent reads (an acknowledged object missing, a
// deleted one present, a listing that disagrees with the ledger). The report
// is printed and written as JSON to -report.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"s3gateway/access"
	"s3gateway/config"
	"s3gateway/internal/minioproc"
	"s3gateway/provision"
	"s3gateway/server"
)

type options struct {
	clients   int
	duration  time.Duration
	restartAt time.Duration // 0: half the duration
	down      time.Duration
	grace     time.Duration
	report    string
	seed      uint64
	keys      int // object names per client
	verbose   bool
}

func main() {
	var o options
	flag.IntVar(&o.clients, "clients", 32, "concurrent clients")
	flag.DurationVar(&o.duration, "duration", 60*time.Second, "how long the clients run")
	flag.DurationVar(&o.restartAt, "restart-at", 0, "when the store is restarted (default: half the duration)")
	flag.DurationVar(&o.down, "down", 3*time.Second, "how long the store stays down")
	flag.DurationVar(&o.grace, "grace", 10*time.Second, "how long after the store is ready 5xx are still expected")
	flag.StringVar(&o.report, "report", "loadtest/report.json", "where the JSON report is written")
	flag.Uint64Var(&o.seed, "seed", 0, "seed of the operation mix and contents (default: from the clock)")
	flag.IntVar(&o.keys, "keys", 12, "object names per client")
	flag.BoolVar(&o.verbose, "v", false, "log the gateway's warnings and errors to stderr")
	flag.Parse()
	if o.clients < 1 || o.duration <= 0 || o.keys < 2 {
		fmt.Fprintln(os.Stderr, "loadtest: -clients must be at least 1, -duration positive, -keys at least 2")
		os.Exit(2)
	}
	if o.restartAt <= 0 {
		o.restartAt = o.duration / 2
	}
	if o.seed == 0 {
		o.seed = uint64(time.Now().UnixNano())
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := run(ctx, o, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(2)
	}
	out, _ := json.MarshalIndent(rep, "", "  ")
	fmt.Println(rep.summary())
	fmt.Println(string(out))
	err = os.MkdirAll(filepath.Dir(o.report), 0o755)
	if err == nil {
		err = os.WriteFile(o.report, append(out, '\n'), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest: write report:", err)
		os.Exit(2)
	}
	if !rep.Pass {
		os.Exit(1)
	}
}

const (
	tenantKey = "loadtest-key-0123456789abcdefghijk"
	bucket    = "load"
	partSize  = 5 << 20 // S3's smallest part: medium uploads of unknown size go multipart
)

var tenantsYAML = `
tenants:
  - id: load
    bucketPrefix: load-
    apiKeys: ["` + tenantKey + `"]
    s3: {accessKey: loadtest-svc, secretKey: loadtest-secret-value}
`

// run starts the store and the gateway, runs the clients, restarts the store
// midway and verifies the ledger.
func run(ctx context.Context, o options, progress io.Writer) (*report, error) {
	st, err := startStack(ctx, o)
	if err != nil {
		return nil, err
	}
	defer st.close()
	gw := st.gw
	if err := gw.createBucket(ctx); err != nil {
		return nil, err
	}

	begin := time.Now()
	rep := &report{Clients: o.clients, Duration: o.duration.String(), Seed: o.seed, DownFor: o.down.String(), Grace: o.grace.String()}
	outage := restartStore(ctx, st.store, o, begin, progress)
	workers := runClients(ctx, gw, o, begin, progress)
	<-outage.done
	if outage.err != nil {
		return nil, fmt.Errorf("restart the store: %w\n%s", outage.err, st.store.Logs())
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	// The verification, once the gateway is ready.
	fmt.Fprintf(progress, "%5.1fs verifying every object\n", time.Since(begin).Seconds())
	if err := gw.waitReady(ctx, time.Minute); err != nil {
		return nil, err
	}
	for _, w := range workers {
		w.verify(ctx)
	}

	var window struct{ start, end time.Time }
	if !outage.start.IsZero() {
		window.start, window.end = outage.start, outage.ready.Add(o.grace)
		rep.Outage = &outageReport{
			StartSec:      round(outage.start.Sub(begin).Seconds()),
			StoreReadySec: round(outage.ready.Sub(begin).Seconds()),
			WindowEndSec:  round(window.end.Sub(begin).Seconds()),
		}
	}
	rep.collect(workers, begin, window.start, window.end)
	return rep, nil
}

// stack is the store and the gateway under load.
type stack struct {
	store *minioproc.Server
	gw    *gateway
	undo  []func() // what close does, in reverse order
}

// close stops what startStack started and removes its files.
func (s *stack) close() {
	for i := len(s.undo) - 1; i >= 0; i-- {
		s.undo[i]()
	}
}

// startStack starts a store with the load's tenant provisioned and a
// gateway in front of it.
func startStack(ctx context.Context, o options) (_ *stack, err error) {
	s := &stack{}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	reg, err := s.startStore(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.startGateway(o, reg); err != nil {
		return nil, err
	}
	return s, nil
}

// startStore starts MinIO in a temporary directory and provisions the
// load's tenant.
func (s *stack) startStore(ctx context.Context) (*access.Registry, error) {
	dir, err := os.MkdirTemp("", "gateway-loadtest-")
	if err != nil {
		return nil, err
	}
	s.undo = append(s.undo, func() { os.RemoveAll(dir) })
	if s.store, err = minioproc.Start(dir, minioproc.Options{}); err != nil {
		return nil, fmt.Errorf("start minio: %w", err)
	}
	s.undo = append(s.undo, s.store.Stop)

	reg, err := access.Parse([]byte(tenantsYAML))
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := provision.All(pctx, s.store.Admin, reg); err != nil {
		return nil, fmt.Errorf("provision: %w", err)
	}
	return reg, nil
}

// startGateway serves the gateway on a free local port.
func (s *stack) startGateway(o options, reg *access.Registry) error {
	eventsDir, err := os.MkdirTemp("", "gateway-loadtest-events-")
	if err != nil {
		return err
	}
	s.undo = append(s.undo, func() { os.RemoveAll(eventsDir) })
	cfg, err := config.FromEnv(func(k string) string {
		switch k {
		case "GATEWAY_S3_ENDPOINT":
			return s.store.Endpoint
		case "GATEWAY_NATS_LISTEN": // the load has no event streams
			return "127.0.0.1:0"
		case "GATEWAY_DATA_DIR":
			return eventsDir
		}
		return ""
	})
	if err != nil {
		return err
	}
	cfg.PartSize = partSize
	cfg.ShutdownGrace = 5 * time.Second
	logger := zap.NewNop()
	if o.verbose {
		lc := zap.NewDevelopmentConfig()
		lc.Level = zap.NewAtomicLevelAt(zapcore.WarnLevel)
		if logger, err = lc.Build(); err != nil {
			return err
		}
	}
	srv, err := server.New(server.Options{Config: cfg, Tenants: reg, Logger: logger})
	if err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srvCtx, stopServer := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(srvCtx, ln) }()
	s.undo = append(s.undo, func() { stopServer(); <-served })

	s.gw = &gateway{
		base: "http://" + ln.Addr().String(),
		http: &http.Client{Transport: &http.Transport{
			MaxIdleConns: 4 * o.clients, MaxIdleConnsPerHost: 4 * o.clients, IdleConnTimeout: 30 * time.Second,
		}},
	}
	return nil
}

// storeOutage is the store's restart: when it went down and was ready
// again (zero if it never was restarted); done closes once it is over.
type storeOutage struct {
	start, ready time.Time
	err          error
	done         chan struct{}
}

// restartStore restarts the store o.restartAt after begin, unless ctx ends
// first. The outage's fields may be read once done is closed.
func restartStore(ctx context.Context, store *minioproc.Server, o options, begin time.Time, progress io.Writer) *storeOutage {
	outage := &storeOutage{done: make(chan struct{})}
	go func() {
		defer close(outage.done)
		select {
		case <-time.After(o.restartAt):
		case <-ctx.Done():
			return
		}
		fmt.Fprintf(progress, "%5.1fs restarting the store (down %s)\n", time.Since(begin).Seconds(), o.down)
		outage.start = time.Now()
		outage.err = store.Restart(o.down)
		outage.ready = time.Now()
		fmt.Fprintf(progress, "%5.1fs store ready again\n", time.Since(begin).Seconds())
	}()
	return outage
}

// runClients runs o.clients workers until o.duration after begin (or ctx
// ends), reporting progress every 5 seconds, and returns them once all
// are done.
func runClients(ctx context.Context, gw *gateway, o options, begin time.Time, progress io.Writer) []*worker {
	deadline := begin.Add(o.duration)
	workers := make([]*worker, o.clients)
	var wg sync.WaitGroup
	for i := range workers {
		w := newWorker(i, gw, o)
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop(ctx, deadline)
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return workers
		case <-tick.C:
			var n, failed int64
			for _, w := range workers {
				a, b := w.progress()
				n, failed = n+a, failed+b
			}
			fmt.Fprintf(progress, "%5.1fs %d operations, %d not 2xx\n", time.Since(begin).Seconds(), n, failed)
		}
	}
}

func round(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }
