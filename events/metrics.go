package events

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics receives what the engine counts. Implementations must be safe for
// concurrent use.
type Metrics interface {
	// Received counts an event that reached the log.
	Received()
	// Duplicate counts a repeated delivery of an event already in the log.
	Duplicate()
	// Malformed counts a store message or record the engine could not read.
	Malformed()
	// Delivered counts an event handed to a subscriber: replayed from the
	// log, or live with the lag from the store's event time.
	Delivered(replayed bool, lag time.Duration)
}

type noMetrics struct{}

func (noMetrics) Received()                     {}
func (noMetrics) Duplicate()                    {}
func (noMetrics) Malformed()                    {}
func (noMetrics) Delivered(bool, time.Duration) {}

// PrometheusMetrics counts in Prometheus collectors.
type PrometheusMetrics struct {
	received, duplicates, malformed prometheus.Counter
	delivered                       *prometheus.CounterVec
	lag                             prometheus.Histogram
}

// NewPrometheusMetrics registers the engine's collectors with reg.
func NewPrometheusMetrics(reg prometheus.Registerer) (*PrometheusMetrics, error) {
	m := &PrometheusMetrics{
		received: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gateway_events_received_total",
			Help: "Events from the object store that reached the event log.",
		}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gateway_events_duplicates_total",
			Help: "Repeated deliveries of events by the object store, dropped.",
		}),
		malformed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gateway_events_malformed_total",
			Help: "Object store notifications the gateway could not read, dropped.",
		}),
		delivered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_events_delivered_total",
			Help: "Events handed to event streams, by whether they were replayed or live.",
		}, []string{"mode"}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "gateway_events_lag_seconds",
			Help:    "Time from the object store's event time to delivery to a stream, live events.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
	}
	for _, c := range []prometheus.Collector{m.received, m.duplicates, m.malformed, m.delivered, m.lag} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("events: register metrics: %w", err)
		}
	}
	return m, nil
}

// Received implements Metrics.
func (m *PrometheusMetrics) Received() { m.received.Inc() }

// Duplicate implements Metrics.
func (m *PrometheusMetrics) Duplicate() { m.duplicates.Inc() }

// Malformed implements Metrics.
func (m *PrometheusMetrics) Malformed() { m.malformed.Inc() }

// Delivered implements Metrics.
func (m *PrometheusMetrics) Delivered(replayed bool, lag time.Duration) {
	if replayed {
		m.delivered.WithLabelValues("replayed").Inc()
		return
	}
	m.delivered.WithLabelValues("live").Inc()
	m.lag.Observe(lag.Seconds())
}
