package integration

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// status sends r and returns the status and body.
func (c *apiClient) status(r request) (int, []byte) {
	c.t.Helper()
	resp, body := c.do(r)
	return resp.StatusCode, body
}

func putRequest(bucket, name string, data []byte, headers map[string]string) request {
	return request{method: http.MethodPut, path: objectPath("objects", bucket, name),
		body: bytes.NewReader(data), size: int64(len(data)), headers: headers}
}

// Conditional writes, checked by the store when it commits: nothing is
// written when a condition fails.
func TestConditionalWrites(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()

	first := c.put(bucket, "doc.txt", []byte("one"), map[string]string{"If-None-Match": "*"})
	if code, body := c.status(putRequest(bucket, "doc.txt", []byte("two"), map[string]string{"If-None-Match": "*"})); code != http.StatusPreconditionFailed {
		t.Fatalf("create-only over an existing object: %d %s", code, body)
	}
	if code, _ := c.status(putRequest(bucket, "doc.txt", []byte("two"), map[string]string{"If-Match": `"0123456789abcdef0123456789abcdef"`})); code != http.StatusPreconditionFailed {
		t.Fatalf("If-Match with another ETag: %d", code)
	}
	if code, _ := c.status(putRequest(bucket, "none.txt", []byte("x"), map[string]string{"If-Match": "*"})); code != http.StatusPreconditionFailed {
		t.Fatalf("If-Match on a missing object: %d", code)
	}
	if _, got := c.get(bucket, "doc.txt", nil); string(got) != "one" {
		t.Fatalf("failed writes changed the object: %q", got)
	}
	c.wantError(http.MethodGet, objectPath("objects", bucket, "none.txt"), nil, http.StatusNotFound, "NoSuchKey")

	second := c.put(bucket, "doc.txt", []byte("two"), map[string]string{"If-Match": `"` + first.ETag + `"`})
	if second.ETag == first.ETag {
		t.Fatal("the ETag did not change")
	}
	// Chunked and across parts: the store checks again at completion.
	big := randomBytes(t, testPartSize+100)
	code, body := c.status(request{method: http.MethodPut, path: objectPath("objects", bucket, "doc.txt"),
		body: bytes.NewReader(big), size: -1, headers: map[string]string{"If-Match": first.ETag}})
	if code != http.StatusPreconditionFailed {
		t.Fatalf("multipart If-Match with a stale ETag: %d %s", code, body)
	}
	c.put(bucket, "doc.txt", big, map[string]string{"If-Match": second.ETag})

	// Conditional delete.
	if code, _ := c.status(request{method: http.MethodDelete, path: objectPath("objects", bucket, "doc.txt"),
		headers: map[string]string{"If-Match": `"` + first.ETag + `"`}}); code != http.StatusPreconditionFailed {
		t.Fatalf("delete with a stale ETag: %d", code)
	}
	var st statResponse
	c.call(http.MethodGet, objectPath("stat", bucket, "doc.txt"), nil, http.StatusOK, &st)
	if code, _ := c.status(request{method: http.MethodDelete, path: objectPath("objects", bucket, "doc.txt"),
		headers: map[string]string{"If-Match": `"` + st.ETag + `"`}}); code != http.StatusNoContent {
		t.Fatalf("delete with the current ETag: %d", code)
	}
	if code, _ := c.status(request{method: http.MethodDelete, path: objectPath("objects", bucket, "doc.txt"),
		headers: map[string]string{"If-Match": "*"}}); code != http.StatusPreconditionFailed {
		t.Fatalf("delete If-Match * of a missing object: %d", code)
	}
	if code, _ := c.status(putRequest(bucket, "bad.txt", []byte("x"), map[string]string{"If-None-Match": `"abc"`})); code != http.StatusBadRequest {
		t.Fatalf("If-None-Match with an ETag on a write: %d", code)
	}
}

// The race conditional writes exist for: two writers read the same ETag and
// both write with If-Match; exactly one wins, the other gets 412.
func TestConditionalRace(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	for round := 0; round < 10; round++ {
		base := c.put(bucket, "counter", []byte("base"), nil)
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				data := []byte(strings.Repeat(string(rune('a'+i)), 1000))
				codes[i], _ = c.status(putRequest(bucket, "counter", data, map[string]string{"If-Match": `"` + base.ETag + `"`}))
			}()
		}
		wg.Wait()
		won := 0
		for _, code := range codes {
			switch code {
			case http.StatusCreated:
				won++
			case http.StatusPreconditionFailed:
			default:
				t.Fatalf("round %d: status %d", round, code)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d writers won (%v), want exactly 1", round, won, codes)
		}
	}
}

// Conditional reads, in RFC 9110's order, on GET and HEAD.
func TestConditionalReads(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	up := c.put(bucket, "r.txt", []byte("hello"), nil)
	etag := `"` + up.ETag + `"`
	past := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"ifMatch_ok", map[string]string{"If-Match": etag}, 200},
		{"ifMatch_list", map[string]string{"If-Match": `"x", ` + etag}, 200},
		{"ifMatch_star", map[string]string{"If-Match": "*"}, 200},
		{"ifMatch_fails", map[string]string{"If-Match": `"x"`}, 412},
		{"ifMatch_weak", map[string]string{"If-Match": "W/" + etag}, 412},
		{"ifMatch_beforeIfNoneMatch", map[string]string{"If-Match": `"x"`, "If-None-Match": etag}, 412},
		{"ifNoneMatch_matches", map[string]string{"If-None-Match": etag}, 304},
		{"ifNoneMatch_other", map[string]string{"If-None-Match": `"x"`}, 200},
		{"ifNoneMatch_winsOverModifiedSince", map[string]string{"If-None-Match": `"x"`, "If-Modified-Since": future}, 200},
		{"ifModifiedSince_future", map[string]string{"If-Modified-Since": future}, 304},
		{"ifModifiedSince_past", map[string]string{"If-Modified-Since": past}, 200},
		{"ifModifiedSince_invalidIgnored", map[string]string{"If-Modified-Since": "yesterday"}, 200},
		{"ifUnmodifiedSince_past", map[string]string{"If-Unmodified-Since": past}, 412},
		{"ifUnmodifiedSince_future", map[string]string{"If-Unmodified-Since": future}, 200},
		{"ifMatch_overridesUnmodifiedSince", map[string]string{"If-Match": etag, "If-Unmodified-Since": past}, 200},
	}
	for _, tt := range tests {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			t.Run(tt.name+"_"+method, func(t *testing.T) {
				c := as(t, alphaKey)
				resp, body := c.do(request{method: method, path: objectPath("objects", bucket, "r.txt"), headers: tt.headers})
				if resp.StatusCode != tt.want {
					t.Fatalf("%d %s, want %d", resp.StatusCode, body, tt.want)
				}
				if tt.want == 304 && resp.Header.Get("ETag") != etag {
					t.Errorf("304 ETag %q", resp.Header.Get("ETag"))
				}
				if tt.want == 200 && method == http.MethodGet && string(body) != "hello" {
					t.Errorf("body %q", body)
				}
			})
		}
	}
	resp, body := c.get(bucket, "r.txt", map[string]string{"If-Match": etag, "Range": "bytes=1-2"})
	if resp.StatusCode != http.StatusPartialContent || string(body) != "el" {
		t.Fatalf("conditional range: %d %q", resp.StatusCode, body)
	}
}
