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
// are templates ("/api/v1/buckets/:bucket"), tenants are those of the
// tenants file ("" for requests without one), methods are the known ones
// or "other", and backend error codes are contract codes.
//
// A nil *Metrics is valid and records nothing.
type Metrics struct {
	handler http.Handler // the registry, served

	requests      *prometheus.CounterVec   // route, method, status, tenant
	duration      *prometheus.HistogramVec // route, method, status, tenant
	bytesIn       *prometheus.CounterVec   // route, tenant
	bytesOut      *prometheus.CounterVec   // route, tenant
	inFlight      prometheus.Gauge
	backendErrors *prometheus.CounterVec // code
	eventStreams  prometheus.Gauge
}

// NewMetrics creates the gateway's series and registers them on reg.
func NewMetrics(reg *prometheus.Registry) (*Metrics, error) {
	httpLabels := []string{"route", "method", "status", "tenant"}
	m := &Metrics{
		handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_http_requests_total",
			Help: "HTTP requests served, by route template, method, status and tenant.",
		}, httpLabels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gateway_http_request_duration_seconds",
			Help:    "Time from a request's arrival to the end of its response (event streams included), by route template, method, status and tenant.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
		}, httpLabels),
		bytesIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_http_request_bytes_total",
			Help: "Request body bytes read, by route template and tenant.",
		}, []string{"route", "tenant"}),
		bytesOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_http_response_bytes_total",
			Help: "Response body bytes written, by route template and tenant.",
		}, []string{"route", "tenant"}),
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
			tenant := ""
			if t, ok := access.FromContext(c.Request().Context()); ok {
				tenant = t.ID
			}
			res := c.Response()
			labels := prometheus.Labels{
				"route": route, "method": methodLabel(r.Method),
				"status": strconv.Itoa(res.Status), "tenant": tenant,
			}
			m.requests.With(labels).Inc()
			m.duration.With(labels).Observe(time.Since(start).Seconds())
			m.bytesIn.WithLabelValues(route, tenant).Add(float64(in.count()))
			m.bytesOut.WithLabelValues(route, tenant).Add(float64(res.Size))
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
