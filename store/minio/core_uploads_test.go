package miniostore

import (
	"bytes"
	"context"
	"testing"

	"github.com/minio/minio-go/v7"

	"s3gateway/errs"
	"s3gateway/service"
)

// Uploads are started straight on the store with the tenant's own keys, as
// an interrupted client would leave them, then listed and removed through
// the service.
func TestCoreIncompleteUploads(t *testing.T) {
	t.Parallel()
	env := coreEnv(t)
	a := env.ctxA
	coreBucket(t, env, a, "parts")
	raw := coreRaw(t, env, env.a)
	ctx := context.Background()
	start := func(name string, partSizes ...int) string {
		t.Helper()
		id, err := raw.NewMultipartUpload(ctx, "ta-parts", name, minio.PutObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range partSizes {
			if _, err := raw.PutObjectPart(ctx, "ta-parts", name, id, i+1, bytes.NewReader(make([]byte, n)), int64(n), minio.PutObjectPartOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	top := start("top.bin", 1000, 24)
	deep := start("dir/sub/deep.bin", 10)
	twice1 := start("twice", 1)
	twice2 := start("twice", 2)
	odd := start("中文 +%/ü?.bin")

	byName := func(ups []service.IncompleteUpload) map[string][]service.IncompleteUpload {
		out := map[string][]service.IncompleteUpload{}
		for _, u := range ups {
			out[u.Name] = append(out[u.Name], u)
		}
		return out
	}
	t.Run("list_recursive", func(t *testing.T) {
		ups, err := env.svc.ListIncompleteUploads(a, "parts", "", true)
		if err != nil {
			t.Fatal(err)
		}
		got := byName(ups)
		if len(ups) != 5 || len(got["twice"]) != 2 {
			t.Fatalf("uploads %+v", ups)
		}
		for name, want := range map[string]struct {
			id   string
			size int64
		}{"top.bin": {top, 1024}, "dir/sub/deep.bin": {deep, 10}, "中文 +%/ü?.bin": {odd, 0}} {
			u := got[name]
			if len(u) != 1 || u[0].UploadID != want.id || u[0].Size != want.size || u[0].Initiated.IsZero() || u[0].IsDir {
				t.Errorf("%s: %+v", name, u)
			}
		}
		ids := map[string]bool{got["twice"][0].UploadID: true, got["twice"][1].UploadID: true}
		if !ids[twice1] || !ids[twice2] {
			t.Errorf("twice: %+v", got["twice"])
		}
	})
	t.Run("list_folders", func(t *testing.T) {
		ups, err := env.svc.ListIncompleteUploads(a, "parts", "", false)
		if err != nil {
			t.Fatal(err)
		}
		got := byName(ups)
		if len(got) != 4 || len(got["dir/"]) != 1 || !got["dir/"][0].IsDir || got["dir/"][0].UploadID != "" ||
			len(got["中文 +%/"]) != 1 || len(got["twice"]) != 2 || len(got["top.bin"]) != 1 {
			t.Fatalf("uploads %+v", ups)
		}
	})
	for name, tc := range map[string]struct {
		prefix    string
		recursive bool
		want      []string
	}{
		"prefix_folder":         {"dir/", true, []string{"dir/sub/deep.bin"}},
		"prefix_folderGrouped":  {"dir/", false, []string{"dir/sub/"}},
		"prefix_exactName":      {"top.bin", true, []string{"top.bin"}},
		"prefix_partial":        {"tw", true, []string{"twice", "twice"}},
		"prefix_nonASCII":       {"中文 +%/", true, []string{"中文 +%/ü?.bin"}},
		"prefix_nothingMatches": {"nothing", true, nil},
	} {
		t.Run("list_"+name, func(t *testing.T) {
			ups, err := env.svc.ListIncompleteUploads(a, "parts", tc.prefix, tc.recursive)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, u := range ups {
				names = append(names, u.Name)
			}
			if len(names) != len(tc.want) || len(names) > 0 && names[0] != tc.want[0] {
				t.Fatalf("listed %q, want %q", names, tc.want)
			}
		})
	}
	t.Run("remove_one", func(t *testing.T) {
		if err := env.svc.RemoveIncompleteUpload(a, "parts", "top.bin"); err != nil {
			t.Fatal(err)
		}
		res, err := raw.ListMultipartUploads(ctx, "ta-parts", "top.bin", "", "", "", 1000)
		if err != nil || len(res.Uploads) != 0 {
			t.Fatalf("store still has %+v (%v)", res.Uploads, err)
		}
	})
	t.Run("remove_allOfAName", func(t *testing.T) {
		if err := env.svc.RemoveIncompleteUpload(a, "parts", "twice"); err != nil {
			t.Fatal(err)
		}
		res, err := raw.ListMultipartUploads(ctx, "ta-parts", "twice", "", "", "", 1000)
		if err != nil || len(res.Uploads) != 0 {
			t.Fatalf("store still has %+v (%v)", res.Uploads, err)
		}
	})
	t.Run("remove_none", func(t *testing.T) {
		coreWantCode(t, env.svc.RemoveIncompleteUpload(a, "parts", "top.bin"), errs.NoSuchUpload)
		coreWantCode(t, env.svc.RemoveIncompleteUpload(a, "parts", "dir/"), errs.NoSuchUpload)
	})
	t.Run("remove_missingBucket", func(t *testing.T) {
		err := env.svc.RemoveIncompleteUpload(a, "gone", "x")
		coreWantCode(t, err, errs.NoSuchBucket)
		_, err = env.svc.ListIncompleteUploads(a, "gone", "", true)
		coreWantCode(t, err, errs.NoSuchBucket)
	})
	t.Run("list_afterRemovals", func(t *testing.T) {
		ups, err := env.svc.ListIncompleteUploads(a, "parts", "", true)
		if err != nil || len(ups) != 2 || ups[0].Name != "dir/sub/deep.bin" || ups[1].Name != "中文 +%/ü?.bin" {
			t.Fatalf("%+v %v", ups, err)
		}
	})
	t.Run("otherTenantSeesNone", func(t *testing.T) {
		coreBucket(t, env, env.ctxB, "parts")
		ups, err := env.svc.ListIncompleteUploads(env.ctxB, "parts", "", true)
		if err != nil || len(ups) != 0 {
			t.Fatalf("%+v %v", ups, err)
		}
		coreWantCode(t, env.svc.RemoveIncompleteUpload(env.ctxB, "parts", "dir/sub/deep.bin"), errs.NoSuchUpload)
	})
}
