package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/pprof"

	"go.uber.org/zap"

	"s3gateway/config"
)

// servePprof serves Go's profiling endpoints (/debug/pprof/) on addr, its
// own listener apart from the API, until ctx ends (GATEWAY_PPROF_ADDR; see
// config.Vars for why it should be a private address).
func servePprof(ctx context.Context, addr string, logger *zap.Logger) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: config.ReadHeaderTimeout}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Warn("pprof server stopped", zap.Error(err))
		}
	}()
	logger.Info("pprof listening", zap.String("addr", ln.Addr().String()))
	return nil
}
