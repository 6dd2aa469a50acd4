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
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"s3gateway/config"
	"s3gateway/internal/minitest"
	"s3gateway/provision"
	"s3gateway/server"
	"s3gateway/tenants"
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
	if err := os.MkdirAll(filepath.Dir(o.report), 0o755); err == nil {
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
	tenantKey = "loadtest-key"
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
	dir, err := os.MkdirTemp("", "gateway-loadtest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	store, err := minitest.StartIn(dir, minitest.Options{})
	if err != nil {
		return nil, fmt.Errorf("start minio: %w", err)
	}
	defer store.Stop()

	reg, err := tenants.Parse([]byte(tenantsYAML))
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := provision.All(pctx, store.Admin, reg); err != nil {
		return nil, fmt.Errorf("provision: %w", err)
	}

	cfg, err := config.FromEnv(func(k string) string {
		if k == "GATEWAY_S3_ENDPOINT" {
			return store.Endpoint
		}
		return ""
	})
	if err != nil {
		return nil, err
	}
	cfg.PartSize = partSize
	cfg.ShutdownWait = 5 * time.Second
	logger := zap.NewNop()
	if o.verbose {
		lc := zap.NewDevelopmentConfig()
		lc.Level = zap.NewAtomicLevelAt(zapcore.WarnLevel)
		if logger, err = lc.Build(); err != nil {
			return nil, err
		}
	}
	srv, err := server.New(server.Options{Config: cfg, Tenants: reg, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srvCtx, stopServer := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(srvCtx, ln) }()
	defer func() { stopServer(); <-served }()

	gw := &gateway{
		base: "http://" + ln.Addr().String(),
		http: &http.Client{Transport: &http.Transport{
			MaxIdleConns: 4 * o.clients, MaxIdleConnsPerHost: 4 * o.clients, IdleConnTimeout: 30 * time.Second,
		}},
	}
	if err := gw.createBucket(ctx); err != nil {
		return nil, err
	}

	begin := time.Now()
	rep := &report{Clients: o.clients, Duration: o.duration.String(), Seed: o.seed, DownFor: o.down.String(), Grace: o.grace.String()}

	// The store's restart.
	var outage struct {
		start, ready time.Time
		err          error
	}
	restarted := make(chan struct{})
	go func() {
		defer close(restarted)
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

	// The clients.
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
wait:
	for {
		select {
		case <-done:
			break wait
		case <-tick.C:
			var n, failed int64
			for _, w := range workers {
				a, b := w.progress()
				n, failed = n+a, failed+b
			}
			fmt.Fprintf(progress, "%5.1fs %d operations, %d not 2xx\n", time.Since(begin).Seconds(), n, failed)
		}
	}
	<-restarted
	if outage.err != nil {
		return nil, fmt.Errorf("restart the store: %w\n%s", outage.err, store.Logs())
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

func round(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

// gateway is an HTTP client of the gateway as the load tenant.
type gateway struct {
	base string
	http *http.Client
}

func (g *gateway) request(ctx context.Context, method, path string, body io.Reader, size int64, hdr map[string]string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, g.base+path, body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.ContentLength = size // -1: chunked
	}
	req.Header.Set("Authorization", "Bearer "+tenantKey)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return g.http.Do(req)
}

func (g *gateway) createBucket(ctx context.Context) error {
	resp, err := g.request(ctx, http.MethodPost, "/api/v1/buckets", strings.NewReader(`{"name":"`+bucket+`"}`), -1, nil)
	if err != nil {
		return fmt.Errorf("create bucket: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("create bucket: %d %s", resp.StatusCode, b)
	}
	return nil
}

func (g *gateway) waitReady(ctx context.Context, limit time.Duration) error {
	end := time.Now().Add(limit)
	for time.Now().Before(end) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, g.base+"/readyz", nil)
		if resp, err := g.http.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("gateway not ready after %s", limit)
}

// The operations, and how often each is picked (out of the sum).
const (
	opPutSmall         = "put_small"
	opPutSmallChunked  = "put_small_unknown_size"
	opPutMedium        = "put_medium"
	opPutMediumChunked = "put_medium_unknown_size"
	opGet              = "get"
	opRangedGet        = "get_range"
	opStat             = "stat"
	opList             = "list"
	opDelete           = "delete"
	opCopy             = "copy"
	opVerify           = "verify"
	transportError     = "transport"
)

// Object sizes: small ones are single requests to the store; medium ones of
// unknown size span more than one part.
const (
	smallMax  = 64 << 10
	mediumMin = 1 << 20
	mediumMax = 7 << 20
)

var mix = []struct {
	op     string
	weight int
}{
	{opPutSmall, 18}, {opPutSmallChunked, 10}, {opPutMedium, 3}, {opPutMediumChunked, 3},
	{opGet, 22}, {opRangedGet, 12}, {opStat, 12}, {opList, 5}, {opDelete, 8}, {opCopy, 7},
}

// failure is a 5xx or transport error, with when it happened.
type failure struct {
	op, code   string
	status     int
	start, end time.Time
}

type opStats struct {
	count, ok int64
	latency   []time.Duration
}

// worker is one client: its own names, its ledger, its counters.
type worker struct {
	id   int
	gw   *gateway
	rng  *rand.Rand
	keys []string
	book map[string]*keyState

	mu                                 sync.Mutex
	ops                                map[string]*opStats
	codes                              map[string]int64
	failures                           []failure
	acked                              int64
	corruptBytes, corruptReads         int64
	missingReads, unexpected, listDiff int64
	lost, verified, verifyErrors       int64
}

func newWorker(id int, gw *gateway, o options) *worker {
	w := &worker{
		id: id, gw: gw,
		rng:  rand.New(rand.NewPCG(o.seed, uint64(id))),
		book: map[string]*keyState{},
		ops:  map[string]*opStats{}, codes: map[string]int64{},
	}
	for j := 0; j < o.keys; j++ {
		name := fmt.Sprintf("c%02d/k%02d", id, j)
		if j%4 == 3 { // names that need percent-encoding
			name = fmt.Sprintf("c%02d/dir %d/ü+%%#k%02d.bin", id, j%3, j)
		}
		w.keys = append(w.keys, name)
		w.book[name] = newKeyState()
	}
	return w
}

func (w *worker) progress() (ops, failed int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.ops {
		ops += s.count
		failed += s.count - s.ok
	}
	return ops, failed
}

func (w *worker) loop(ctx context.Context, deadline time.Time) {
	total := 0
	for _, m := range mix {
		total += m.weight
	}
	for ctx.Err() == nil && time.Now().Before(deadline) {
		n := w.rng.IntN(total)
		for _, m := range mix {
			if n -= m.weight; n < 0 {
				w.do(ctx, m.op)
				break
			}
		}
	}
}

func (w *worker) pick() string { return w.keys[w.rng.IntN(len(w.keys))] }

// pickPresent returns a name certainly present, if any.
func (w *worker) pickPresent() (string, version, bool) {
	start := w.rng.IntN(len(w.keys))
	for i := range w.keys {
		name := w.keys[(start+i)%len(w.keys)]
		if o, ok := w.book[name].certain(); ok && o.present {
			return name, o.v, true
		}
	}
	return "", version{}, false
}

func objectPath(kind, name string) string {
	segs := strings.Split(name, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return "/api/v1/buckets/" + bucket + "/" + kind + "/" + strings.Join(segs, "/")
}

// result is the outcome of one request.
type result struct {
	status int
	code   string // error code of a non-2xx answer; "transport" when there is none
	body   []byte // a JSON answer
}

func (r result) ok() bool { return r.code == "" && r.status >= 200 && r.status < 300 }

// call makes one request and records it. read, when set, consumes a 2xx
// body (a read error counts as a transport error); other bodies are read
// whole.
func (w *worker) call(ctx context.Context, op, method, path string, body io.Reader, size int64, hdr map[string]string, read func(io.Reader) error) result {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	start := time.Now()
	var res result
	resp, err := w.gw.request(ctx, method, path, body, size, hdr)
	if err != nil {
		res.code = transportError
	} else {
		res.status = resp.StatusCode
		switch {
		case resp.StatusCode < 300 && read != nil:
			if err := read(resp.Body); err != nil {
				res.code = transportError
			}
		default:
			res.body, err = io.ReadAll(io.LimitReader(resp.Body, 8<<20))
			if err != nil {
				res.code = transportError
			} else if resp.StatusCode >= 300 {
				var e struct {
					Error struct{ Code string } `json:"error"`
				}
				if json.Unmarshal(res.body, &e) != nil || e.Error.Code == "" {
					e.Error.Code = fmt.Sprintf("status%d", resp.StatusCode)
				}
				res.code = e.Error.Code
			}
		}
		resp.Body.Close()
	}
	w.record(op, res, start, time.Now())
	return res
}

func (w *worker) record(op string, res result, start, end time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.ops[op]
	if s == nil {
		s = &opStats{}
		w.ops[op] = s
	}
	s.count++
	s.latency = append(s.latency, end.Sub(start))
	if res.ok() {
		s.ok++
		return
	}
	w.codes[res.code]++
	if res.code == transportError || res.status >= 500 {
		w.failures = append(w.failures, failure{op: op, code: res.code, status: res.status, start: start, end: end})
	}
}

func (w *worker) count(field *int64, n int64) {
	w.mu.Lock()
	*field += n
	w.mu.Unlock()
}

func (w *worker) do(ctx context.Context, op string) {
	switch op {
	case opPutSmall, opPutSmallChunked, opPutMedium, opPutMediumChunked:
		size := 1 + w.rng.Int64N(smallMax)
		if op == opPutMedium || op == opPutMediumChunked {
			size = mediumMin + w.rng.Int64N(mediumMax-mediumMin)
		}
		w.put(ctx, op, w.pick(), version{Seed: w.rng.Uint64(), Size: size}, op == opPutSmallChunked || op == opPutMediumChunked)
	case opGet:
		w.get(ctx, op, w.pick())
	case opRangedGet:
		w.rangedGet(ctx)
	case opStat:
		w.stat(ctx)
	case opList:
		w.list(ctx, op)
	case opDelete:
		name := w.pick()
		res := w.call(ctx, op, http.MethodDelete, objectPath("objects", name), nil, 0, nil, nil)
		if res.ok() {
			w.book[name].acknowledged(outcome{})
		} else {
			w.book[name].unsure(outcome{})
		}
	case opCopy:
		src, v, ok := w.pickPresent()
		if !ok {
			return
		}
		dst := w.pick()
		if dst == src {
			return
		}
		b, _ := json.Marshal(map[string]any{"name": dst, "source": map[string]string{"bucket": bucket, "name": src}})
		res := w.call(ctx, op, http.MethodPost, "/api/v1/buckets/"+bucket+"/copy", strings.NewReader(string(b)), int64(len(b)),
			map[string]string{"Content-Type": "application/json"}, nil)
		if res.ok() {
			w.book[dst].acknowledged(outcome{present: true, v: v})
			w.count(&w.acked, 1)
		} else {
			w.book[dst].unsure(outcome{present: true, v: v})
		}
	}
}

func (w *worker) put(ctx context.Context, op, name string, v version, chunked bool) {
	size := v.Size
	if chunked {
		size = -1
	}
	res := w.call(ctx, op, http.MethodPut, objectPath("objects", name), v.reader(0), size,
		map[string]string{"Content-Type": "application/octet-stream", "X-Meta-Seed": fmt.Sprint(v.Seed)}, nil)
	o := outcome{present: true, v: v}
	if !res.ok() {
		w.book[name].unsure(o)
		return
	}
	var up struct{ Size int64 }
	if json.Unmarshal(res.body, &up) != nil || up.Size != v.Size {
		w.count(&w.corruptReads, 1) // the acknowledgement itself is wrong
	}
	w.book[name].acknowledged(o)
	w.count(&w.acked, 1)
}

// get reads a whole object and checks it against the ledger.
func (w *worker) get(ctx context.Context, op, name string) {
	st := w.book[name]
	cands := st.versions()
	var match int
	var corrupt int64
	res := w.call(ctx, op, http.MethodGet, objectPath("objects", name), nil, 0, nil, func(body io.Reader) error {
		if len(cands) == 0 {
			_, err := io.Copy(io.Discard, body)
			return err
		}
		var err error
		match, corrupt, err = compare(body, cands, 0, -1)
		return err
	})
	w.judgeRead(res, st, len(cands), match, corrupt)
}

func (w *worker) judgeRead(res result, st *keyState, cands, match int, corrupt int64) {
	switch {
	case res.ok() && cands == 0:
		w.count(&w.unexpected, 1) // deleted (or never written), yet there
	case res.ok() && match < 0:
		w.count(&w.corruptReads, 1)
		w.count(&w.corruptBytes, corrupt)
	case res.code == "NoSuchKey" && !st.mayBeAbsent():
		w.count(&w.missingReads, 1)
	}
}

// rangedGet reads a random range of an object whose content is certain.
func (w *worker) rangedGet(ctx context.Context) {
	name, v, ok := w.pickPresent()
	if !ok {
		w.get(ctx, opRangedGet, w.pick())
		return
	}
	off := w.rng.Int64N(v.Size)
	n := 1 + w.rng.Int64N(v.Size-off)
	var match int
	var corrupt int64
	path, hdr := objectPath("objects", name), map[string]string{}
	if w.rng.IntN(2) == 0 {
		hdr["Range"] = fmt.Sprintf("bytes=%d-%d", off, off+n-1)
	} else {
		path += fmt.Sprintf("?offset=%d&length=%d", off, n)
	}
	res := w.call(ctx, opRangedGet, http.MethodGet, path, nil, 0, hdr, func(body io.Reader) error {
		var err error
		match, corrupt, err = compare(body, []version{v}, off, n)
		return err
	})
	if res.ok() && res.status != http.StatusPartialContent {
		match, corrupt = -1, n // the whole object where a range was asked for
	}
	w.judgeRead(res, w.book[name], 1, match, corrupt)
}

// stat checks the size the gateway reports.
func (w *worker) stat(ctx context.Context) {
	name := w.pick()
	st := w.book[name]
	res := w.call(ctx, opStat, http.MethodGet, objectPath("stat", name), nil, 0, nil, nil)
	if !res.ok() {
		w.judgeRead(res, st, 1, 0, 0)
		return
	}
	var info struct{ Size int64 }
	_ = json.Unmarshal(res.body, &info)
	for _, v := range st.versions() {
		if v.Size == info.Size {
			return
		}
	}
	if len(st.versions()) == 0 {
		w.count(&w.unexpected, 1)
		return
	}
	w.count(&w.corruptReads, 1)
}

// list lists the worker's names and compares them with the ledger.
func (w *worker) list(ctx context.Context, op string) bool {
	seen := map[string]int64{}
	cursor := ""
	for {
		q := url.Values{"prefix": {fmt.Sprintf("c%02d/", w.id)}, "recursive": {"true"}, "limit": {"5"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		res := w.call(ctx, op, http.MethodGet, "/api/v1/buckets/"+bucket+"/objects?"+q.Encode(), nil, 0, nil, nil)
		if !res.ok() {
			return false
		}
		var page struct {
			Objects []struct {
				Name string
				Size int64
			}
			NextCursor string
			Truncated  bool
		}
		if err := json.Unmarshal(res.body, &page); err != nil {
			w.count(&w.listDiff, 1)
			return false
		}
		for _, o := range page.Objects {
			seen[o.Name] = o.Size
		}
		if !page.Truncated {
			break
		}
		cursor = page.NextCursor
	}
	for _, name := range w.keys {
		o, certain := w.book[name].certain()
		size, listed := seen[name]
		if certain && (listed != o.present || listed && size != o.v.Size) {
			w.count(&w.listDiff, 1)
		}
		delete(seen, name)
	}
	w.count(&w.listDiff, int64(len(seen))) // names no one wrote
	return true
}

// verify checks every name against the ledger once the run is over,
// retrying what fails for a while.
func (w *worker) verify(ctx context.Context) {
	for _, name := range w.keys {
		st := w.book[name]
		cands := st.versions()
		for attempt := 0; ; attempt++ {
			var match int
			var corrupt int64
			res := w.call(ctx, opVerify, http.MethodGet, objectPath("objects", name), nil, 0, nil, func(body io.Reader) error {
				if len(cands) == 0 {
					_, err := io.Copy(io.Discard, body)
					return err
				}
				var err error
				match, corrupt, err = compare(body, cands, 0, -1)
				return err
			})
			switch {
			case res.ok() && len(cands) == 0:
				w.count(&w.unexpected, 1)
			case res.ok() && match < 0:
				w.count(&w.corruptReads, 1)
				w.count(&w.corruptBytes, corrupt)
			case res.ok():
				w.count(&w.verified, 1)
			case res.code == "NoSuchKey" && st.mayBeAbsent():
				w.count(&w.verified, 1)
			case res.code == "NoSuchKey":
				w.count(&w.lost, 1)
			case attempt < 10 && ctx.Err() == nil:
				time.Sleep(time.Second)
				continue
			default:
				w.count(&w.verifyErrors, 1)
			}
			break
		}
	}
	for attempt := 0; !w.list(ctx, opVerify) && attempt < 10 && ctx.Err() == nil; attempt++ {
		time.Sleep(time.Second)
	}
}

// report is what the run found.
type report struct {
	Clients  int           `json:"clients"`
	Duration string        `json:"duration"`
	Seed     uint64        `json:"seed"`
	DownFor  string        `json:"storeDownFor"`
	Grace    string        `json:"grace"`
	Outage   *outageReport `json:"outage"`

	Operations   map[string]opReport `json:"operations"`
	ErrorsByCode map[string]int64    `json:"errorsByCode"`

	AcknowledgedWrites int64 `json:"acknowledgedWrites"`
	ObjectsVerified    int64 `json:"objectsVerified"`

	CorruptBytes           int64 `json:"corruptBytes"`
	CorruptReads           int64 `json:"corruptReads"`
	LostObjects            int64 `json:"lostObjects"`
	MissingReads           int64 `json:"missingReads"`
	UnexpectedObjects      int64 `json:"unexpectedObjects"`
	ListingMismatches      int64 `json:"listingMismatches"`
	VerifyErrors           int64 `json:"verifyErrors"`
	Status5xxInWindow      int64 `json:"status5xxInOutageWindow"`
	Status5xxOutsideWindow int64 `json:"status5xxOutsideOutageWindow"`
	TransportInWindow      int64 `json:"transportErrorsInOutageWindow"`
	TransportOutsideWindow int64 `json:"transportErrorsOutsideOutageWindow"`
	// OutsideWindow lists the first failures outside the window.
	OutsideWindow []string `json:"failuresOutsideWindow,omitempty"`

	Pass    bool     `json:"pass"`
	Reasons []string `json:"reasons,omitempty"`
}

type outageReport struct {
	StartSec      float64 `json:"startSec"`
	StoreReadySec float64 `json:"storeReadySec"`
	WindowEndSec  float64 `json:"windowEndSec"`
	// The first and last failed request (5xx or transport error) that
	// overlapped the window: how long the gateway took to notice the store
	// was gone, and to recover once it was back.
	FirstFailureSec float64 `json:"firstFailureSec,omitempty"`
	LastFailureSec  float64 `json:"lastFailureSec,omitempty"`
}

type opReport struct {
	Count  int64   `json:"count"`
	OK     int64   `json:"ok"`
	P50Ms  float64 `json:"p50Ms"`
	P99Ms  float64 `json:"p99Ms"`
	MaxMs  float64 `json:"maxMs"`
	Non2xx int64   `json:"non2xx"` // failures, and expected answers such as 404 for a deleted name
}

func (r *report) collect(workers []*worker, begin, winStart, winEnd time.Time) {
	var first, last time.Time
	r.Operations, r.ErrorsByCode = map[string]opReport{}, map[string]int64{}
	lat := map[string][]time.Duration{}
	for _, w := range workers {
		w.mu.Lock()
		for op, s := range w.ops {
			o := r.Operations[op]
			o.Count += s.count
			o.OK += s.ok
			o.Non2xx = o.Count - o.OK
			r.Operations[op] = o
			lat[op] = append(lat[op], s.latency...)
		}
		for c, n := range w.codes {
			r.ErrorsByCode[c] += n
		}
		r.AcknowledgedWrites += w.acked
		r.ObjectsVerified += w.verified
		r.CorruptBytes += w.corruptBytes
		r.CorruptReads += w.corruptReads
		r.LostObjects += w.lost
		r.MissingReads += w.missingReads
		r.UnexpectedObjects += w.unexpected
		r.ListingMismatches += w.listDiff
		r.VerifyErrors += w.verifyErrors
		for _, f := range w.failures {
			inWindow := !winStart.IsZero() && f.start.Before(winEnd) && f.end.After(winStart)
			if inWindow && (first.IsZero() || f.start.Before(first)) {
				first = f.start
			}
			if inWindow && f.end.After(last) {
				last = f.end
			}
			switch {
			case inWindow && f.code == transportError:
				r.TransportInWindow++
			case inWindow:
				r.Status5xxInWindow++
			case f.code == transportError:
				r.TransportOutsideWindow++
			default:
				r.Status5xxOutsideWindow++
			}
			if !inWindow && len(r.OutsideWindow) < 20 {
				r.OutsideWindow = append(r.OutsideWindow, fmt.Sprintf("%s %s %d at %s", f.op, f.code, f.status, f.end.Format(time.RFC3339Nano)))
			}
		}
		w.mu.Unlock()
	}
	if r.Outage != nil && !first.IsZero() {
		r.Outage.FirstFailureSec = round(first.Sub(begin).Seconds())
		r.Outage.LastFailureSec = round(last.Sub(begin).Seconds())
	}
	for op, ds := range lat {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		o := r.Operations[op]
		ms := func(d time.Duration) float64 { return round(float64(d.Microseconds()) / 1000) }
		o.P50Ms, o.P99Ms, o.MaxMs = ms(ds[len(ds)/2]), ms(ds[len(ds)*99/100]), ms(ds[len(ds)-1])
		r.Operations[op] = o
	}

	check := func(n int64, what string) {
		if n != 0 {
			r.Reasons = append(r.Reasons, fmt.Sprintf("%d %s", n, what))
		}
	}
	check(r.CorruptBytes, "corrupt bytes")
	check(r.CorruptReads, "reads or acknowledgements that disagree with what was written")
	check(r.LostObjects, "acknowledged objects lost")
	check(r.MissingReads, "reads of acknowledged objects that found nothing")
	check(r.UnexpectedObjects, "deleted objects still there")
	check(r.ListingMismatches, "listing entries that disagree with the ledger")
	check(r.VerifyErrors, "objects that could not be verified")
	check(r.Status5xxOutsideWindow, "5xx answers outside the outage window")
	check(r.TransportOutsideWindow, "transport errors outside the outage window")
	if r.Outage == nil {
		r.Reasons = append(r.Reasons, "the store was never restarted (duration too short?)")
	}
	if r.AcknowledgedWrites == 0 {
		r.Reasons = append(r.Reasons, "no write was acknowledged")
	}
	r.Pass = len(r.Reasons) == 0
}

// summary is the report for people.
func (r *report) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "load test: %d clients for %s, seed %d\n", r.Clients, r.Duration, r.Seed)
	if r.Outage != nil {
		fmt.Fprintf(&b, "store restart: down at %.1fs, ready at %.1fs, outage window until %.1fs; failures in it from %.1fs to %.1fs\n",
			r.Outage.StartSec, r.Outage.StoreReadySec, r.Outage.WindowEndSec, r.Outage.FirstFailureSec, r.Outage.LastFailureSec)
	}
	ops := make([]string, 0, len(r.Operations))
	for op := range r.Operations {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	fmt.Fprintf(&b, "%-24s %8s %8s %9s %9s %9s\n", "operation", "count", "non-2xx", "p50 ms", "p99 ms", "max ms")
	for _, op := range ops {
		o := r.Operations[op]
		fmt.Fprintf(&b, "%-24s %8d %8d %9.1f %9.1f %9.1f\n", op, o.Count, o.Non2xx, o.P50Ms, o.P99Ms, o.MaxMs)
	}
	codes := make([]string, 0, len(r.ErrorsByCode))
	for c := range r.ErrorsByCode {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	b.WriteString("errors by code:")
	for _, c := range codes {
		fmt.Fprintf(&b, " %s=%d", c, r.ErrorsByCode[c])
	}
	fmt.Fprintf(&b, "\nacknowledged writes %d, objects verified %d, corrupt bytes %d, lost objects %d\n",
		r.AcknowledgedWrites, r.ObjectsVerified, r.CorruptBytes, r.LostObjects)
	fmt.Fprintf(&b, "5xx in outage window %d, outside %d; transport errors in window %d, outside %d\n",
		r.Status5xxInWindow, r.Status5xxOutsideWindow, r.TransportInWindow, r.TransportOutsideWindow)
	if r.Pass {
		b.WriteString("PASS")
	} else {
		b.WriteString("FAIL: " + strings.Join(r.Reasons, "; "))
	}
	return b.String()
}
