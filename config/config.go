// Package config reads the gateway's configuration from the environment.
// Every variable, its default and its meaning are in Vars, the one table
// that FromEnv reads its defaults from and the README's configuration table
// is checked against; the contract (API.md) names the basic ones.
package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap/zapcore"
)

// Config is the gateway's whole configuration (the serving part: the admin
// credentials of "tenants provision" are read by AdminFromEnv).
type Config struct {
	Addr           string        // GATEWAY_ADDR
	S3Endpoint     *url.URL      // GATEWAY_S3_ENDPOINT
	S3Region       string        // GATEWAY_S3_REGION
	S3PublicURL    *url.URL      // GATEWAY_S3_PUBLIC_URL
	TenantsFile    string        // GATEWAY_TENANTS_FILE
	LogLevel       zapcore.Level // GATEWAY_LOG_LEVEL
	CORSOrigins    []string      // GATEWAY_CORS_ORIGINS
	PartSize       int64         // GATEWAY_PART_SIZE_MIB, in bytes
	MaxJSONBody    int64         // GATEWAY_MAX_JSON_BODY_KIB, in bytes
	MaxDeleteNames int           // GATEWAY_MAX_DELETE_NAMES
	BackendTimeout time.Duration // GATEWAY_BACKEND_TIMEOUT: deadline of store metadata calls
	ShutdownGrace  time.Duration // GATEWAY_SHUTDOWN_GRACE
	// BackendCooldown is how long requests fail fast once the store is
	// known down (GATEWAY_BACKEND_COOLDOWN).
	BackendCooldown time.Duration
	RateLimit       float64       // GATEWAY_RATE_LIMIT: requests per second per tenant; 0: no limit
	RateBurst       int           // GATEWAY_RATE_BURST
	MaxUploads      int           // GATEWAY_MAX_UPLOADS_PER_TENANT: uploads in progress per tenant; 0: no limit
	MaxStreams      int           // GATEWAY_MAX_STREAMS_PER_TENANT: open event streams per tenant; 0: no limit
	ZeroCopyReads   bool          // GATEWAY_ZERO_COPY_READS
	ReadyTimeout    time.Duration // GATEWAY_READY_TIMEOUT: how long GET /readyz waits for the store
	EventHeartbeat  time.Duration // GATEWAY_EVENT_HEARTBEAT: comment lines on idle event streams
	PprofAddr       string        // GATEWAY_PPROF_ADDR: profiling endpoints; "": off
	// BodyIdleTimeout is how long a request body may send nothing
	// (GATEWAY_BODY_IDLE_TIMEOUT).
	BodyIdleTimeout     time.Duration
	MetricsTenantLabels bool // GATEWAY_METRICS_TENANT_LABELS
	// MaxUploadSize is the largest object an upload may store, in bytes
	// (GATEWAY_MAX_UPLOAD_SIZE).
	MaxUploadSize int64
	// MultipartTTL is how old an incomplete upload may get before it is
	// aborted (GATEWAY_MULTIPART_TTL).
	MultipartTTL time.Duration
	Events       Events
}

// Events configures the event engine and the store's targets that feed it.
type Events struct {
	DataDir   string        // GATEWAY_DATA_DIR
	NATSURL   string        // GATEWAY_NATS_URL; "": embedded NATS
	Listen    string        // GATEWAY_NATS_LISTEN
	Token     string        // GATEWAY_NATS_TOKEN
	Subject   string        // GATEWAY_NATS_SUBJECT
	TargetARN string        // GATEWAY_STORE_EVENTS_ARN
	FastARN   string        // GATEWAY_STORE_EVENTS_FAST_ARN
	Retention time.Duration // GATEWAY_EVENTS_RETENTION
}

// FromEnv reads the configuration through getenv (os.Getenv in main, a map
// in tests). Every bad variable is reported, not just the first.
func FromEnv(getenv func(string) string) (Config, error) {
	r := newEnvReader(getenv)
	var cfg Config
	r.readServing(&cfg)
	r.readStore(&cfg)
	r.readLimits(&cfg)
	r.readEvents(&cfg)
	if err := r.err(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// readServing reads how the gateway listens, logs and shuts down.
func (r *envReader) readServing(cfg *Config) {
	cfg.Addr = r.get("GATEWAY_ADDR")
	cfg.TenantsFile = r.get("GATEWAY_TENANTS_FILE")
	cfg.ShutdownGrace = r.duration("GATEWAY_SHUTDOWN_GRACE")
	cfg.BodyIdleTimeout = r.duration("GATEWAY_BODY_IDLE_TIMEOUT")
	cfg.PprofAddr = r.get("GATEWAY_PPROF_ADDR")
	cfg.MetricsTenantLabels = r.boolean("GATEWAY_METRICS_TENANT_LABELS")
	if err := cfg.LogLevel.UnmarshalText([]byte(r.get("GATEWAY_LOG_LEVEL"))); err != nil ||
		cfg.LogLevel < zapcore.DebugLevel || cfg.LogLevel > zapcore.ErrorLevel {
		r.bad("GATEWAY_LOG_LEVEL", "must be debug, info, warn or error")
	}
	cfg.CORSOrigins = r.list("GATEWAY_CORS_ORIGINS")
}

// readStore reads where the store is and how the gateway talks to it.
func (r *envReader) readStore(cfg *Config) {
	endpoint := r.get("GATEWAY_S3_ENDPOINT")
	cfg.S3Endpoint = r.url("GATEWAY_S3_ENDPOINT", endpoint)
	publicURL := strings.TrimSpace(r.getenv("GATEWAY_S3_PUBLIC_URL"))
	if publicURL == "" { // the default, publicURLDefault
		publicURL = endpoint
	}
	cfg.S3PublicURL = r.url("GATEWAY_S3_PUBLIC_URL", publicURL)
	cfg.S3Region = r.get("GATEWAY_S3_REGION")
	cfg.BackendTimeout = r.duration("GATEWAY_BACKEND_TIMEOUT")
	cfg.BackendCooldown = r.duration("GATEWAY_BACKEND_COOLDOWN")
	cfg.ReadyTimeout = r.duration("GATEWAY_READY_TIMEOUT")
	cfg.ZeroCopyReads = r.boolean("GATEWAY_ZERO_COPY_READS")
	cfg.MultipartTTL = r.duration("GATEWAY_MULTIPART_TTL")
	cfg.PartSize = int64(r.positiveInt("GATEWAY_PART_SIZE_MIB")) << 20
	if cfg.PartSize < MinPartSizeMiB<<20 {
		r.bad("GATEWAY_PART_SIZE_MIB", "must be at least %d (S3's smallest part)", MinPartSizeMiB)
	}
}

// readLimits reads the sizes and counts a request or a tenant may not exceed.
func (r *envReader) readLimits(cfg *Config) {
	cfg.MaxJSONBody = int64(r.positiveInt("GATEWAY_MAX_JSON_BODY_KIB")) << 10
	cfg.MaxDeleteNames = r.positiveInt("GATEWAY_MAX_DELETE_NAMES")
	cfg.RateLimit = r.nonNegativeFloat("GATEWAY_RATE_LIMIT")
	cfg.RateBurst = r.positiveInt("GATEWAY_RATE_BURST")
	cfg.MaxUploads = r.nonNegativeInt("GATEWAY_MAX_UPLOADS_PER_TENANT")
	cfg.MaxStreams = r.nonNegativeInt("GATEWAY_MAX_STREAMS_PER_TENANT")
	if n, err := ParseSize(r.get("GATEWAY_MAX_UPLOAD_SIZE")); err != nil || n > MaxUploadSizeLimit {
		r.bad("GATEWAY_MAX_UPLOAD_SIZE", "%q must be a positive size of at most 5TiB, such as 5GiB", r.get("GATEWAY_MAX_UPLOAD_SIZE"))
	} else {
		cfg.MaxUploadSize = n
	}
}

// readEvents reads the event engine and the store's targets that feed it.
func (r *envReader) readEvents(cfg *Config) {
	cfg.EventHeartbeat = r.duration("GATEWAY_EVENT_HEARTBEAT")
	cfg.Events = Events{
		DataDir:   r.get("GATEWAY_DATA_DIR"),
		NATSURL:   r.get("GATEWAY_NATS_URL"),
		Listen:    r.get("GATEWAY_NATS_LISTEN"),
		Token:     r.get("GATEWAY_NATS_TOKEN"),
		Subject:   r.get("GATEWAY_NATS_SUBJECT"),
		TargetARN: r.get("GATEWAY_STORE_EVENTS_ARN"),
		FastARN:   r.get("GATEWAY_STORE_EVENTS_FAST_ARN"),
		Retention: r.duration("GATEWAY_EVENTS_RETENTION"),
	}
	for _, name := range []string{"GATEWAY_STORE_EVENTS_ARN", "GATEWAY_STORE_EVENTS_FAST_ARN"} {
		if parts := strings.Split(r.get(name), ":"); len(parts) != 6 || parts[0] != "arn" || parts[4] == "" {
			r.bad(name, "%q must have the form arn:minio:sqs:region:ID:nats", r.get(name))
		}
	}
}

// Names of the store's admin credentials, which only "gateway tenants
// provision" reads.
const (
	AdminAccessKeyVar = "GATEWAY_ADMIN_ACCESS_KEY"
	AdminSecretKeyVar = "GATEWAY_ADMIN_SECRET_KEY"
)

// Admin is the store's admin key, for provisioning tenants.
type Admin struct {
	AccessKey, SecretKey string
}

// AdminFromEnv reads the store's admin credentials; both are required.
func AdminFromEnv(getenv func(string) string) (Admin, error) {
	a := Admin{AccessKey: getenv(AdminAccessKeyVar), SecretKey: getenv(AdminSecretKeyVar)}
	if a.AccessKey == "" || a.SecretKey == "" {
		return Admin{}, fmt.Errorf("tenants provision needs %s and %s (the store's admin credentials)", AdminAccessKeyVar, AdminSecretKeyVar)
	}
	return a, nil
}
