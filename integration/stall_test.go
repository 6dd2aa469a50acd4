package integration

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// stall sends, over a connection of its own, a request that announces
// 100,000 bytes of body and sends one, then sends nothing more. It returns
// the response's status (0 when none came) and how long until the gateway
// ended the connection; it fails the test when the connection is still
// open after limit.
func stall(t *testing.T, addr, method, path, key string, limit time.Duration) (int, time.Duration) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	head := method + " " + path + " HTTP/1.1\r\nHost: gateway\r\nContent-Length: 100000\r\n"
	if key != "" {
		head += "Authorization: Bearer " + key + "\r\n"
	}
	if _, err := io.WriteString(conn, head+"\r\nx"); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(start.Add(limit))
	br := bufio.NewReader(conn)
	status := 0
	if resp, err := http.ReadResponse(br, nil); err == nil {
		status = resp.StatusCode
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if !resp.Close {
			t.Errorf("%d answered before the body was read, without Connection: close", status)
		}
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("%s %s: the connection is still open after %v (%v)", method, path, time.Since(start), err)
	}
	return status, time.Since(start)
}

// TestSecurityStalledBodiesAreCut: a client that announces a body and stops
// sending cannot hold a connection. Without a key it gets its 401 at once
// and the connection ends, whatever the route; with a key, the request is
// cut once its body has sent nothing for GATEWAY_BODY_IDLE_TIMEOUT.
func TestSecurityStalledBodiesAreCut(t *testing.T) {
	reg := suiteTenants(t)
	t.Run("stall_unauthenticated", func(t *testing.T) {
		gw := serveGateway(t, suite.store.Endpoint, reg, nil) // the defaults
		addr := strings.TrimPrefix(gw.URL, "http://")
		for _, target := range [][2]string{
			{"POST", "/api/v1/buckets"},
			{"PUT", "/api/v1/buckets/photos/objects/a"},
			{"POST", "/api/v1/no-such-route"},
		} {
			status, took := stall(t, addr, target[0], target[1], "", 5*time.Second)
			if status != http.StatusUnauthorized || took > 2*time.Second {
				t.Errorf("%s %s: %d after %v, want 401 at once", target[0], target[1], status, took)
			}
		}
		// Many at once cost nothing lasting.
		var wg sync.WaitGroup
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				stall(t, addr, "POST", "/api/v1/buckets", "", 10*time.Second)
			}()
		}
		wg.Wait()
	})
	t.Run("stall_authenticated", func(t *testing.T) {
		gw := serveGateway(t, suite.store.Endpoint, reg, map[string]string{"GATEWAY_BODY_IDLE_TIMEOUT": "1s"})
		addr := strings.TrimPrefix(gw.URL, "http://")
		bucket := as(t, alphaKey).newBucket()
		for _, target := range [][2]string{
			{"PUT", objectPath("objects", bucket, "stalled")},
			{"POST", "/api/v1/buckets"},
		} {
			status, took := stall(t, addr, target[0], target[1], alphaKey, 10*time.Second)
			if took < time.Second || took > 5*time.Second {
				t.Errorf("%s %s: cut after %v (status %d), want about 1s", target[0], target[1], took, status)
			}
		}
		// The cut upload left no object.
		resp, _ := gw.do(http.MethodHead, objectPath("objects", bucket, "stalled"), alphaKey, nil, nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("after a cut upload, HEAD: %d", resp.StatusCode)
		}
	})
}

// trickle is a body that sends one byte every interval, n bytes in all.
type trickle struct {
	n        int
	interval time.Duration
}

func (r *trickle) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	time.Sleep(r.interval)
	r.n--
	p[0] = 't'
	return 1, nil
}

// TestSecurityTrickleUploadSucceeds: the body deadline moves with every
// byte, so an upload that sends a byte every 100 ms for 30 s succeeds, both
// with the default idle timeout and with one of 2 s, which a fixed deadline
// would have cut fifteen times over.
func TestSecurityTrickleUploadSucceeds(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 30 s")
	}
	reg := suiteTenants(t)
	bucket := as(t, alphaKey).newBucket()
	var wg sync.WaitGroup
	for name, env := range map[string]map[string]string{
		"default": nil,
		"idle2s":  {"GATEWAY_BODY_IDLE_TIMEOUT": "2s"},
	} {
		gw := serveGateway(t, suite.store.Endpoint, reg, env)
		wg.Add(1)
		go func() {
			defer wg.Done()
			const n = 300 // 30 s at 1 byte per 100 ms
			req, err := http.NewRequest(http.MethodPut, gw.URL+objectPath("objects", bucket, "trickle-"+name), &trickle{n: n, interval: 100 * time.Millisecond})
			if err != nil {
				t.Error(err)
				return
			}
			req.ContentLength = n
			req.Header.Set("Authorization", "Bearer "+alphaKey)
			start := time.Now()
			resp, err := (&http.Client{Timeout: 2 * time.Minute}).Do(req)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated || !strings.Contains(string(body), `"size":300`) {
				t.Errorf("%s: %d %s after %v", name, resp.StatusCode, body, time.Since(start))
			}
		}()
	}
	wg.Wait()
}
