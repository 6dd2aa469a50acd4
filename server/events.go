package server

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"s3gateway/config"
	"s3gateway/events"
	"s3gateway/service"
)

// eventsStartLimit bounds the event engine's start: the embedded NATS, or
// reaching the external one, and its streams.
const eventsStartLimit = 30 * time.Second

// startEvents starts the event engine of cfg, its metrics in reg.
func startEvents(cfg config.Events, reg prometheus.Registerer, logger *zap.Logger) (*events.Engine, error) {
	metrics, err := events.NewPrometheusMetrics(reg)
	if err != nil {
		return nil, err
	}
	dataDir := cfg.DataDir
	if cfg.NATSURL == "" {
		if dataDir, err = filepath.Abs(cfg.DataDir); err != nil {
			return nil, fmt.Errorf("events: data directory: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), eventsStartLimit)
	defer cancel()
	eng, err := events.Start(ctx, events.Config{
		DataDir:   dataDir,
		NATSURL:   cfg.NATSURL,
		Listen:    cfg.Listen,
		Token:     cfg.Token,
		Subject:   cfg.Subject,
		Retention: cfg.Retention,
		Metrics:   metrics,
	}, logger.Named("events"))
	if err != nil {
		return nil, err
	}
	if addr := eng.Addr(); addr != "" {
		logger.Info("event engine: embedded NATS", zap.String("listen", addr), zap.String("data", dataDir))
	} else {
		logger.Info("event engine: external NATS")
	}
	return eng, nil
}

// eventTargets are the store's targets that feed the engine.
func eventTargets(cfg config.Events) service.EventTargets {
	return service.EventTargets{ARN: cfg.TargetARN, FastARN: cfg.FastARN}
}
