package miniostore

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"s3gateway/internal/minitest"
	"s3gateway/service"
)

func TestPresignObject(t *testing.T) {
	t.Parallel()
	env := extEnv(t, minitest.Options{})
	ctx := env.ctx
	physical := env.extBucket(t, "files")
	const name = "docs/report 1+ü.txt"
	env.extPut(t, "files", name, "hello presign")

	before := time.Now()
	got, err := env.svc.PresignObject(ctx, service.PresignRequest{
		Bucket: "files", Name: name, Method: "GET", Expires: 10 * time.Minute,
		ResponseHeaders: service.ResponseHeaders{ContentDisposition: `attachment; filename="r.txt"`, CacheControl: "no-store"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Method != http.MethodGet || !strings.HasPrefix(got.URL, env.srv.Endpoint+"/"+physical+"/") {
		t.Fatalf("presigned GET: %+v", got)
	}
	if lo, hi := before.Add(10*time.Minute-time.Second), time.Now().Add(10*time.Minute); got.ExpiresAt.Before(lo) || got.ExpiresAt.After(hi) || got.ExpiresAt.Location() != time.UTC {
		t.Fatalf("expiresAt %v, want about now + 10 min, UTC", got.ExpiresAt)
	}
	resp, err := http.Get(got.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "hello presign" {
		t.Fatalf("GET presigned: %d %q", resp.StatusCode, body)
	}
	if cd, cc := resp.Header.Get("Content-Disposition"), resp.Header.Get("Cache-Control"); cd != `attachment; filename="r.txt"` || cc != "no-store" {
		t.Fatalf("response headers not overridden: Content-Disposition %q, Cache-Control %q", cd, cc)
	}

	// The signature covers the overrides: changing one breaks it.
	tampered := strings.Replace(got.URL, "no-store", "public", 1)
	if code, _ := extDo(t, http.MethodGet, tampered, ""); code != http.StatusForbidden {
		t.Fatalf("tampered URL: %d, want 403", code)
	}

	put, err := env.svc.PresignObject(ctx, service.PresignRequest{Bucket: "files", Name: "up/new.bin", Method: "put", Expires: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if code, body := extDo(t, http.MethodPut, put.URL, "uploaded bytes"); code != http.StatusOK {
		t.Fatalf("PUT presigned: %d %s", code, body)
	}
	info, err := env.raw.StatObject(context.Background(), physical, "up/new.bin", minio.StatObjectOptions{})
	if err != nil || info.Size != int64(len("uploaded bytes")) {
		t.Fatalf("uploaded object: %+v, %v", info, err)
	}
	// A presigned PUT URL does not read.
	if code, _ := extDo(t, http.MethodGet, put.URL, ""); code != http.StatusForbidden {
		t.Fatalf("GET with a PUT URL: %d, want 403", code)
	}

	short, err := env.svc.PresignObject(ctx, service.PresignRequest{Bucket: "files", Name: name, Method: "GET", Expires: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond)
	code, text := extDo(t, http.MethodGet, short.URL, "")
	if code != http.StatusForbidden {
		t.Fatalf("expired URL: %d, want 403", code)
	}
	t.Logf("the store on an expired URL: %d %s", code, text)
}

// extPostForm posts fields (the key one replaced by key when key != "")
// and then a file to url, as a browser form would.
func extPostForm(t *testing.T, post service.PresignedPost, key, contentType, filename, content string) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fields := map[string]string{}
	for k, v := range post.FormData {
		fields[k] = v
	}
	if key != "" {
		fields["key"] = key
	}
	if contentType != "" {
		fields["Content-Type"] = contentType
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if err := w.WriteField(k, fields[k]); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := w.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(fw, content)
	w.Close()
	req, err := http.NewRequest(http.MethodPost, post.URL, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestPresignPost(t *testing.T) {
	t.Parallel()
	env := extEnv(t, minitest.Options{})
	ctx := env.ctx
	physical := env.extBucket(t, "inbox")
	exists := func(name string) bool {
		_, err := env.raw.StatObject(context.Background(), physical, name, minio.StatObjectOptions{})
		return err == nil
	}

	before := time.Now()
	post, err := env.svc.PresignPost(ctx, service.PostPolicyRequest{
		Bucket: "inbox", NamePrefix: "uploads/", Expires: 10 * time.Minute,
		ContentType: "text/plain", MinSize: 1, MaxSize: 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	if post.URL != env.srv.Endpoint+"/"+physical+"/" {
		t.Fatalf("url %q", post.URL)
	}
	if post.FormData["key"] != "uploads/${filename}" || post.FormData["policy"] == "" || post.FormData["x-amz-signature"] == "" {
		t.Fatalf("form data %v", post.FormData)
	}
	if lo, hi := before.Add(10*time.Minute-time.Second), time.Now().Add(10*time.Minute); post.ExpiresAt.Before(lo) || post.ExpiresAt.After(hi) {
		t.Fatalf("expiresAt %v", post.ExpiresAt)
	}

	// What the store accepts and refuses under the policy's conditions.
	for _, c := range []struct {
		name, key, contentType, filename, content string
		ok                                        bool
		object                                    string
	}{
		{"key under the prefix", "uploads/ok.txt", "", "x.txt", "hello", true, "uploads/ok.txt"},
		{"the form's own key", "", "", "f.txt", "hello", true, "uploads/f.txt"},
		{"outside the prefix", "elsewhere/x.txt", "", "x.txt", "hello", false, "elsewhere/x.txt"},
		{"over the size limit", "uploads/big.txt", "", "x.txt", "eleven byte", false, "uploads/big.txt"},
		{"under the size limit", "uploads/empty.txt", "", "x.txt", "", false, "uploads/empty.txt"},
		{"other content type", "uploads/img.png", "image/png", "x.png", "png", false, "uploads/img.png"},
	} {
		code, body := extPostForm(t, post, c.key, c.contentType, c.filename, c.content)
		accepted := code == http.StatusNoContent || code == http.StatusCreated || code == http.StatusOK
		if accepted != c.ok || exists(c.object) != c.ok {
			t.Errorf("%s: store answered %d %s; object %q exists: %v; want accepted %v", c.name, code, body, c.object, exists(c.object), c.ok)
			continue
		}
		if !c.ok {
			t.Logf("%s: the store refused with %d %s", c.name, code, extS3Code(body))
		}
	}

	exact, err := env.svc.PresignPost(ctx, service.PostPolicyRequest{Bucket: "inbox", Name: "exact.txt", Expires: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if code, body := extPostForm(t, exact, "", "", "whatever.bin", "any size, any type"); code != http.StatusNoContent || !exists("exact.txt") {
		t.Fatalf("exact name: %d %s", code, body)
	}
	if code, _ := extPostForm(t, exact, "other.txt", "", "x", "x"); code == http.StatusNoContent || exists("other.txt") {
		t.Fatalf("a name other than the exact one was accepted: %d", code)
	}
}

// extS3Code picks the Code of an S3 XML error body.
func extS3Code(body string) string {
	_, rest, ok := strings.Cut(body, "<Code>")
	if !ok {
		return ""
	}
	code, _, _ := strings.Cut(rest, "</Code>")
	return code
}
