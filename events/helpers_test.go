package events

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/notification"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"s3gateway/internal/minitest"
)

// The tests run MinIO as published (no patch): $MINIO_STOCK_BIN, else
// ~/.cache/s3gateway/stock/minio, else minitest's binary. The external NATS
// is $NATS_SERVER_BIN, else ~/.cache/s3gateway/stock/nats-server, else
// nats-server on PATH.
func stockBinary(env, name string) string {
	if p := os.Getenv(env); p != "" {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".cache", "s3gateway", "stock", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	return ""
}

// freeAddr is a free host:port on the loopback interface.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startMinIO runs a MinIO whose GATEWAY NATS target publishes to natsAddr
// with JetStream, queueing in a directory of its own while NATS is away.
func startMinIO(t testing.TB, natsAddr string) (*minitest.Server, *minio.Client) {
	return startMinIOQueue(t, natsAddr, true)
}

// startMinIOQueue is startMinIO with or without the queue directory.
func startMinIOQueue(t testing.TB, natsAddr string, queue bool) (*minitest.Server, *minio.Client) {
	t.Helper()
	env := map[string]string{
		"MINIO_NOTIFY_NATS_ENABLE_GATEWAY":    "on",
		"MINIO_NOTIFY_NATS_ADDRESS_GATEWAY":   natsAddr,
		"MINIO_NOTIFY_NATS_SUBJECT_GATEWAY":   DefaultSubject,
		"MINIO_NOTIFY_NATS_JETSTREAM_GATEWAY": "on",
	}
	if queue {
		env["MINIO_NOTIFY_NATS_QUEUE_DIR_GATEWAY"] = t.TempDir()
	}
	srv := minitest.Start(t, minitest.Options{Bin: stockBinary("MINIO_STOCK_BIN", "minio"), Env: env})
	client, err := minio.New(srv.Addr, &minio.Options{
		Creds: credentials.NewStaticV4(minitest.RootUser, minitest.RootPassword, ""),
	})
	if err != nil {
		t.Fatalf("minio client: %v", err)
	}
	return srv, client
}

// newBucket makes a bucket whose object events go to the gateway's target.
func newBucket(t testing.TB, client *minio.Client, name string) {
	t.Helper()
	newBucketTargets(t, client, name, TargetARN)
}

// newBucketTargets makes a bucket whose object events go to the targets
// with the given ARNs.
func newBucketTargets(t testing.TB, client *minio.Client, name string, arns ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := client.MakeBucket(ctx, name, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("make bucket %s: %v", name, err)
	}
	var cfg notification.Configuration
	for _, a := range arns {
		arn, err := notification.NewArnFromString(a)
		if err != nil {
			t.Fatalf("arn: %v", err)
		}
		queue := notification.NewConfig(arn)
		queue.AddEvents(notification.ObjectCreatedAll, notification.ObjectRemovedAll)
		cfg.AddQueue(queue)
	}
	// MinIO registers its targets in the background after it reports
	// ready; until then it refuses the ARN as unknown.
	for {
		err := client.SetBucketNotification(ctx, name, cfg)
		if err == nil {
			return
		}
		if minio.ToErrorResponse(err).Code != "InvalidArgument" || ctx.Err() != nil {
			t.Fatalf("bucket %s: notification with %v: %v", name, arns, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// put uploads a small object.
func put(t testing.TB, client *minio.Client, bucket, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	body := []byte("content of " + name)
	if _, err := client.PutObject(ctx, bucket, name, bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{}); err != nil {
		t.Fatalf("put %s/%s: %v", bucket, name, err)
	}
}

// startEngine starts an engine that the test closes at its end.
func startEngine(t testing.TB, cfg Config) *Engine {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	e, err := Start(ctx, cfg, testLogger(t))
	if err != nil {
		t.Fatalf("start engine: %v", err)
	}
	t.Cleanup(e.Close)
	return e
}

// testLogger logs with EVENTS_TEST_LOG set: to the test's log, or to
// stderr with EVENTS_TEST_LOG=stderr (benchmarks cut their logs short).
func testLogger(t testing.TB) *zap.Logger {
	if os.Getenv("EVENTS_TEST_LOG") == "stderr" {
		if l, err := zap.NewDevelopment(); err == nil {
			return l
		}
	}
	if os.Getenv("EVENTS_TEST_LOG") != "" {
		return zaptest.NewLogger(t)
	}
	return zap.NewNop()
}

// subscribe subscribes until the test ends.
func subscribe(t testing.TB, e *Engine, bucket string, after uint64, f Filter) <-chan Message {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch, err := e.Subscribe(ctx, bucket, after, f)
	if err != nil {
		t.Fatalf("subscribe %s after %d: %v", bucket, after, err)
	}
	return ch
}

// receive takes n messages, failing when they do not come within limit.
func receive(t testing.TB, ch <-chan Message, n int, limit time.Duration) []Message {
	t.Helper()
	var got []Message
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	for len(got) < n {
		select {
		case m, ok := <-ch:
			if !ok {
				t.Fatalf("subscription closed after %d of %d messages", len(got), n)
			}
			got = append(got, m)
		case <-deadline.C:
			t.Fatalf("got %d of %d messages within %v: %s", len(got), n, limit, describe(got))
		}
	}
	return got
}

// quiet checks that nothing more comes within d.
func quiet(t testing.TB, ch <-chan Message, d time.Duration) {
	t.Helper()
	select {
	case m, ok := <-ch:
		if ok {
			t.Fatalf("unexpected message %s", describe([]Message{m}))
		}
	case <-time.After(d):
	}
}

func describe(ms []Message) string {
	var b strings.Builder
	for _, m := range ms {
		if m.Reset != "" {
			fmt.Fprintf(&b, "[reset %s] ", m.Reset)
			continue
		}
		fmt.Fprintf(&b, "[%d %s %s] ", m.ID, m.Event.Type, m.Event.Name)
	}
	return b.String()
}

// checkNames checks that ms are events with the given names, in that order,
// with increasing ids.
func checkNames(t testing.TB, ms []Message, names []string) {
	t.Helper()
	if len(ms) != len(names) {
		t.Fatalf("got %d messages, want %d: %s", len(ms), len(names), describe(ms))
	}
	var last uint64
	for i, m := range ms {
		if m.Reset != "" || m.Event.Name != names[i] || m.ID <= last {
			t.Fatalf("message %d: got %s, want %s after id %d; all: %s", i, describe(ms[i:i+1]), names[i], last, describe(ms))
		}
		last = m.ID
	}
}

func names(prefix string, from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("%s%03d", prefix, i))
	}
	return out
}

// natsServer is an external nats-server process with JetStream.
type natsServer struct {
	addr, dir, bin string
	mu             sync.Mutex
	cmd            *exec.Cmd
	out            bytes.Buffer
}

func startNATS(t testing.TB) *natsServer {
	t.Helper()
	bin := stockBinary("NATS_SERVER_BIN", "nats-server")
	if bin == "" {
		t.Fatal("no nats-server: go install github.com/nats-io/nats-server/v2@<go.mod version> with GOBIN=~/.cache/s3gateway/stock, or set NATS_SERVER_BIN")
	}
	n := &natsServer{addr: freeAddr(t), dir: t.TempDir(), bin: bin}
	if err := n.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.stop)
	return n
}

func (n *natsServer) url() string { return "nats://" + n.addr }

func (n *natsServer) start() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	host, port, _ := net.SplitHostPort(n.addr)
	cmd := exec.Command(n.bin, "-js", "-sd", n.dir, "-a", host, "-p", port, "-n", "test-nats")
	cmd.Stdout, cmd.Stderr = &n.out, &n.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start nats-server: %w", err)
	}
	n.cmd = cmd
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", n.addr); err == nil {
			c.Close()
			return nil
		}
	}
	return fmt.Errorf("nats-server did not listen on %s: %s", n.addr, n.out.String())
}

func (n *natsServer) stop() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = n.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = n.cmd.Process.Kill()
		<-done
	}
	n.cmd = nil
}

func (n *natsServer) restart(t testing.TB) {
	t.Helper()
	if err := n.start(); err != nil {
		t.Fatal(err)
	}
}

// bucketName is a bucket name of its own for each call; it has a dot, as
// bucket names may.
func bucketName() string {
	return "ev." + strconv.FormatInt(time.Now().UnixNano(), 36)
}
