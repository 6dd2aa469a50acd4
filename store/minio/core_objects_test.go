package miniostore

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"s3gateway/errs"
	"s3gateway/service"
)

// Names S3 accepts must round-trip through every call.
func TestCoreObjectNames(t *testing.T) {
	t.Parallel()
	env := coreEnv(t)
	a := env.ctxA
	coreBucket(t, env, a, "names")
	cases := map[string]string{
		"plain":         "plain.txt",
		"space":         "with space.txt",
		"plus":          "a+b",
		"percent":       "100%25 sure %",
		"hash":          "hash#fragment",
		"question":      "what?x=1&y=2",
		"nonASCII":      "中文/ü.txt",
		"emoji":         "emoji 😀.bin",
		"trailingSlash": "folder/",
		"deep":          "d1/d2/d3/d4/file",
		"punctuation":   "semi;colon,comma'quote\"=!*()@$[]{}",
		"backslash":     `back\slash`,
		"long":          strings.Repeat("long-segment/", 75) + "end",
		"dotsInside":    "a.b/..c/d..",
	}
	for label, name := range cases {
		t.Run(label, func(t *testing.T) {
			data := []byte("content of " + name)
			res := corePut(t, env, a, "names", name, data, service.PutOptions{ContentType: "text/plain", Metadata: map[string]string{"Origin": "names"}})
			if res.Name != name || res.Bucket != "names" || res.Size != int64(len(data)) || res.ETag == "" || strings.Contains(res.ETag, `"`) {
				t.Fatalf("upload result %+v", res)
			}
			info, err := env.svc.StatObject(a, "names", name)
			if err != nil {
				t.Fatal(err)
			}
			if info.Name != name || info.Size != int64(len(data)) || info.ETag != res.ETag || info.ContentType != "text/plain" ||
				info.Metadata["Origin"] != "names" {
				t.Fatalf("stat %+v", info)
			}
			if got := coreRead(t, env, a, "names", name); !bytes.Equal(got, data) {
				t.Fatalf("read %q", got)
			}
			page, err := env.svc.ListObjects(a, "names", service.ListOptions{Prefix: name, Recursive: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Objects) == 0 || page.Objects[0].Name != name || page.Objects[0].IsDir {
				t.Fatalf("listing with the name as prefix: %+v", page.Objects)
			}
			dst := name + ".copy"
			if _, err := env.svc.CopyObject(a, service.CopyRequest{Source: service.ObjectRef{Bucket: "names", Name: name}, Destination: service.ObjectRef{Bucket: "names", Name: dst}}); err != nil {
				t.Fatal(err)
			}
			if got := coreRead(t, env, a, "names", dst); !bytes.Equal(got, data) {
				t.Fatalf("copy read %q", got)
			}
			for _, n := range []string{name, dst} {
				if err := env.svc.RemoveObject(a, "names", n); err != nil {
					t.Fatal(err)
				}
				_, err := env.svc.StatObject(a, "names", n)
				coreWantCode(t, err, errs.NoSuchKey)
			}
		})
	}
}

func TestCoreGetObject(t *testing.T) {
	env := coreEnv(t, func(c *Config) { c.BackendTimeout = 1500 * time.Millisecond })
	a := env.ctxA
	coreBucket(t, env, a, "get")
	data := []byte("0123456789abcdefghijklmnopqrstuvwxyz") // 36 bytes
	put := corePut(t, env, a, "get", "obj", data, service.PutOptions{ContentType: "text/x-test", Metadata: map[string]string{"color": "blue", "x-custom-thing": "1"}})

	t.Run("whole", func(t *testing.T) {
		obj, err := env.svc.GetObject(a, "get", "obj", service.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer obj.Body.Close()
		got, _ := io.ReadAll(obj.Body)
		i := obj.Info
		if !bytes.Equal(got, data) || obj.Range != nil || obj.NotModified {
			t.Fatalf("got %q range %+v", got, obj.Range)
		}
		if i.Bucket != "get" || i.Name != "obj" || i.Size != 36 || i.ETag != put.ETag || i.ContentType != "text/x-test" ||
			i.LastModified.IsZero() || i.Metadata["Color"] != "blue" || i.Metadata["X-Custom-Thing"] != "1" || len(i.Metadata) != 2 {
			t.Fatalf("info %+v", i)
		}
	})
	ranges := []struct {
		name       string
		r          service.ByteRange
		want       string
		start, end int64
	}{
		{"first10", service.ByteRange{Start: 0, End: 9}, "0123456789", 0, 9},
		{"middle", service.ByteRange{Start: 10, End: 12}, "abc", 10, 12},
		{"suffix", service.ByteRange{Start: -1, End: 5}, "vwxyz", 31, 35},
		{"suffixLongerThanObject", service.ByteRange{Start: -1, End: 100}, string(data), 0, 35},
		{"openEnded", service.ByteRange{Start: 30, End: -1}, "uvwxyz", 30, 35},
		{"endPastObject", service.ByteRange{Start: 34, End: 100}, "yz", 34, 35},
		{"lastByte", service.ByteRange{Start: 35, End: 35}, "z", 35, 35},
	}
	for _, tc := range ranges {
		t.Run("range_"+tc.name, func(t *testing.T) {
			obj, err := env.svc.GetObject(a, "get", "obj", service.GetOptions{Range: &tc.r})
			if err != nil {
				t.Fatal(err)
			}
			defer obj.Body.Close()
			got, _ := io.ReadAll(obj.Body)
			if string(got) != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			if obj.Range == nil || *obj.Range != (service.ContentRange{Start: tc.start, End: tc.end, Total: 36}) {
				t.Fatalf("range %+v", obj.Range)
			}
			if obj.Info.Size != 36 {
				t.Fatalf("size %d, want the whole object's", obj.Info.Size)
			}
		})
	}
	for name, r := range map[string]service.ByteRange{"startPastEnd": {Start: 36, End: 40}, "openPastEnd": {Start: 100, End: -1}, "reversed": {Start: 5, End: 2}, "zeroSuffix": {Start: -1, End: 0}, "badStart": {Start: -2, End: 3}} {
		t.Run("range_"+name, func(t *testing.T) {
			_, err := env.svc.GetObject(a, "get", "obj", service.GetOptions{Range: &r})
			coreWantCode(t, err, errs.InvalidRange)
		})
	}
	for name, etag := range map[string]string{"unquoted": put.ETag, "quoted": `"` + put.ETag + `"`, "star": "*"} {
		t.Run("ifNoneMatch_"+name, func(t *testing.T) {
			obj, err := env.svc.GetObject(a, "get", "obj", service.GetOptions{IfNoneMatch: etag})
			if err != nil {
				t.Fatal(err)
			}
			if !obj.NotModified || obj.Body != nil || obj.Info.ETag != put.ETag || obj.Info.LastModified.IsZero() {
				t.Fatalf("got %+v", obj)
			}
		})
	}
	t.Run("ifNoneMatch_other", func(t *testing.T) {
		obj, err := env.svc.GetObject(a, "get", "obj", service.GetOptions{IfNoneMatch: "0123abcd"})
		if err != nil {
			t.Fatal(err)
		}
		defer obj.Body.Close()
		if obj.NotModified {
			t.Fatal("not modified")
		}
	})
	t.Run("missingKey", func(t *testing.T) {
		_, err := env.svc.GetObject(a, "get", "nope", service.GetOptions{})
		coreWantCode(t, err, errs.NoSuchKey)
		_, err = env.svc.StatObject(a, "get", "nope")
		coreWantCode(t, err, errs.NoSuchKey)
	})
	t.Run("missingBucket", func(t *testing.T) {
		_, err := env.svc.GetObject(a, "gone", "obj", service.GetOptions{})
		coreWantCode(t, err, errs.NoSuchBucket)
		_, err = env.svc.StatObject(a, "gone", "obj")
		coreWantCode(t, err, errs.NoSuchBucket)
		coreWantCode(t, env.svc.RemoveObject(a, "gone", "obj"), errs.NoSuchBucket)
	})
	t.Run("removeMissingKeyIsFine", func(t *testing.T) {
		if err := env.svc.RemoveObject(a, "get", "never-was"); err != nil {
			t.Fatal(err)
		}
	})
	// The call timeout (1.5 s here) bounds metadata calls, not streams.
	t.Run("slowDownloadNotCut", func(t *testing.T) {
		big := coreData(2*coreMiB, 7)
		corePut(t, env, a, "get", "slow", big, service.PutOptions{})
		obj, err := env.svc.GetObject(a, "get", "slow", service.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer obj.Body.Close()
		var got bytes.Buffer
		start := time.Now()
		for {
			_, err := io.CopyN(&got, obj.Body, 256<<10)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("after %d bytes: %v", got.Len(), err)
			}
			time.Sleep(300 * time.Millisecond)
		}
		if time.Since(start) < 2*time.Second {
			t.Fatalf("the read took only %s", time.Since(start))
		}
		if !bytes.Equal(got.Bytes(), big) {
			t.Fatal("content differs")
		}
	})
	t.Run("slowUploadNotCut", func(t *testing.T) {
		body := &coreSlowReader{r: bytes.NewReader(coreData(64<<10, 8)), pause: 300 * time.Millisecond, chunk: 8 << 10}
		if _, err := env.svc.PutObject(a, "get", "slow-up", body, service.PutOptions{Size: 64 << 10}); err != nil {
			t.Fatal(err)
		}
	})
}

// coreSlowReader hands out chunk bytes per Read, pausing before each.
type coreSlowReader struct {
	r     io.Reader
	pause time.Duration
	chunk int
}

func (s *coreSlowReader) Read(p []byte) (int, error) {
	time.Sleep(s.pause)
	return s.r.Read(p[:min(len(p), s.chunk)])
}

// User metadata stays user metadata: a key named like a header the store
// acts on is stored as x-amz-meta-*, and invalid keys or values are refused.
func TestCoreMetadata(t *testing.T) {
	t.Parallel()
	env := coreEnv(t)
	a := env.ctxA
	coreBucket(t, env, a, "meta")
	meta := map[string]string{"Acl": "public-read", "X-Amz-Acl": "public-read-write", "Content-Type": "text/html",
		"x-minio-internal": "1", "Cache-Control": "no", "color": "blue", "Note": "ünïcode välue"}
	for _, size := range []int64{3, -1} {
		name := "acl-known"
		if size < 0 {
			name = "acl-unknown"
		}
		if _, err := env.svc.PutObject(a, "meta", name, strings.NewReader("abc"), service.PutOptions{Size: size, Metadata: meta}); err != nil {
			t.Fatal(err)
		}
		info, err := env.svc.StatObject(a, "meta", name)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"Acl": "public-read", "X-Amz-Acl": "public-read-write", "Content-Type": "text/html",
			"X-Minio-Internal": "1", "Cache-Control": "no", "Color": "blue", "Note": "ünïcode välue"}
		for k, v := range want {
			if info.Metadata[k] != v {
				t.Errorf("%s: metadata %s = %q, want %q (all: %v)", name, k, info.Metadata[k], v, info.Metadata)
			}
		}
		if len(info.Metadata) != len(want) || info.ContentType != "application/octet-stream" {
			t.Errorf("%s: metadata %v, content type %q", name, info.Metadata, info.ContentType)
		}
		// Anonymous reads are still refused: no ACL was set.
		resp, err := http.Get(env.srv.Endpoint + "/ta-meta/" + url.PathEscape(name))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: anonymous GET: %s", name, resp.Status)
		}
		if _, err := coreRaw(t, env, nil).StatObject(context.Background(), "ta-meta", name, minio.StatObjectOptions{}); err == nil {
			t.Errorf("%s: anonymous stat allowed", name)
		}
	}
}

func TestCoreRemoveObjects(t *testing.T) {
	t.Parallel()
	var deletes atomic.Int64
	env := coreEnv(t, func(c *Config) {
		c.Transport = coreHookTransport{base: newTransport(30 * time.Second), after: func(r *http.Request, _ *http.Response) {
			if r.Method == http.MethodPost && r.URL.Query().Has("delete") {
				deletes.Add(1)
			}
		}}
	})
	a := env.ctxA
	coreBucket(t, env, a, "many")
	var real []string
	for i := range 12 {
		name := []string{"r", "r/", "sp ace", "中文", "q?", "h#", "p+", "pc%"}[i%8] + string(rune('a'+i))
		corePut(t, env, a, "many", name, []byte{byte(i)}, service.PutOptions{})
		real = append(real, name)
	}
	// 2,100 valid names: the existing ones spread among names that do not
	// exist (deleting those is no error), plus invalid and repeated names.
	var names, wantDeleted []string
	for i := range 2088 {
		n := "absent/" + strings.Repeat("n", i%7) + string(rune('A'+i%26)) + "-" + strconv.Itoa(i)
		names = append(names, n)
		wantDeleted = append(wantDeleted, n)
		if i%180 == 0 {
			r := real[i/180]
			names = append(names, r)
			wantDeleted = append(wantDeleted, r)
		}
	}
	names = append(names, "", "a/../b", real[0], "absent/A-0")
	res, err := env.svc.RemoveObjects(a, "many", names)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Deleted, "|") != strings.Join(wantDeleted, "|") {
		t.Fatalf("deleted %d names, want %d in input order", len(res.Deleted), len(wantDeleted))
	}
	if len(res.Errors) != 2 || res.Errors[0].Name != "" || res.Errors[1].Name != "a/../b" {
		t.Fatalf("errors %+v", res.Errors)
	}
	for _, e := range res.Errors {
		if e.Code != string(errs.InvalidObjectName) || e.Message == "" {
			t.Fatalf("error %+v", e)
		}
		coreSafeMessage(t, e.Message)
	}
	if n := deletes.Load(); n != 3 {
		t.Fatalf("%d multi-delete requests for 2,100 names, want 3", n)
	}
	page, err := env.svc.ListObjects(a, "many", service.ListOptions{Recursive: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Objects) != 0 {
		t.Fatalf("left: %+v", page.Objects)
	}

	t.Run("missingBucket", func(t *testing.T) {
		_, err := env.svc.RemoveObjects(a, "gone", []string{"x", "y"})
		coreWantCode(t, err, errs.NoSuchBucket)
	})
}
