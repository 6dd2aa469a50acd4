package middleware

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"s3gateway/access"
	"s3gateway/errs"
)

// UnmatchedRoute is the route label of requests that match no route, so
// that arbitrary paths cannot grow the number of series.
const UnmatchedRoute = "unmatched"

// Metrics are the gateway's Prometheus series, registered on the registry
// of one server (never the global default one). Labels are bounded: routes
// are templates ("/api/v1/buckets/:bucket"), methods are the known ones or
// "other", and backend error codes are contract codes. /metrics is public,
// so the HTTP series carry a tenant label (a tenant id of the tenants file,
// "" for requests without one) only when MetricsOptions.TenantLabels says
// so: otherwise anyone could list the tenants and their traffic.
//
// A nil *Metrics is valid and records nothing.
type Metrics struct {
	handler      http.Handler // the registry, served
	tenantLabels bool

	requests      *prometheus.CounterVec   // route, method, status, tenant
	duration      *prometheus.HistogramVec // route, method, status, tenant
	bytesIn       *prometheus.CounterVec   // route, tenant
	bytesOut      *prometheus.CounterVec   // route, tenant
	inFlight      prometheus.Gauge
	backendErrors *prometheus.CounterVec // code
	eventStreams  prometheus.Gauge
}

// MetricsOptions adjust the series.
type MetricsOptions struct {
	// TenantLabels adds the tenant id to the HTTP series
	// (GATEWAY_METRICS_TENANT_LABELS).
	TenantLabels bool
}

// NewMetrics creates the gateway's series and registers them on reg.
func NewMetrics(reg *prometheus.Registry, opts MetricsOptions) (*Metrics, error) {
	httpLabels := []string{"route", "method", "status"}
	byteLabels := []string{"route"}
	if opts.TenantLabels {
		httpLabels = append(httpLabels, "tenant")
		byteLabels = append(byteLabels, "tenant")
	}
	m := &Metrics{
		handler:      promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
		tenantLabels: opts.TenantLabels,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_http_requests_total",
			Help: "HTTP requests served, by route template, method, status (and tenant, when configured).",
		}, httpLabels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gateway_http_request_duration_seconds",
			Help:    "Time from a request's arrival to the end of its response (event streams included), by route template, method, status (and tenant, when configured).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
		}, httpLabels),
		bytesIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_http_request_bytes_total",
			Help: "Request body bytes read, by route template (and tenant, when configured).",
		}, byteLabels),
		bytesOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_http_response_bytes_total",
			Help: "Response body bytes written, by route template (and tenant, when configured).",
		}, byteLabels),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gateway_http_requests_in_flight",
			Help: "Requests being served now.",
		}),
		backendErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_backend_errors_total",
			Help: "Object store requests that failed because of the store (no answer, time-out, 5xx answer, or refused at once while the store is down), by error code.",
		}, []string{"code"}),
		eventStreams: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gateway_event_streams_open",
			Help: "Bucket event streams open now.",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.bytesIn, m.bytesOut, m.inFlight, m.backendErrors, m.eventStreams} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	// The store failure codes exist from the start, so rates work at once.
	for _, c := range []errs.Code{errs.BackendUnavailable, errs.BackendTimeout, errs.InternalError} {
		m.backendErrors.WithLabelValues(string(c))
	}
	return m, nil
}

// Handler serves the registry in Prometheus' text format.
func (m *Metrics) Handler() http.Handler { return m.handler }

// BackendError counts a failed store request (miniostore.Config.OnBackendError).
func (m *Metrics) BackendError(code errs.Code) {
	if m == nil {
		return
	}
	m.backendErrors.WithLabelValues(string(code)).Inc()
}

// StreamOpened counts an event stream as open; the returned func counts it
// closed.
func (m *Metrics) StreamOpened() (closed func()) {
	if m == nil {
		return func() {}
	}
	m.eventStreams.Inc()
	return m.eventStreams.Dec
}

// Measure records every request in m. It goes before Logger in the chain,
// so that it sees the status that Logger rendered and the tenant that Auth
// found.
func Measure(m *Metrics) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if m == nil {
			return next
		}
		return func(c echo.Context) error {
			start := time.Now()
			m.inFlight.Inc()
			defer m.inFlight.Dec()
			r := c.Request()
			var in *countingBody
			if r.Body != nil && r.Body != http.NoBody {
				in = &countingBody{ReadCloser: r.Body}
				r.Body = in
			}
			err := next(c)

			route := c.Path()
			if route == "" {
				route = UnmatchedRoute
			}
			res := c.Response()
			labels := prometheus.Labels{"route": route, "method": methodLabel(r.Method), "status": strconv.Itoa(res.Status)}
			byteLabels := prometheus.Labels{"route": route}
			if m.tenantLabels {
				tenant := ""
				if t, ok := access.FromContext(c.Request().Context()); ok {
					tenant = t.ID
				}
				labels["tenant"], byteLabels["tenant"] = tenant, tenant
			}
			m.requests.With(labels).Inc()
			m.duration.With(labels).Observe(time.Since(start).Seconds())
			m.bytesIn.With(byteLabels).Add(float64(in.count()))
			m.bytesOut.With(byteLabels).Add(float64(res.Size))
			return err
		}
	}
}

// methodLabel keeps the method label to the methods HTTP defines.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}
