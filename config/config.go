// Package config reads the gateway's configuration from the environment.
//
// The contract (API.md) names the basic variables (GATEWAY_ADDR,
// GATEWAY_S3_ENDPOINT, GATEWAY_S3_REGION, GATEWAY_S3_PUBLIC_URL,
// GATEWAY_TENANTS_FILE, GATEWAY_LOG_LEVEL, GATEWAY_CORS_ORIGINS). The
// operational ones, with their defaults:
//
//	GATEWAY_PART_SIZE_MIB           8     multipart part size (at least 5); the most an upload of unknown size buffers
//	GATEWAY_MAX_JSON_BODY_KIB       1024  largest JSON request body; more is 413 EntityTooLarge
//	GATEWAY_MAX_DELETE_NAMES        10000 most names in one batch delete; more is 400 InvalidArgument
//	GATEWAY_BACKEND_TIMEOUT         30s   deadline of each store metadata call, and how long any request waits for the
//	                                      store to start answering (data streams have none); over it is 504 BackendTimeout
//	GATEWAY_BACKEND_COOLDOWN        5s    once the store has left 3 requests in a row unanswered, requests fail at
//	                                      once with 503 BackendUnavailable for this long; then one goes through as a
//	                                      trial, and any answer (or a /readyz probe that gets one) lets traffic through again
//	GATEWAY_RATE_LIMIT              0     requests per second per tenant (token bucket; fractions allowed); 0 is no limit;
//	                                      over it is 429 SlowDown with Retry-After
//	GATEWAY_RATE_BURST              100   requests a tenant may make at once above its rate
//	GATEWAY_MAX_UPLOADS_PER_TENANT  64    uploads (PUT object, form POST) a tenant may have in progress; one more is
//	                                      429 SlowDown with Retry-After; 0 is no limit
//	GATEWAY_MAX_STREAMS_PER_TENANT  100   event streams a tenant may have open; one more is 429 SlowDown with
//	                                      Retry-After; 0 is no limit
//	GATEWAY_BODY_IDLE_TIMEOUT       30s   how long a request body may send nothing before the request is cut (each
//	                                      byte that arrives starts the wait again, so slow uploads are not cut)
//	GATEWAY_METRICS_TENANT_LABELS   false whether /metrics (public) labels the HTTP series with tenant ids
//	GATEWAY_ZERO_COPY_READS         true  object GETs and HEADs on the service's own HTTP/1.1 exchange with the store,
//	                                      downloads spliced from the store's socket to the client's (http:// stores
//	                                      without a proxy); false sends them through minio-go's standard transport too
//	GATEWAY_SHUTDOWN_GRACE          30s   on SIGTERM, how long in-flight requests may take to finish; event streams
//	                                      are ended at once, and requests still running after it are cut (their
//	                                      multipart uploads aborted)
//
// Request headers are bounded by the server (64 KiB; more is answered 431 by
// Go's HTTP server itself).
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

// Config is the gateway's whole configuration.
type Config struct {
	Addr         string        // GATEWAY_ADDR
	S3Endpoint   *url.URL      // GATEWAY_S3_ENDPOINT
	S3Region     string        // GATEWAY_S3_REGION
	S3PublicURL  *url.URL      // GATEWAY_S3_PUBLIC_URL
	TenantsFile  string        // GATEWAY_TENANTS_FILE
	LogLevel     zapcore.Level // GATEWAY_LOG_LEVEL
	CORSOrigins  []string      // GATEWAY_CORS_ORIGINS
	PartSize     int64         // GATEWAY_PART_SIZE_MIB, in bytes
	MaxJSONBody  int64         // GATEWAY_MAX_JSON_BODY_KIB, in bytes
	MaxBatch     int           // GATEWAY_MAX_DELETE_NAMES
	BackendCall  time.Duration // GATEWAY_BACKEND_TIMEOUT: deadline of backend metadata calls
	ShutdownWait time.Duration // GATEWAY_SHUTDOWN_GRACE
	// BackendCooldown is how long requests fail fast once the store is
	// known down (GATEWAY_BACKEND_COOLDOWN).
	BackendCooldown time.Duration
	RateLimit       float64 // GATEWAY_RATE_LIMIT: requests per second per tenant; 0: no limit
	RateBurst       int     // GATEWAY_RATE_BURST
	MaxUploads      int     // GATEWAY_MAX_UPLOADS_PER_TENANT: uploads in progress per tenant; 0: no limit
	MaxStreams      int     // GATEWAY_MAX_STREAMS_PER_TENANT: open event streams per tenant; 0: no limit
	ZeroCopyReads   bool    // GATEWAY_ZERO_COPY_READS
	// BodyIdleTimeout is how long a request body may send nothing
	// (GATEWAY_BODY_IDLE_TIMEOUT).
	BodyIdleTimeout     time.Duration
	MetricsTenantLabels bool // GATEWAY_METRICS_TENANT_LABELS
}

// Default values of the variables that have one.
const (
	DefaultAddr         = ":8080"
	DefaultS3Endpoint   = "http://127.0.0.1:9000"
	DefaultS3Region     = "us-east-1"
	DefaultTenantsFile  = "tenants.yaml"
	DefaultPartSizeMiB  = 8
	DefaultMaxJSONKiB   = 1024
	DefaultMaxBatch     = 10000
	DefaultBackendCall  = 30 * time.Second
	DefaultShutdownWait = 30 * time.Second
	DefaultCooldown     = 5 * time.Second
	DefaultRateLimit    = 0 // no limit
	DefaultRateBurst    = 100
	DefaultMaxUploads   = 64
	DefaultMaxStreams   = 100
	DefaultBodyIdle     = 30 * time.Second
	DefaultZeroCopy     = true
)

// FromEnv reads the configuration through getenv (os.Getenv in main, a map
// in tests). Every bad variable is reported, not just the first.
func FromEnv(getenv func(string) string) (Config, error) {
	var problems []string
	bad := func(name, format string, args ...any) {
		problems = append(problems, name+": "+fmt.Sprintf(format, args...))
	}
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
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
	positiveInt := func(name string, def int) int {
		raw := get(name, strconv.Itoa(def))
		n, err := strconv.Atoi(raw)
		if err != nil || n <= 0 {
			bad(name, "%q must be a positive whole number", raw)
			return def
		}
		return n
	}
	nonNegativeInt := func(name string, def int) int {
		raw := get(name, strconv.Itoa(def))
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			bad(name, "%q must be a whole number, 0 or more", raw)
			return def
		}
		return n
	}
	nonNegativeFloat := func(name string, def float64) float64 {
		raw := get(name, strconv.FormatFloat(def, 'g', -1, 64))
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			bad(name, "%q must be a number, 0 or more", raw)
			return def
		}
		return f
	}
	boolean := func(name string, def bool) bool {
		raw := get(name, strconv.FormatBool(def))
		switch strings.ToLower(raw) {
		case "true", "1":
			return true
		case "false", "0":
			return false
		}
		bad(name, "%q must be true or false", raw)
		return def
	}
	duration := func(name string, def time.Duration) time.Duration {
		raw := get(name, def.String())
		d, err := time.ParseDuration(raw)
		if err != nil || d <= 0 {
			bad(name, "%q must be a positive duration such as 30s", raw)
			return def
		}
		return d
	}

	cfg := Config{
		Addr:         get("GATEWAY_ADDR", DefaultAddr),
		S3Region:     get("GATEWAY_S3_REGION", DefaultS3Region),
		TenantsFile:  get("GATEWAY_TENANTS_FILE", DefaultTenantsFile),
		PartSize:     int64(positiveInt("GATEWAY_PART_SIZE_MIB", DefaultPartSizeMiB)) << 20,
		MaxJSONBody:  int64(positiveInt("GATEWAY_MAX_JSON_BODY_KIB", DefaultMaxJSONKiB)) << 10,
		MaxBatch:     positiveInt("GATEWAY_MAX_DELETE_NAMES", DefaultMaxBatch),
		BackendCall:  duration("GATEWAY_BACKEND_TIMEOUT", DefaultBackendCall),
		ShutdownWait: duration("GATEWAY_SHUTDOWN_GRACE", DefaultShutdownWait),

		BackendCooldown: duration("GATEWAY_BACKEND_COOLDOWN", DefaultCooldown),
		RateLimit:       nonNegativeFloat("GATEWAY_RATE_LIMIT", DefaultRateLimit),
		RateBurst:       positiveInt("GATEWAY_RATE_BURST", DefaultRateBurst),
		MaxUploads:      nonNegativeInt("GATEWAY_MAX_UPLOADS_PER_TENANT", DefaultMaxUploads),
		MaxStreams:      nonNegativeInt("GATEWAY_MAX_STREAMS_PER_TENANT", DefaultMaxStreams),
		ZeroCopyReads:   boolean("GATEWAY_ZERO_COPY_READS", DefaultZeroCopy),

		BodyIdleTimeout:     duration("GATEWAY_BODY_IDLE_TIMEOUT", DefaultBodyIdle),
		MetricsTenantLabels: boolean("GATEWAY_METRICS_TENANT_LABELS", false),
	}
	endpoint := get("GATEWAY_S3_ENDPOINT", DefaultS3Endpoint)
	cfg.S3Endpoint = parseURL("GATEWAY_S3_ENDPOINT", endpoint)
	cfg.S3PublicURL = parseURL("GATEWAY_S3_PUBLIC_URL", get("GATEWAY_S3_PUBLIC_URL", endpoint))
	if err := cfg.LogLevel.UnmarshalText([]byte(get("GATEWAY_LOG_LEVEL", "info"))); err != nil ||
		cfg.LogLevel < zapcore.DebugLevel || cfg.LogLevel > zapcore.ErrorLevel {
		bad("GATEWAY_LOG_LEVEL", "must be debug, info, warn or error")
	}
	if cfg.PartSize < 5<<20 {
		bad("GATEWAY_PART_SIZE_MIB", "must be at least 5 (S3's smallest part)")
	}
	for _, o := range strings.Split(getenv("GATEWAY_CORS_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.CORSOrigins = append(cfg.CORSOrigins, o)
		}
	}
	if len(problems) > 0 {
		return Config{}, errors.New("configuration: " + strings.Join(problems, "; "))
	}
	return cfg, nil
}
