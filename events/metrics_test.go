package events

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestPrometheusMetrics_count(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewPrometheusMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	m.Received()
	m.Duplicate()
	m.Delivered(true, 0)
	m.Delivered(false, 20*time.Millisecond)
	want := `
# HELP gateway_events_delivered_total Events handed to event streams, by whether they were replayed or live.
# TYPE gateway_events_delivered_total counter
gateway_events_delivered_total{mode="live"} 1
gateway_events_delivered_total{mode="replayed"} 1
# HELP gateway_events_duplicates_total Repeated deliveries of events by the object store, dropped.
# TYPE gateway_events_duplicates_total counter
gateway_events_duplicates_total 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "gateway_events_delivered_total", "gateway_events_duplicates_total"); err != nil {
		t.Fatal(err)
	}
	if _, err := NewPrometheusMetrics(reg); err == nil {
		t.Fatal("registering twice succeeded")
	}
}
