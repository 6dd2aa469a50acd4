package bench

import (
	"encoding/binary"
	"io"
	"sort"
	"time"
)

// prng is a cheap pseudo-random byte stream (xorshift64*) of a given
// length, so that large upload bodies are made as they are sent instead of
// being held in memory. It is not for anything but test data.
type prng struct {
	state uint64
	left  int64
}

func newPRNG(seed uint64, n int64) *prng {
	if seed == 0 {
		seed = 0x9e3779b97f4a7c15
	}
	return &prng{state: seed, left: n}
}

func (r *prng) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	s := r.state
	i := 0
	for ; i+8 <= len(p); i += 8 {
		s ^= s >> 12
		s ^= s << 25
		s ^= s >> 27
		binary.LittleEndian.PutUint64(p[i:], s*0x2545f4914f6cdd1d)
	}
	if i < len(p) {
		s ^= s >> 12
		s ^= s << 25
		s ^= s >> 27
		var tail [8]byte
		binary.LittleEndian.PutUint64(tail[:], s*0x2545f4914f6cdd1d)
		copy(p[i:], tail[:])
	}
	r.state = s
	r.left -= int64(len(p))
	return len(p), nil
}

// randomBytes returns n pseudo-random bytes.
func randomBytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	_, _ = io.ReadFull(newPRNG(seed, int64(n)), b)
	return b
}

// median of xs; 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// percentile returns the q-quantile (0..1) of ds, nearest rank.
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(q*float64(len(s))+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
