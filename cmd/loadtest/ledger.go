package main

import (
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
)

// version is one content an object can have: size bytes of a stream seeded
// by seed. Contents are made again from (seed, size) to check a read, so
// nothing of what was written is held in memory.
type version struct {
	Seed uint64
	Size int64
}

// reader returns the version's bytes from offset off.
func (v version) reader(off int64) io.Reader {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], v.Seed)
	r := io.LimitReader(rand.NewChaCha8(key), v.Size)
	if off > 0 {
		_, _ = io.CopyN(io.Discard, r, off)
	}
	return r
}

// outcome is a state an object can be in: absent, or present with a
// version.
type outcome struct {
	present bool
	v       version
}

// keyState is what the ledger knows of one object: the states it may be in.
// An acknowledged write or delete leaves exactly one; a write or delete that
// failed may or may not have taken effect, so it adds its outcome to the
// possible ones until the next acknowledged change.
type keyState struct {
	possible []outcome
}

func newKeyState() *keyState { return &keyState{possible: []outcome{{}}} }

// certain returns the object's state when only one is possible.
func (k *keyState) certain() (outcome, bool) {
	if len(k.possible) == 1 {
		return k.possible[0], true
	}
	return outcome{}, false
}

// acknowledged records a change the gateway confirmed.
func (k *keyState) acknowledged(o outcome) { k.possible = []outcome{o} }

// unsure records a change whose request failed: it may have happened.
func (k *keyState) unsure(o outcome) {
	for _, p := range k.possible {
		if p == o {
			return
		}
	}
	k.possible = append(k.possible, o)
}

// mayBeAbsent reports whether the object may not exist.
func (k *keyState) mayBeAbsent() bool {
	for _, p := range k.possible {
		if !p.present {
			return true
		}
	}
	return false
}

// versions returns the contents the object may have.
func (k *keyState) versions() []version {
	var out []version
	for _, p := range k.possible {
		if p.present {
			out = append(out, p.v)
		}
	}
	return out
}

// compare reads body, which should be bytes [off, off+n) of one of cands
// (n < 0: to the end), and returns the index of the candidate it equals, or
// -1 and the number of bytes by which it differs from the closest one
// (differing bytes plus missing or extra ones). A read error is returned as
// is: the body was cut, which says nothing of the stored bytes.
func compare(body io.Reader, cands []version, off, n int64) (match int, corrupt int64, err error) {
	if len(cands) == 0 {
		return -1, 0, errors.New("no candidates")
	}
	type exp struct {
		r      io.Reader
		left   int64 // expected bytes still to come
		differ int64
	}
	exps := make([]*exp, len(cands))
	for i, c := range cands {
		want := c.Size - off
		if n >= 0 && n < want {
			want = n
		}
		if want < 0 {
			want = 0
		}
		exps[i] = &exp{r: io.LimitReader(c.reader(off), want), left: want}
	}
	buf := make([]byte, 64<<10)
	ebuf := make([]byte, 64<<10)
	for {
		m, rerr := body.Read(buf)
		if m > 0 {
			for _, e := range exps {
				k, _ := io.ReadFull(e.r, ebuf[:m])
				e.left -= int64(k)
				for j := 0; j < k; j++ {
					if buf[j] != ebuf[j] {
						e.differ++
					}
				}
				e.differ += int64(m - k) // bytes past the expected end
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return -1, 0, rerr
		}
	}
	best := int64(-1)
	for i, e := range exps {
		d := e.differ + e.left // plus the bytes that never came
		if d == 0 {
			return i, 0, nil
		}
		if best < 0 || d < best {
			best = d
		}
	}
	return -1, best, nil
}
