package miniostore

import (
	"bytes"
	"context"
	"maps"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"s3gateway/errs"
	"s3gateway/service"
)

// Copies of sources up to CopyComposeThreshold (5 MiB here) take one
// request; larger ones are copied in parts. Both paths must behave alike.
func TestCoreCopyObject(t *testing.T) {
	t.Parallel()
	var afterFirstPart atomic.Pointer[func()]
	env := coreEnv(t, func(c *Config) {
		c.CopyComposeThreshold = 5 * coreMiB
		c.Transport = coreHookTransport{base: newTransport(30 * time.Second), after: func(r *http.Request, _ *http.Response) {
			if r.Header.Get("X-Amz-Copy-Source") != "" && r.URL.Query().Get("partNumber") == "1" {
				if f := afterFirstPart.Load(); f != nil {
					(*f)()
				}
			}
		}}
	})
	a := env.ctxA
	coreBucket(t, env, a, "src")
	coreBucket(t, env, a, "dst")
	sources := map[string][]byte{"small": coreData(1000, 5), "big": coreData(12*coreMiB+5, 6)}
	srcMeta := map[string]string{"Color": "red", "Acl": "private"}
	srcInfo := map[string]service.ObjectInfo{}
	for name, data := range sources {
		corePut(t, env, a, "src", name, data, service.PutOptions{ContentType: "application/x-" + name, Metadata: srcMeta})
		info, err := env.svc.StatObject(a, "src", name)
		if err != nil {
			t.Fatal(err)
		}
		srcInfo[name] = info
	}

	for src, data := range sources {
		info := srcInfo[src]
		hour := time.Hour
		cases := []struct {
			name     string
			cond     service.CopyConditions
			meta     map[string]string
			wantMeta map[string]string
			wantErr  errs.Code
		}{
			{name: "keepMetadata", wantMeta: srcMeta},
			{name: "replaceMetadata", meta: map[string]string{"shape": "round"}, wantMeta: map[string]string{"Shape": "round"}},
			{name: "replaceWithNone", meta: map[string]string{}, wantMeta: map[string]string{}},
			{name: "matchETag_ok", cond: service.CopyConditions{MatchETag: info.ETag}, wantMeta: srcMeta},
			{name: "matchETag_quoted", cond: service.CopyConditions{MatchETag: `"` + info.ETag + `"`}, wantMeta: srcMeta},
			{name: "matchETag_fails", cond: service.CopyConditions{MatchETag: "0123456789abcdef0123456789abcdef"}, wantErr: errs.PreconditionFailed},
			{name: "notMatchETag_ok", cond: service.CopyConditions{NotMatchETag: "0123456789abcdef0123456789abcdef"}, wantMeta: srcMeta},
			{name: "notMatchETag_fails", cond: service.CopyConditions{NotMatchETag: info.ETag}, wantErr: errs.PreconditionFailed},
			{name: "modifiedSince_ok", cond: service.CopyConditions{ModifiedSince: info.LastModified.Add(-hour)}, wantMeta: srcMeta},
			{name: "modifiedSince_fails", cond: service.CopyConditions{ModifiedSince: info.LastModified.Add(hour)}, wantErr: errs.PreconditionFailed},
			{name: "modifiedSince_sameSecond_fails", cond: service.CopyConditions{ModifiedSince: info.LastModified}, wantErr: errs.PreconditionFailed},
			{name: "unmodifiedSince_ok", cond: service.CopyConditions{UnmodifiedSince: info.LastModified.Add(hour)}, wantMeta: srcMeta},
			{name: "unmodifiedSince_sameSecond_ok", cond: service.CopyConditions{UnmodifiedSince: info.LastModified}, wantMeta: srcMeta},
			{name: "unmodifiedSince_fails", cond: service.CopyConditions{UnmodifiedSince: info.LastModified.Add(-hour)}, wantErr: errs.PreconditionFailed},
			{name: "allConditions_ok", cond: service.CopyConditions{MatchETag: info.ETag, NotMatchETag: "ffff", ModifiedSince: info.LastModified.Add(-hour), UnmodifiedSince: info.LastModified.Add(hour)}, wantMeta: srcMeta},
		}
		for _, tc := range cases {
			t.Run(src+"_"+tc.name, func(t *testing.T) {
				dst := src + "-" + tc.name
				res, err := env.svc.CopyObject(a, service.CopyRequest{
					Source: service.ObjectRef{Bucket: "src", Name: src}, Destination: service.ObjectRef{Bucket: "dst", Name: dst}, Conditions: tc.cond, Metadata: tc.meta,
				})
				if tc.wantErr != "" {
					coreWantCode(t, err, tc.wantErr)
					coreNoUpload(t, env, a, env.a, "dst", dst)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				got, err := env.svc.StatObject(a, "dst", dst)
				if err != nil {
					t.Fatal(err)
				}
				if res.Bucket != "dst" || res.Name != dst || res.ETag != got.ETag || res.LastModified.IsZero() ||
					res.LastModified.Sub(got.LastModified).Abs() > 2*time.Second {
					t.Fatalf("result %+v, stat %+v", res, got)
				}
				if got.ContentType != info.ContentType || !maps.Equal(got.Metadata, tc.wantMeta) || got.Size != info.Size {
					t.Fatalf("copy has content type %q, metadata %v, size %d", got.ContentType, got.Metadata, got.Size)
				}
				if _, suffix, _ := strings.Cut(got.ETag, "-"); src == "big" && suffix != "3" || src == "small" && suffix != "" {
					t.Fatalf("etag %s: not copied the expected way", got.ETag)
				}
				if !bytes.Equal(coreRead(t, env, a, "dst", dst), data) {
					t.Fatal("content differs")
				}
				coreNoUpload(t, env, a, env.a, "dst", "never-"+dst)
			})
		}
		t.Run(src+"_missingDestinationBucket", func(t *testing.T) {
			_, err := env.svc.CopyObject(a, service.CopyRequest{Source: service.ObjectRef{Bucket: "src", Name: src}, Destination: service.ObjectRef{Bucket: "nowhere", Name: "x"}})
			coreWantCode(t, err, errs.NoSuchBucket)
			if e, _ := errs.As(err); !strings.Contains(e.Message, `"nowhere"`) {
				t.Fatalf("message %q does not name the destination", e.Message)
			}
		})
		t.Run(src+"_sameBucket", func(t *testing.T) {
			if _, err := env.svc.CopyObject(a, service.CopyRequest{Source: service.ObjectRef{Bucket: "src", Name: src}, Destination: service.ObjectRef{Bucket: "src", Name: src + ".bak"}}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(coreRead(t, env, a, "src", src+".bak"), data) {
				t.Fatal("content differs")
			}
		})
	}
	t.Run("missingSource", func(t *testing.T) {
		_, err := env.svc.CopyObject(a, service.CopyRequest{Source: service.ObjectRef{Bucket: "src", Name: "nothing"}, Destination: service.ObjectRef{Bucket: "dst", Name: "x"}})
		coreWantCode(t, err, errs.NoSuchKey)
		if e, _ := errs.As(err); !strings.Contains(e.Message, `"nothing"`) {
			t.Fatalf("message %q does not name the source", e.Message)
		}
	})
	t.Run("missingSourceBucket", func(t *testing.T) {
		_, err := env.svc.CopyObject(a, service.CopyRequest{Source: service.ObjectRef{Bucket: "nosrc", Name: "x"}, Destination: service.ObjectRef{Bucket: "dst", Name: "x"}})
		coreWantCode(t, err, errs.NoSuchBucket)
	})
	t.Run("otherTenantsBucket", func(t *testing.T) {
		coreBucket(t, env, env.ctxB, "bsrc")
		corePut(t, env, env.ctxB, "bsrc", "secret", []byte("b's"), service.PutOptions{})
		_, err := env.svc.CopyObject(a, service.CopyRequest{Source: service.ObjectRef{Bucket: "bsrc", Name: "secret"}, Destination: service.ObjectRef{Bucket: "dst", Name: "stolen"}})
		coreWantCode(t, err, errs.NoSuchBucket) // A's "bsrc" is ta-bsrc, which does not exist
	})
	// The source changes after the first part is copied: the ETag pinned on
	// every part copy makes the copy fail, and the upload is aborted.
	t.Run("big_sourceChangesMidCopy", func(t *testing.T) {
		corePut(t, env, a, "src", "moving", sources["big"], service.PutOptions{})
		raw := coreRaw(t, env, env.a)
		overwrite := func() {
			_, err := raw.PutObject(context.Background(), "ta-src", "moving", bytes.NewReader(sources["small"]), int64(len(sources["small"])), "", "", minio.PutObjectOptions{})
			if err != nil {
				t.Errorf("overwrite: %v", err)
			}
		}
		afterFirstPart.Store(&overwrite)
		defer afterFirstPart.Store(nil)
		_, err := env.svc.CopyObject(a, service.CopyRequest{Source: service.ObjectRef{Bucket: "src", Name: "moving"}, Destination: service.ObjectRef{Bucket: "dst", Name: "moved"}})
		coreWantCode(t, err, errs.PreconditionFailed)
		coreNoUpload(t, env, a, env.a, "dst", "moved")
	})
}
