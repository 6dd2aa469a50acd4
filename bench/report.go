package bench

import (
	"fmt"
	"strconv"
	"strings"
)

// reportPaths are the paths in the order of the report's columns.
var reportPaths = []string{pathDirect, pathNginx, pathConsole, pathGateway, pathGatewayStd}

// pathTitles name the paths in the report.
var pathTitles = map[string]string{
	pathDirect:     "direct MinIO",
	pathNginx:      "nginx",
	pathConsole:    "Console",
	pathGateway:    "gateway",
	pathGatewayStd: "gateway, standard transport",
}

// report writes RESULTS.md.
type report struct {
	b strings.Builder
}

func (w *report) p(format string, args ...any) { fmt.Fprintf(&w.b, format+"\n", args...) }

func yesNo(b bool) string {
	if b {
		return "**yes**"
	}
	return "**no**"
}

func (r *Results) markdown() string {
	w := &report{}
	kind := "full run"
	if r.Quick {
		kind = "QUICK run (fewer rounds, shorter, smaller curves; noisy, not for comparison)"
	}
	w.p("# The gateway against its peers")
	w.p("")
	w.p("Written by `make bench` (bench/cmd/bench); the raw figures are in [results.json](results.json).")
	w.p("")
	w.p("- Date: %s, %s", r.Date, kind)
	w.p("- Machine: %d cores (%s), %.1f GiB memory, %s, Linux %s, %s", r.Machine.Cores, r.Machine.CPU,
		float64(r.Machine.MemoryMiB)/1024, r.Machine.OS, r.Machine.Kernel, r.Machine.GoVersion)
	w.p("- Load average (1, 5, 15 min): %s at the start, %s at the end. The machine is shared with other", r.Machine.LoadAvgStart, r.Machine.LoadAvgEnd)
	w.p("  work: a load above about 2 means the figures are noisy, and ratios drift between runs.")
	w.p("- MinIO (single drive), the proxies and the load generator all on this machine, over 127.0.0.1;")
	w.p("  the gateway is its own process (`bin/gateway`, %s).", strings.Join(r.Gateway.Env, ", "))
	w.p("- %d rounds; each round runs every workload on every path back to back, the first path", r.Rounds)
	w.p("  turning between rounds. Figures are medians over the rounds; a ratio is the median of the")
	w.p("  rounds' gateway ÷ direct.")
	w.p("- Placements: **shared**, every process free on every core; **own core**, each proxy (gateway,")
	w.p("  nginx, Console) pinned to core 1 and the load generator and MinIO to core 0 (`taskset -a`), as")
	w.p("  a proxy deployed on cores of its own would run.")
	w.p("")
	w.p("## Targets")
	w.p("")
	w.p("| target | measured | goal | holds |")
	w.p("|---|---:|---:|:---:|")
	for _, t := range r.Targets {
		w.p("| %s | %s | %s | %s |", t.Name, trim(t.Measured), t.Goal, yesNo(t.Holds))
	}
	w.p("")
	r.peersSection(w)
	r.spliceSection(w)
	r.curvesSection(w)
	r.eventsMarkdown(&w.b)
	r.multipartMarkdown(&w.b)
	r.memorySection(w)
	r.profilesSection(w)
	return w.b.String()
}

func (r *Results) peersSection(w *report) {
	w.p("## The peers")
	w.p("")
	w.p("- **direct MinIO**: minio-go v7 with default options and the tenant's own credentials, on the")
	w.p("  physical bucket (`PutObject`, `Core.GetObject`, `StatObject`, one `ListObjectsV2` of 1,000 keys),")
	w.p("  signed requests.")
	w.p("- **nginx**: Debian's nginx as a plain reverse proxy, the same minio-go client pointed at it. Its")
	w.p("  whole configuration (written by the bench to a temporary directory; one process, so that its CPU")
	w.p("  time is one `/proc` entry; an access log line per request, buffered, as the gateway logs one):")
	w.p("")
	w.p("```nginx")
	w.b.WriteString(NginxConfigExample())
	w.p("```")
	w.p("")
	w.p("- **Console**: MinIO Console v1.7.6 (`console server`), logged in with the tenant's store")
	w.p("  credentials; `GET /api/v1/buckets/{bucket}/objects/download?prefix=`, `POST …/objects/upload`")
	w.p("  (multipart/form-data, streamed) and, for stat, the object listing with metadata its object page")
	w.p("  uses (`GET …/objects?prefix=&with_metadata=true`). It has no paged listing.")
	w.p("- **gateway**: Go's net/http client against the REST API (`PUT`/`GET …/objects/{name}`,")
	w.p("  `GET …/stat/{name}`, `GET …/objects?recursive=true&limit=1000`), JSON answers decoded.")
	w.p("")
	w.p("The PUT rows compare with minio-go as an application gets it, whose default over plain HTTP signs")
	w.p("every 64 KiB of the body (SHA-256 in the client and again in MinIO); the gateway sends")
	w.p("UNSIGNED-PAYLOAD. The reference row gives the direct path UNSIGNED-PAYLOAD too.")
	w.p("")
	for _, pl := range []string{placeShared, placeOwnCore} {
		r.peerTable(w, pl)
	}
}

// peerTable is one placement's figures: throughput and latency, then the
// proxy's CPU.
func (r *Results) peerTable(w *report, placement string) {
	var rows []Result
	for _, res := range r.Workloads {
		if res.Placement == placement {
			rows = append(rows, res)
		}
	}
	if len(rows) == 0 {
		return
	}
	title := map[string]string{placeShared: "Shared cores", placeOwnCore: "Proxy on its own core"}[placement]
	w.p("### %s: throughput and latency", title)
	w.p("")
	w.p("Each cell: rate (p50 / p99 ms). Ratio: gateway ÷ direct.")
	w.p("")
	w.p("| workload | c | unit | %s | ratio |", strings.Join(titles(), " | "))
	w.p("|---|---:|---|%s---:|", strings.Repeat("---:|", len(reportPaths)))
	for _, res := range rows {
		cells := make([]string, 0, len(reportPaths))
		for _, name := range reportPaths {
			pr, ok := res.Paths[name]
			if !ok {
				cells = append(cells, "–")
				continue
			}
			cells = append(cells, fmt.Sprintf("%s (%s / %s)", trim(pr.Median), trim(pr.P50Ms), trim(pr.P99Ms)))
		}
		w.p("| %s | %d | %s | %s | %.3f |", res.Title, res.Concurrency, res.Unit, strings.Join(cells, " | "), res.Ratio)
	}
	w.p("")
	w.p("### %s: CPU time of the proxy process", title)
	w.p("")
	w.p("CPU time (from `/proc/<pid>/stat`, 10 ms ticks) per operation, or per MiB for the 64 MiB rows, in")
	w.p("ms; medians over the rounds. Client and MinIO columns are on the gateway path.")
	w.p("")
	w.p("| workload | c | per | nginx | Console | gateway | gateway, standard transport | client | MinIO |")
	w.p("|---|---:|---|---:|---:|---:|---:|---:|---:|")
	for _, res := range rows {
		per := "op"
		if res.bytes {
			per = "MiB"
		}
		cpu := func(name string) string {
			if pr, ok := res.Paths[name]; ok {
				return strconv.FormatFloat(pr.CPUms["proxy"], 'f', 3, 64)
			}
			return "–"
		}
		gw := res.Paths[pathGateway].CPUms
		w.p("| %s | %d | %s | %s | %s | %s | %s | %.3f | %.3f |", res.Title, res.Concurrency, per,
			cpu(pathNginx), cpu(pathConsole), cpu(pathGateway), cpu(pathGatewayStd), gw["client"], gw["minio"])
	}
	w.p("")
}

func titles() []string {
	out := make([]string, len(reportPaths))
	for i, name := range reportPaths {
		out[i] = pathTitles[name]
	}
	return out
}

func (r *Results) spliceSection(w *report) {
	w.p("## The splice transport")
	w.p("")
	w.p("Object GETs and HEADs go to the store on the gateway's own HTTP/1.1 exchange, and downloads leave")
	w.p("by splice(2), socket to socket (`GATEWAY_ZERO_COPY_READS`, store/minio/stream.go). The second")
	w.p("gateway of every run has it off (minio-go's standard transport, the body copied through user")
	w.p("space). It stays only if it saves at least %.0f%% of the gateway's CPU per MiB on 64 MiB GETs", spliceMinSaving*100)
	w.p("without losing throughput (at least %.2f of the standard transport's, the noise of this machine).", spliceThroughputFloor)
	w.p("")
	w.p("| placement | CPU per MiB saved | throughput, splice ÷ standard |")
	w.p("|---|---:|---:|")
	for _, pl := range []string{placeShared, placeOwnCore} {
		if v, ok := r.Splice.CPUSaving[pl]; ok {
			w.p("| %s | %.0f%% | %.3f |", pl, v*100, r.Splice.ThroughputRatio[pl])
		}
	}
	w.p("")
	if r.Splice.Keep {
		w.p("Decision in this run: **keep** it.")
	} else {
		w.p("Decision in this run: it does **not** earn its place by the rule above.")
	}
	w.p("")
	w.b.WriteString(spliceNotes)
	w.p("")
}

func (r *Results) memorySection(w *report) {
	w.p("## Memory")
	w.p("")
	w.p("%d uploads at once through the gateway, each %d MiB sent chunked (no Content-Length), bodies", r.RSS.Uploads, r.RSS.UploadMiB)
	w.p("generated on the fly. The gateway's resident memory, read from `/proc/<pid>/status`:")
	w.p("")
	w.p("| baseline VmRSS | peak VmRSS (sampled every 10 ms) | VmHWM (reset before: %v) | aggregate upload rate |", r.RSS.HWMReset)
	w.p("|---:|---:|---:|---:|")
	w.p("| %s MiB | %s MiB | %s MiB | %s MiB/s |", trim(r.RSS.BaselineMiB), trim(r.RSS.PeakSampledMiB), trim(r.RSS.PeakHWMMiB), trim(r.RSS.ThroughputMiBs))
	w.p("")
	w.p("An upload of unknown size holds one part buffer (`GATEWAY_PART_SIZE_MIB`, 8 MiB by default) for its")
	w.p("whole life; uploads with a Content-Length stream each part straight through. Memory is bounded by")
	w.p("design: about uploads in flight × part size, uploads in flight bounded per tenant by")
	w.p("`GATEWAY_MAX_UPLOADS_PER_TENANT`.")
	w.p("")
}

func (r *Results) profilesSection(w *report) {
	w.b.WriteString(costNotes)
	w.p("")
	if len(r.Profiles) == 0 {
		return
	}
	w.p("The gateway's CPU profile during each targeted workload, taken after the measured rounds")
	w.p("(`go tool pprof -top`: functions by their own time):")
	w.p("")
	for _, prof := range r.Profiles {
		w.p("### %s", prof.Workload)
		w.p("")
		w.p("```")
		for _, l := range prof.Top {
			w.p("%s", l)
		}
		w.p("```")
		w.p("")
	}
}

// trim formats f without needless decimals.
func trim(f float64) string {
	switch {
	case f >= 100:
		return strconv.FormatFloat(f, 'f', 0, 64)
	case f >= 10:
		return strconv.FormatFloat(f, 'f', 1, 64)
	default:
		return strconv.FormatFloat(f, 'f', 2, 64)
	}
}
