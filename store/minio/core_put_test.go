package miniostore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"s3gateway/errs"
	"s3gateway/service"
)

func TestCorePutObject(t *testing.T) {
	t.Parallel()
	env := coreEnv(t)
	a := env.ctxA
	coreBucket(t, env, a, "upl")
	data := coreData(12*coreMiB+3, 3)
	cases := []struct {
		name  string
		size  int
		parts int // 0: a single PUT
	}{
		{"empty", 0, 0},
		{"small", 1000, 0},
		{"onePartExactly", 5 * coreMiB, 0},
		{"onePartPlusOne", 5*coreMiB + 1, 2},
		{"twoPartsExactly", 10 * coreMiB, 2},
		{"threeParts", 12*coreMiB + 3, 3},
	}
	for _, tc := range cases {
		for _, known := range []bool{true, false} {
			label := tc.name + "_knownSize"
			size := int64(tc.size)
			// Unknown-size bodies come in uneven reads and hide Seek.
			var body io.Reader = bytes.NewReader(data[:tc.size])
			if !known {
				label = tc.name + "_unknownSize"
				size = -1
				body = iotest.HalfReader(io.MultiReader(body))
			}
			t.Run(label, func(t *testing.T) {
				name := "obj-" + label
				res, err := env.svc.PutObject(a, "upl", name, body, service.PutOptions{
					Size: size, ContentType: "application/x-test", Metadata: map[string]string{"kind": label},
				})
				if err != nil {
					t.Fatal(err)
				}
				if res.Size != int64(tc.size) || res.Name != name || res.ETag == "" {
					t.Fatalf("result %+v", res)
				}
				// A multipart ETag ends in -<number of parts>.
				_, suffix, multipart := strings.Cut(res.ETag, "-")
				if tc.parts == 0 && multipart || tc.parts > 0 && suffix != strconv.Itoa(tc.parts) {
					t.Fatalf("etag %s, want %d parts", res.ETag, tc.parts)
				}
				info, err := env.svc.StatObject(a, "upl", name)
				if err != nil {
					t.Fatal(err)
				}
				if info.Size != int64(tc.size) || info.ContentType != "application/x-test" || info.Metadata["Kind"] != label || info.ETag != res.ETag {
					t.Fatalf("stat %+v", info)
				}
				if got := coreRead(t, env, a, "upl", name); !bytes.Equal(got, data[:tc.size]) {
					t.Fatal("content differs")
				}
			})
		}
	}
	t.Run("shortBody_single", func(t *testing.T) {
		_, err := env.svc.PutObject(a, "upl", "short-single", bytes.NewReader(data[:coreMiB]), service.PutOptions{Size: 3 * coreMiB})
		coreWantCode(t, err, errs.InvalidArgument)
		coreNoUpload(t, env, a, env.a, "upl", "short-single")
	})
	t.Run("shortBody_multipart", func(t *testing.T) {
		_, err := env.svc.PutObject(a, "upl", "short-multi", bytes.NewReader(data[:8*coreMiB]), service.PutOptions{Size: 12 * coreMiB})
		coreWantCode(t, err, errs.InvalidArgument)
		coreNoUpload(t, env, a, env.a, "upl", "short-multi")
	})
	t.Run("missingBucket", func(t *testing.T) {
		for _, size := range []int64{1, 6 * coreMiB, -1} {
			_, err := env.svc.PutObject(a, "gone", "x", bytes.NewReader(data[:max(size, 1)]), service.PutOptions{Size: size})
			coreWantCode(t, err, errs.NoSuchBucket)
		}
	})
}

func TestCorePartSizes(t *testing.T) {
	t.Parallel()
	m := &Store{cfg: Config{PartSize: 8 << 20}, maxParts: maxUploadParts}
	for _, tc := range []struct {
		name       string
		size, want int64
	}{
		{"small", 20 << 20, 8 << 20},
		{"atTheLimit", 10000 * (8 << 20), 8 << 20},
		{"justOver", 10000*(8<<20) + 1, 8<<20 + 1},
		{"largest", 5 << 40, 549755814},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := m.knownPartSize(tc.size)
			if got != tc.want || ceilDiv(tc.size, got) > maxUploadParts || got > maxPartSize {
				t.Fatalf("part size %d, want %d", got, tc.want)
			}
		})
	}
}

var errCoreCut = errors.New("client connection lost")

// coreCutReader serves data and, once `at` bytes are out, fails or calls
// cut.
type coreCutReader struct {
	data []byte
	off  int
	at   int
	fail bool   // fail with errCoreCut at `at`
	cut  func() // called once at `at`; reading goes on
	once sync.Once
}

func (r *coreCutReader) Read(p []byte) (int, error) {
	if r.off >= r.at {
		if r.fail {
			return 0, errCoreCut
		}
		if r.cut != nil {
			r.once.Do(r.cut)
		}
	}
	if r.off >= len(r.data) {
		return 0, io.EOF
	}
	end := min(len(r.data), r.off+len(p))
	if r.off < r.at {
		end = min(end, r.at) // stop at the cut
	}
	n := copy(p, r.data[r.off:end])
	r.off += n
	return n, nil
}

// An upload cut short leaves nothing behind: no object, no incomplete
// upload, whichever way it fails.
func TestCoreCutUploads(t *testing.T) {
	env := coreEnv(t)
	a := env.ctxA
	coreBucket(t, env, a, "cut")
	data := coreData(12*coreMiB, 4)
	sizes := map[string]int64{"knownSize": int64(len(data)), "unknownSize": -1}

	for label, size := range sizes {
		t.Run("readError_"+label, func(t *testing.T) {
			name := "read-error-" + label
			body := &coreCutReader{data: data, at: 7 * coreMiB, fail: true}
			_, err := env.svc.PutObject(a, "cut", name, body, service.PutOptions{Size: size})
			coreWantCode(t, err, errs.InvalidArgument)
			if !errors.Is(err, errCoreCut) {
				t.Fatalf("cause %v", err)
			}
			coreNoUpload(t, env, a, env.a, "cut", name)
		})
		t.Run("cancelled_"+label, func(t *testing.T) {
			name := "cancelled-" + label
			ctx, cancel := context.WithCancel(a)
			defer cancel()
			body := &coreCutReader{data: data, at: 7 * coreMiB, cut: cancel}
			_, err := env.svc.PutObject(ctx, "cut", name, body, service.PutOptions{Size: size})
			coreWantCode(t, err, errs.InternalError)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cause %v", err)
			}
			coreNoUpload(t, env, a, env.a, "cut", name)
		})
	}
	t.Run("readError_singlePut", func(t *testing.T) {
		body := &coreCutReader{data: data[:4*coreMiB], at: coreMiB, fail: true}
		_, err := env.svc.PutObject(a, "cut", "single", body, service.PutOptions{Size: 4 * coreMiB})
		coreWantCode(t, err, errs.InvalidArgument)
		coreNoUpload(t, env, a, env.a, "cut", "single")
	})
	t.Run("unexpectedEOFIsNotTheEnd", func(t *testing.T) {
		body := io.MultiReader(bytes.NewReader(data[:coreMiB]), iotest.ErrReader(io.ErrUnexpectedEOF))
		_, err := env.svc.PutObject(a, "cut", "unexpected-eof", body, service.PutOptions{Size: -1})
		coreWantCode(t, err, errs.InvalidArgument)
		coreNoUpload(t, env, a, env.a, "cut", "unexpected-eof")
	})
	t.Run("tooManyParts_unknownSize", func(t *testing.T) {
		env.store.maxParts = 2
		defer func() { env.store.maxParts = maxUploadParts }()
		_, err := env.svc.PutObject(a, "cut", "too-many", io.MultiReader(bytes.NewReader(data)), service.PutOptions{Size: -1})
		coreWantCode(t, err, errs.EntityTooLarge)
		coreNoUpload(t, env, a, env.a, "cut", "too-many")
	})
	t.Run("exactlyMaxParts_unknownSize", func(t *testing.T) {
		env.store.maxParts = 2
		defer func() { env.store.maxParts = maxUploadParts }()
		res, err := env.svc.PutObject(a, "cut", "max-parts", io.MultiReader(bytes.NewReader(data[:10*coreMiB])), service.PutOptions{Size: -1})
		if err != nil || !strings.HasSuffix(res.ETag, "-2") {
			t.Fatalf("%+v %v", res, err)
		}
	})
}
