package miniostore

import (
	"errors"
	"io"
	"sync"
)

// partPool hands out the PartSize buffers that uploads of unknown size
// fill, one per such upload in flight.
//
// The buffers live outside the Go heap where the platform allows (see
// allocPart). The garbage collector lets the heap grow to about twice its
// live size before it collects, so part buffers in the heap would double
// what uploads cost: 16 uploads holding 8 MiB each would let the process
// reach some 300 MiB. Outside the heap they cost their size, and the
// collector's headroom is only that of the (small) rest of the heap.
//
// A buffer is never handed to the store client itself: uploads read it
// through a partReader, which they revoke before giving the buffer back, so
// a request the transport still holds after a failure can no longer read
// it.
type partPool struct {
	size    int
	maxIdle int // buffers kept for reuse; more are freed

	mu   sync.Mutex
	idle [][]byte
}

// maxIdleParts is how many free buffers a pool keeps: enough that a
// steady flow of uploads reuses them, few enough that a burst's buffers are
// returned to the system afterwards.
const maxIdleParts = 4

func newPartPool(size int) *partPool {
	return &partPool{size: size, maxIdle: maxIdleParts}
}

// get returns a buffer of the pool's size.
func (p *partPool) get() []byte {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		b := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return b
	}
	p.mu.Unlock()
	return allocPart(p.size)
}

// put takes back a buffer from get. Nothing may use it any more.
func (p *partPool) put(b []byte) {
	b = b[:cap(b)]
	p.mu.Lock()
	if len(p.idle) < p.maxIdle {
		p.idle = append(p.idle, b)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	freePart(b)
}

// errPartRevoked is what a revoked partReader returns; the request reading
// it has already failed.
var errPartRevoked = errors.New("part buffer revoked")

// partReader reads a part from a pooled buffer. Once revoke has returned,
// no Read is running and none will touch the buffer again, whoever still
// holds the reader, so the buffer can go back to the pool.
type partReader struct {
	mu      sync.Mutex
	buf     []byte
	off     int
	revoked bool
}

func newPartReader(b []byte) *partReader { return &partReader{buf: b} }

func (r *partReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.revoked:
		return 0, errPartRevoked
	case r.off >= len(r.buf):
		return 0, io.EOF
	}
	n := copy(p, r.buf[r.off:])
	r.off += n
	return n, nil
}

// revoke cuts the reader off from its buffer.
func (r *partReader) revoke() {
	r.mu.Lock()
	r.revoked, r.buf = true, nil
	r.mu.Unlock()
}
