package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
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

func (w *worker) do(ctx context.Context, op string) {
	switch op {
	case opPutSmall, opPutSmallChunked, opPutMedium, opPutMediumChunked:
		size := 1 + w.rng.Int64N(smallMax)
		if op == opPutMedium || op == opPutMediumChunked {
			size = mediumMin + w.rng.Int64N(mediumMax-mediumMin)
		}
		w.put(ctx, op, w.pick(), version{Seed: w.rng.Uint64(), Size: size}, op == opPutSmallChunked || op == opPutMediumChunked)
	case opGet:
		w.get(ctx, op, w.pick())
	case opRangedGet:
		w.rangedGet(ctx)
	case opStat:
		w.stat(ctx)
	case opList:
		w.list(ctx, op)
	case opDelete:
		name := w.pick()
		res := w.call(ctx, op, http.MethodDelete, objectPath("objects", name), nil, 0, nil, nil)
		if res.ok() {
			w.book[name].acknowledged(outcome{})
		} else {
			w.book[name].unsure(outcome{})
		}
	case opCopy:
		src, v, ok := w.pickPresent()
		if !ok {
			return
		}
		dst := w.pick()
		if dst == src {
			return
		}
		b, _ := json.Marshal(map[string]any{"name": dst, "source": map[string]string{"bucket": bucket, "name": src}})
		res := w.call(ctx, op, http.MethodPost, "/api/v1/buckets/"+bucket+"/copy", strings.NewReader(string(b)), int64(len(b)),
			map[string]string{"Content-Type": "application/json"}, nil)
		if res.ok() {
			w.book[dst].acknowledged(outcome{present: true, v: v})
			w.count(&w.acked, 1)
		} else {
			w.book[dst].unsure(outcome{present: true, v: v})
		}
	}
}

func (w *worker) put(ctx context.Context, op, name string, v version, chunked bool) {
	size := v.Size
	if chunked {
		size = -1
	}
	res := w.call(ctx, op, http.MethodPut, objectPath("objects", name), v.reader(0), size,
		map[string]string{"Content-Type": "application/octet-stream", "X-Meta-Seed": fmt.Sprint(v.Seed)}, nil)
	o := outcome{present: true, v: v}
	if !res.ok() {
		w.book[name].unsure(o)
		return
	}
	var up struct{ Size int64 }
	if json.Unmarshal(res.body, &up) != nil || up.Size != v.Size {
		w.count(&w.corruptReads, 1) // the acknowledgement itself is wrong
	}
	w.book[name].acknowledged(o)
	w.count(&w.acked, 1)
}

// readWhole downloads an object and compares it with the versions the
// ledger allows (cands): match is the version it equals, or -1 with the
// corrupt bytes counted; without candidates the body is only drained.
func (w *worker) readWhole(ctx context.Context, op, name string, cands []version) (res result, match int, corrupt int64) {
	res = w.call(ctx, op, http.MethodGet, objectPath("objects", name), nil, 0, nil, func(body io.Reader) error {
		if len(cands) == 0 {
			_, err := io.Copy(io.Discard, body)
			return err
		}
		var err error
		match, corrupt, err = compare(body, cands, 0, -1)
		return err
	})
	return res, match, corrupt
}

// get reads a whole object and checks it against the ledger.
func (w *worker) get(ctx context.Context, op, name string) {
	st := w.book[name]
	cands := st.versions()
	res, match, corrupt := w.readWhole(ctx, op, name, cands)
	w.judgeRead(res, st, len(cands), match, corrupt)
}

func (w *worker) judgeRead(res result, st *keyState, cands, match int, corrupt int64) {
	switch {
	case res.ok() && cands == 0:
		w.count(&w.unexpected, 1) // deleted (or never written), yet there
	case res.ok() && match < 0:
		w.count(&w.corruptReads, 1)
		w.count(&w.corruptBytes, corrupt)
	case res.code == "NoSuchKey" && !st.mayBeAbsent():
		w.count(&w.missingReads, 1)
	}
}

// rangedGet reads a random range of an object whose content is certain.
func (w *worker) rangedGet(ctx context.Context) {
	name, v, ok := w.pickPresent()
	if !ok {
		w.get(ctx, opRangedGet, w.pick())
		return
	}
	off := w.rng.Int64N(v.Size)
	n := 1 + w.rng.Int64N(v.Size-off)
	var match int
	var corrupt int64
	path, hdr := objectPath("objects", name), map[string]string{}
	if w.rng.IntN(2) == 0 {
		hdr["Range"] = fmt.Sprintf("bytes=%d-%d", off, off+n-1)
	} else {
		path += fmt.Sprintf("?offset=%d&length=%d", off, n)
	}
	res := w.call(ctx, opRangedGet, http.MethodGet, path, nil, 0, hdr, func(body io.Reader) error {
		var err error
		match, corrupt, err = compare(body, []version{v}, off, n)
		return err
	})
	if res.ok() && res.status != http.StatusPartialContent {
		match, corrupt = -1, n // the whole object where a range was asked for
	}
	w.judgeRead(res, w.book[name], 1, match, corrupt)
}

// stat checks the size the gateway reports.
func (w *worker) stat(ctx context.Context) {
	name := w.pick()
	st := w.book[name]
	res := w.call(ctx, opStat, http.MethodGet, objectPath("stat", name), nil, 0, nil, nil)
	if !res.ok() {
		w.judgeRead(res, st, 1, 0, 0)
		return
	}
	var info struct{ Size int64 }
	_ = json.Unmarshal(res.body, &info)
	for _, v := range st.versions() {
		if v.Size == info.Size {
			return
		}
	}
	if len(st.versions()) == 0 {
		w.count(&w.unexpected, 1)
		return
	}
	w.count(&w.corruptReads, 1)
}

// list lists the worker's names and compares them with the ledger.
func (w *worker) list(ctx context.Context, op string) bool {
	seen := map[string]int64{}
	cursor := ""
	for {
		q := url.Values{"prefix": {fmt.Sprintf("c%02d/", w.id)}, "recursive": {"true"}, "limit": {"5"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		res := w.call(ctx, op, http.MethodGet, "/api/v1/buckets/"+bucket+"/objects?"+q.Encode(), nil, 0, nil, nil)
		if !res.ok() {
			return false
		}
		var page struct {
			Objects []struct {
				Name string
				Size int64
			}
			NextCursor string
			Truncated  bool
		}
		if err := json.Unmarshal(res.body, &page); err != nil {
			w.count(&w.listDiff, 1)
			return false
		}
		for _, o := range page.Objects {
			seen[o.Name] = o.Size
		}
		if !page.Truncated {
			break
		}
		cursor = page.NextCursor
	}
	for _, name := range w.keys {
		o, certain := w.book[name].certain()
		size, listed := seen[name]
		if certain && (listed != o.present || listed && size != o.v.Size) {
			w.count(&w.listDiff, 1)
		}
		delete(seen, name)
	}
	w.count(&w.listDiff, int64(len(seen))) // names no one wrote
	return true
}

// verify checks every name against the ledger once the run is over,
// retrying what fails for a while.
func (w *worker) verify(ctx context.Context) {
	for _, name := range w.keys {
		st := w.book[name]
		cands := st.versions()
		for attempt := 0; ; attempt++ {
			res, match, corrupt := w.readWhole(ctx, opVerify, name, cands)
			switch {
			case res.ok() && len(cands) == 0:
				w.count(&w.unexpected, 1)
			case res.ok() && match < 0:
				w.count(&w.corruptReads, 1)
				w.count(&w.corruptBytes, corrupt)
			case res.ok():
				w.count(&w.verified, 1)
			case res.code == "NoSuchKey" && st.mayBeAbsent():
				w.count(&w.verified, 1)
			case res.code == "NoSuchKey":
				w.count(&w.lost, 1)
			case attempt < 10 && ctx.Err() == nil:
				time.Sleep(time.Second)
				continue
			default:
				w.count(&w.verifyErrors, 1)
			}
			break
		}
	}
	for attempt := 0; !w.list(ctx, opVerify) && attempt < 10 && ctx.Err() == nil; attempt++ {
		time.Sleep(time.Second)
	}
}
