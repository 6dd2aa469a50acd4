package miniostore

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"s3gateway/errs"
	"s3gateway/service"
)

// coreListKeys mixes objects and folders whose names sort around "/":
// '.' < '/' < '0', "d/" is both an object and a folder, and names hold
// '+', spaces and non-ASCII. (MinIO does not list "x/y" when "x" is an
// object too, so no key here is another's parent.)
var coreListKeys = []string{
	"a", "a/",
	"b.txt", "b/1", "b/2", "b/c/3", "b/c/4", "b/d/5", "b0",
	"c", "d/", "d/x", "d/y/z",
	"e+f", "e/1", "f g", "f/g h",
	"g/h/i", "g/h/j",
	"y/1", "y/2/3", "z", "zz",
	"中文/ü.txt", "中文.txt",
}

// coreExpectListing is what S3 semantics say a full listing returns.
func coreExpectListing(keys []string, prefix, startAfter string, recursive bool) []string {
	set := map[string]bool{}
	for _, k := range keys {
		if !strings.HasPrefix(k, prefix) || k <= startAfter {
			continue
		}
		if !recursive {
			if i := strings.Index(k[len(prefix):], "/"); i >= 0 {
				k = k[:len(prefix)+i+1]
			}
		}
		if k > startAfter {
			set[k] = true
		}
	}
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Following the cursor yields every entry exactly once, in order, for
// every page size, API version, grouping, prefix and start.
func TestCoreListObjects(t *testing.T) {
	t.Parallel()
	env := coreEnv(t)
	a := env.ctxA
	coreBucket(t, env, a, "list")
	for _, k := range coreListKeys {
		corePut(t, env, a, "list", k, []byte(k), service.PutOptions{})
	}
	isObject := map[string]bool{}
	for _, k := range coreListKeys {
		isObject[k] = true
	}
	type variant struct{ prefix, startAfter string }
	variants := []variant{{"", ""}, {"b/", ""}, {"", "b"}, {"", "b/"}, {"", "d/"}, {"d/", ""}, {"d/", "d/"}, {"中文", ""}}
	for _, v1 := range []bool{false, true} {
		for _, recursive := range []bool{false, true} {
			for _, v := range variants {
				want := coreExpectListing(coreListKeys, v.prefix, v.startAfter, recursive)
				for limit := 1; limit <= 7; limit++ {
					name := fmt.Sprintf("v1=%v/recursive=%v/prefix=%q/startAfter=%q/limit=%d", v1, recursive, v.prefix, v.startAfter, limit)
					t.Run(name, func(t *testing.T) {
						opts := service.ListOptions{Prefix: v.prefix, StartAfter: v.startAfter, Recursive: recursive, Limit: limit, UseV1: v1}
						var got []string
						for pages := 0; ; pages++ {
							if pages > len(coreListKeys)+2 {
								t.Fatalf("no end after %d pages: %v", pages, got)
							}
							page, err := env.svc.ListObjects(a, "list", opts)
							if err != nil {
								t.Fatal(err)
							}
							if len(page.Objects) > limit || page.Truncated != (page.NextCursor != "") ||
								page.Truncated && len(page.Objects) != limit {
								t.Fatalf("page of %d, truncated %v, cursor %q", len(page.Objects), page.Truncated, page.NextCursor)
							}
							for _, o := range page.Objects {
								got = append(got, o.Name)
								dir := strings.HasSuffix(o.Name, "/") && !recursive && o.Name != v.prefix
								if o.IsDir != dir || o.Bucket != "list" {
									t.Fatalf("entry %+v: IsDir should be %v", o, dir)
								}
								if !o.IsDir && (o.Size != int64(len(o.Name)) || o.ETag == "" || o.LastModified.IsZero()) {
									t.Fatalf("object entry %+v", o)
								}
								if o.IsDir && isObject[o.Name] && recursive {
									t.Fatalf("object %q listed as a folder", o.Name)
								}
							}
							if !page.Truncated {
								break
							}
							opts.Cursor = page.NextCursor
						}
						if !slices.Equal(got, want) {
							t.Fatalf("listed\n%q\nwant\n%q", got, want)
						}
					})
				}
			}
		}
	}

	t.Run("defaultLimitAll", func(t *testing.T) {
		page, err := env.svc.ListObjects(a, "list", service.ListOptions{Recursive: true})
		if err != nil || page.Truncated || len(page.Objects) != len(coreListKeys) {
			t.Fatalf("%d entries, truncated %v, %v", len(page.Objects), page.Truncated, err)
		}
	})
	t.Run("emptyPrefix", func(t *testing.T) {
		page, err := env.svc.ListObjects(a, "list", service.ListOptions{Prefix: "nothing-here/"})
		if err != nil || page.Truncated || page.Objects == nil || len(page.Objects) != 0 {
			t.Fatalf("%+v %v", page, err)
		}
	})
	t.Run("missingBucket", func(t *testing.T) {
		_, err := env.svc.ListObjects(a, "gone", service.ListOptions{})
		coreWantCode(t, err, errs.NoSuchBucket)
	})
	t.Run("withMetadata", func(t *testing.T) {
		coreBucket(t, env, a, "listmeta")
		corePut(t, env, a, "listmeta", "m", []byte("x"), service.PutOptions{ContentType: "text/x-m", Metadata: map[string]string{"color": "green", "Acl": "x"}})
		page, err := env.svc.ListObjects(a, "listmeta", service.ListOptions{WithMetadata: true})
		if err != nil || len(page.Objects) != 1 {
			t.Fatalf("%+v %v", page, err)
		}
		o := page.Objects[0]
		if o.ContentType != "text/x-m" || o.Metadata["Color"] != "green" || o.Metadata["Acl"] != "x" || len(o.Metadata) != 2 {
			t.Fatalf("entry %+v", o)
		}
		page, err = env.svc.ListObjects(a, "listmeta", service.ListOptions{})
		if err != nil || page.Objects[0].Metadata != nil {
			t.Fatalf("metadata without asking: %+v %v", page, err)
		}
	})
}
