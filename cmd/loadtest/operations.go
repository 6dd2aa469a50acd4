package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// do performs one operation of the mix and checks its answer against the
// worker's ledger.
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
		w.deleteObject(ctx, op, w.pick())
	case opCopy:
		w.copyObject(ctx, op)
	}
}

func (w *worker) deleteObject(ctx context.Context, op, name string) {
	res := w.call(ctx, op, http.MethodDelete, objectPath("objects", name), nil, 0, nil, nil)
	if res.ok() {
		w.book[name].acknowledged(outcome{})
	} else {
		w.book[name].unsure(outcome{})
	}
}

// copyObject copies an object whose content is certain to another of the worker's names.
func (w *worker) copyObject(ctx context.Context, op string) {
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
