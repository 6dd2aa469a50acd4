package handlers

import (
	"context"
	"io"
	"time"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"

	"s3gateway/access"
	"s3gateway/config"
	"s3gateway/middleware"
	"s3gateway/service"
)

// Config is what the HTTP layer is built from.
type Config struct {
	Service        service.Service
	Tenants        access.Resolver // *access.Authenticator, or a fixed *access.Registry
	Logger         *zap.Logger
	CORSOrigins    []string // exact origins allowed to call from a browser; none: no CORS
	MaxJSONBody    int64    // largest JSON request body in bytes; 0: config.DefaultMaxJSONBodyKiB
	MaxDeleteNames int      // most names in one batch delete; 0: config.DefaultMaxDeleteNames
	// OpenAPI, when not nil, is served at GET /openapi.json, with the
	// Swagger UI for it at /swagger/index.html.
	OpenAPI []byte
	// EventHeartbeat is how often an idle event stream gets a comment line;
	// 0: config.DefaultEventHeartbeat.
	EventHeartbeat time.Duration
	// ReadyTimeout bounds the store check of GET /readyz; 0:
	// config.DefaultReadyTimeout.
	ReadyTimeout time.Duration
	// Metrics, when not nil, records every request and is served at
	// GET /metrics.
	Metrics *middleware.Metrics
	// RateLimit is each tenant's request rate per second (0: no limit),
	// with bursts of RateBurst requests.
	RateLimit float64
	RateBurst int
	// MaxUploads is the most uploads a tenant may have in progress at once
	// (0: no limit).
	MaxUploads int
	// MaxStreams is the most event streams a tenant may have open at once
	// (0: no limit).
	MaxStreams int
	// BodyIdleTimeout is how long a request body may send nothing before
	// the request is cut; 0: config.DefaultBodyIdleTimeout.
	BodyIdleTimeout time.Duration
	// IdentityProviders, when not nil, reports the tenants' identity
	// providers for GET /readyz (access.Authenticator.Providers).
	IdentityProviders func() []access.ProviderStatus
	// Shutdown, when not nil, ends when the server begins to shut down:
	// event streams then say so and end.
	Shutdown context.Context
}

// handler holds the dependencies of the route handlers.
type handler struct {
	svc            service.Service
	maxJSONBody    int64
	maxDeleteNames int
	openAPI        []byte
	eventHeartbeat time.Duration
	readyTimeout   time.Duration
	metrics        *middleware.Metrics
	uploadLimit    echo.MiddlewareFunc
	streamLimit    echo.MiddlewareFunc
	shutdown       <-chan struct{} // closed when the server shuts down
	providers      func() []access.ProviderStatus
}

// New returns the gateway's HTTP handler: middleware, routes and the error
// renderer.
func New(cfg Config) *echo.Echo {
	h := &handler{
		svc:            cfg.Service,
		maxJSONBody:    cfg.MaxJSONBody,
		maxDeleteNames: cfg.MaxDeleteNames,
		openAPI:        cfg.OpenAPI,
		eventHeartbeat: cfg.EventHeartbeat,
		readyTimeout:   cfg.ReadyTimeout,
		metrics:        cfg.Metrics,
		uploadLimit:    middleware.UploadLimit(cfg.MaxUploads),
		streamLimit:    middleware.StreamLimit(cfg.MaxStreams),
		providers:      cfg.IdentityProviders,
	}
	if cfg.Shutdown != nil {
		h.shutdown = cfg.Shutdown.Done()
	}
	if h.maxJSONBody <= 0 {
		h.maxJSONBody = config.DefaultMaxJSONBodyKiB << 10
	}
	if h.maxDeleteNames <= 0 {
		h.maxDeleteNames = config.DefaultMaxDeleteNames
	}
	if h.eventHeartbeat <= 0 {
		h.eventHeartbeat = config.DefaultEventHeartbeat
	}
	if h.readyTimeout <= 0 {
		h.readyTimeout = config.DefaultReadyTimeout
	}

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Logger.SetOutput(io.Discard) // everything is logged through zap
	e.HTTPErrorHandler = handleError
	bodyIdle := cfg.BodyIdleTimeout
	if bodyIdle <= 0 {
		bodyIdle = config.DefaultBodyIdleTimeout
	}
	e.Use(
		middleware.BodyDeadline(bodyIdle),
		middleware.NoSniff(),
		middleware.RequestID(),
		middleware.Measure(cfg.Metrics),
		middleware.Logger(cfg.Logger),
		middleware.Recover(),
		middleware.CORS(cfg.CORSOrigins),
		middleware.Auth(cfg.Tenants, middleware.AllowQueryKey(eventsRoute)),
		middleware.RateLimit(cfg.RateLimit, cfg.RateBurst),
	)
	h.routes(e)
	return e
}
