// Package server assembles the gateway from its configuration (tenants,
// service, HTTP handlers) and runs it with graceful shutdown. main and the
// end-to-end tests build the gateway the same way, through New.
package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.uber.org/zap"

	"s3gateway/access"
	"s3gateway/config"
	"s3gateway/events"
	"s3gateway/handlers"
	"s3gateway/middleware"
	"s3gateway/openapi"
	"s3gateway/service"
	miniostore "s3gateway/store/minio"
)

// Options are what a gateway is built from.
type Options struct {
	Config  config.Config
	Tenants *access.Registry // nil: load Config.TenantsFile
	Logger  *zap.Logger
	// Transport overrides the HTTP transport to the store (tests).
	Transport http.RoundTripper
}

// Server is an assembled gateway.
type Server struct {
	cfg     config.Config
	logger  *zap.Logger
	handler http.Handler
	// endStreams tells the handlers' long-lived responses (event streams)
	// that shutdown has begun.
	endStreams context.CancelFunc
	active     atomic.Int64 // requests being handled
	sweeper    *uploadSweeper
	// auth resolves credentials against the tenants in force.
	auth *access.Authenticator
	// watchFile is the tenants file to reload on change ("" when the
	// tenants were given in Options).
	watchFile string
	engine    *events.Engine
	closeOnce sync.Once
}

// New builds the gateway: it loads the tenants, makes one store client per
// tenant, starts the event engine (the embedded NATS unless
// GATEWAY_NATS_URL names one) and wires middleware and routes. The caller
// must Close it, unless Serve ran (Serve closes it as it returns).
func New(opts Options) (*Server, error) {
	reg := opts.Tenants
	if reg == nil {
		var err error
		if reg, err = access.Load(opts.Config.TenantsFile); err != nil {
			return nil, err
		}
	}
	logger := opts.Logger
	if logger == nil {
		logger = zap.NewNop()
	}
	// Each gateway has its own registry: no global state, and tests can
	// build several gateways in one process.
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics, err := middleware.NewMetrics(registry, middleware.MetricsOptions{TenantLabels: opts.Config.MetricsTenantLabels})
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	auth := access.NewAuthenticator(reg, access.JWKSOptions{})
	registerTenantsMetrics(registry, auth)
	store, err := miniostore.New(miniostore.Config{
		Endpoint:         opts.Config.S3Endpoint,
		PublicURL:        opts.Config.S3PublicURL,
		Region:           opts.Config.S3Region,
		PartSize:         opts.Config.PartSize,
		BackendTimeout:   opts.Config.BackendTimeout,
		Transport:        opts.Transport,
		ZeroCopyReads:    opts.Config.ZeroCopyReads,
		FailFastCooldown: opts.Config.BackendCooldown,
		OnBackendError:   metrics.BackendError,
	}, reg)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	auth.OnReload(store.Update)
	engine, err := startEvents(opts.Config.Events, registry, logger)
	if err != nil {
		return nil, err
	}
	gateway := service.New(store,
		service.WithPartSize(opts.Config.PartSize), service.WithMaxUploadSize(opts.Config.MaxUploadSize),
		service.WithEvents(engine, eventTargets(opts.Config.Events)))
	svc := service.Authorize(gateway)
	shutdown, endStreams := context.WithCancel(context.Background())
	e := handlers.New(handlers.Config{
		Service:        svc,
		Tenants:        auth,
		Logger:         logger,
		CORSOrigins:    opts.Config.CORSOrigins,
		MaxJSONBody:    opts.Config.MaxJSONBody,
		MaxDeleteNames: opts.Config.MaxDeleteNames,
		OpenAPI:        openapi.Document(),
		EventHeartbeat: opts.Config.EventHeartbeat,
		ReadyTimeout:   opts.Config.ReadyTimeout,
		Metrics:        metrics,
		RateLimit:      opts.Config.RateLimit,
		RateBurst:      opts.Config.RateBurst,
		MaxUploads:     opts.Config.MaxUploads,
		MaxStreams:     opts.Config.MaxStreams,
		Shutdown:       shutdown,

		IdentityProviders: auth.Providers,

		BodyIdleTimeout: opts.Config.BodyIdleTimeout,
	})
	sweeper := &uploadSweeper{
		svc: gateway, tenants: func() []*access.Tenant { return auth.Registry().All() }, ttl: opts.Config.MultipartTTL,
		interval: sweepInterval(opts.Config.MultipartTTL), logger: logger.Named("sweeper"),
	}
	srv := &Server{cfg: opts.Config, logger: logger, handler: e, endStreams: endStreams, auth: auth, sweeper: sweeper, engine: engine}
	if opts.Tenants == nil {
		srv.watchFile = opts.Config.TenantsFile
	}
	return srv, nil
}

// Close ends the event streams and stops the event engine (and the
// embedded NATS). Calling it again does nothing.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.endStreams()
		s.engine.Close()
		s.auth.Close()
	})
}

// Handler is the gateway's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// SweepUploads aborts abandoned uploads (started more than
// GATEWAY_MULTIPART_TTL ago) until ctx ends. Serve runs it; a gateway
// served otherwise (tests) runs it itself.
func (s *Server) SweepUploads(ctx context.Context) { s.sweeper.run(ctx) }

// Serve serves on ln until ctx is done, then shuts down gracefully: it stops
// accepting connections, ends event streams (each gets a last "shutdown"
// message), and lets in-flight requests finish for up to the grace period
// (GATEWAY_SHUTDOWN_GRACE). Requests still running then are cut: their
// connections are closed, which cancels them, and Serve waits up to the
// backend timeout more for their handlers to clean up (a cut multipart
// upload is aborted in the store) before it returns.
//
// The event engine stops last, once the streams have ended (Close).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	defer s.Close()
	if s.watchFile != "" {
		go s.auth.Watch(ctx, s.watchFile, tenantsPollInterval, s.logReload)
	}
	srv := &http.Server{
		Handler:           s.track(s.handler),
		ReadHeaderTimeout: config.ReadHeaderTimeout,
		IdleTimeout:       config.IdleTimeout,
		MaxHeaderBytes:    config.MaxHeaderBytes,
		ErrorLog:          zap.NewStdLog(s.logger.Named("http")),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	srv.RegisterOnShutdown(s.endStreams)
	sweepCtx, stopSweep := context.WithCancel(ctx)
	defer stopSweep()
	go s.SweepUploads(sweepCtx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.logger.Info("shutting down", zap.Duration("grace", s.cfg.ShutdownGrace))
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownGrace)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if errors.Is(err, context.DeadlineExceeded) {
		// Requests still running after the grace period are cut; their
		// uploads are aborted by the service as their contexts end.
		s.logger.Warn("grace period over, closing remaining connections", zap.Int64("requests", s.active.Load()))
		err = srv.Close()
		s.awaitHandlers(s.cfg.BackendTimeout)
	}
	if served := <-served; !errors.Is(served, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", served)
	}
	return err
}

// track counts the requests being handled.
func (s *Server) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.active.Add(1)
		defer s.active.Add(-1)
		h.ServeHTTP(w, r)
	})
}

// awaitHandlers waits up to limit for the handlers of cut requests to return.
func (s *Server) awaitHandlers(limit time.Duration) {
	deadline := time.Now().Add(limit)
	for s.active.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := s.active.Load(); n > 0 {
		s.logger.Warn("requests still running at exit", zap.Int64("requests", n))
	}
}
