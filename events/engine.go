package events

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
)

// Engine is a running event engine. Its methods are safe for concurrent use.
type Engine struct {
	cfg     Config
	log     *zap.Logger
	server  *server.Server // nil with an external NATS
	conn    *nats.Conn
	js      jetstream.JetStream
	leases  jetstream.KeyValue
	metrics Metrics

	stopIngest context.CancelFunc // nil until the ingest loop runs
	ingestDone chan struct{}
}

// embeddedStartLimit bounds how long the embedded NATS may take to start.
const embeddedStartLimit = 30 * time.Second

// Start starts the engine: the embedded NATS (unless cfg.NATSURL is set), the
// streams and the ingest consumer. It fails when NATS cannot be reached or
// refuses the streams; ctx bounds that setup only.
func Start(ctx context.Context, cfg Config, log *zap.Logger) (*Engine, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, log: log, metrics: cfg.Metrics}
	opts := []nats.Option{
		nats.Name("s3gateway events"),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(500 * time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("events: disconnected from NATS", zap.Error(err))
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) {
			log.Info("events: reconnected to NATS", zap.String("url", c.ConnectedUrlRedacted()))
		}),
	}
	if cfg.Token != "" {
		opts = append(opts, nats.Token(cfg.Token))
	}
	url := cfg.NATSURL
	if url == "" {
		if e.server, err = startEmbedded(cfg, log); err != nil {
			return nil, err
		}
		opts = append(opts, nats.InProcessServer(e.server))
	}
	if e.conn, err = nats.Connect(url, opts...); err != nil {
		e.Close()
		return nil, fmt.Errorf("events: connect to NATS: %w", err)
	}
	if e.js, err = jetstream.New(e.conn, jetstream.WithPublishAsyncTimeout(publishTimeout)); err != nil {
		e.Close()
		return nil, fmt.Errorf("events: JetStream: %w", err)
	}
	if err := e.setup(ctx); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// startEmbedded runs NATS with JetStream in this process.
func startEmbedded(cfg Config, log *zap.Logger) (*server.Server, error) {
	host, portText, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("events: listen address %q: %w", cfg.Listen, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 {
		return nil, fmt.Errorf("events: listen address %q: bad port", cfg.Listen)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	opts := &server.Options{
		ServerName:    "s3gateway",
		Host:          host,
		Port:          port,
		JetStream:     true,
		StoreDir:      filepath.Join(cfg.DataDir, "nats"),
		Authorization: cfg.Token,
		NoSigs:        true,
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("events: embedded NATS: %w", err)
	}
	s.SetLoggerV2(natsLogger{log.Named("nats")}, false, false, false)
	s.Start()
	if !s.ReadyForConnections(embeddedStartLimit) {
		s.Shutdown()
		s.WaitForShutdown()
		return nil, fmt.Errorf("events: embedded NATS on %s did not start within %v", cfg.Listen, embeddedStartLimit)
	}
	return s, nil
}

// setup creates or updates the streams and the lease bucket, and starts the
// ingest loop (drain.go).
func (e *Engine) setup(ctx context.Context) error {
	ingest := jetstream.StreamConfig{
		Name:        IngestStream,
		Description: "object store notifications as published, until the gateway moves them to " + LogStream,
		Subjects:    []string{e.cfg.Subject},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      e.cfg.Retention,
		Replicas:    e.cfg.Replicas,
	}
	if _, err := e.js.CreateOrUpdateStream(ctx, ingest); err != nil {
		return fmt.Errorf("events: stream %s: %w", IngestStream, err)
	}
	logCfg := jetstream.StreamConfig{
		Name:        LogStream,
		Description: "object store events per physical bucket, deduplicated, for replay",
		Subjects:    []string{logSubjectRoot + ".>"},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      e.cfg.Retention,
		Duplicates:  e.cfg.DuplicateWindow,
		Replicas:    e.cfg.Replicas,
	}
	if _, err := e.js.CreateOrUpdateStream(ctx, logCfg); err != nil {
		return fmt.Errorf("events: stream %s: %w", LogStream, err)
	}
	leases, err := e.js.CreateOrUpdateKeyValue(ctx, leaseConfig(e.cfg.Replicas))
	if err != nil {
		return fmt.Errorf("events: lease bucket %s: %w", leaseBucket, err)
	}
	e.leases = leases
	ingestCtx, stop := context.WithCancel(context.Background())
	e.stopIngest, e.ingestDone = stop, make(chan struct{})
	go e.ingestLoop(ingestCtx)
	return nil
}

// Addr is the address the embedded NATS listens on (MinIO's
// MINIO_NOTIFY_NATS_ADDRESS_GATEWAY), or "" with an external NATS.
func (e *Engine) Addr() string {
	if e.server == nil {
		return ""
	}
	if a := e.server.Addr(); a != nil {
		return a.String()
	}
	return ""
}

// Ready reports whether the engine can take and serve events: connected
// to NATS, with both streams there.
func (e *Engine) Ready(ctx context.Context) error {
	if !e.conn.IsConnected() {
		return fmt.Errorf("events: not connected to NATS (%s)", e.conn.Status())
	}
	for _, name := range []string{IngestStream, LogStream} {
		if _, err := e.js.Stream(ctx, name); err != nil {
			return fmt.Errorf("events: stream %s: %w", name, err)
		}
	}
	return nil
}

// Close stops ingesting (acknowledging what was already moved, and giving
// the lease up so that another replica takes over at once), closes the
// connection and stops the embedded NATS. Subscriptions end. Calling it
// again does nothing.
func (e *Engine) Close() {
	if e.stopIngest != nil {
		e.stopIngest()
		select {
		case <-e.ingestDone:
		case <-time.After(publishTimeout + 2*leaseRenew):
			e.log.Warn("events: the ingest loop did not stop in time")
		}
	}
	if e.conn != nil {
		e.conn.Close()
	}
	if e.server != nil {
		e.server.Shutdown()
		e.server.WaitForShutdown()
	}
}

// errClosed is what Subscribe answers once the engine is closed.
var errClosed = errors.New("events: the engine is closed")
