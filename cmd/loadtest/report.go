package main

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// report is what the run found.
type report struct {
	Clients  int           `json:"clients"`
	Duration string        `json:"duration"`
	Seed     uint64        `json:"seed"`
	DownFor  string        `json:"storeDownFor"`
	Grace    string        `json:"grace"`
	Outage   *outageReport `json:"outage"`

	Operations   map[string]opReport `json:"operations"`
	ErrorsByCode map[string]int64    `json:"errorsByCode"`

	AcknowledgedWrites int64 `json:"acknowledgedWrites"`
	ObjectsVerified    int64 `json:"objectsVerified"`

	CorruptBytes           int64 `json:"corruptBytes"`
	CorruptReads           int64 `json:"corruptReads"`
	LostObjects            int64 `json:"lostObjects"`
	MissingReads           int64 `json:"missingReads"`
	UnexpectedObjects      int64 `json:"unexpectedObjects"`
	ListingMismatches      int64 `json:"listingMismatches"`
	VerifyErrors           int64 `json:"verifyErrors"`
	Status5xxInWindow      int64 `json:"status5xxInOutageWindow"`
	Status5xxOutsideWindow int64 `json:"status5xxOutsideOutageWindow"`
	TransportInWindow      int64 `json:"transportErrorsInOutageWindow"`
	TransportOutsideWindow int64 `json:"transportErrorsOutsideOutageWindow"`
	// OutsideWindow lists the first failures outside the window.
	OutsideWindow []string `json:"failuresOutsideWindow,omitempty"`

	Pass    bool     `json:"pass"`
	Reasons []string `json:"reasons,omitempty"`
}

type outageReport struct {
	StartSec      float64 `json:"startSec"`
	StoreReadySec float64 `json:"storeReadySec"`
	WindowEndSec  float64 `json:"windowEndSec"`
	// The first and last failed request (5xx or transport error) that
	// overlapped the window: how long the gateway took to notice the store
	// was gone, and to recover once it was back.
	FirstFailureSec float64 `json:"firstFailureSec,omitempty"`
	LastFailureSec  float64 `json:"lastFailureSec,omitempty"`
}

type opReport struct {
	Count  int64   `json:"count"`
	OK     int64   `json:"ok"`
	P50Ms  float64 `json:"p50Ms"`
	P99Ms  float64 `json:"p99Ms"`
	MaxMs  float64 `json:"maxMs"`
	Non2xx int64   `json:"non2xx"` // failures, and expected answers such as 404 for a deleted name
}

// collect adds up the workers' counts and decides whether the run passed;
// winStart and winEnd bound the outage window (zero: no restart).
func (r *report) collect(workers []*worker, begin, winStart, winEnd time.Time) {
	r.Operations, r.ErrorsByCode = map[string]opReport{}, map[string]int64{}
	lat := map[string][]time.Duration{}
	win := outageWindow{start: winStart, end: winEnd}
	for _, w := range workers {
		w.mu.Lock()
		r.addCounts(w, lat)
		for _, f := range w.failures {
			r.addFailure(f, &win)
		}
		w.mu.Unlock()
	}
	if r.Outage != nil && !win.first.IsZero() {
		r.Outage.FirstFailureSec = round(win.first.Sub(begin).Seconds())
		r.Outage.LastFailureSec = round(win.last.Sub(begin).Seconds())
	}
	r.addLatencies(lat)
	r.judge()
}

// outageWindow is when failures were expected, and the first and last
// failed request that overlapped it.
type outageWindow struct {
	start, end  time.Time
	first, last time.Time
}

// addCounts adds a worker's operation counts and ledger findings, and its
// latencies to lat by operation. The caller holds w.mu.
func (r *report) addCounts(w *worker, lat map[string][]time.Duration) {
	for op, s := range w.ops {
		o := r.Operations[op]
		o.Count += s.count
		o.OK += s.ok
		o.Non2xx = o.Count - o.OK
		r.Operations[op] = o
		lat[op] = append(lat[op], s.latency...)
	}
	for c, n := range w.codes {
		r.ErrorsByCode[c] += n
	}
	r.AcknowledgedWrites += w.acked
	r.ObjectsVerified += w.verified
	r.CorruptBytes += w.corruptBytes
	r.CorruptReads += w.corruptReads
	r.LostObjects += w.lost
	r.MissingReads += w.missingReads
	r.UnexpectedObjects += w.unexpected
	r.ListingMismatches += w.listDiff
	r.VerifyErrors += w.verifyErrors
}

// addFailure counts a failure in or outside the outage window.
func (r *report) addFailure(f failure, win *outageWindow) {
	inWindow := !win.start.IsZero() && f.start.Before(win.end) && f.end.After(win.start)
	if inWindow && (win.first.IsZero() || f.start.Before(win.first)) {
		win.first = f.start
	}
	if inWindow && f.end.After(win.last) {
		win.last = f.end
	}
	switch {
	case inWindow && f.code == transportError:
		r.TransportInWindow++
	case inWindow:
		r.Status5xxInWindow++
	case f.code == transportError:
		r.TransportOutsideWindow++
	default:
		r.Status5xxOutsideWindow++
	}
	if !inWindow && len(r.OutsideWindow) < 20 {
		r.OutsideWindow = append(r.OutsideWindow, fmt.Sprintf("%s %s %d at %s", f.op, f.code, f.status, f.end.Format(time.RFC3339Nano)))
	}
}

// addLatencies sets each operation's latency percentiles.
func (r *report) addLatencies(lat map[string][]time.Duration) {
	for op, ds := range lat {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		o := r.Operations[op]
		ms := func(d time.Duration) float64 { return round(float64(d.Microseconds()) / 1000) }
		o.P50Ms, o.P99Ms, o.MaxMs = ms(ds[len(ds)/2]), ms(ds[len(ds)*99/100]), ms(ds[len(ds)-1])
		r.Operations[op] = o
	}
}

// judge lists the reasons the run fails, if any, and sets Pass.
func (r *report) judge() {
	check := func(n int64, what string) {
		if n != 0 {
			r.Reasons = append(r.Reasons, fmt.Sprintf("%d %s", n, what))
		}
	}
	check(r.CorruptBytes, "corrupt bytes")
	check(r.CorruptReads, "reads or acknowledgements that disagree with what was written")
	check(r.LostObjects, "acknowledged objects lost")
	check(r.MissingReads, "reads of acknowledged objects that found nothing")
	check(r.UnexpectedObjects, "deleted objects still there")
	check(r.ListingMismatches, "listing entries that disagree with the ledger")
	check(r.VerifyErrors, "objects that could not be verified")
	check(r.Status5xxOutsideWindow, "5xx answers outside the outage window")
	check(r.TransportOutsideWindow, "transport errors outside the outage window")
	if r.Outage == nil {
		r.Reasons = append(r.Reasons, "the store was never restarted (duration too short?)")
	}
	if r.AcknowledgedWrites == 0 {
		r.Reasons = append(r.Reasons, "no write was acknowledged")
	}
	r.Pass = len(r.Reasons) == 0
}

// summary is the report for people.
func (r *report) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "load test: %d clients for %s, seed %d\n", r.Clients, r.Duration, r.Seed)
	if r.Outage != nil {
		fmt.Fprintf(&b, "store restart: down at %.1fs, ready at %.1fs, outage window until %.1fs; failures in it from %.1fs to %.1fs\n",
			r.Outage.StartSec, r.Outage.StoreReadySec, r.Outage.WindowEndSec, r.Outage.FirstFailureSec, r.Outage.LastFailureSec)
	}
	ops := make([]string, 0, len(r.Operations))
	for op := range r.Operations {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	fmt.Fprintf(&b, "%-24s %8s %8s %9s %9s %9s\n", "operation", "count", "non-2xx", "p50 ms", "p99 ms", "max ms")
	for _, op := range ops {
		o := r.Operations[op]
		fmt.Fprintf(&b, "%-24s %8d %8d %9.1f %9.1f %9.1f\n", op, o.Count, o.Non2xx, o.P50Ms, o.P99Ms, o.MaxMs)
	}
	codes := make([]string, 0, len(r.ErrorsByCode))
	for c := range r.ErrorsByCode {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	b.WriteString("errors by code:")
	for _, c := range codes {
		fmt.Fprintf(&b, " %s=%d", c, r.ErrorsByCode[c])
	}
	fmt.Fprintf(&b, "\nacknowledged writes %d, objects verified %d, corrupt bytes %d, lost objects %d\n",
		r.AcknowledgedWrites, r.ObjectsVerified, r.CorruptBytes, r.LostObjects)
	fmt.Fprintf(&b, "5xx in outage window %d, outside %d; transport errors in window %d, outside %d\n",
		r.Status5xxInWindow, r.Status5xxOutsideWindow, r.TransportInWindow, r.TransportOutsideWindow)
	if r.Pass {
		b.WriteString("PASS")
	} else {
		b.WriteString("FAIL: " + strings.Join(r.Reasons, "; "))
	}
	return b.String()
}
