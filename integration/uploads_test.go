package integration

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"s3gateway/internal/testwait"
)

// alphaStore is a store client with alpha's own S3 credentials, for what
// the gateway never does itself (leaving an upload incomplete).
func alphaStore(t *testing.T) minio.Core {
	t.Helper()
	cl, err := minio.New(suite.store.Addr, &minio.Options{Creds: credentials.NewStaticV4("alpha-svc", "alpha-secret-value", "")})
	if err != nil {
		t.Fatal(err)
	}
	return minio.Core{Client: cl}
}

func TestIncompleteUploads(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	core := alphaStore(t)
	ctx := context.Background()
	for _, name := range []string{"inc/one.bin", "inc/one.bin", "inc/two é.bin", "other/three.bin"} {
		if _, err := core.NewMultipartUpload(ctx, "alpha-"+bucket, name, minio.PutObjectOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var ups uploadsResponse
	c.call(http.MethodGet, "/api/v1/buckets/"+bucket+"/uploads?prefix=inc/&recursive=true", nil, http.StatusOK, &ups)
	if len(ups.Uploads) != 3 {
		t.Fatalf("uploads %+v", ups)
	}
	for _, u := range ups.Uploads {
		if u.UploadID == "" || u.Initiated == "" || !strings.HasPrefix(u.Name, "inc/") {
			t.Fatalf("entry %+v", u)
		}
	}
	c.call(http.MethodDelete, objectPath("uploads", bucket, "inc/one.bin"), nil, http.StatusNoContent, nil)
	c.call(http.MethodGet, "/api/v1/buckets/"+bucket+"/uploads?recursive=true", nil, http.StatusOK, &ups)
	if len(ups.Uploads) != 2 {
		t.Fatalf("after removing both uploads of one name: %+v", ups)
	}
	c.wantError(http.MethodDelete, objectPath("uploads", bucket, "inc/one.bin"), nil, http.StatusNotFound, "NoSuchUpload")
	c.call(http.MethodDelete, objectPath("uploads", bucket, "inc/two é.bin"), nil, http.StatusNoContent, nil)
	c.call(http.MethodDelete, objectPath("uploads", bucket, "other/three.bin"), nil, http.StatusNoContent, nil)
}

// A client that goes away mid-upload leaves neither an object nor an
// incomplete multipart upload behind, whether it announced the size or not.
func TestCutUploadLeavesNothing(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	chunk := strings.Repeat("x", 64<<10)
	cases := []struct {
		label  string
		header string
		write  func(conn net.Conn) error
	}{
		{"sized", "Content-Length: " + fmt.Sprint(4*testPartSize) + "\r\n", func(conn net.Conn) error {
			for range (2*testPartSize + testPartSize/2) / len(chunk) {
				if _, err := conn.Write([]byte(chunk)); err != nil {
					return err
				}
			}
			return nil
		}},
		{"chunked", "Transfer-Encoding: chunked\r\n", func(conn net.Conn) error {
			for range (2*testPartSize + testPartSize/2) / len(chunk) {
				if _, err := fmt.Fprintf(conn, "%x\r\n%s\r\n", len(chunk), chunk); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.label, func(t *testing.T) {
			name := "cut/" + tc.label + ".bin"
			conn, err := net.Dial("tcp", strings.TrimPrefix(suite.gateway.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer %s\r\n%s\r\n",
				objectPath("objects", bucket, name), alphaKey, tc.header)
			if err := tc.write(conn); err != nil {
				t.Fatal(err)
			}
			// The upload is under way in the store before the cut, so the
			// test proves an abort, not an upload that never started.
			testwait.Until(t, 10*time.Second, "the upload to start in the store", func() bool {
				var ups uploadsResponse
				c.call(http.MethodGet, "/api/v1/buckets/"+bucket+"/uploads?recursive=true", nil, http.StatusOK, &ups)
				return len(ups.Uploads) == 1
			})
			conn.Close()

			var left, status int
			if !testwait.Within(15*time.Second, func() bool {
				var ups uploadsResponse
				c.call(http.MethodGet, "/api/v1/buckets/"+bucket+"/uploads?recursive=true", nil, http.StatusOK, &ups)
				resp, _ := c.do(request{method: http.MethodHead, path: objectPath("objects", bucket, name)})
				left, status = len(ups.Uploads), resp.StatusCode
				return left == 0 && status == http.StatusNotFound
			}) {
				t.Fatalf("left behind: %d uploads, object status %d", left, status)
			}
		})
	}
}
