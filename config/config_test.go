package config

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
)

// env is a getenv over a map.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaults(t *testing.T) {
	cfg, err := FromEnv(env(nil))
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	checks := []struct {
		field     string
		got, want any
	}{
		{"Addr", cfg.Addr, ":8080"},
		{"S3Endpoint", cfg.S3Endpoint.String(), "http://127.0.0.1:9000"},
		{"S3Region", cfg.S3Region, "us-east-1"},
		{"S3PublicURL", cfg.S3PublicURL.String(), "http://127.0.0.1:9000"},
		{"TenantsFile", cfg.TenantsFile, "tenants.yaml"},
		{"LogLevel", cfg.LogLevel, zapcore.InfoLevel},
		{"CORSOrigins", len(cfg.CORSOrigins), 0},
		{"PartSize", cfg.PartSize, int64(8 << 20)},
		{"MaxJSONBody", cfg.MaxJSONBody, int64(1024 << 10)},
		{"MaxDeleteNames", cfg.MaxDeleteNames, 10000},
		{"BackendTimeout", cfg.BackendTimeout, 30 * time.Second},
		{"ShutdownGrace", cfg.ShutdownGrace, 30 * time.Second},
		{"ZeroCopyReads", cfg.ZeroCopyReads, true},
		{"ReadyTimeout", cfg.ReadyTimeout, 3 * time.Second},
		{"EventHeartbeat", cfg.EventHeartbeat, 15 * time.Second},
		{"PprofAddr", cfg.PprofAddr, ""},
		{"MaxStreams", cfg.MaxStreams, 100},
		{"BodyIdleTimeout", cfg.BodyIdleTimeout, 30 * time.Second},
		{"MetricsTenantLabels", cfg.MetricsTenantLabels, false},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.field, c.got, c.want)
		}
	}
}

// everyVariable sets every variable to a value other than its default.
var everyVariable = map[string]string{
	"GATEWAY_ADDR":              "127.0.0.1:9999",
	"GATEWAY_S3_ENDPOINT":       "https://store.internal:9443/",
	"GATEWAY_S3_REGION":         "eu-west-1",
	"GATEWAY_S3_PUBLIC_URL":     "https://files.example",
	"GATEWAY_TENANTS_FILE":      "/etc/gateway/tenants.yaml",
	"GATEWAY_LOG_LEVEL":         "warn",
	"GATEWAY_CORS_ORIGINS":      " https://a.example , ,https://b.example",
	"GATEWAY_PART_SIZE_MIB":     "16",
	"GATEWAY_MAX_JSON_BODY_KIB": "64",
	"GATEWAY_MAX_DELETE_NAMES":  "500",
	"GATEWAY_BACKEND_TIMEOUT":   "5s",
	"GATEWAY_SHUTDOWN_GRACE":    "1m",

	"GATEWAY_BACKEND_COOLDOWN":       "2s",
	"GATEWAY_RATE_LIMIT":             "12.5",
	"GATEWAY_RATE_BURST":             "20",
	"GATEWAY_MAX_UPLOADS_PER_TENANT": "0",
	"GATEWAY_ZERO_COPY_READS":        "false",
	"GATEWAY_READY_TIMEOUT":          "500ms",
	"GATEWAY_EVENT_HEARTBEAT":        "1m",
	"GATEWAY_PPROF_ADDR":             "127.0.0.1:6060",
	"GATEWAY_MAX_STREAMS_PER_TENANT": "7",
	"GATEWAY_BODY_IDLE_TIMEOUT":      "2m",
	"GATEWAY_METRICS_TENANT_LABELS":  "true",
	"GATEWAY_MULTIPART_TTL":          "2h",
	"GATEWAY_DATA_DIR":               "/var/lib/gateway",
	"GATEWAY_NATS_URL":               "nats://nats-1:4222,nats://nats-2:4222",
	"GATEWAY_NATS_LISTEN":            "0.0.0.0:4222",
	"GATEWAY_NATS_TOKEN":             "nats-token",
	"GATEWAY_NATS_SUBJECT":           "store.events",
	"GATEWAY_STORE_EVENTS_ARN":       "arn:minio:sqs::EVENTS:nats",
	"GATEWAY_STORE_EVENTS_FAST_ARN":  "arn:minio:sqs::EVENTSFAST:nats",
	"GATEWAY_EVENTS_RETENTION":       "1h",
	"GATEWAY_MAX_UPLOAD_SIZE":        "2GiB",
}

func TestEveryVariableParsed(t *testing.T) {
	cfg, err := FromEnv(env(everyVariable))
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	checks := []struct {
		field     string
		got, want any
	}{
		{"Addr", cfg.Addr, "127.0.0.1:9999"},
		{"S3Endpoint", cfg.S3Endpoint.String(), "https://store.internal:9443"}, // a trailing "/" is dropped
		{"S3Region", cfg.S3Region, "eu-west-1"},
		{"S3PublicURL", cfg.S3PublicURL.String(), "https://files.example"},
		{"TenantsFile", cfg.TenantsFile, "/etc/gateway/tenants.yaml"},
		{"LogLevel", cfg.LogLevel, zapcore.WarnLevel},
		{"CORSOrigins", cfg.CORSOrigins, []string{"https://a.example", "https://b.example"}},
		{"PartSize", cfg.PartSize, int64(16 << 20)},
		{"MaxJSONBody", cfg.MaxJSONBody, int64(64 << 10)},
		{"MaxDeleteNames", cfg.MaxDeleteNames, 500},
		{"BackendTimeout", cfg.BackendTimeout, 5 * time.Second},
		{"ShutdownGrace", cfg.ShutdownGrace, time.Minute},
		{"BackendCooldown", cfg.BackendCooldown, 2 * time.Second},
		{"MaxUploadSize", cfg.MaxUploadSize, int64(2 << 30)},
		{"RateLimit", cfg.RateLimit, 12.5},
		{"RateBurst", cfg.RateBurst, 20},
		{"MaxUploads", cfg.MaxUploads, 0},
		{"ZeroCopyReads", cfg.ZeroCopyReads, false},
		{"ReadyTimeout", cfg.ReadyTimeout, 500 * time.Millisecond},
		{"EventHeartbeat", cfg.EventHeartbeat, time.Minute},
		{"PprofAddr", cfg.PprofAddr, "127.0.0.1:6060"},
		{"MaxStreams", cfg.MaxStreams, 7},
		{"BodyIdleTimeout", cfg.BodyIdleTimeout, 2 * time.Minute},
		{"MetricsTenantLabels", cfg.MetricsTenantLabels, true},
		{"Events", cfg.Events, Events{
			DataDir: "/var/lib/gateway", NATSURL: "nats://nats-1:4222,nats://nats-2:4222",
			Listen: "0.0.0.0:4222", Token: "nats-token", Subject: "store.events",
			TargetARN: "arn:minio:sqs::EVENTS:nats", FastARN: "arn:minio:sqs::EVENTSFAST:nats",
			Retention: time.Hour,
		}},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.field, c.got, c.want)
		}
	}

	// Every field comes from a variable: with every variable set, no field
	// keeps its default. A new field without a variable in everyVariable
	// fails here.
	def, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	got, base := reflect.ValueOf(cfg), reflect.ValueOf(def)
	for i := 0; i < got.NumField(); i++ {
		if reflect.DeepEqual(got.Field(i).Interface(), base.Field(i).Interface()) {
			t.Errorf("field %s keeps its default with every variable set: add its variable to everyVariable", got.Type().Field(i).Name)
		}
	}
}

// The public URL defaults to the endpoint, whatever the endpoint is.
func TestPublicURLDefaultsToEndpoint(t *testing.T) {
	cfg, err := FromEnv(env(map[string]string{"GATEWAY_S3_ENDPOINT": "http://minio:9000"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.S3PublicURL.String() != "http://minio:9000" {
		t.Fatalf("S3PublicURL = %s", cfg.S3PublicURL)
	}
}

func TestLogLevels(t *testing.T) {
	for level, want := range map[string]zapcore.Level{
		"debug": zapcore.DebugLevel, "info": zapcore.InfoLevel, "warn": zapcore.WarnLevel, "error": zapcore.ErrorLevel,
		"WARN": zapcore.WarnLevel,
	} {
		cfg, err := FromEnv(env(map[string]string{"GATEWAY_LOG_LEVEL": level}))
		if err != nil || cfg.LogLevel != want {
			t.Errorf("%s: %v, %v", level, cfg.LogLevel, err)
		}
	}
}

func TestBadValues(t *testing.T) {
	cases := []struct {
		name, variable, value string
	}{
		{"endpointNoScheme", "GATEWAY_S3_ENDPOINT", "127.0.0.1:9000"},
		{"endpointFTP", "GATEWAY_S3_ENDPOINT", "ftp://store"},
		{"endpointWithPath", "GATEWAY_S3_ENDPOINT", "http://store/bucket"},
		{"endpointNoHost", "GATEWAY_S3_ENDPOINT", "http://"},
		{"publicURLNoScheme", "GATEWAY_S3_PUBLIC_URL", "files.example"},
		{"logLevelUnknown", "GATEWAY_LOG_LEVEL", "verbose"},
		{"logLevelFatal", "GATEWAY_LOG_LEVEL", "fatal"},
		{"partSizeNotANumber", "GATEWAY_PART_SIZE_MIB", "big"},
		{"partSizeBelowS3Minimum", "GATEWAY_PART_SIZE_MIB", "4"},
		{"partSizeZero", "GATEWAY_PART_SIZE_MIB", "0"},
		{"jsonBodyNegative", "GATEWAY_MAX_JSON_BODY_KIB", "-1"},
		{"deleteNamesFraction", "GATEWAY_MAX_DELETE_NAMES", "1.5"},
		{"backendTimeoutNoUnit", "GATEWAY_BACKEND_TIMEOUT", "30"},
		{"backendTimeoutNegative", "GATEWAY_BACKEND_TIMEOUT", "-1s"},
		{"shutdownGraceZero", "GATEWAY_SHUTDOWN_GRACE", "0s"},
		{"cooldownNoUnit", "GATEWAY_BACKEND_COOLDOWN", "5"},
		{"rateLimitNegative", "GATEWAY_RATE_LIMIT", "-1"},
		{"rateBurstZero", "GATEWAY_RATE_BURST", "0"},
		{"maxUploadsNegative", "GATEWAY_MAX_UPLOADS_PER_TENANT", "-1"},
		{"zeroCopyNotABool", "GATEWAY_ZERO_COPY_READS", "sometimes"},
		{"readyTimeoutZero", "GATEWAY_READY_TIMEOUT", "0s"},
		{"heartbeatNoUnit", "GATEWAY_EVENT_HEARTBEAT", "15"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := FromEnv(env(map[string]string{tc.variable: tc.value}))
			if err == nil || !strings.Contains(err.Error(), tc.variable) {
				t.Fatalf("error %v does not name %s", err, tc.variable)
			}
			if !reflect.DeepEqual(cfg, Config{}) {
				t.Fatalf("a configuration with the error: %+v", cfg)
			}
		})
	}

	// Every bad variable is reported at once, not just the first.
	all := map[string]string{}
	for _, tc := range cases {
		all[tc.variable] = tc.value
	}
	_, err := FromEnv(env(all))
	if err == nil {
		t.Fatal("no error")
	}
	for name := range all {
		if !strings.Contains(err.Error(), name+": ") {
			t.Errorf("error does not report %s: %v", name, err)
		}
	}
}
