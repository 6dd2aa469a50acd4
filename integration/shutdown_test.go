package integration

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"s3gateway/internal/testwait"
)

// TestGracefulShutdown shuts a gateway of its own down (over the suite's
// store) while a large download and an event stream are in flight: the
// stream gets "event: shutdown" and ends cleanly, no new connection is
// accepted, the download finishes whole within the grace period, and Serve
// returns nil once it has.
func TestGracefulShutdown(t *testing.T) {
	gw := serveGateway(t, suite.store.Endpoint, suiteTenants(t), map[string]string{
		"GATEWAY_SHUTDOWN_GRACE": "30s",
		"GATEWAY_PART_SIZE_MIB":  "5",
	})
	bucket := "b" + randomHex(6)
	gw.call(http.MethodPost, "/api/v1/buckets", alphaKey, map[string]string{"name": bucket}, http.StatusCreated)
	t.Cleanup(func() { as(t, alphaKey).emptyAndRemove(bucket) })
	// Larger than what socket buffers hold, so the download is still being
	// written when shutdown begins.
	data := randomBytes(t, 24<<20)
	resp, body := gw.do(http.MethodPut, objectPath("objects", bucket, "big.bin"), alphaKey, bytes.NewReader(data), nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("put: %d %s", resp.StatusCode, body)
	}

	stream := gw.open(http.MethodGet, "/api/v1/buckets/"+bucket+"/events", alphaKey, nil, nil)
	defer stream.Body.Close()
	lines := bufio.NewReader(stream.Body)
	if l, err := lines.ReadString('\n'); err != nil || l != ": connected\n" {
		t.Fatalf("stream starts with %q, %v", l, err)
	}

	download := gw.open(http.MethodGet, objectPath("objects", bucket, "big.bin"), alphaKey, nil, nil)
	defer download.Body.Close()
	got := make([]byte, 64<<10)
	if _, err := io.ReadFull(download.Body, got); err != nil {
		t.Fatal(err)
	}

	served := gw.shutdown()

	rest, err := readAllWithin(lines, 10*time.Second)
	if err != nil {
		t.Fatalf("stream did not end cleanly: %v (read %q)", err, rest)
	}
	if !strings.Contains(rest, "event: shutdown\ndata: {\"notice\":\"shutdown\"}\n\n") {
		t.Errorf("no shutdown message before the end: %q", rest)
	}
	if conn, err := net.DialTimeout("tcp", strings.TrimPrefix(gw.URL, "http://"), time.Second); err == nil {
		conn.Close()
		t.Error("a new connection was accepted during shutdown")
	}
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) while a download was in flight", err)
	default:
	}

	// The client reads the rest at its own pace.
	buf := make([]byte, 1<<20)
	for {
		n, err := download.Body.Read(buf)
		got = append(got, buf[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("download cut after %d bytes: %v", len(got), err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if sha256.Sum256(got) != sha256.Sum256(data) {
		t.Fatalf("downloaded %d bytes, not the object's %d", len(got), len(data))
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after the last request finished")
	}
}

// TestShutdownAbortsCutUploads shuts a gateway down with a tiny grace period
// while a multipart upload is stalled half-way: the upload is cut, the
// gateway aborts it in the store before Serve returns, and no incomplete
// upload remains.
func TestShutdownAbortsCutUploads(t *testing.T) {
	gw := serveGateway(t, suite.store.Endpoint, suiteTenants(t), map[string]string{
		"GATEWAY_SHUTDOWN_GRACE": "300ms",
		"GATEWAY_PART_SIZE_MIB":  "5",
	})
	alpha := as(t, alphaKey)
	bucket := alpha.newBucket()

	body, feed := io.Pipe()
	req, err := http.NewRequest(http.MethodPut, gw.URL+objectPath("objects", bucket, "cut.bin"), body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = 12 << 20 // three parts; the client sends a part and a half, then stalls
	req.Header.Set("Authorization", "Bearer "+alphaKey)
	putDone := make(chan error, 1)
	go func() {
		resp, err := gw.client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		putDone <- err
	}()
	go func() { _, _ = feed.Write(make([]byte, 6<<20)) }()
	defer func() {
		feed.CloseWithError(io.ErrClosedPipe)
		<-putDone
	}()

	uploads := func() int {
		var out uploadsResponse
		alpha.call(http.MethodGet, "/api/v1/buckets/"+bucket+"/uploads", nil, http.StatusOK, &out)
		return len(out.Uploads)
	}
	testwait.Until(t, 10*time.Second, "the upload to start in the store", func() bool { return uploads() == 1 })

	select {
	case err := <-gw.shutdown():
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Serve did not return")
	}
	if n := uploads(); n != 0 {
		t.Errorf("%d incomplete uploads remain after the cut upload", n)
	}
	resp, _ := alpha.do(request{method: http.MethodGet, path: objectPath("stat", bucket, "cut.bin")})
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the cut object exists: stat %d", resp.StatusCode)
	}
}

// readAllWithin reads r to its end, failing after limit.
func readAllWithin(r io.Reader, limit time.Duration) (string, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := io.ReadAll(r)
		done <- result{b, err}
	}()
	select {
	case res := <-done:
		return string(res.b), res.err
	case <-time.After(limit):
		return "", errTimeout
	}
}

// errTimeout is a wait that ran out.
var errTimeout = errors.New("timed out")
