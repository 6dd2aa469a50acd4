package miniostore

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/minio/minio-go/v7"

	"s3gateway/service"
)

// ListObjects relies on minio-go handing out each store page's objects
// before its folders (common prefixes). This pins that order against the
// store's own pages, and checks the property it serves: pages of any limit,
// followed by their cursors, return every entry exactly once, in order.
func TestListOrder_objectsBeforeFoldersPerPage(t *testing.T) {
	t.Parallel()
	env := coreEnv(t)
	a := env.ctxA
	coreBucket(t, env, a, "order")
	names := []string{"a", "b/1", "b/2", "c", "d/x/1", "e", "f/1", "g", "h/1", "i", "j/"}
	for _, n := range names {
		corePut(t, env, a, "order", n, []byte("x"), service.PutOptions{})
	}
	phys := env.a.BucketPrefix + "order"
	c := env.store.mustClient(t, env.a)
	for maxKeys := 1; maxKeys <= 3; maxKeys++ {
		t.Run(fmt.Sprintf("channel_maxKeys=%d", maxKeys), func(t *testing.T) {
			var want []string
			var token string
			for {
				page, err := c.core.ListObjectsV2(phys, "", "", token, "/", maxKeys)
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range page.Contents {
					want = append(want, o.Key)
				}
				for _, p := range page.CommonPrefixes {
					want = append(want, p.Prefix)
				}
				if !page.IsTruncated {
					break
				}
				token = page.NextContinuationToken
			}
			var got []string
			for o := range c.mc.ListObjects(context.Background(), phys, minio.ListObjectsOptions{MaxKeys: maxKeys}) {
				if o.Err != nil {
					t.Fatal(o.Err)
				}
				got = append(got, o.Key)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("minio-go's stream %q, the store's pages (objects, then folders) %q", got, want)
			}
		})
	}
	whole := []string{"a", "b/", "c", "d/", "e", "f/", "g", "h/", "i", "j/"}
	for limit := 1; limit <= 3; limit++ {
		t.Run(fmt.Sprintf("pages_limit=%d", limit), func(t *testing.T) {
			var got []string
			opts := service.ListOptions{Limit: limit}
			for range len(whole) + 1 {
				page, err := env.svc.ListObjects(a, "order", opts)
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range page.Objects {
					got = append(got, o.Name)
				}
				if !page.Truncated {
					break
				}
				opts.Cursor = page.NextCursor
			}
			if !slices.Equal(got, whole) {
				t.Fatalf("paged %q, want %q", got, whole)
			}
		})
	}
}
