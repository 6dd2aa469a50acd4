package events

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"
)

// Defaults of Config.
const (
	DefaultSubject         = "gateway.events"
	DefaultListen          = "127.0.0.1:4222"
	DefaultRetention       = 24 * time.Hour
	DefaultDuplicateWindow = 10 * time.Minute
)

// TargetARN is the ARN of MinIO's NATS target with id GATEWAY, the one the
// MINIO_NOTIFY_NATS_*_GATEWAY settings define. A bucket's events reach the
// engine only while its notification configuration has a queue entry with
// this ARN.
const TargetARN = "arn:minio:sqs::GATEWAY:nats"

// Names of the JetStream objects the engine keeps. Engines sharing one NATS
// share them: that is what makes them replicas of one another.
const (
	IngestStream   = "GATEWAY_EVENTS_INGEST"
	IngestConsumer = "gateway-events-ingest"
	LogStream      = "GATEWAY_EVENTS_LOG"
	logSubjectRoot = "gateway.log"
)

// Config configures an Engine.
type Config struct {
	// DataDir holds the embedded NATS server's JetStream store (under
	// DataDir/nats). Required unless NATSURL is set.
	DataDir string
	// NATSURL names an external NATS server or cluster (comma-separated
	// URLs, credentials in the URL if any). Empty runs NATS in-process.
	NATSURL string
	// Listen is the host:port the embedded NATS serves, for MinIO to publish
	// to; DefaultListen when empty. Port 0 picks a free port (Engine.Addr).
	Listen string
	// Token, when set, is the token the embedded NATS requires of its
	// clients (MinIO's MINIO_NOTIFY_NATS_TOKEN_GATEWAY); for an external
	// NATS it is sent when connecting.
	Token string
	// Subject is the subject MinIO publishes to; DefaultSubject when empty.
	Subject string
	// Retention is how long events are kept for replay; DefaultRetention
	// when zero.
	Retention time.Duration
	// DuplicateWindow is how long a record's id is remembered to drop the
	// store's repeated deliveries; DefaultDuplicateWindow when zero, at most
	// Retention.
	DuplicateWindow time.Duration
	// Replicas is the number of copies NATS keeps of each stream (for a
	// clustered external NATS); 1 when zero.
	Replicas int
	// Metrics receives the engine's counts; none when nil.
	Metrics Metrics
}

// withDefaults fills the zero fields and checks the others.
func (c Config) withDefaults() (Config, error) {
	if c.Subject == "" {
		c.Subject = DefaultSubject
	}
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.Retention == 0 {
		c.Retention = DefaultRetention
	}
	if c.DuplicateWindow == 0 {
		c.DuplicateWindow = min(DefaultDuplicateWindow, c.Retention)
	}
	if c.Replicas == 0 {
		c.Replicas = 1
	}
	if c.Metrics == nil {
		c.Metrics = noMetrics{}
	}
	switch {
	case c.NATSURL == "" && c.DataDir == "":
		return c, errors.New("events: a data directory is required for the embedded NATS")
	case c.NATSURL == "" && !filepath.IsAbs(c.DataDir):
		return c, fmt.Errorf("events: data directory %q must be absolute", c.DataDir)
	case c.Retention < 0:
		return c, fmt.Errorf("events: retention %v must be positive", c.Retention)
	case c.DuplicateWindow < 0 || c.DuplicateWindow > c.Retention:
		return c, fmt.Errorf("events: duplicate window %v must be positive and at most the retention %v", c.DuplicateWindow, c.Retention)
	case c.Replicas < 0:
		return c, fmt.Errorf("events: replicas %d must be positive", c.Replicas)
	}
	if err := validSubject(c.Subject); err != nil {
		return c, fmt.Errorf("events: subject: %w", err)
	}
	return c, nil
}
