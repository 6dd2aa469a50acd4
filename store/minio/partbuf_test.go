package miniostore

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestPartPool_reusesAndFrees(t *testing.T) {
	t.Parallel()
	p := newPartPool(1 << 20)
	var bufs [][]byte
	for range maxIdleParts + 2 {
		b := p.get()
		if len(b) != 1<<20 {
			t.Fatalf("buffer of %d bytes, want %d", len(b), 1<<20)
		}
		b[0], b[len(b)-1] = 1, 2 // writable end to end
		bufs = append(bufs, b)
	}
	for _, b := range bufs {
		p.put(b)
	}
	if len(p.idle) != maxIdleParts {
		t.Fatalf("%d idle buffers, want %d", len(p.idle), maxIdleParts)
	}
	again := p.get()
	if &again[0] != &bufs[maxIdleParts-1][0] {
		t.Fatal("get did not reuse the last idle buffer")
	}
	// A shortened buffer goes back whole.
	p.put(again[:10])
	if got := len(p.idle[len(p.idle)-1]); got != 1<<20 {
		t.Fatalf("idle buffer of %d bytes, want %d", got, 1<<20)
	}
}

func TestPartReader_readsThenRevokes(t *testing.T) {
	t.Parallel()
	data := []byte("0123456789")
	r := newPartReader(data)
	buf := make([]byte, 4)
	n, err := r.Read(buf)
	if n != 4 || err != nil || string(buf) != "0123" {
		t.Fatalf("Read = %d, %v, %q", n, err, buf[:n])
	}
	rest, err := io.ReadAll(r)
	if err != nil || string(rest) != "456789" {
		t.Fatalf("ReadAll = %q, %v", rest, err)
	}

	r = newPartReader(data)
	if _, err := r.Read(buf); err != nil {
		t.Fatal(err)
	}
	r.revoke()
	// After revoke the buffer may be reused: the reader must not see it.
	copy(data, bytes.Repeat([]byte{'x'}, len(data)))
	if n, err := r.Read(buf); n != 0 || !errors.Is(err, errPartRevoked) {
		t.Fatalf("Read after revoke = %d, %v; want 0, errPartRevoked", n, err)
	}
}

func TestPartReader_empty(t *testing.T) {
	t.Parallel()
	r := newPartReader(nil)
	if n, err := r.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("Read = %d, %v; want 0, EOF", n, err)
	}
}
