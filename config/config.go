// Package config reads the gateway's configuration from the environment.
// Every variable, its default and its meaning are in Vars, the one table
// that FromEnv reads its defaults from and the README's configuration table
// is checked against; the contract (API.md) names the basic ones.
package config

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
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
	var problems []string
	bad := func(name, format string, args ...any) {
		problems = append(problems, name+": "+fmt.Sprintf(format, args...))
	}
	defaults := map[string]string{}
	for _, v := range Vars() {
		defaults[v.Name] = v.Default
	}
	// get returns the variable, or its default from Vars.
	get := func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return defaults[name]
	}
	parseURL := func(name, raw string) *url.URL {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			bad(name, "%q must be an http:// or https:// URL with a host and no path", raw)
			return nil
		}
		u.Path = ""
		return u
	}
	positiveInt := func(name string) int {
		raw := get(name)
		n, err := strconv.Atoi(raw)
		if err != nil || n <= 0 {
			bad(name, "%q must be a positive whole number", raw)
		}
		return n
	}
	nonNegativeInt := func(name string) int {
		raw := get(name)
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			bad(name, "%q must be a whole number, 0 or more", raw)
		}
		return n
	}
	nonNegativeFloat := func(name string) float64 {
		raw := get(name)
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			bad(name, "%q must be a number, 0 or more", raw)
		}
		return f
	}
	boolean := func(name string) bool {
		raw := get(name)
		switch strings.ToLower(raw) {
		case "true", "1":
			return true
		case "false", "0":
			return false
		}
		bad(name, "%q must be true or false", raw)
		return false
	}
	duration := func(name string) time.Duration {
		raw := get(name)
		d, err := time.ParseDuration(raw)
		if err != nil || d <= 0 {
			bad(name, "%q must be a positive duration such as 30s", raw)
		}
		return d
	}

	cfg := Config{
		Addr:           get("GATEWAY_ADDR"),
		S3Region:       get("GATEWAY_S3_REGION"),
		TenantsFile:    get("GATEWAY_TENANTS_FILE"),
		PartSize:       int64(positiveInt("GATEWAY_PART_SIZE_MIB")) << 20,
		MaxJSONBody:    int64(positiveInt("GATEWAY_MAX_JSON_BODY_KIB")) << 10,
		MaxDeleteNames: positiveInt("GATEWAY_MAX_DELETE_NAMES"),
		BackendTimeout: duration("GATEWAY_BACKEND_TIMEOUT"),
		ShutdownGrace:  duration("GATEWAY_SHUTDOWN_GRACE"),

		BackendCooldown: duration("GATEWAY_BACKEND_COOLDOWN"),
		RateLimit:       nonNegativeFloat("GATEWAY_RATE_LIMIT"),
		RateBurst:       positiveInt("GATEWAY_RATE_BURST"),
		MaxUploads:      nonNegativeInt("GATEWAY_MAX_UPLOADS_PER_TENANT"),
		ZeroCopyReads:   boolean("GATEWAY_ZERO_COPY_READS"),
		ReadyTimeout:    duration("GATEWAY_READY_TIMEOUT"),
		EventHeartbeat:  duration("GATEWAY_EVENT_HEARTBEAT"),
		PprofAddr:       get("GATEWAY_PPROF_ADDR"),
		MaxStreams:      nonNegativeInt("GATEWAY_MAX_STREAMS_PER_TENANT"),

		BodyIdleTimeout:     duration("GATEWAY_BODY_IDLE_TIMEOUT"),
		MetricsTenantLabels: boolean("GATEWAY_METRICS_TENANT_LABELS"),
		MultipartTTL:        duration("GATEWAY_MULTIPART_TTL"),
		Events: Events{
			DataDir:   get("GATEWAY_DATA_DIR"),
			NATSURL:   get("GATEWAY_NATS_URL"),
			Listen:    get("GATEWAY_NATS_LISTEN"),
			Token:     get("GATEWAY_NATS_TOKEN"),
			Subject:   get("GATEWAY_NATS_SUBJECT"),
			TargetARN: get("GATEWAY_STORE_EVENTS_ARN"),
			FastARN:   get("GATEWAY_STORE_EVENTS_FAST_ARN"),
			Retention: duration("GATEWAY_EVENTS_RETENTION"),
		},
	}
	for _, name := range []string{"GATEWAY_STORE_EVENTS_ARN", "GATEWAY_STORE_EVENTS_FAST_ARN"} {
		if parts := strings.Split(get(name), ":"); len(parts) != 6 || parts[0] != "arn" || parts[4] == "" {
			bad(name, "%q must have the form arn:minio:sqs:region:ID:nats", get(name))
		}
	}
	if n, err := ParseSize(get("GATEWAY_MAX_UPLOAD_SIZE")); err != nil || n > MaxUploadSizeLimit {
		bad("GATEWAY_MAX_UPLOAD_SIZE", "%q must be a positive size of at most 5TiB, such as 5GiB", get("GATEWAY_MAX_UPLOAD_SIZE"))
	} else {
		cfg.MaxUploadSize = n
	}
	endpoint := get("GATEWAY_S3_ENDPOINT")
	cfg.S3Endpoint = parseURL("GATEWAY_S3_ENDPOINT", endpoint)
	publicURL := strings.TrimSpace(getenv("GATEWAY_S3_PUBLIC_URL"))
	if publicURL == "" { // the default, publicURLDefault
		publicURL = endpoint
	}
	cfg.S3PublicURL = parseURL("GATEWAY_S3_PUBLIC_URL", publicURL)
	if err := cfg.LogLevel.UnmarshalText([]byte(get("GATEWAY_LOG_LEVEL"))); err != nil ||
		cfg.LogLevel < zapcore.DebugLevel || cfg.LogLevel > zapcore.ErrorLevel {
		bad("GATEWAY_LOG_LEVEL", "must be debug, info, warn or error")
	}
	if cfg.PartSize < MinPartSizeMiB<<20 {
		bad("GATEWAY_PART_SIZE_MIB", "must be at least %d (S3's smallest part)", MinPartSizeMiB)
	}
	for _, o := range strings.Split(get("GATEWAY_CORS_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.CORSOrigins = append(cfg.CORSOrigins, o)
		}
	}
	if len(problems) > 0 {
		return Config{}, errors.New("configuration: " + strings.Join(problems, "; "))
	}
	return cfg, nil
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
