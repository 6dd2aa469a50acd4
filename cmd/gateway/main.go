// Command gateway serves the tenant-scoped REST/JSON API over an
// S3-compatible store.
//
//	gateway                      serve (configuration from GATEWAY_* variables)
//	gateway tenants provision    create or update every tenant's store user, policy and signing identities
//	gateway tenants hash-key K   print the sha256: form of API key K for the tenants file
//	gateway healthcheck URL [WAIT]  exit 0 once URL answers 2xx (container health checks, scripts)
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"s3gateway/access"
	"s3gateway/config"
	"s3gateway/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  gateway                      serve the API (configured by GATEWAY_* variables)
  gateway tenants provision    create or update each tenant's store user, policy and signing identities
                               (needs GATEWAY_ADMIN_ACCESS_KEY and GATEWAY_ADMIN_SECRET_KEY)
  gateway tenants hash-key KEY print the sha256: form of an API key for the tenants file
  gateway healthcheck URL [WAIT]
                               exit 0 once URL answers 2xx, polling for up to WAIT (e.g. 10s)`

// run is main without the process: tests call it with their own
// environment and output.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	switch {
	case len(args) == 0 || (len(args) == 1 && args[0] == "serve"):
		return serve(ctx, getenv)
	case len(args) == 2 && args[0] == "tenants" && args[1] == "provision":
		return provisionTenants(ctx, getenv, stdout)
	case len(args) == 3 && args[0] == "tenants" && args[1] == "hash-key":
		_, err := fmt.Fprintln(stdout, access.HashKey(args[2]))
		return err
	case (len(args) == 2 || len(args) == 3) && args[0] == "healthcheck":
		return healthcheck(ctx, args[1:])
	case len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help"):
		_, err := fmt.Fprintln(stdout, usage)
		return err
	}
	return errors.New("unknown command\n" + usage)
}

func serve(ctx context.Context, getenv func(string) string) error {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	logger, err := newLogger(cfg.LogLevel)
	if err != nil {
		return err
	}
	defer func() { _ = logger.Sync() }()

	srv, err := server.New(server.Options{Config: cfg, Logger: logger})
	if err != nil {
		return err
	}
	if cfg.PprofAddr != "" {
		if err := servePprof(ctx, cfg.PprofAddr, logger); err != nil {
			return fmt.Errorf("pprof on %s: %w", cfg.PprofAddr, err)
		}
	}
	go reloadOnHangup(ctx, srv)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	logger.Info("gateway listening",
		zap.String("addr", ln.Addr().String()),
		zap.String("store", cfg.S3Endpoint.Redacted()),
		zap.String("tenantsFile", cfg.TenantsFile))
	return srv.Serve(ctx, ln)
}

// newLogger writes JSON lines to stderr at level.
func newLogger(level zapcore.Level) (*zap.Logger, error) {
	zc := zap.NewProductionConfig()
	zc.Level = zap.NewAtomicLevelAt(level)
	zc.EncoderConfig.TimeKey = "time"
	zc.EncoderConfig.EncodeTime = zapcore.RFC3339NanoTimeEncoder
	zc.Sampling = nil // one line per request, always
	logger, err := zc.Build()
	if err != nil {
		return nil, fmt.Errorf("logger: %w", err)
	}
	return logger, nil
}

// reloadOnHangup reads the tenants file again on each SIGHUP until ctx
// ends (the server logs the outcome).
func reloadOnHangup(ctx context.Context, srv *server.Server) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			_ = srv.ReloadTenants()
		}
	}
}
