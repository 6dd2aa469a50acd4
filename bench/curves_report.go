package bench

func (r *Results) curvesSection(w *report) {
	c := r.Curves
	w.p("## How cost grows")
	w.p("")
	if r.Quick {
		w.p("QUICK run: shorter measurements and smaller buckets and stream counts than a full run.")
		w.p("")
	}
	curvesTenants(w, c.Tenants)
	curvesBucket(w, c.Bucket)
	curvesStreams(w, c.Streams, c.StreamsNote)
	curvesConcurrency(w, c.Concurrency)
}

// curvesTenants reports the cost of a request as the tenants configured grow.
func curvesTenants(w *report, tenants []TenantPoint) {
	w.p("### Tenants and keys configured")
	w.p("")
	w.p("A gateway started with that many tenants, one key each; 1 KiB GETs at c=16 by the bench tenant.")
	w.p("The CPU per request should not grow: a key is found by its hash in a map.")
	w.p("")
	w.p("| tenants | start (s) | ops/s | gateway CPU ms/op | p99 ms | gateway RSS MiB |")
	w.p("|---:|---:|---:|---:|---:|---:|")
	for _, t := range tenants {
		w.p("| %d | %s | %s | %.3f | %s | %s |", t.Tenants, trim(t.StartSec), trim(t.OpsPerSec), t.CPUMsOp, trim(t.P99Ms), trim(t.RSSMiB))
	}
	w.p("")
	if n := len(tenants); n > 1 {
		first, last := tenants[0], tenants[n-1]
		w.p("From %d to %d tenants: gateway CPU per request ×%s, RSS +%s MiB (%s KiB per tenant). A", first.Tenants, last.Tenants,
			trim(last.CPUMsOp/first.CPUMsOp), trim(last.RSSMiB-first.RSSMiB), trim((last.RSSMiB-first.RSSMiB)*1024/float64(last.Tenants-first.Tenants)))
		w.p("tenant's store clients are built on its first request: an idle tenant costs its entry in the")
		w.p("tenants registry and the store's (keys, bucket prefix, scopes), and a larger heap costs the")
		w.p("collector more per request.")
		w.p("")
	}
}

// curvesBucket reports the cost of listing a bucket as it grows.
func curvesBucket(w *report, bucket []BucketPoint) {
	w.p("### Bucket size")
	w.p("")
	w.p("Every object of a bucket listed through the gateway, 1,000 a page, following `nextCursor`. The")
	w.p("gateway holds one page at a time, so its memory should stay flat and the time grow linearly.")
	w.p("")
	w.p("The same listing straight from the store (ListObjectsV2, 1,000 a page) is the reference: what")
	w.p("grows in both is the store's.")
	w.p("")
	w.p("| objects | pages | seconds | ms per 1,000 objects | direct seconds | gateway RSS before MiB | peak MiB |")
	w.p("|---:|---:|---:|---:|---:|---:|---:|")
	for _, b := range bucket {
		w.p("| %d | %d | %s | %s | %s | %s | %s |", b.Objects, b.Pages, trim(b.Seconds), trim(b.MsPer1000), trim(b.DirectSeconds), trim(b.BaselineMiB), trim(b.PeakMiB))
	}
	w.p("")
	if n := len(bucket); n > 1 {
		first, last := bucket[0], bucket[n-1]
		growth := last.PeakMiB - first.PeakMiB
		if growth > 20 {
			w.p("**Not flat**: the gateway's peak RSS grew by %s MiB from %d to %d objects, though it holds one", trim(growth), first.Objects, last.Objects)
			w.p("page at a time: garbage of the listings (minio-go's XML decoding of every store page, the JSON")
			w.p("of every answer) outpacing the collector, or memory kept between pages; not yet explained.")
		} else {
			w.p("Flat: the gateway's peak RSS moved by %s MiB from %d to %d objects.", trim(growth), first.Objects, last.Objects)
		}
		gw := (last.Seconds / float64(last.Objects)) / (first.Seconds / float64(first.Objects))
		dr := (last.DirectSeconds / float64(last.Objects)) / (first.DirectSeconds / float64(first.Objects))
		w.p("Time per 1,000 objects from %d to %d objects: gateway ×%s, direct ×%s.", first.Objects, last.Objects, trim(gw), trim(dr))
		if gw > 2*dr {
			w.p("**The gateway's listing is not linear.** Each of its pages is a new store listing that starts")
			w.p("after the cursor's name (StartAfter), which the store most likely walks from the start of the")
			w.p("prefix, while the direct client's continuation token resumes the store's own listing; the")
			w.p("cursor should carry the store's continuation token (a change to the service's list query).")
		}
		w.p("")
	}
}

// curvesStreams reports the memory held by open event streams; note says
// why the measurement stopped early, if it did.
func curvesStreams(w *report, streams []StreamPoint, note string) {
	w.p("### Open event streams on one bucket")
	w.p("")
	w.p("`GET /api/v1/buckets/{bucket}/events` held open, the earlier streams staying open as more come;")
	w.p("memory read once all are open.")
	w.p("")
	if note != "" {
		w.p("**Did not run to the end**: %s", note)
		w.p("")
	}
	w.p("| streams | seconds to open | gateway RSS MiB | gateway KiB per stream | MinIO RSS MiB | MinIO growth MiB |")
	w.p("|---:|---:|---:|---:|---:|---:|")
	for _, s := range streams {
		w.p("| %d | %s | %s | %s | %s | %s |", s.Streams, trim(s.OpenSeconds), trim(s.GatewayRSSMiB), trim(s.PerStreamKiB), trim(s.MinIORSSMiB), trim(s.MinIOGrowthMiB))
	}
	w.p("")
	w.b.WriteString(streamNotes)
	w.p("")
}

// curvesConcurrency reports GET throughput and latency as clients grow.
func curvesConcurrency(w *report, clients []ConcPoint) {
	w.p("### Concurrent clients")
	w.p("")
	w.p("1 KiB GETs through the gateway, each client on a connection of its own.")
	w.p("")
	w.p("| clients | ops/s | p50 ms | p99 ms | errors |")
	w.p("|---:|---:|---:|---:|---:|")
	for _, k := range clients {
		w.p("| %d | %s | %s | %s | %d |", k.Concurrency, trim(k.OpsPerSec), trim(k.P50Ms), trim(k.P99Ms), k.Errors)
	}
	w.p("")
}
