package bench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// proc is a process the benchmark runs: a gateway, nginx or Console.
type proc struct {
	name   string
	cmd    *exec.Cmd
	log    string
	exited chan struct{}
}

// startProc runs bin with args and env (added to this process's
// environment, less its GATEWAY_* and Go runtime settings), its output in
// dir/name.log.
func startProc(name, dir string, env []string, bin string, args ...string) (*proc, error) {
	p := &proc{name: name, log: filepath.Join(dir, name+".log")}
	logf, err := os.Create(p.log)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	full := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GATEWAY_") && !strings.HasPrefix(kv, "GOMEMLIMIT=") && !strings.HasPrefix(kv, "GOGC=") {
			full = append(full, kv)
		}
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = append(full, env...)
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p.exited = make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(p.exited) }()
	return p, nil
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// waitHTTP waits until GET url answers with status want.
func (p *proc) waitHTTP(ctx context.Context, url string, want int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited at start:\n%s", p.name, p.logTail())
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == want {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %s:\n%s", p.name, timeout, p.logTail())
}

func (p *proc) logTail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// stop ends the process: SIGTERM, then SIGKILL after 15 seconds.
func (p *proc) stop() {
	if p == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// Placements of the processes on the cores.
const (
	placeShared  = "shared"  // every process may run on every core
	placeOwnCore = "owncore" // the proxy on a core of its own; client and MinIO on the other
)

// pin sets the CPU affinity of every thread of pid (taskset -a).
func pin(pid int, cpus string) error {
	out, err := exec.Command("taskset", "-a", "-p", "-c", cpus, strconv.Itoa(pid)).CombinedOutput()
	if err != nil {
		return fmt.Errorf("taskset %s %d: %w: %s", cpus, pid, err, out)
	}
	return nil
}

// canPlace reports whether the own-core placement can be measured: two
// cores or more and taskset.
func canPlace() bool {
	if _, err := exec.LookPath("taskset"); err != nil {
		return false
	}
	return numCPU() >= 2
}

// place puts the processes for placement: proxies are the proxy
// processes, others the client and MinIO.
func place(placement string, proxies, others []int) error {
	all := "0-" + strconv.Itoa(numCPU()-1)
	proxyCPUs, otherCPUs := all, all
	if placement == placeOwnCore {
		proxyCPUs, otherCPUs = "1", "0"
	}
	for _, pid := range proxies {
		if err := pin(pid, proxyCPUs); err != nil {
			return err
		}
	}
	for _, pid := range others {
		if err := pin(pid, otherCPUs); err != nil {
			return err
		}
	}
	return nil
}

func numCPU() int { return runtime.NumCPU() }
