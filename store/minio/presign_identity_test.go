package miniostore

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"s3gateway/access"
	"s3gateway/service"
)

// A presigned PUT grants an upload of one object and nothing else: an
// x-amz-copy-source header added to it (which the signature does not
// cover) is refused by the store, because the URL's signer cannot read.
func TestPresignedPutCannotCopy(t *testing.T) {
	t.Parallel()
	env := coreEnv(t)
	coreBucket(t, env, env.ctxA, "files")
	corePut(t, env, env.ctxA, "files", "private/salaries.csv", []byte("secret numbers"), service.PutOptions{})

	u, err := env.svc.PresignObject(env.ctxA, service.PresignRequest{Bucket: "files", Name: "public/upload.txt", Method: http.MethodPut, Expires: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPut, u.URL, nil)
	req.Header.Set("x-amz-copy-source", "ta-files/private/salaries.csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("copy through a presigned PUT: %d %s, want 403", resp.StatusCode, body)
	}
	if _, err := env.svc.StatObject(env.ctxA, "files", "public/upload.txt"); err == nil {
		t.Fatal("the refused copy wrote the object")
	}

	// The URL still does what it was made for.
	req, _ = http.NewRequest(http.MethodPut, u.URL, strings.NewReader("uploaded"))
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("presigned PUT: %d", resp.StatusCode)
	}
}

// Each signing identity can do its one kind of action in the tenant's
// buckets: the read identity cannot put, the upload identity cannot get,
// and neither reaches another tenant's buckets or manages a bucket.
func TestSigningIdentitiesRestricted(t *testing.T) {
	t.Parallel()
	env := coreEnv(t)
	coreBucket(t, env, env.ctxA, "files")
	coreBucket(t, env, env.ctxB, "files")
	corePut(t, env, env.ctxA, "files", "a.txt", []byte("a"), service.PutOptions{})
	corePut(t, env, env.ctxB, "files", "b.txt", []byte("b"), service.PutOptions{})
	as := func(purpose access.SigningPurpose) *minio.Client {
		ak, sk := env.a.SigningCredentials(purpose)
		c, err := minio.New(env.srv.Addr, &minio.Options{Creds: credentials.NewStaticV4(ak, sk, ""), Region: "us-east-1"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ctx := t.Context()
	get := func(c *minio.Client, bucket, name string) error {
		o, err := c.GetObject(ctx, bucket, name, minio.GetObjectOptions{})
		if err != nil {
			return err
		}
		defer o.Close()
		_, err = io.ReadAll(o)
		return err
	}
	put := func(c *minio.Client, bucket, name string) error {
		_, err := c.PutObject(ctx, bucket, name, bytes.NewReader([]byte("x")), 1, minio.PutObjectOptions{})
		return err
	}
	denied := func(what string, err error) {
		t.Helper()
		if minio.ToErrorResponse(err).Code != "AccessDenied" {
			t.Errorf("%s: %v, want AccessDenied", what, err)
		}
	}

	read, upload := as(access.SignReads), as(access.SignUploads)
	if err := get(read, "ta-files", "a.txt"); err != nil {
		t.Errorf("read identity, own object: %v", err)
	}
	denied("read identity puts", put(read, "ta-files", "r.txt"))
	denied("read identity, another tenant's object", get(read, "tb-files", "b.txt"))
	if err := put(upload, "ta-files", "u.txt"); err != nil {
		t.Errorf("upload identity, own bucket: %v", err)
	}
	denied("upload identity gets", get(upload, "ta-files", "a.txt"))
	denied("upload identity, another tenant's bucket", put(upload, "tb-files", "u.txt"))
	_, err := upload.CopyObject(ctx, minio.CopyDestOptions{Bucket: "ta-files", Object: "copy.txt"}, minio.CopySrcOptions{Bucket: "ta-files", Object: "a.txt"})
	denied("upload identity copies", err)
	denied("upload identity deletes", upload.RemoveObject(ctx, "ta-files", "a.txt", minio.RemoveObjectOptions{}))
	denied("read identity removes the bucket policy", read.SetBucketPolicy(ctx, "ta-files", ""))
}
