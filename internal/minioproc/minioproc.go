// Package minioproc runs a real MinIO server as a child process: a fresh
// data directory, a free port on 127.0.0.1, stop, kill, pause and restart,
// and admin helpers to provision tenants as MinIO users limited to their
// bucket prefix. The benchmark and the load test use it directly; tests use
// it through internal/minitest.
//
// The binary is $MINIO_BIN, else ~/.cache/s3gateway/stock/minio, else minio
// on PATH ("make minio" installs it: MinIO as published, at the pinned
// version).
package minioproc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/minio/madmin-go/v3"

	"s3gateway/access"
	"s3gateway/provision"
)

// Root credentials of every test server.
const (
	RootUser     = "minitest-root"
	RootPassword = "minitest-root-secret"
)

// Server is a running MinIO.
type Server struct {
	Addr     string // host:port
	Endpoint string // http://host:port
	Admin    *madmin.AdminClient
	DataDir  string

	cmd  *exec.Cmd
	out  *bytes.Buffer
	done chan struct{}
	mu   sync.Mutex
	env  []string
	bin  string
}

// Options configure a server.
type Options struct {
	// Env adds environment variables, e.g. MINIO_NOTIFY_WEBHOOK_* targets.
	Env map[string]string
	// Bin is the MinIO binary to run; Binary() when empty.
	Bin string
	// NATS, when set, is the host:port of the gateway's event engine
	// (its NATS): the server gets the gateway's two NATS targets on
	// EventsSubject with JetStream (NATSEnv).
	NATS string
	// EventsQueueDir is the durable target's queue directory (absolute);
	// required with NATS. It must not be inside the data directory.
	EventsQueueDir string
}

// EventsSubject is the subject the test servers' NATS targets publish to,
// the gateway's default.
const EventsSubject = "gateway.events"

// NATSEnv is the MinIO environment of the gateway's two NATS targets,
// publishing to natsAddr on subject with JetStream: GATEWAY, durable (queue
// directory queueDir, where MinIO keeps events while NATS is away, sent on a
// 3 s tick), and GATEWAYFAST, without a queue, sent as each request ends.
// The gateway names both in each bucket's configuration and keeps the first
// copy of each event.
func NATSEnv(natsAddr, subject, queueDir string) map[string]string {
	env := map[string]string{}
	for _, id := range []string{"GATEWAY", "GATEWAYFAST"} {
		env["MINIO_NOTIFY_NATS_ENABLE_"+id] = "on"
		env["MINIO_NOTIFY_NATS_ADDRESS_"+id] = natsAddr
		env["MINIO_NOTIFY_NATS_SUBJECT_"+id] = subject
		env["MINIO_NOTIFY_NATS_JETSTREAM_"+id] = "on"
	}
	env["MINIO_NOTIFY_NATS_QUEUE_DIR_GATEWAY"] = queueDir
	return env
}

// FreeAddr is a free host:port on 127.0.0.1, for a server the store must be
// told about before it starts (the gateway's NATS).
func FreeAddr() (string, error) {
	port, err := freePort()
	if err != nil {
		return "", err
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), nil
}

// Binary finds the MinIO binary.
func Binary() (string, error) {
	if p := os.Getenv("MINIO_BIN"); p != "" {
		return p, nil
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".cache", "s3gateway", "stock", "minio")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p, nil
	}
	return "", errors.New("minio binary not found: run 'make minio' or set MINIO_BIN")
}

// ErrNoBinary is the error of Start when no MinIO binary is found.
var ErrNoBinary = errors.New("no minio binary")

// Start starts a server with its data in dir; the caller must Stop it.
func Start(dir string, opts Options) (*Server, error) {
	bin, err := opts.Bin, error(nil)
	if bin == "" {
		bin, err = Binary()
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoBinary, err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	s := &Server{Addr: addr, Endpoint: "http://" + addr, DataDir: dir}
	s.env = append(os.Environ(),
		"MINIO_ROOT_USER="+RootUser,
		"MINIO_ROOT_PASSWORD="+RootPassword,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
		"MINIO_CI_CD=1",
	)
	if opts.NATS != "" {
		if !filepath.IsAbs(opts.EventsQueueDir) {
			return nil, fmt.Errorf("minio: the events queue directory %q must be absolute", opts.EventsQueueDir)
		}
		for k, v := range NATSEnv(opts.NATS, EventsSubject, opts.EventsQueueDir) {
			s.env = append(s.env, k+"="+v)
		}
	}
	for k, v := range opts.Env {
		s.env = append(s.env, k+"="+v)
	}
	s.bin = bin
	if err := s.start(); err != nil {
		return nil, err
	}
	s.Admin, err = provision.NewAdmin(addr, false, RootUser, RootPassword)
	if err != nil {
		s.Stop()
		return nil, fmt.Errorf("admin client: %w", err)
	}
	return s, nil
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd := exec.Command(s.bin, "server", "--quiet", "--address", s.Addr, s.DataDir)
	cmd.Env = s.env
	s.out = &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = s.out, s.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	s.cmd = cmd
	s.done = make(chan struct{})
	go func(done chan struct{}) { _ = cmd.Wait(); close(done) }(s.done)
	if err := waitReady(s.Endpoint, s.done, 60*time.Second); err != nil {
		_ = cmd.Process.Kill()
		<-s.done
		return fmt.Errorf("minio did not become ready: %w\n%s", err, s.out.String())
	}
	return nil
}

// Stop stops the server; calling it again does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.cmd.Process.Signal(syscall.SIGCONT) // a paused server must run to stop
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

// Restart stops the server and starts it again on the same address and data,
// for tests of what happens while the store is away.
func (s *Server) Restart(down time.Duration) error {
	s.Stop()
	time.Sleep(down)
	return s.start()
}

// Kill stops the server at once, as a crash would.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// Pause freezes the server (SIGSTOP): it keeps its port and accepts
// connections but answers nothing, as a hung store does. Continue ends it.
func (s *Server) Pause() error {
	if err := s.signal(syscall.SIGSTOP); err != nil {
		return err
	}
	// kill(2) returns before the process is stopped: threads already on a
	// CPU can still answer a request. Wait until the kernel reports it
	// stopped.
	return s.waitState('T', 5*time.Second)
}

// waitState polls /proc until the server's process is in state (as in
// /proc/<pid>/stat: 'T' stopped, 'S' sleeping, ...).
func (s *Server) waitState(state byte, limit time.Duration) error {
	s.mu.Lock()
	pid := s.cmd.Process.Pid
	s.mu.Unlock()
	deadline := time.Now().Add(limit)
	for {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return fmt.Errorf("process state: %w", err)
		}
		// The state follows the parenthesized command name.
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && stat[i+2] == state {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("minio did not reach state %c within %v", state, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Continue lets a paused server run again (SIGCONT).
func (s *Server) Continue() error { return s.signal(syscall.SIGCONT) }

func (s *Server) signal(sig syscall.Signal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return errors.New("minio is not running")
	}
	return s.cmd.Process.Signal(sig)
}

// Resume starts a stopped or killed server again.
func (s *Server) Resume() error { return s.start() }

// Logs returns what the server printed.
func (s *Server) Logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.out == nil {
		return ""
	}
	return s.out.String()
}

// AddTenant provisions t as a MinIO user limited to its bucket prefix, the
// same way the gateway's "tenants provision" command does.
func (s *Server) AddTenant(ctx context.Context, t *access.Tenant) error {
	return provision.Tenant(ctx, s.Admin, t)
}

// Provision parses a tenants file given as YAML and provisions every
// tenant.
func (s *Server) Provision(ctx context.Context, yaml string) (*access.Registry, error) {
	reg, err := access.Parse([]byte(yaml))
	if err != nil {
		return nil, fmt.Errorf("tenants: %w", err)
	}
	if err := provision.All(ctx, s.Admin, reg); err != nil {
		return nil, fmt.Errorf("provision tenants: %w", err)
	}
	return reg, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitReady(endpoint string, exited <-chan struct{}, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("minio exited")
		default:
		}
		resp, err := client.Get(endpoint + "/minio/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %s", limit)
}
