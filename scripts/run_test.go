// Package scripts tests the developer scripts as a new user runs them.
package scripts

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"s3gateway/internal/minitest"
)

// make run's script: it prints what a user needs, serves the demo tenant,
// stops everything it started on Ctrl-C, and a second run starts quickly
// with the data of the first.
func TestRunScript(t *testing.T) {
	minioBin, err := minitest.Binary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gatewayBin := filepath.Join(dir, "gateway")
	if out, err := exec.Command("go", "build", "-o", gatewayBin, "../cmd/gateway").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	env := []string{
		"MINIO_BIN=" + minioBin,
		"GATEWAY_BIN=" + gatewayBin,
		"RUN_DIR=" + filepath.Join(dir, "run"),
		"MINIO_ADDR=" + freeAddr(t),
		"GATEWAY_ADDR=" + freeAddr(t),
	}
	gatewayURL := "http://" + strings.TrimPrefix(env[4], "GATEWAY_ADDR=")

	run := startRun(t, env)
	for _, want := range []string{"Gateway     " + gatewayURL, "API key     demo-api-key-for-development-only", "/swagger/index.html"} {
		if !strings.Contains(run.banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, run.banner)
		}
	}
	api(t, gatewayURL, http.MethodPost, "/api/v1/buckets", `{"name":"persist"}`, http.StatusCreated)
	api(t, gatewayURL, http.MethodPut, "/api/v1/buckets/persist/objects/kept.txt", "still here", http.StatusCreated)
	run.interrupt(t)
	if conn, err := net.Dial("tcp", strings.TrimPrefix(gatewayURL, "http://")); err == nil {
		conn.Close()
		t.Fatal("the gateway still serves after Ctrl-C")
	}
	if conn, err := net.Dial("tcp", strings.TrimPrefix(env[3], "MINIO_ADDR=")); err == nil {
		conn.Close()
		t.Fatal("MinIO still serves after Ctrl-C")
	}

	start := time.Now()
	run = startRun(t, env)
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("second start took %v", took)
	}
	if got := api(t, gatewayURL, http.MethodGet, "/api/v1/buckets/persist/objects/kept.txt", "", http.StatusOK); got != "still here" {
		t.Fatalf("data of the first run: %q", got)
	}
	run.interrupt(t)
}

type runScript struct {
	cmd    *exec.Cmd
	banner string
	done   chan error
}

// startRun starts run.sh in its own process group, as a terminal would,
// and waits for its banner.
func startRun(t *testing.T, env []string) *runScript {
	t.Helper()
	cmd := exec.Command("bash", "run.sh")
	cmd.Env = append(cmd.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &runScript{cmd: cmd, done: make(chan error, 1)}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })

	banner := make(chan string, 1)
	go func() {
		var b strings.Builder
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			b.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "Ctrl-C stops") {
				banner <- b.String()
				break
			}
		}
		_, _ = io.Copy(io.Discard, out)
		r.done <- cmd.Wait()
	}()
	select {
	case r.banner = <-banner:
	case err := <-r.done:
		t.Fatalf("run.sh ended early: %v\n%s", err, stderr.String())
	case <-time.After(90 * time.Second):
		t.Fatalf("no banner within 90 s\n%s", stderr.String())
	}
	return r
}

// interrupt sends SIGINT to the whole process group, as Ctrl-C does, and
// waits for the script to finish.
func (r *runScript) interrupt(t *testing.T) {
	t.Helper()
	if err := syscall.Kill(-r.cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-r.done:
	case <-time.After(30 * time.Second):
		t.Fatal("run.sh did not stop within 30 s of Ctrl-C")
	}
}

func api(t *testing.T, base, method, path, body string, want int) string {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer demo-api-key-for-development-only")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, got)
	}
	return string(got)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
