package service

import (
	"strings"
	"testing"
	"time"

	"s3gateway/errs"
)

// The service's own argument rules: each bad argument is refused with a
// contract code and a message that names neither the physical bucket nor
// the store, whatever the store would have said.

// wantSafeCode fails unless err carries code and a message fit for a client.
func wantSafeCode(t *testing.T, err error, code errs.Code) {
	t.Helper()
	wantCode(t, err, code)
	e, _ := errs.As(err)
	for _, leak := range []string{"ta-", "127.0.0.1", "localhost", "http://"} {
		if strings.Contains(e.Message, leak) {
			t.Fatalf("client message %q contains %q", e.Message, leak)
		}
	}
}

func TestBucketArguments(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"ab", "Photos", "has_underscore", "-start", "end-", "a..b", "a.-b", "192.168.1.1",
		strings.Repeat("x", 61), "", "with space"} {
		t.Run("makeBucket_invalid_"+name, func(t *testing.T) {
			t.Parallel()
			svc, store, a := fakeEnv(t)
			_, err := svc.MakeBucket(a, name, "")
			wantSafeCode(t, err, errs.InvalidBucketName)
			if store.callCount() != 0 {
				t.Fatalf("store called: %v", store.calls)
			}
		})
	}
	t.Run("makeBucket_longestAllowed", func(t *testing.T) {
		t.Parallel()
		svc, store, a := fakeEnv(t)
		if _, err := svc.MakeBucket(a, strings.Repeat("l", 60), ""); err != nil { // 63 with "ta-"
			t.Fatal(err)
		}
		if _, ok := store.buckets["ta-"+strings.Repeat("l", 60)]; !ok {
			t.Fatalf("store has %v", store.buckets)
		}
	})
	t.Run("makeBucket_invalidRegion", func(t *testing.T) {
		t.Parallel()
		svc, _, a := fakeEnv(t)
		_, err := svc.MakeBucket(a, "regional", "bad region!")
		wantSafeCode(t, err, errs.InvalidArgument)
	})
	t.Run("bucketExists_invalidName", func(t *testing.T) {
		t.Parallel()
		svc, _, a := fakeEnv(t)
		_, err := svc.BucketExists(a, "No")
		wantSafeCode(t, err, errs.InvalidBucketName)
	})
}

func TestPutObjectArguments(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		size int64
		want errs.Code
	}{
		{"tooLarge", 5<<40 + 1, errs.EntityTooLarge},
		{"badSize", -2, errs.InvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			svc, store, a := fakeEnv(t, "ta-upl")
			_, err := svc.PutObject(a, "upl", "x", strings.NewReader(""), PutOptions{Size: tc.size})
			wantSafeCode(t, err, tc.want)
			if store.callCount() != 0 {
				t.Fatalf("store called: %v", store.calls)
			}
		})
	}
	// A missing or invalid content type never reaches the store as a
	// header: the object is stored as application/octet-stream.
	for name, ct := range map[string]string{"defaultContentType": "", "invalidContentType": "text/plain\r\nX-Amz-Acl: public-read"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			svc, store, a := fakeEnv(t, "ta-upl")
			if _, err := svc.PutObject(a, "upl", "x", strings.NewReader("x"), PutOptions{Size: 1, ContentType: ct}); err != nil {
				t.Fatal(err)
			}
			if got := store.lastPut.ContentType; got != "application/octet-stream" {
				t.Fatalf("stored as %q", got)
			}
		})
	}
}

// Bad metadata is refused on upload and on copy alike.
func TestMetadataArguments(t *testing.T) {
	t.Parallel()
	for name, m := range map[string]map[string]string{
		"emptyKey":       {"": "v"},
		"spaceInKey":     {"bad key": "v"},
		"colonInKey":     {"a:b": "v"},
		"nonASCIIKey":    {"é": "v"},
		"crlfValue":      {"k": "a\r\nX-Injected: 1"},
		"lfValue":        {"k": "a\nb"},
		"controlValue":   {"k": "a\x01b"},
		"tabValue":       {"k": "a\tb"},
		"invalidUTF8":    {"k": "\xff"},
		"duplicateCased": {"color": "1", "Color": "2"},
	} {
		t.Run("invalid_"+name, func(t *testing.T) {
			t.Parallel()
			svc, store, a := fakeEnv(t, "ta-meta")
			_, err := svc.PutObject(a, "meta", "bad", strings.NewReader("x"), PutOptions{Size: 1, Metadata: m})
			wantSafeCode(t, err, errs.InvalidArgument)
			_, err = svc.CopyObject(a, CopyRequest{Source: ObjectRef{Bucket: "meta", Name: "acl-known"}, Destination: ObjectRef{Bucket: "meta", Name: "bad"}, Metadata: m})
			wantSafeCode(t, err, errs.InvalidArgument)
			for _, c := range store.calls {
				if c == "PutObject" || c == "CopyObject" {
					t.Fatalf("store called: %v", store.calls)
				}
			}
		})
	}
}

func TestRemoveObjectsArguments(t *testing.T) {
	t.Parallel()
	t.Run("empty", func(t *testing.T) {
		t.Parallel()
		svc, _, a := fakeEnv(t, "ta-many")
		res, err := svc.RemoveObjects(a, "many", nil)
		if err != nil || len(res.Deleted) != 0 || len(res.Errors) != 0 || res.Deleted == nil || res.Errors == nil {
			t.Fatalf("%+v %v", res, err)
		}
	})
	t.Run("onlyInvalid", func(t *testing.T) {
		t.Parallel()
		svc, _, a := fakeEnv(t, "ta-many")
		res, err := svc.RemoveObjects(a, "many", []string{".."})
		if err != nil || len(res.Errors) != 1 || res.Errors[0].Code != "InvalidObjectName" {
			t.Fatalf("%+v %v", res, err)
		}
	})
}

func TestPresignObjectArguments(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		req  PresignRequest
		code errs.Code
	}{
		{"method", PresignRequest{Bucket: "files", Name: "a", Method: "DELETE", Expires: time.Minute}, errs.InvalidArgument},
		{"no expiry", PresignRequest{Bucket: "files", Name: "a", Method: "GET"}, errs.InvalidArgument},
		{"sub-second expiry", PresignRequest{Bucket: "files", Name: "a", Method: "GET", Expires: 500 * time.Millisecond}, errs.InvalidArgument},
		{"over 7 days", PresignRequest{Bucket: "files", Name: "a", Method: "GET", Expires: 7*24*time.Hour + time.Second}, errs.InvalidArgument},
		{"headers on PUT", PresignRequest{Bucket: "files", Name: "a", Method: "PUT", Expires: time.Minute, ResponseHeaders: ResponseHeaders{ContentType: "text/plain"}}, errs.InvalidArgument},
		{"control character", PresignRequest{Bucket: "files", Name: "a", Method: "GET", Expires: time.Minute, ResponseHeaders: ResponseHeaders{ContentDisposition: "a\r\nX-Evil: 1"}}, errs.InvalidArgument},
		{"bucket name", PresignRequest{Bucket: "Files", Name: "a", Method: "GET", Expires: time.Minute}, errs.InvalidBucketName},
		{"object name", PresignRequest{Bucket: "files", Name: "a/../b", Method: "GET", Expires: time.Minute}, errs.InvalidObjectName},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			svc, _, a := fakeEnv(t, "ta-files")
			_, err := svc.PresignObject(a, c.req)
			wantSafeCode(t, err, c.code)
		})
	}
	t.Run("exactly 7 days", func(t *testing.T) {
		t.Parallel()
		svc, _, a := fakeEnv(t, "ta-files")
		if _, err := svc.PresignObject(a, PresignRequest{Bucket: "files", Name: "a", Method: "GET", Expires: MaxPresignExpiry}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestPresignPostArguments(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		req  PostPolicyRequest
		code errs.Code
	}{
		{"neither name", PostPolicyRequest{Bucket: "inbox", Expires: time.Minute}, errs.InvalidArgument},
		{"both names", PostPolicyRequest{Bucket: "inbox", Name: "a", NamePrefix: "b/", Expires: time.Minute}, errs.InvalidArgument},
		{"min over max", PostPolicyRequest{Bucket: "inbox", Name: "a", Expires: time.Minute, MinSize: 5, MaxSize: 4}, errs.InvalidArgument},
		{"min without max", PostPolicyRequest{Bucket: "inbox", Name: "a", Expires: time.Minute, MinSize: 5}, errs.InvalidArgument},
		{"negative", PostPolicyRequest{Bucket: "inbox", Name: "a", Expires: time.Minute, MinSize: -1, MaxSize: 4}, errs.InvalidArgument},
		{"expiry", PostPolicyRequest{Bucket: "inbox", Name: "a", Expires: 8 * 24 * time.Hour}, errs.InvalidArgument},
		{"object name", PostPolicyRequest{Bucket: "inbox", Name: "a/./b", Expires: time.Minute}, errs.InvalidObjectName},
		{"prefix", PostPolicyRequest{Bucket: "inbox", NamePrefix: "../", Expires: time.Minute}, errs.InvalidObjectName},
		{"bucket name", PostPolicyRequest{Bucket: "in", Name: "a", Expires: time.Minute}, errs.InvalidBucketName},
		{"content type", PostPolicyRequest{Bucket: "inbox", Name: "a", Expires: time.Minute, ContentType: "text/plain\n"}, errs.InvalidArgument},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			svc, store, a := fakeEnv(t, "ta-inbox")
			_, err := svc.PresignPost(a, c.req)
			wantSafeCode(t, err, c.code)
			if store.callCount() != 0 {
				t.Fatalf("store called: %v", store.calls)
			}
		})
	}
}

// A malformed notification configuration is refused, saying why, before
// the store is asked; what the store refuses (targets it does not know,
// topics) is tested against MinIO.
func TestSetBucketNotificationArguments(t *testing.T) {
	t.Parallel()
	created := []string{"s3:ObjectCreated:*"}
	for _, c := range []struct {
		name, says string
		cfg        NotificationConfig
	}{
		{"empty", "at least one entry", NotificationConfig{}},
		{"malformed arn", "arn must have the form", NotificationConfig{Queues: []NotificationTarget{{ARN: "webhook", Events: created}}}},
		{"bad event", "not a known event name", NotificationConfig{Queues: []NotificationTarget{{ARN: fakeTenantARN, Events: []string{"s3:ObjectCreated:Teleport"}}}}},
		{"no events", "at least one event", NotificationConfig{Queues: []NotificationTarget{{ARN: fakeTenantARN}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			svc, store, a := fakeEnv(t, "ta-pics")
			_, err := svc.SetBucketNotification(a, "pics", c.cfg)
			wantSafeCode(t, err, errs.InvalidArgument)
			if e, _ := errs.As(err); !strings.Contains(e.Message, c.says) {
				t.Errorf("message %q does not say %q", e.Message, c.says)
			}
			if store.callCount() != 0 {
				t.Fatalf("store called: %v", store.calls)
			}
		})
	}
}
