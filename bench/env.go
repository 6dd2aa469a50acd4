package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/minio/madmin-go/v3"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"s3gateway/access"
	"s3gateway/internal/minioproc"
	"s3gateway/provision"
)

// The tenant the benchmark provisions, and its bucket as the tenant names it.
const (
	tenantID     = "bench"
	bucketPrefix = "bench-"
	bucketName   = "data"
)

// env is MinIO, the gateway process in front of it, one tenant, and a
// client for each path.
type env struct {
	cfg  Config
	dir  string
	mini *minioproc.Server // nil for an external MinIO

	minioHost  string       // host:port of the store
	minioPID   int          // 0 when MinIO is not ours
	gatewayURL string       // of the gateway under test
	gateway    *gatewayProc // the gateway under test
	// gatewayStd is a second gateway with the standard transport for object
	// reads (GATEWAY_ZERO_COPY_READS=false), for the splice decision.
	gatewayStd *gatewayProc
	nginx      *proc
	nginxURL   string
	console    *proc
	consoleURL string
	tenant     *access.Tenant

	apiKey string
	phys   string // the bucket's name in the store

	direct      *minio.Client // the tenant's credentials, straight to the store
	nginxClient *minio.Client // the same, through nginx
	http        *http.Client  // plain HTTP to the gateways
	consoleHTTP *http.Client  // Console, with its session cookie
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// setup starts (or reaches) MinIO, provisions the tenant, starts the
// gateway as its own process and creates the bucket.
func setup(ctx context.Context, cfg Config) (_ *env, err error) {
	dir, err := os.MkdirTemp(cfg.TempDir, "s3gateway-bench-")
	if err != nil {
		return nil, err
	}
	e := &env{cfg: cfg, dir: dir, phys: bucketPrefix + bucketName}
	defer func() {
		if err != nil {
			e.close()
		}
	}()

	var admin *madmin.AdminClient
	if cfg.MinIOEndpoint == "" {
		if e.mini, err = minioproc.Start(filepath.Join(dir, "minio"), minioproc.Options{}); err != nil {
			return nil, err
		}
		e.minioHost, admin = e.mini.Addr, e.mini.Admin
		e.minioPID = findPID(e.mini.DataDir)
	} else {
		u, err := url.Parse(cfg.MinIOEndpoint)
		if err != nil || u.Host == "" || u.Scheme != "http" {
			return nil, fmt.Errorf("minio endpoint %q: want http://host:port", cfg.MinIOEndpoint)
		}
		e.minioHost = u.Host
		if admin, err = provision.NewAdmin(u.Host, false, cfg.MinIORootUser, cfg.MinIORootPassword); err != nil {
			return nil, fmt.Errorf("admin client: %w", err)
		}
	}

	t := &access.Tenant{
		ID: tenantID, BucketPrefix: bucketPrefix,
		AccessKey: "bench-" + randomHex(6), SecretKey: randomHex(20),
	}
	e.apiKey = randomHex(16)
	pctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := provision.Tenant(pctx, admin, t); err != nil {
		return nil, err
	}
	tenantsFile := filepath.Join(dir, "tenants.yaml")
	if err := writeTenants(tenantsFile, t, e.apiKey, 0); err != nil {
		return nil, err
	}

	// The direct path is minio-go as an application would use it: default
	// options (and transport), the tenant's own credentials.
	if e.direct, err = minio.New(e.minioHost, &minio.Options{
		Creds: credentials.NewStaticV4(t.AccessKey, t.SecretKey, ""),
	}); err != nil {
		return nil, err
	}
	e.http = &http.Client{Transport: &http.Transport{
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}}

	e.tenant = t
	if e.gateway, err = e.startGateway(ctx, pathGateway, tenantsFile); err != nil {
		return nil, err
	}
	e.gatewayURL = e.gateway.url
	if e.gatewayStd, err = e.startGateway(ctx, pathGatewayStd, tenantsFile, "GATEWAY_ZERO_COPY_READS=false"); err != nil {
		return nil, err
	}
	if err := e.startPeers(ctx); err != nil {
		return nil, err
	}
	if err := e.createBucket(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startGateway runs the gateway binary with its configuration in GATEWAY_*
// variables (extra after the benchmark's own), its log in the temporary
// directory, and waits until it is healthy.
func (e *env) startGateway(ctx context.Context, name, tenantsFile string, extra ...string) (*gatewayProc, error) {
	bin, err := filepath.Abs(e.cfg.GatewayBin)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("gateway binary: %w (run make build)", err)
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	env := []string{
		"GATEWAY_ADDR=" + addr,
		"GATEWAY_S3_ENDPOINT=http://" + e.minioHost,
		"GATEWAY_TENANTS_FILE=" + tenantsFile,
		"GATEWAY_LOG_LEVEL=info",
		"GATEWAY_NATS_LISTEN=127.0.0.1:0",
		"GATEWAY_DATA_DIR=" + filepath.Join(e.dir, name+"-data"),
		// The event-stream curve opens up to 1,000 streams of one tenant.
		"GATEWAY_MAX_STREAMS_PER_TENANT=0",
	}
	if e.cfg.PprofAddr != "" && name == pathGateway {
		env = append(env, "GATEWAY_PPROF_ADDR="+e.cfg.PprofAddr)
	}
	env = append(env, e.cfg.GatewayEnv...)
	env = append(env, extra...)
	p, err := startProc(name, e.dir, env, bin)
	if err != nil {
		return nil, err
	}
	g := &gatewayProc{proc: p, url: "http://" + addr}
	if err := p.waitHTTP(ctx, g.url+"/healthz", http.StatusOK, 60*time.Second); err != nil {
		p.stop()
		return nil, err
	}
	return g, nil
}

// gatewayProc is a running gateway.
type gatewayProc struct {
	*proc
	url string // http://127.0.0.1:port
}

func (e *env) gatewayPID() int { return e.gateway.pid() }

func (e *env) createBucket(ctx context.Context) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.gatewayURL+"/api/v1/buckets",
		strings.NewReader(`{"name":"`+bucketName+`"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusConflict {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("create bucket: %s: %s", resp.Status, b)
	}
	return nil
}

// do sends req to a gateway with the tenant's key.
func (e *env) do(req *http.Request) (*http.Response, error) {
	req.Header.Set("Authorization", "Bearer "+e.apiKey)
	return e.http.Do(req)
}

// objectURL is the URL of an object on the gateway at base; benchmark
// names need no escaping.
func objectURL(base, name string) string {
	return base + "/api/v1/buckets/" + bucketName + "/objects/" + name
}

// close stops the gateway and MinIO and removes the temporary directory.
func (e *env) close() {
	for _, g := range []*gatewayProc{e.gateway, e.gatewayStd} {
		if g != nil {
			g.stop()
		}
	}
	e.nginx.stop()
	e.console.stop()
	if e.mini != nil {
		e.mini.Stop()
	} else if e.direct != nil {
		e.emptyBucket()
	}
	if !e.cfg.KeepTemp {
		_ = os.RemoveAll(e.dir)
	}
}

// emptyBucket removes what the benchmark stored in an external MinIO.
func (e *env) emptyBucket() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	objs := e.direct.ListObjects(ctx, e.phys, minio.ListObjectsOptions{Recursive: true})
	for r := range e.direct.RemoveObjects(ctx, e.phys, objs, minio.RemoveObjectsOptions{}) {
		_ = r
	}
	_ = e.direct.RemoveBucket(ctx, e.phys)
}

// procStatus reads VmRSS and VmHWM (KiB) of pid.
func procStatus(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		f := strings.Fields(string(v))
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		switch string(k) {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	if rss == 0 {
		return 0, 0, errors.New("no VmRSS in /proc status")
	}
	return rss, hwm, nil
}

// cpuSeconds is the user and system CPU time pid has used (all threads).
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command may hold spaces; the fields after it are fixed.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / clockTicks
}

// threadCPUSeconds is the time pid's live threads have spent on a CPU, to
// the nanosecond (/proc/<pid>/task/*/schedstat), for a short stretch that
// cpuSeconds's 10 ms ticks would blur. A thread that has ended is no
// longer counted; a Go program's threads live as long as it does.
func threadCPUSeconds(pid int) float64 {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	var ns int64
	for _, t := range tasks {
		b, err := os.ReadFile(dir + "/" + t.Name() + "/schedstat")
		if err != nil {
			continue // the thread ended since the listing
		}
		if f := strings.Fields(string(b)); len(f) > 0 {
			n, _ := strconv.ParseInt(f[0], 10, 64)
			ns += n
		}
	}
	return float64(ns) / 1e9
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times: 100 on every
// Linux architecture Go supports.
const clockTicks = 100

// findPID returns the process whose command line contains marker (MinIO's
// data directory), or 0.
func findPID(marker string) int {
	entries, _ := os.ReadDir("/proc")
	for _, ent := range entries {
		pid, err := strconv.Atoi(ent.Name())
		if err != nil {
			continue
		}
		if cmd, err := os.ReadFile("/proc/" + ent.Name() + "/cmdline"); err == nil && bytes.Contains(cmd, []byte(marker)) {
			return pid
		}
	}
	return 0
}

// procsFor are the processes whose CPU time a workload on p accounts: the
// load generator (this process), p's proxy when it has one, and MinIO when
// it is local.
func (e *env) procsFor(p path) map[string]int {
	ps := map[string]int{"client": os.Getpid()}
	if pid := p.proxyPID(); pid != 0 {
		ps["proxy"] = pid
	}
	if e.minioPID != 0 {
		ps["minio"] = e.minioPID
	}
	return ps
}

// proxyPIDs are the processes of every proxy (the gateways, nginx,
// Console).
func (e *env) proxyPIDs() []int {
	out := []int{e.gateway.pid(), e.gatewayStd.pid()}
	if e.nginx != nil {
		out = append(out, e.nginx.pid())
	}
	if e.console != nil {
		out = append(out, e.console.pid())
	}
	return out
}

// otherPIDs are the client and MinIO (when it is local).
func (e *env) otherPIDs() []int {
	out := []int{os.Getpid()}
	if e.minioPID != 0 {
		out = append(out, e.minioPID)
	}
	return out
}

// resetPeakRSS resets the kernel's VmHWM of pid to its current RSS. It
// reports whether that worked (Linux 4.0 and later, same user).
func resetPeakRSS(pid int) bool {
	return os.WriteFile("/proc/"+strconv.Itoa(pid)+"/clear_refs", []byte("5"), 0) == nil
}
