// Package config reads the gateway's configuration from the environment.
package config

import (
	"errors"
	"fmt"
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
