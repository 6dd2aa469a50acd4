package main

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func content(t *testing.T, v version, off int64) []byte {
	t.Helper()
	b, err := io.ReadAll(v.reader(off))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVersionIsDeterministic(t *testing.T) {
	v := version{Seed: 42, Size: 100_000}
	a, b := content(t, v, 0), content(t, v, 0)
	if len(a) != 100_000 || !bytes.Equal(a, b) {
		t.Fatal("the same version gave different bytes")
	}
	if !bytes.Equal(content(t, v, 70_000), a[70_000:]) {
		t.Fatal("reading from an offset differs from the tail")
	}
	if bytes.Equal(content(t, version{Seed: 43, Size: 100}, 0), a[:100]) {
		t.Fatal("another seed gave the same bytes")
	}
}

func TestCompare(t *testing.T) {
	v := version{Seed: 1, Size: 200_000}
	w := version{Seed: 2, Size: 1000}
	full := content(t, v, 0)
	flipped := bytes.Clone(full)
	flipped[10] ^= 1
	flipped[150_000] ^= 0xff
	cases := []struct {
		name        string
		body        []byte
		cands       []version
		off, n      int64
		wantMatch   int
		wantCorrupt int64
	}{
		{"exact", full, []version{v}, 0, -1, 0, 0},
		{"secondCandidate", full, []version{w, v}, 0, -1, 1, 0},
		{"range", full[1000:1500], []version{v}, 1000, 500, 0, 0},
		{"rangePastEnd", full[199_990:], []version{v}, 199_990, 500, 0, 0},
		{"twoBytesDiffer", flipped, []version{v}, 0, -1, -1, 2},
		{"short", full[:199_000], []version{v}, 0, -1, -1, 1000},
		{"long", append(bytes.Clone(full), 1, 2, 3), []version{v}, 0, -1, -1, 3},
		{"empty", nil, []version{v}, 0, -1, -1, 200_000},
		{"closestCandidate", flipped, []version{w, v}, 0, -1, -1, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			match, corrupt, err := compare(iotest.HalfReader(bytes.NewReader(tc.body)), tc.cands, tc.off, tc.n)
			if err != nil || match != tc.wantMatch || corrupt != tc.wantCorrupt {
				t.Fatalf("compare = %d, %d, %v; want %d, %d", match, corrupt, err, tc.wantMatch, tc.wantCorrupt)
			}
		})
	}
	t.Run("readError", func(t *testing.T) {
		cut := errors.New("cut")
		body := io.MultiReader(bytes.NewReader(full[:10]), iotest.ErrReader(cut))
		if _, _, err := compare(body, []version{v}, 0, -1); !errors.Is(err, cut) {
			t.Fatalf("err = %v: a cut body is a transport error, not corruption", err)
		}
	})
}

func TestKeyState(t *testing.T) {
	a := outcome{present: true, v: version{Seed: 1, Size: 1}}
	b := outcome{present: true, v: version{Seed: 2, Size: 2}}
	k := newKeyState()
	if o, ok := k.certain(); !ok || o.present || !k.mayBeAbsent() {
		t.Fatal("a new name is certainly absent")
	}
	k.acknowledged(a)
	if o, ok := k.certain(); !ok || o != a || k.mayBeAbsent() {
		t.Fatal("an acknowledged write is certain")
	}
	k.unsure(b)
	k.unsure(b)
	if _, ok := k.certain(); ok || len(k.versions()) != 2 || k.mayBeAbsent() {
		t.Fatalf("after a failed write: %+v", k.possible)
	}
	k.unsure(outcome{})
	if !k.mayBeAbsent() {
		t.Fatal("after a failed delete the object may be gone")
	}
	k.acknowledged(outcome{})
	if o, ok := k.certain(); !ok || o.present || len(k.versions()) != 0 {
		t.Fatal("an acknowledged delete is certain")
	}
}
