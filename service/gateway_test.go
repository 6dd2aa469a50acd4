package service

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"

	"s3gateway/errs"
)

// Bad names are refused before the store is asked.
func TestBadNames(t *testing.T) {
	t.Parallel()
	svc, store, a := fakeEnv(t, "ta-good")
	badObjects := map[string]string{
		"empty":        "",
		"dotDot":       "a/../b",
		"dot":          "./x",
		"onlyDotDot":   "..",
		"leadingSlash": "/leading",
		"doubleSlash":  "a//b",
		"onlySlash":    "/",
		"nul":          "a\x00b",
		"tooLong":      strings.Repeat("x", 1025),
		"invalidUTF8":  "bad\xff",
	}
	badBuckets := map[string]string{"upper": "Good", "short": "g", "ip": "10.0.0.1", "underscore": "go_od"}
	calls := map[string]func(bucket, name string) error{
		"put": func(b, n string) error {
			_, err := svc.PutObject(a, b, n, strings.NewReader("x"), PutOptions{Size: 1})
			return err
		},
		"get": func(b, n string) error {
			_, err := svc.GetObject(a, b, n, GetOptions{})
			return err
		},
		"stat": func(b, n string) error {
			_, err := svc.StatObject(a, b, n)
			return err
		},
		"remove": func(b, n string) error { return svc.RemoveObject(a, b, n) },
		"copyFrom": func(b, n string) error {
			_, err := svc.CopyObject(a, CopyRequest{Source: ObjectRef{b, n}, Destination: ObjectRef{"good", "dst"}})
			return err
		},
		"copyTo": func(b, n string) error {
			_, err := svc.CopyObject(a, CopyRequest{Source: ObjectRef{"good", "src"}, Destination: ObjectRef{b, n}})
			return err
		},
		"removeUpload": func(b, n string) error { return svc.RemoveIncompleteUpload(a, b, n) },
		"presign": func(b, n string) error {
			_, err := svc.PresignObject(a, PresignRequest{Bucket: b, Name: n, Method: "GET", Expires: MinPresignExpiry})
			return err
		},
	}
	bucketOnly := map[string]func(bucket string) error{
		"list": func(b string) error {
			_, err := svc.ListObjects(a, b, ListOptions{})
			return err
		},
		"listUploads": func(b string) error {
			_, err := svc.ListIncompleteUploads(a, b, "", true)
			return err
		},
		"removeObjects": func(b string) error {
			_, err := svc.RemoveObjects(a, b, []string{"x"})
			return err
		},
		"exists": func(b string) error {
			_, err := svc.BucketExists(a, b)
			return err
		},
		"remove": func(b string) error { return svc.RemoveBucket(a, b) },
		"make": func(b string) error {
			_, err := svc.MakeBucket(a, b, "")
			return err
		},
	}
	for call, f := range calls {
		for label, name := range badObjects {
			t.Run(call+"_object_"+label, func(t *testing.T) {
				wantCode(t, f("good", name), errs.InvalidObjectName)
			})
		}
		for label, bucket := range badBuckets {
			t.Run(call+"_bucket_"+label, func(t *testing.T) {
				wantCode(t, f(bucket, "fine"), errs.InvalidBucketName)
			})
		}
	}
	for call, f := range bucketOnly {
		for label, bucket := range badBuckets {
			t.Run(call+"_bucket_"+label, func(t *testing.T) {
				wantCode(t, f(bucket), errs.InvalidBucketName)
			})
		}
	}
	if n := store.callCount(); n != 0 {
		t.Fatalf("%d calls reached the store: %v", n, store.calls)
	}
}

// Bad listing options are refused before the store is asked.
func TestListObjects_invalidOptions(t *testing.T) {
	t.Parallel()
	svc, store, a := fakeEnv(t, "ta-list")
	for name, opts := range map[string]ListOptions{
		"limitTooLarge":     {Limit: 1001},
		"limitNegative":     {Limit: -1},
		"cursorNotBase64":   {Cursor: "!!!"},
		"cursorNotJSON":     {Cursor: base64.RawURLEncoding.EncodeToString([]byte("b/1"))},
		"cursorOldVersion":  {Cursor: base64.RawURLEncoding.EncodeToString([]byte(`{"v":0,"a":"b"}`))},
		"cursorEmptyAfter":  {Cursor: base64.RawURLEncoding.EncodeToString([]byte(`{"v":1,"a":""}`))},
		"cursorExtraField":  {Cursor: base64.RawURLEncoding.EncodeToString([]byte(`{"v":1,"a":"b","x":1}`))},
		"cursorTokenSpace":  {Cursor: base64.RawURLEncoding.EncodeToString([]byte(`{"v":1,"a":"b","t":"a b"}`))},
		"cursorTokenLong":   {Cursor: base64.RawURLEncoding.EncodeToString([]byte(`{"v":1,"a":"b","t":"` + strings.Repeat("x", 1025) + `"}`))},
		"prefixInvalidUTF8": {Prefix: "\xff"},
		"startAfterTooLong": {StartAfter: strings.Repeat("s", 1025)},
		"metadataWithV1":    {UseV1: true, WithMetadata: true},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := svc.ListObjects(a, "list", opts)
			wantCode(t, err, errs.InvalidArgument)
		})
	}
	if n := store.callCount(); n != 0 {
		t.Fatalf("%d calls reached the store", n)
	}
}

// Following NextCursor page by page yields every entry once, in order,
// whatever the page size; the entries name the tenant's bucket.
func TestListObjects_cursorPages(t *testing.T) {
	t.Parallel()
	svc, store, a := fakeEnv(t, "ta-list")
	store.put("ta-list", "a", "b/1", "b/2", "c", "d/x/1", "e")
	for _, recursive := range []bool{false, true} {
		whole, err := svc.ListObjects(a, "list", ListOptions{Recursive: recursive})
		if err != nil || whole.Truncated || whole.NextCursor != "" {
			t.Fatalf("%+v %v", whole, err)
		}
		for limit := 1; limit <= 4; limit++ {
			t.Run(fmt.Sprintf("recursive=%v_limit=%d", recursive, limit), func(t *testing.T) {
				var got []ObjectInfo
				opts := ListOptions{Recursive: recursive, Limit: limit}
				for page := 0; ; page++ {
					p, err := svc.ListObjects(a, "list", opts)
					if err != nil || len(p.Objects) > limit || page > 10 {
						t.Fatalf("page %d: %+v %v", page, p, err)
					}
					got = append(got, p.Objects...)
					if !p.Truncated {
						break
					}
					opts.Cursor = p.NextCursor
				}
				if !slices.EqualFunc(got, whole.Objects, func(x, y ObjectInfo) bool { return x.Name == y.Name && x.IsDir == y.IsDir }) {
					t.Fatalf("paged %+v, whole %+v", got, whole.Objects)
				}
				for _, o := range got {
					if o.Bucket != "list" {
						t.Fatalf("entry %+v names bucket %q", o, o.Bucket)
					}
				}
			})
		}
	}
	t.Run("startAfterAndCursor", func(t *testing.T) {
		p, err := svc.ListObjects(a, "list", ListOptions{Recursive: true, StartAfter: "b/2", Limit: 1})
		if err != nil || len(p.Objects) != 1 || p.Objects[0].Name != "c" || !p.Truncated {
			t.Fatalf("%+v %v", p, err)
		}
	})
	t.Run("empty", func(t *testing.T) {
		p, err := svc.ListObjects(a, "list", ListOptions{Prefix: "nothing/"})
		if err != nil || p.Objects == nil || len(p.Objects) != 0 || p.Truncated {
			t.Fatalf("%+v %v", p, err)
		}
	})
}

// RemoveObjects sends valid names once each, in batches of at most
// MaxDeleteBatch, and reports every name once, in the order given.
func TestRemoveObjects_batches(t *testing.T) {
	t.Parallel()
	svc, store, a := fakeEnv(t, "ta-many")
	var names []string
	for i := range 2500 {
		names = append(names, fmt.Sprintf("o%04d", i))
	}
	store.put("ta-many", names...)
	store.failed["o0007"] = true
	given := append([]string{"o0001", "a//b"}, names...)
	res, err := svc.RemoveObjects(a, "many", given)
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, b := range store.batches {
		sizes = append(sizes, len(b))
	}
	if !slices.Equal(sizes, []int{1000, 1000, 500}) {
		t.Fatalf("batches of %v", sizes)
	}
	if len(res.Deleted) != 2499 || res.Deleted[0] != "o0001" || res.Deleted[1] != "o0000" {
		t.Fatalf("deleted %d, starting %v", len(res.Deleted), res.Deleted[:2])
	}
	want := []DeleteError{
		{Name: "a//b", Code: string(errs.InvalidObjectName), Message: "object name is invalid: it must not begin with '/' or contain '//'"},
		{Name: "o0007", Code: string(errs.AccessDenied), Message: "access to o0007 is denied"},
	}
	if !slices.Equal(res.Errors, want) {
		t.Fatalf("errors %+v, want %+v", res.Errors, want)
	}
	t.Run("missingBucket", func(t *testing.T) {
		_, err := svc.RemoveObjects(a, "gone", []string{"x"})
		wantCode(t, err, errs.NoSuchBucket)
	})
}

// The tenant sees its own buckets by their logical names, sorted; others'
// and names that are not valid for it are left out.
func TestListBuckets_logicalNames(t *testing.T) {
	t.Parallel()
	svc, store, a := fakeEnv(t, "ta-zeta", "ta-alpha", "tb-other", "ta-", "ta-Bad", "tax")
	got, err := svc.ListBuckets(a)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range got {
		names = append(names, b.Name)
		if b.CreationDate.Location().String() != "UTC" {
			t.Errorf("creation date %v is not UTC", b.CreationDate)
		}
	}
	if !slices.Equal(names, []string{"alpha", "zeta"}) {
		t.Fatalf("buckets %v", names)
	}
	t.Run("accessDeniedIsNone", func(t *testing.T) {
		store.listErr = errs.New(errs.AccessDenied, "denied")
		got, err := svc.ListBuckets(a)
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("%v %v", got, err)
		}
	})
}

// MakeBucket creates the physical bucket and checks the region first.
func TestMakeBucket(t *testing.T) {
	t.Parallel()
	svc, store, a := fakeEnv(t)
	b, err := svc.MakeBucket(a, "new", "")
	if err != nil || b != (Bucket{Name: "new", Region: "us-east-1"}) {
		t.Fatalf("%+v %v", b, err)
	}
	if _, ok := store.buckets["ta-new"]; !ok {
		t.Fatalf("store has %v", store.buckets)
	}
	_, err = svc.MakeBucket(a, "other", "bad region")
	wantCode(t, err, errs.InvalidArgument)
	_, err = svc.MakeBucket(a, "new", "")
	wantCode(t, err, errs.BucketAlreadyExists)
}

// A context without a known tenant reaches nothing.
func TestUnknownTenant(t *testing.T) {
	t.Parallel()
	svc, store, _ := fakeEnv(t)
	_, err := svc.ListBuckets(t.Context())
	wantCode(t, err, errs.Unauthorized)
	if store.callCount() != 0 {
		t.Fatal("the store was called")
	}
}
