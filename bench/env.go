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
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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

	minioHost  string // host:port of the store
	minioPID   int    // 0 when MinIO is not ours
	gatewayURL string // http://127.0.0.1:port
	gateway    *exec.Cmd
	gatewayLog string
	exited     chan struct{}

	apiKey string
	phys   string // the bucket's name in the store

	direct *minio.Client // the tenant's credentials, straight to the store
	core   minio.Core
	http   *http.Client // plain HTTP to the gateway
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
	yaml := fmt.Sprintf("tenants:\n  - id: %s\n    bucketPrefix: %s\n    apiKeys:\n      - %q\n    s3:\n      accessKey: %s\n      secretKey: %s\n",
		t.ID, t.BucketPrefix, access.HashKey(e.apiKey), t.AccessKey, t.SecretKey)
	if err := os.WriteFile(tenantsFile, []byte(yaml), 0o600); err != nil {
		return nil, err
	}

	// The direct path is minio-go as an application would use it: default
	// options (and transport), the tenant's own credentials.
	if e.direct, err = minio.New(e.minioHost, &minio.Options{
		Creds: credentials.NewStaticV4(t.AccessKey, t.SecretKey, ""),
	}); err != nil {
		return nil, err
	}
	e.core = minio.Core{Client: e.direct}
	e.http = &http.Client{Transport: &http.Transport{
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}}

	if err := e.startGateway(ctx, tenantsFile); err != nil {
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
// variables, its log in the temporary directory.
func (e *env) startGateway(ctx context.Context, tenantsFile string) error {
	bin, err := filepath.Abs(e.cfg.GatewayBin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("gateway binary: %w (run make build)", err)
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	e.gatewayURL = "http://" + addr
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GATEWAY_") && !strings.HasPrefix(kv, "GOMEMLIMIT=") && !strings.HasPrefix(kv, "GOGC=") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"GATEWAY_ADDR="+addr,
		"GATEWAY_S3_ENDPOINT=http://"+e.minioHost,
		"GATEWAY_TENANTS_FILE="+tenantsFile,
		"GATEWAY_LOG_LEVEL=info",
		"GATEWAY_NATS_LISTEN=127.0.0.1:0",
		"GATEWAY_DATA_DIR="+filepath.Join(e.dir, "gateway-data"),
	)
	if e.cfg.PprofAddr != "" {
		env = append(env, "GATEWAY_PPROF_ADDR="+e.cfg.PprofAddr)
	}
	env = append(env, e.cfg.GatewayEnv...)
	e.gatewayLog = filepath.Join(e.dir, "gateway.log")
	logf, err := os.Create(e.gatewayLog)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(bin)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start gateway: %w", err)
	}
	e.gateway = cmd
	e.exited = make(chan struct{})
	go func() { _ = cmd.Wait(); close(e.exited) }()

	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-e.exited:
			return fmt.Errorf("gateway exited at start:\n%s", e.logTail())
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		resp, err := e.http.Get(e.gatewayURL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("gateway not healthy after 30s:\n%s", e.logTail())
}

func (e *env) logTail() string {
	b, _ := os.ReadFile(e.gatewayLog)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func (e *env) gatewayPID() int { return e.gateway.Process.Pid }

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

// do sends req to the gateway with the tenant's key.
func (e *env) do(req *http.Request) (*http.Response, error) {
	req.Header.Set("Authorization", "Bearer "+e.apiKey)
	return e.http.Do(req)
}

// objectURL is the gateway URL of an object; benchmark names need no
// escaping.
func (e *env) objectURL(name string) string {
	return e.gatewayURL + "/api/v1/buckets/" + bucketName + "/objects/" + name
}

// close stops the gateway and MinIO and removes the temporary directory.
func (e *env) close() {
	if e.gateway != nil {
		_ = e.gateway.Process.Signal(syscall.SIGTERM)
		select {
		case <-e.exited:
		case <-time.After(15 * time.Second):
			_ = e.gateway.Process.Kill()
			<-e.exited
		}
	}
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

// processes are the processes whose CPU time a workload accounts: the load
// generator (this process), the gateway, and MinIO when it is local.
func (e *env) processes() map[string]int {
	ps := map[string]int{"client": os.Getpid(), "gateway": e.gatewayPID()}
	if e.minioPID != 0 {
		ps["minio"] = e.minioPID
	}
	return ps
}

// resetPeakRSS resets the kernel's VmHWM of pid to its current RSS. It
// reports whether that worked (Linux 4.0 and later, same user).
func resetPeakRSS(pid int) bool {
	return os.WriteFile("/proc/"+strconv.Itoa(pid)+"/clear_refs", []byte("5"), 0) == nil
}
