package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"time"
)

// The operations, and how often each is picked (out of the sum).
const (
	opPutSmall         = "put_small"
	opPutSmallChunked  = "put_small_unknown_size"
	opPutMedium        = "put_medium"
	opPutMediumChunked = "put_medium_unknown_size"
	opGet              = "get"
	opRangedGet        = "get_range"
	opStat             = "stat"
	opList             = "list"
	opDelete           = "delete"
	opCopy             = "copy"
	opVerify           = "verify"
	transportError     = "transport"
)

// Object sizes: small ones are single requests to the store; medium ones of
// unknown size span more than one part.
const (
	smallMax  = 64 << 10
	mediumMin = 1 << 20
	mediumMax = 7 << 20
)

var mix = []struct {
	op     string
	weight int
}{
	{opPutSmall, 18}, {opPutSmallChunked, 10}, {opPutMedium, 3}, {opPutMediumChunked, 3},
	{opGet, 22}, {opRangedGet, 12}, {opStat, 12}, {opList, 5}, {opDelete, 8}, {opCopy, 7},
}

// failure is a 5xx or transport error, with when it happened.
type failure struct {
	op, code   string
	status     int
	start, end time.Time
}

type opStats struct {
	count, ok int64
	latency   []time.Duration
}

// worker is one client: its own names, its ledger, its counters.
type worker struct {
	id   int
	gw   *gateway
	rng  *rand.Rand
	keys []string
	book map[string]*keyState

	mu                                 sync.Mutex
	ops                                map[string]*opStats
	codes                              map[string]int64
	failures                           []failure
	acked                              int64
	corruptBytes, corruptReads         int64
	missingReads, unexpected, listDiff int64
	lost, verified, verifyErrors       int64
}

func newWorker(id int, gw *gateway, o options) *worker {
	w := &worker{
		id: id, gw: gw,
		rng:  rand.New(rand.NewPCG(o.seed, uint64(id))),
		book: map[string]*keyState{},
		ops:  map[string]*opStats{}, codes: map[string]int64{},
	}
	for j := 0; j < o.keys; j++ {
		name := fmt.Sprintf("c%02d/k%02d", id, j)
		if j%4 == 3 { // names that need percent-encoding
			name = fmt.Sprintf("c%02d/dir %d/ü+%%#k%02d.bin", id, j%3, j)
		}
		w.keys = append(w.keys, name)
		w.book[name] = newKeyState()
	}
	return w
}

func (w *worker) progress() (ops, failed int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.ops {
		ops += s.count
		failed += s.count - s.ok
	}
	return ops, failed
}

func (w *worker) loop(ctx context.Context, deadline time.Time) {
	total := 0
	for _, m := range mix {
		total += m.weight
	}
	for ctx.Err() == nil && time.Now().Before(deadline) {
		n := w.rng.IntN(total)
		for _, m := range mix {
			if n -= m.weight; n < 0 {
				w.do(ctx, m.op)
				break
			}
		}
	}
}

func (w *worker) pick() string { return w.keys[w.rng.IntN(len(w.keys))] }

// pickPresent returns a name certainly present, if any.
func (w *worker) pickPresent() (string, version, bool) {
	start := w.rng.IntN(len(w.keys))
	for i := range w.keys {
		name := w.keys[(start+i)%len(w.keys)]
		if o, ok := w.book[name].certain(); ok && o.present {
			return name, o.v, true
		}
	}
	return "", version{}, false
}

func objectPath(kind, name string) string {
	segs := strings.Split(name, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return "/api/v1/buckets/" + bucket + "/" + kind + "/" + strings.Join(segs, "/")
}

// result is the outcome of one request.
type result struct {
	status int
	code   string // error code of a non-2xx answer; "transport" when there is none
	body   []byte // a JSON answer
}

func (r result) ok() bool { return r.code == "" && r.status >= 200 && r.status < 300 }

// call makes one request and records it. read, when set, consumes a 2xx
// body (a read error counts as a transport error); other bodies are read
// whole.
func (w *worker) call(ctx context.Context, op, method, path string, body io.Reader, size int64, hdr map[string]string, read func(io.Reader) error) result {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	start := time.Now()
	var res result
	resp, err := w.gw.request(ctx, method, path, body, size, hdr)
	if err != nil {
		res.code = transportError
	} else {
		res.status = resp.StatusCode
		switch {
		case resp.StatusCode < 300 && read != nil:
			if err := read(resp.Body); err != nil {
				res.code = transportError
			}
		default:
			res.body, err = io.ReadAll(io.LimitReader(resp.Body, 8<<20))
			if err != nil {
				res.code = transportError
			} else if resp.StatusCode >= 300 {
				var e struct {
					Error struct{ Code string } `json:"error"`
				}
				if json.Unmarshal(res.body, &e) != nil || e.Error.Code == "" {
					e.Error.Code = fmt.Sprintf("status%d", resp.StatusCode)
				}
				res.code = e.Error.Code
			}
		}
		resp.Body.Close()
	}
	w.record(op, res, start, time.Now())
	return res
}

func (w *worker) record(op string, res result, start, end time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.ops[op]
	if s == nil {
		s = &opStats{}
		w.ops[op] = s
	}
	s.count++
	s.latency = append(s.latency, end.Sub(start))
	if res.ok() {
		s.ok++
		return
	}
	w.codes[res.code]++
	if res.code == transportError || res.status >= 500 {
		w.failures = append(w.failures, failure{op: op, code: res.code, status: res.status, start: start, end: end})
	}
}

func (w *worker) count(field *int64, n int64) {
	w.mu.Lock()
	*field += n
	w.mu.Unlock()
}
