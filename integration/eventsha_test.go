package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"s3gateway/internal/minioproc"
	"s3gateway/internal/minitest"
)

// putDirect uploads objects straight to the store as alpha, bypassing the
// gateway (which may be down).
func putDirect(t *testing.T, store *minitest.Server, physical string, names ...string) {
	t.Helper()
	cl, err := minio.New(store.Addr, &minio.Options{Creds: credentials.NewStaticV4("alpha-svc", "alpha-secret-value", "")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, n := range names {
		if _, err := cl.PutObject(ctx, physical, n, bytes.NewReader([]byte("x")), 1, minio.PutObjectOptions{}); err != nil {
			t.Fatalf("put %s: %v", n, err)
		}
	}
}

// putVia uploads an object through a served gateway.
func putVia(t *testing.T, g *servedGateway, bucket, name string) {
	t.Helper()
	if resp, body := g.do(http.MethodPut, objectPath("objects", bucket, name), alphaKey, strings.NewReader("x"), nil); resp.StatusCode != http.StatusCreated {
		t.Fatalf("put %s: %d %s", name, resp.StatusCode, body)
	}
}

// The embedded engine: events that happen while the gateway is down wait in
// the store's queue directory and reach a client that resumes with its last
// id once the gateway is back.
func TestEventsAcrossGatewayRestart(t *testing.T) {
	natsAddr, err := minioproc.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	store := minitest.Start(t, minitest.Options{NATS: natsAddr})
	reg := store.Tenants(t, tenantsYAML())
	env := map[string]string{"GATEWAY_NATS_LISTEN": natsAddr, "GATEWAY_DATA_DIR": t.TempDir()}

	g1 := serveGateway(t, store.Endpoint, reg, env)
	bucket := "b" + randomHex(6)
	g1.call(http.MethodPost, "/api/v1/buckets", alphaKey, map[string]string{"name": bucket}, http.StatusCreated)
	s := openStream(t, g1.URL, alphaKey, bucket, "events=s3:ObjectCreated:*", "")
	putVia(t, g1, bucket, "before")
	ev, data := s.nextEvent(15 * time.Second)
	if data.Name != "before" {
		t.Fatalf("first event %+v", data)
	}
	s.close()
	if err := <-g1.shutdown(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}

	var missed []string
	for i := range 5 {
		missed = append(missed, fmt.Sprintf("while-down-%d", i))
	}
	putDirect(t, store, "alpha-"+bucket, missed...)

	g2 := serveGateway(t, store.Endpoint, reg, env)
	r := openStream(t, g2.URL, alphaKey, bucket, "events=s3:ObjectCreated:*", ev.id)
	for _, want := range missed {
		// The store sends its queue once it reconnects to NATS.
		if _, data := r.nextEvent(60 * time.Second); data.Name != want {
			t.Fatalf("resumed event %+v, want %s", data, want)
		}
	}
	putVia(t, g2, bucket, "after")
	if _, data := r.nextEvent(15 * time.Second); data.Name != "after" {
		t.Fatalf("live event after the restart %+v", data)
	}
}

// startNATS runs an external nats-server with JetStream on addr.
func startNATS(t *testing.T, addr string) {
	t.Helper()
	bin := os.Getenv("NATS_SERVER_BIN")
	if bin == "" {
		home, _ := os.UserHomeDir()
		bin = filepath.Join(home, ".cache", "s3gateway", "stock", "nats-server")
	}
	if _, err := os.Stat(bin); err != nil {
		if p, err := exec.LookPath("nats-server"); err == nil {
			bin = p
		} else {
			t.Fatalf("nats-server not found (make nats-server installs it): %v", err)
		}
	}
	host, port, _ := strings.Cut(addr, ":")
	cmd := exec.Command(bin, "-a", host, "-p", port, "-js", "-sd", t.TempDir())
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "Server is ready") {
		if time.Now().After(deadline) {
			t.Fatalf("nats-server did not start:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Two gateways sharing one NATS and one store: an upload through either
// reaches the streams of both, each exactly once.
func TestEventsAcrossReplicas(t *testing.T) {
	natsAddr, err := minioproc.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	startNATS(t, natsAddr)
	store := minitest.Start(t, minitest.Options{NATS: natsAddr})
	reg := store.Tenants(t, tenantsYAML())
	env := map[string]string{"GATEWAY_NATS_URL": "nats://" + natsAddr}
	gateways := []*servedGateway{serveGateway(t, store.Endpoint, reg, env), serveGateway(t, store.Endpoint, reg, env)}
	bucket := "b" + randomHex(6)
	gateways[0].call(http.MethodPost, "/api/v1/buckets", alphaKey, map[string]string{"name": bucket}, http.StatusCreated)
	var streams []*sseStream
	for _, g := range gateways {
		for range 3 {
			streams = append(streams, openStream(t, g.URL, alphaKey, bucket, "events=s3:ObjectCreated:*", ""))
		}
	}
	putVia(t, gateways[0], bucket, "via-first")
	putVia(t, gateways[1], bucket, "via-second")
	for i, s := range streams {
		var ids []string
		for _, want := range []string{"via-first", "via-second"} {
			ev, data := s.nextEvent(15 * time.Second)
			if data.Name != want {
				t.Fatalf("stream %d: %+v, want %s", i, data, want)
			}
			ids = append(ids, ev.id)
		}
		t.Logf("stream %d: ids %v", i, ids)
	}
	for _, s := range streams {
		s.quiet(4 * time.Second / time.Duration(len(streams))) // no second copy (the durable target sends 3 s later)
	}
	streams[0].quiet(3 * time.Second)
}

// A store without the gateway's target: everything else works, and event
// streams say which setting is missing.
func TestEventsWithoutStoreTarget(t *testing.T) {
	store := minitest.Start(t, minitest.Options{})
	reg := store.Tenants(t, tenantsYAML())
	g := serveGateway(t, store.Endpoint, reg, nil)
	bucket := "b" + randomHex(6)
	g.call(http.MethodPost, "/api/v1/buckets", alphaKey, map[string]string{"name": bucket}, http.StatusCreated)
	putVia(t, g, bucket, "still-works")
	resp, body := g.do(http.MethodGet, "/api/v1/buckets/"+bucket+"/events", alphaKey, nil, nil)
	wantCode(t, resp, body, http.StatusServiceUnavailable, "BackendUnavailable")
	if !strings.Contains(string(body), "MINIO_NOTIFY_NATS_ENABLE_GATEWAY") {
		t.Fatalf("the error does not name the setting: %s", body)
	}
	var cfg notificationConfig
	if err := json.Unmarshal(g.call(http.MethodGet, "/api/v1/buckets/"+bucket+"/notifications", alphaKey, nil, http.StatusOK), &cfg); err != nil || len(cfg.QueueConfigurations) != 0 {
		t.Fatalf("notifications: %s %v", body, err)
	}
}

// syncBuffer is a bytes.Buffer that a process writes to while the test
// reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
