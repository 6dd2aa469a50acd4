package config

import (
	"strconv"
	"time"
)

// Default values of the variables that have one. Vars renders them for the
// README's table and FromEnv reads them from there, so each is written once.
const (
	DefaultAddr                = ":8080"
	DefaultS3Endpoint          = "http://127.0.0.1:9000"
	DefaultS3Region            = "us-east-1"
	DefaultTenantsFile         = "tenants.yaml"
	DefaultLogLevel            = "info"
	DefaultPartSizeMiB         = 8
	DefaultMaxJSONBodyKiB      = 1024
	DefaultMaxDeleteNames      = 10000
	DefaultBackendTimeout      = 30 * time.Second
	DefaultShutdownGrace       = 30 * time.Second
	DefaultBackendCooldown     = 5 * time.Second
	DefaultRateLimit           = 0 // no limit
	DefaultRateBurst           = 100
	DefaultMaxUploadsPerTenant = 64
	DefaultZeroCopyReads       = true
	DefaultReadyTimeout        = 3 * time.Second
	DefaultEventHeartbeat      = 15 * time.Second
	DefaultMaxStreams          = 100
	DefaultBodyIdleTimeout     = 30 * time.Second
	DefaultMetricsTenantLabels = false
	DefaultMultipartTTL        = 24 * time.Hour
	DefaultDataDir             = ".data"
	DefaultNATSListen          = "127.0.0.1:4222"
	DefaultNATSSubject         = "gateway.events"
	DefaultStoreEventsARN      = "arn:minio:sqs::GATEWAY:nats"
	DefaultStoreEventsFastARN  = "arn:minio:sqs::GATEWAYFAST:nats"
	DefaultEventsRetention     = 24 * time.Hour
	DefaultMaxUploadSize       = "5TiB" // S3's largest object
)

// Limits of the HTTP servers that are not variables. There is deliberately
// no read or write timeout: it would cut long uploads, downloads and event
// streams; slow or idle clients are bounded by these instead.
const (
	ReadHeaderTimeout = 10 * time.Second // request headers must arrive within it
	IdleTimeout       = 120 * time.Second
	MaxHeaderBytes    = 64 << 10 // more is answered 431 by Go's HTTP server
	MinPartSizeMiB    = 5        // S3's smallest multipart part
)

// Var is one environment variable: its name, its default as the README shows
// it ("" when unset means none), and what it sets, in Markdown.
type Var struct {
	Name    string
	Default string
	Meaning string
}

// publicURLDefault is what an unset GATEWAY_S3_PUBLIC_URL stands for.
const publicURLDefault = "GATEWAY_S3_ENDPOINT"

// Vars lists every variable the gateway reads, in the README's order.
func Vars() []Var {
	itoa, dur := strconv.Itoa, time.Duration.String
	return []Var{
		{"GATEWAY_ADDR", DefaultAddr, "listen address"},
		{"GATEWAY_S3_ENDPOINT", DefaultS3Endpoint, "URL of the S3 store the gateway calls"},
		{"GATEWAY_S3_REGION", DefaultS3Region, "region"},
		{"GATEWAY_S3_PUBLIC_URL", publicURLDefault, "URL that presigned URLs are made for (what clients can reach)"},
		{"GATEWAY_TENANTS_FILE", DefaultTenantsFile, "path of the tenants file (YAML)"},
		{"GATEWAY_LOG_LEVEL", DefaultLogLevel, "`debug`, `info`, `warn`, `error`"},
		{"GATEWAY_CORS_ORIGINS", "", "comma-separated allowed origins (exact match)"},
		{"GATEWAY_PART_SIZE_MIB", itoa(DefaultPartSizeMiB), "multipart part size in MiB (≥ " + itoa(MinPartSizeMiB) + "); also the most one unknown-size upload buffers"},
		{"GATEWAY_MAX_JSON_BODY_KIB", itoa(DefaultMaxJSONBodyKiB), "largest JSON request body, KiB (larger: `413 EntityTooLarge`)"},
		{"GATEWAY_MAX_DELETE_NAMES", itoa(DefaultMaxDeleteNames), "most names in one batch delete (more: `400 InvalidArgument`)"},
		{"GATEWAY_BACKEND_TIMEOUT", dur(DefaultBackendTimeout), "deadline of each store metadata call, and how long any request waits for the store to start answering (not the data streams themselves); over it `504 BackendTimeout`"},
		{"GATEWAY_SHUTDOWN_GRACE", dur(DefaultShutdownGrace), "how long in-flight requests may finish after SIGTERM; event streams end at once, and requests still running after it are cut (their multipart uploads aborted)"},
		{"GATEWAY_BACKEND_COOLDOWN", dur(DefaultBackendCooldown), "once the store left 3 requests in a row unanswered, how long calls fail at once (`503 BackendUnavailable`) before one is tried again; any answer (or a `/readyz` that gets one) lets traffic through again"},
		{"GATEWAY_RATE_LIMIT", itoa(DefaultRateLimit), "requests per second per tenant (token bucket; fractions allowed; `0`: no limit); over it `429 SlowDown` with `Retry-After`"},
		{"GATEWAY_RATE_BURST", itoa(DefaultRateBurst), "requests a tenant may make at once above its rate"},
		{"GATEWAY_MAX_UPLOAD_SIZE", DefaultMaxUploadSize, "largest object an upload may store: a PUT over it, and a resumable upload completed through the gateway over it, are `413 EntityTooLarge` (the resumable one is aborted); a presigned form without `contentLengthRange` is limited to it by the store. Bytes, or a number with `KiB`, `MiB`, `GiB` or `TiB`; at most `5TiB`"},
		{"GATEWAY_MAX_UPLOADS_PER_TENANT", itoa(DefaultMaxUploadsPerTenant), "uploads (PUT, form POST) a tenant may have in progress (`0`: no limit); one more is `429 SlowDown` with `Retry-After`"},
		{"GATEWAY_ZERO_COPY_READS", strconv.FormatBool(DefaultZeroCopyReads), "object GETs and HEADs on the gateway's own lean HTTP/1.1 exchange with the store, downloads spliced from the store's socket to the client's (see [Performance](#performance)); `false` sends them through minio-go's standard transport like every other call. Only for `http://` stores reached without a proxy; others always use the standard transport"},
		{"GATEWAY_MAX_STREAMS_PER_TENANT", itoa(DefaultMaxStreams), "event streams a tenant may have open (`0`: no limit); one more is `429 SlowDown` with `Retry-After`"},
		{"GATEWAY_BODY_IDLE_TIMEOUT", dur(DefaultBodyIdleTimeout), "how long a request body may send nothing before the request is cut and its connection closed; every byte that arrives starts the wait again, so slow uploads are not cut"},
		{"GATEWAY_METRICS_TENANT_LABELS", strconv.FormatBool(DefaultMetricsTenantLabels), "`true` labels the `/metrics` HTTP series with tenant ids; `/metrics` is public, so by default it names no tenant"},
		{"GATEWAY_READY_TIMEOUT", dur(DefaultReadyTimeout), "how long `GET /readyz` waits for the store to answer before it reports not ready"},
		{"GATEWAY_EVENT_HEARTBEAT", dur(DefaultEventHeartbeat), "how often an idle event stream gets a comment line, so that proxies keep it open"},
		{"GATEWAY_MULTIPART_TTL", dur(DefaultMultipartTTL), "incomplete multipart uploads in the tenants' buckets started longer ago than this are aborted by the gateway's sweep (every quarter of it, at most hourly), their parts freed"},
		{"GATEWAY_PPROF_ADDR", "", "address of Go's profiling endpoints (`/debug/pprof/`), on a listener of their own; off when unset. Use a loopback or otherwise private address: profiles reveal the process's internals and cost CPU"},
		{"GATEWAY_DATA_DIR", DefaultDataDir, "where the embedded event engine (NATS with JetStream) keeps its data"},
		{"GATEWAY_NATS_URL", "", "an external NATS (JetStream) server or cluster for events (comma-separated URLs, credentials in the URL); unset: the embedded one. Gateway replicas share it"},
		{"GATEWAY_NATS_LISTEN", DefaultNATSListen, "where the embedded NATS listens, for the store to publish to (`MINIO_NOTIFY_NATS_ADDRESS_GATEWAY`)"},
		{"GATEWAY_NATS_TOKEN", "", "token the embedded NATS requires of its clients (the store's `MINIO_NOTIFY_NATS_TOKEN_GATEWAY`); sent to an external NATS when set; unset: none"},
		{"GATEWAY_NATS_SUBJECT", DefaultNATSSubject, "the subject the store publishes bucket notifications to (`MINIO_NOTIFY_NATS_SUBJECT_GATEWAY`)"},
		{"GATEWAY_STORE_EVENTS_ARN", DefaultStoreEventsARN, "the store's notification target that publishes there, with a queue directory (kept while NATS is away); the gateway adds it to each bucket's notification configuration, hidden from tenants"},
		{"GATEWAY_STORE_EVENTS_FAST_ARN", DefaultStoreEventsFastARN, "a second target on the same subject without a queue directory, for prompt delivery (the store sends its queue only every 3 s); also hidden; used only when the store has it"},
		{"GATEWAY_EVENTS_RETENTION", dur(DefaultEventsRetention), "how long events can be replayed (`Last-Event-ID`)"},
		{AdminAccessKeyVar, "", "only for `gateway tenants provision`: the store's admin access key (the serving gateway never reads it)"},
		{AdminSecretKeyVar, "", "only for `gateway tenants provision`: the store's admin secret key"},
	}
}
