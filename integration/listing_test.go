package integration

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
)

func TestListingPaginatesExactlyOnce(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	var all []string
	for _, dir := range []string{"", "a/", "b/", "b/deep/", "c d/"} {
		for i := range 4 {
			all = append(all, fmt.Sprintf("%sfile-%d.txt", dir, i))
		}
	}
	all = append(all, "z+last", "b/deep/x/y/z")
	for _, n := range all {
		c.put(bucket, n, []byte(n), map[string]string{"X-Meta-Origin": "listing"})
	}
	slices.Sort(all)
	topLevel := []string{"a/", "b/", "c d/", "file-0.txt", "file-1.txt", "file-2.txt", "file-3.txt", "z+last"}
	bDeep := []string{"b/deep/file-0.txt", "b/deep/file-1.txt", "b/deep/file-2.txt", "b/deep/file-3.txt", "b/deep/x/y/z"}

	cases := []struct {
		label string
		query url.Values
		want  []string
	}{
		{"recursive", url.Values{"recursive": {"true"}}, all},
		{"folders", url.Values{}, topLevel},
		{"prefixFolders", url.Values{"prefix": {"b/"}}, []string{"b/deep/", "b/file-0.txt", "b/file-1.txt", "b/file-2.txt", "b/file-3.txt"}},
		{"prefixRecursive", url.Values{"prefix": {"b/deep/"}, "recursive": {"true"}}, bDeep},
		{"startAfter", url.Values{"recursive": {"true"}, "startAfter": {"b/file-3.txt"}}, all[slices.Index(all, "b/file-3.txt")+1:]},
	}
	for _, version := range []string{"v1", "v2"} {
		for _, tc := range cases {
			for _, limit := range []int{1, 2, 3, 7, 1000} {
				t.Run(fmt.Sprintf("%s/%s/limit%d", version, tc.label, limit), func(t *testing.T) {
					got := listAll(as(t, alphaKey), bucket, tc.query, version, limit)
					if !slices.Equal(got, tc.want) {
						t.Fatalf("got  %q\nwant %q", got, tc.want)
					}
				})
			}
		}
	}

	t.Run("entries", func(t *testing.T) {
		var page listResponse
		c.call(http.MethodGet, "/api/v1/buckets/"+bucket+"/objects?metadata=true&prefix=a/", nil, http.StatusOK, &page)
		if len(page.Objects) != 4 || page.Truncated || page.NextCursor != "" {
			t.Fatalf("%+v", page)
		}
		o := page.Objects[0]
		if o.Size != int64(len(o.Name)) || o.ETag == "" || o.LastModified == "" || o.IsDir || o.Metadata["Origin"] != "listing" {
			t.Fatalf("entry %+v", o)
		}
		c.call(http.MethodGet, "/api/v1/buckets/"+bucket+"/objects", nil, http.StatusOK, &page)
		if !page.Objects[0].IsDir || page.Objects[0].Name != "a/" {
			t.Fatalf("folder entry %+v", page.Objects[0])
		}
	})
	t.Run("badQueries", func(t *testing.T) {
		base := "/api/v1/buckets/" + bucket + "/objects?"
		for _, q := range []string{"limit=0", "limit=1001", "limit=x", "recursive=maybe", "apiVersion=v3", "cursor=not-a-cursor"} {
			c.wantError(http.MethodGet, base+q, nil, http.StatusBadRequest, "InvalidArgument")
		}
	})
	t.Run("missingBucket", func(t *testing.T) {
		c.wantError(http.MethodGet, "/api/v1/buckets/bnosuchbucket/objects", nil, http.StatusNotFound, "NoSuchBucket")
	})
}

// listAll follows nextCursor to the end and returns every name in order.
func listAll(c *apiClient, bucket string, query url.Values, version string, limit int) []string {
	c.t.Helper()
	var names []string
	cursor := ""
	for pages := 0; ; pages++ {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("apiVersion", version)
		q.Set("limit", fmt.Sprint(limit))
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page listResponse
		c.call(http.MethodGet, "/api/v1/buckets/"+bucket+"/objects?"+q.Encode(), nil, http.StatusOK, &page)
		if len(page.Objects) > limit {
			c.t.Fatalf("page of %d entries over limit %d", len(page.Objects), limit)
		}
		for _, o := range page.Objects {
			names = append(names, o.Name)
		}
		if !page.Truncated {
			if page.NextCursor != "" {
				c.t.Fatalf("last page has a cursor")
			}
			return names
		}
		if page.NextCursor == "" || pages > 100 {
			c.t.Fatalf("truncated page without a cursor, or endless listing")
		}
		cursor = page.NextCursor
	}
}
