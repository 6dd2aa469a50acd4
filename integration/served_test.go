package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"go.uber.org/zap"

	"s3gateway/access"
	"s3gateway/config"
	"s3gateway/server"
)

// servedGateway is a gateway of its own, configured from GATEWAY_*
// variables and run by server.Serve on a real listener, as main runs it:
// limits, graceful shutdown and the header bound belong to Serve and the
// configuration, not to the handler the shared suite serves.
type servedGateway struct {
	t      *testing.T
	URL    string
	client *http.Client
	stop   context.CancelFunc
	served chan error
}

// serveGateway starts a gateway over the store at endpoint with reg's
// tenants; env adds variables (GATEWAY_S3_ENDPOINT is set). It is shut
// down when the test ends, if the test did not do it.
func serveGateway(t *testing.T, endpoint string, reg *access.Registry, env map[string]string) *servedGateway {
	t.Helper()
	// Unless told otherwise, each served gateway has an embedded NATS of
	// its own, on a free port.
	dataDir := t.TempDir()
	cfg, err := config.FromEnv(func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		switch k {
		case "GATEWAY_S3_ENDPOINT":
			return endpoint
		case "GATEWAY_NATS_LISTEN":
			return "127.0.0.1:0"
		case "GATEWAY_DATA_DIR":
			return dataDir
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	logger := zap.NewNop()
	if os.Getenv("GATEWAY_TEST_LOG") != "" {
		logger, _ = zap.NewDevelopment()
	}
	srv, err := server.New(server.Options{Config: cfg, Tenants: reg, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	g := &servedGateway{
		t: t, URL: "http://" + ln.Addr().String(), stop: stop, served: make(chan error, 1),
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{}},
	}
	go func() { g.served <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		stop()
		select {
		case <-g.served:
		case <-time.After(60 * time.Second):
			t.Error("gateway did not stop")
		}
		g.client.CloseIdleConnections()
	})
	return g
}

// shutdown begins the gateway's shutdown (SIGTERM in main) and returns
// what Serve returns, once it does.
func (g *servedGateway) shutdown() <-chan error {
	g.stop()
	out := make(chan error, 1)
	go func() {
		err := <-g.served
		g.served <- err // for the cleanup
		out <- err
	}()
	return out
}

// do sends a request with key ("" for none) and returns the response with
// its body read.
func (g *servedGateway) do(method, path, key string, body io.Reader, headers map[string]string) (*http.Response, []byte) {
	g.t.Helper()
	resp := g.open(method, path, key, body, headers)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		g.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp, b
}

// open sends a request and returns the response with its body unread.
func (g *servedGateway) open(method, path, key string, body io.Reader, headers map[string]string) *http.Response {
	g.t.Helper()
	req, err := http.NewRequest(method, g.URL+path, body)
	if err != nil {
		g.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		g.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// call sends a JSON body (nil for none) and expects status want.
func (g *servedGateway) call(method, path, key string, in any, want int) []byte {
	g.t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			g.t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	resp, b := g.do(method, path, key, body, nil)
	if resp.StatusCode != want {
		g.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	return b
}

// wantCode checks that a response is the contract error code with status.
func wantCode(t *testing.T, resp *http.Response, body []byte, status int, code string) {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal(body, &e); err != nil || resp.StatusCode != status || e.Error.Code != code {
		t.Fatalf("got %d %s, want %d %s", resp.StatusCode, body, status, code)
	}
	if e.Error.RequestID == "" || e.Error.RequestID != resp.Header.Get("X-Request-ID") {
		t.Errorf("requestId %q, X-Request-ID %q", e.Error.RequestID, resp.Header.Get("X-Request-ID"))
	}
	if leakPattern.Match([]byte(e.Error.Message)) {
		t.Errorf("error message leaks internals: %q", e.Error.Message)
	}
}

// suiteTenants is the shared suite's tenants file, for gateways of their
// own over the suite's store.
func suiteTenants(t *testing.T) *access.Registry {
	t.Helper()
	reg, err := access.Parse([]byte(tenantsYAML()))
	if err != nil {
		t.Fatal(err)
	}
	return reg
}
