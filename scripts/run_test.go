// Package scripts tests the developer scripts as a new user runs them.
package scripts

import (
	"bufio"
	"bytes"
	"encoding/json"
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
// accepts the development identity provider's user tokens for the demo
// bucket under users/<sub>/, stops everything it started on Ctrl-C, and a
// second run starts quickly with the data of the first (and a new signing
// key: tokens of the first run are refused).
func TestRunScript(t *testing.T) {
	minioBin, err := minitest.Binary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gatewayBin := filepath.Join(dir, "gateway")
	devidpBin := filepath.Join(dir, "devidp")
	for bin, pkg := range map[string]string{gatewayBin: "../cmd/gateway", devidpBin: "../cmd/devidp"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", pkg, err, out)
		}
	}
	minioAddr, gatewayAddr, idpAddr, natsAddr := freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t)
	env := []string{
		"MINIO_BIN=" + minioBin,
		"GATEWAY_BIN=" + gatewayBin,
		"DEVIDP_BIN=" + devidpBin,
		"RUN_DIR=" + filepath.Join(dir, "run"),
		"MINIO_ADDR=" + minioAddr,
		"GATEWAY_ADDR=" + gatewayAddr,
		"DEVIDP_ADDR=" + idpAddr,
		// Not the default 4222: another NATS may run on this machine.
		"GATEWAY_NATS_LISTEN=" + natsAddr,
	}
	gatewayURL, idpURL := "http://"+gatewayAddr, "http://"+idpAddr

	run := startRun(t, env)
	for _, want := range []string{"Gateway     " + gatewayURL, "API key     demo-api-key-for-development-only", "/swagger/index.html", "Dev IdP     " + idpURL} {
		if !strings.Contains(run.banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, run.banner)
		}
	}
	api(t, gatewayURL, http.MethodPost, "/api/v1/buckets", `{"name":"persist"}`, http.StatusCreated)
	api(t, gatewayURL, http.MethodPut, "/api/v1/buckets/persist/objects/kept.txt", "still here", http.StatusCreated)

	token := devToken(t, idpURL, "alice")
	whoami := withCredential(t, token, gatewayURL, http.MethodGet, "/api/v1/whoami", "", http.StatusOK)
	for _, want := range []string{`"kind":"jwt"`, `"prefix":"users/alice/"`, `"buckets":["userfiles"]`} {
		if !strings.Contains(whoami, want) {
			t.Errorf("whoami of alice's token lacks %s: %s", want, whoami)
		}
	}
	withCredential(t, token, gatewayURL, http.MethodPut, "/api/v1/buckets/userfiles/objects/users/alice/a.txt", "mine", http.StatusCreated)
	withCredential(t, token, gatewayURL, http.MethodPut, "/api/v1/buckets/userfiles/objects/users/bob/a.txt", "not mine", http.StatusForbidden)
	run.interrupt(t)
	if conn, err := net.Dial("tcp", strings.TrimPrefix(gatewayURL, "http://")); err == nil {
		conn.Close()
		t.Fatal("the gateway still serves after Ctrl-C")
	}
	for name, addr := range map[string]string{"MinIO": minioAddr, "the identity provider": idpAddr} {
		if conn, err := net.Dial("tcp", addr); err == nil {
			conn.Close()
			t.Fatalf("%s still serves after Ctrl-C", name)
		}
	}

	start := time.Now()
	run = startRun(t, env)
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("second start took %v", took)
	}
	if got := api(t, gatewayURL, http.MethodGet, "/api/v1/buckets/persist/objects/kept.txt", "", http.StatusOK); got != "still here" {
		t.Fatalf("data of the first run: %q", got)
	}
	withCredential(t, token, gatewayURL, http.MethodGet, "/api/v1/whoami", "", http.StatusUnauthorized)
	withCredential(t, devToken(t, idpURL, "alice"), gatewayURL, http.MethodGet, "/api/v1/buckets/userfiles/objects/users/alice/a.txt", "", http.StatusOK)
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
	return withCredential(t, "demo-api-key-for-development-only", base, method, path, body, want)
}

func withCredential(t *testing.T, credential, base, method, path, body string, want int) string {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+credential)
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

// devToken asks the development identity provider for sub's token.
func devToken(t *testing.T, idpURL, sub string) string {
	t.Helper()
	resp, err := http.Get(idpURL + "/token?sub=" + sub)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	return tok.AccessToken
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
