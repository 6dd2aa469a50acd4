package integration

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"testing"
)

func contentMD5(data []byte) string {
	sum := md5.Sum(data)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func reprDigest(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha-256=:" + base64.StdEncoding.EncodeToString(sum[:]) + ":"
}

// Checksums on PUT: checked before the object becomes visible, whichever
// way the body travels (one PUT or parts, with or without Content-Length);
// a mismatch stores nothing and leaves no incomplete upload behind.
func TestDigestUploads(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	small := []byte("checked bytes")
	large := randomBytes(t, 2*testPartSize+777)
	wrong := []byte("other bytes")
	for _, body := range []struct {
		name string
		data []byte
	}{{"small", small}, {"large", large}} {
		for _, chunked := range []bool{false, true} {
			size := int64(len(body.data))
			mode := "sized"
			if chunked {
				size, mode = -1, "chunked"
			}
			send := func(name string, headers map[string]string) (int, []byte) {
				return c.status(request{method: http.MethodPut, path: objectPath("objects", bucket, name),
					body: io.MultiReader(bytes.NewReader(body.data)), size: size, headers: headers})
			}
			t.Run(body.name+"_"+mode, func(t *testing.T) {
				okName := "ok/" + body.name + "-" + mode
				if code, msg := send(okName, map[string]string{
					"Content-MD5": contentMD5(body.data), "Repr-Digest": reprDigest(body.data),
				}); code != http.StatusCreated {
					t.Fatalf("matching digests: %d %s", code, msg)
				}
				resp, got := c.get(bucket, okName, nil)
				if !bytes.Equal(got, body.data) || resp.Header.Get("Repr-Digest") != reprDigest(body.data) {
					t.Fatalf("GET: %d bytes, Repr-Digest %q", len(got), resp.Header.Get("Repr-Digest"))
				}
				for _, h := range []map[string]string{
					{"Content-MD5": contentMD5(wrong)},
					{"Repr-Digest": reprDigest(wrong)},
					{"Content-MD5": contentMD5(body.data), "Repr-Digest": reprDigest(wrong)},
				} {
					badName := "bad/" + body.name + "-" + mode
					code, msg := send(badName, h)
					if code != http.StatusBadRequest || !bytes.Contains(msg, []byte(`"BadDigest"`)) {
						t.Fatalf("%v: %d %s, want 400 BadDigest", h, code, msg)
					}
					c.wantError(http.MethodGet, objectPath("objects", bucket, badName), nil, http.StatusNotFound, "NoSuchKey")
				}
			})
		}
	}
	var uploads uploadsResponse
	c.call(http.MethodGet, "/api/v1/buckets/"+bucket+"/uploads?recursive=true", nil, http.StatusOK, &uploads)
	if len(uploads.Uploads) != 0 {
		t.Fatalf("failed uploads left incomplete uploads: %+v", uploads.Uploads)
	}

	// The digest is the whole object's: a range has none; HEAD has it; it
	// is not user metadata, and clients cannot set its key.
	resp, _ := c.get(bucket, "ok/small-sized", map[string]string{"Range": "bytes=0-3"})
	if resp.Header.Get("Repr-Digest") != "" {
		t.Errorf("a range carries Repr-Digest %q", resp.Header.Get("Repr-Digest"))
	}
	head, _ := c.do(request{method: http.MethodHead, path: objectPath("objects", bucket, "ok/small-sized")})
	if head.Header.Get("Repr-Digest") != reprDigest(small) {
		t.Errorf("HEAD Repr-Digest %q", head.Header.Get("Repr-Digest"))
	}
	var st statResponse
	c.call(http.MethodGet, objectPath("stat", bucket, "ok/small-sized"), nil, http.StatusOK, &st)
	if len(st.Metadata) != 0 {
		t.Errorf("metadata %v", st.Metadata)
	}
	if code, _ := c.status(putRequest(bucket, "x", small, map[string]string{"X-Meta-Gateway-Sha256": "x"})); code != http.StatusBadRequest {
		t.Errorf("reserved metadata key: %d", code)
	}
	if code, _ := c.status(putRequest(bucket, "x", small, map[string]string{"Content-MD5": "not base64!"})); code != http.StatusBadRequest {
		t.Errorf("malformed Content-MD5: %d", code)
	}
	// A copy keeps the digest of the same bytes.
	c.call(http.MethodPost, "/api/v1/buckets/"+bucket+"/copy",
		map[string]any{"name": "copy", "source": map[string]string{"name": "ok/small-sized"}}, http.StatusCreated, nil)
	if resp, _ := c.get(bucket, "copy", nil); resp.Header.Get("Repr-Digest") != reprDigest(small) {
		t.Errorf("copy Repr-Digest %q", resp.Header.Get("Repr-Digest"))
	}
}
