package miniostore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"s3gateway/access"
	"s3gateway/errs"
	"s3gateway/internal/minitest"
	"s3gateway/service"
)

const coreTenantsYAML = `
tenants:
  - id: ta
    bucketPrefix: ta-
    apiKeys: ["core-ta-key-for-tests-of-the-store-0001"]
    s3: {accessKey: core-ta-svc, secretKey: core-ta-secret-value}
  - id: tb
    bucketPrefix: tb-
    apiKeys: ["core-tb-key-for-tests-of-the-store-0002"]
    s3: {accessKey: core-tb-svc, secretKey: core-tb-secret-value}
`

const coreMiB = 1 << 20

// coreEnvironment is a real MinIO with two provisioned tenants and the
// service over it.
type coreEnvironment struct {
	srv        *minitest.Server
	svc        *service.Gateway
	store      *Store
	cfg        Config
	a, b       *access.Tenant
	ctxA, ctxB context.Context
}

// coreEnv starts MinIO and the service. tweak adjusts the service's
// configuration (part size 5 MiB by default, S3's minimum).
func coreEnv(t *testing.T, tweak ...func(*Config)) *coreEnvironment {
	t.Helper()
	srv := minitest.Start(t, minitest.Options{})
	reg := srv.Tenants(t, coreTenantsYAML)
	endpoint, err := url.Parse(srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Endpoint: endpoint, Region: "us-east-1", PartSize: 5 * coreMiB, BackendTimeout: 30 * time.Second, ZeroCopyReads: true}
	for _, f := range tweak {
		f(&cfg)
	}
	svc, store := newTestGateway(t, cfg, reg)
	env := &coreEnvironment{srv: srv, svc: svc, store: store, cfg: cfg}
	for _, tn := range reg.All() {
		switch tn.ID {
		case "ta":
			env.a = tn
		case "tb":
			env.b = tn
		}
	}
	env.ctxA = access.NewContext(t.Context(), env.a)
	env.ctxB = access.NewContext(t.Context(), env.b)
	return env
}

// newTestGateway builds the store adapter and the service over it. Knobs
// left zero get the values a gateway would run with in tests.
func newTestGateway(t *testing.T, cfg Config, reg *access.Registry) (*service.Gateway, *Store) {
	t.Helper()
	if cfg.PartSize == 0 {
		cfg.PartSize = 8 * coreMiB
	}
	if cfg.BackendTimeout == 0 {
		cfg.BackendTimeout = 30 * time.Second
	}
	if cfg.FailFastCooldown == 0 {
		cfg.FailFastCooldown = 5 * time.Second
	}
	store, err := New(cfg, reg)
	if err != nil {
		t.Fatal(err)
	}
	return service.New(store), store
}

// coreRaw is a plain minio-go client with a tenant's own store keys,
// bypassing the service.
func coreRaw(t *testing.T, env *coreEnvironment, tn *access.Tenant) minio.Core {
	t.Helper()
	var creds *credentials.Credentials
	if tn != nil {
		creds = credentials.NewStaticV4(tn.AccessKey, tn.SecretKey, "")
	} else {
		creds = credentials.NewStaticV4("", "", "")
	}
	c, err := minio.New(env.srv.Addr, &minio.Options{Creds: creds, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return minio.Core{Client: c}
}

// coreBucket creates a bucket for the tenant of ctx.
func coreBucket(t *testing.T, env *coreEnvironment, ctx context.Context, name string) {
	t.Helper()
	if _, err := env.svc.MakeBucket(ctx, name, ""); err != nil {
		t.Fatalf("make bucket %s: %v", name, err)
	}
}

// corePut stores data under name.
func corePut(t *testing.T, env *coreEnvironment, ctx context.Context, bucket, name string, data []byte, opts service.PutOptions) service.UploadResult {
	t.Helper()
	if opts.Size == 0 {
		opts.Size = int64(len(data))
	}
	res, err := env.svc.PutObject(ctx, bucket, name, bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("put %q: %v", name, err)
	}
	return res
}

// coreRead reads a whole object through the service.
func coreRead(t *testing.T, env *coreEnvironment, ctx context.Context, bucket, name string) []byte {
	t.Helper()
	obj, err := env.svc.GetObject(ctx, bucket, name, service.GetOptions{})
	if err != nil {
		t.Fatalf("get %q: %v", name, err)
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(obj.Body)
	if err != nil {
		t.Fatalf("read %q: %v", name, err)
	}
	return data
}

// coreData returns n reproducible pseudo-random bytes.
func coreData(n int, seed byte) []byte {
	var s [32]byte
	s[0] = seed
	buf := make([]byte, n)
	_, _ = rand.NewChaCha8(s).Read(buf)
	return buf
}

// coreWantCode fails unless err is an *errs.Error with code whose message
// is safe for a client.
func coreWantCode(t *testing.T, err error, want errs.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", want)
	}
	e, ok := errs.As(err)
	if !ok {
		t.Fatalf("error %v (%T) is not an *errs.Error", err, err)
	}
	if e.Code != want {
		t.Fatalf("code %s (%v), want %s", e.Code, err, want)
	}
	coreSafeMessage(t, e.Message)
	// A store's answer is kept as the cause, for the log; even that should
	// not name physical buckets. (A transport error's cause holds the URL.)
	var resp minio.ErrorResponse
	if errors.As(err, &resp) && (strings.Contains(err.Error(), "ta-") || strings.Contains(err.Error(), "tb-")) {
		t.Fatalf("error %q names a physical bucket", err)
	}
}

// coreSafeMessage fails if msg names a physical bucket or the store.
func coreSafeMessage(t *testing.T, msg string) {
	t.Helper()
	for _, leak := range []string{"ta-", "tb-", "127.0.0.1", "localhost", "http://"} {
		if strings.Contains(msg, leak) {
			t.Fatalf("client message %q contains %q", msg, leak)
		}
	}
}

// coreNoUpload fails if bucket/name exists or has an incomplete upload,
// asked both through the service and straight from the store.
func coreNoUpload(t *testing.T, env *coreEnvironment, ctx context.Context, tn *access.Tenant, bucket, name string) {
	t.Helper()
	_, err := env.svc.StatObject(ctx, bucket, name)
	coreWantCode(t, err, errs.NoSuchKey)
	ups, err := env.svc.ListIncompleteUploads(ctx, bucket, "", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 0 {
		t.Fatalf("incomplete uploads left: %+v", ups)
	}
	raw := coreRaw(t, env, tn)
	for _, prefix := range []string{"", name} {
		res, err := raw.ListMultipartUploads(context.Background(), tn.BucketPrefix+bucket, prefix, "", "", "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Uploads) != 0 {
			t.Fatalf("store lists incomplete uploads for prefix %q: %+v", prefix, res.Uploads)
		}
	}
}

// coreHookTransport calls after for every response of the store.
type coreHookTransport struct {
	base  http.RoundTripper
	after func(*http.Request, *http.Response)
}

func (h coreHookTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := h.base.RoundTrip(req)
	if err == nil {
		h.after(req, resp)
	}
	return resp, err
}

// coreRequestLog records the requests the service sends to the store.
type coreRequestLog struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (l *coreRequestLog) add(req *http.Request, _ *http.Response) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = append(l.reqs, req)
}

func (l *coreRequestLog) take() []*http.Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.reqs
	l.reqs = nil
	return out
}

func TestCoreBuckets(t *testing.T) {
	t.Parallel()
	log := &coreRequestLog{}
	env := coreEnv(t, func(c *Config) { c.Transport = coreHookTransport{base: newTransport(30 * time.Second), after: log.add} })
	a, b := env.ctxA, env.ctxB

	t.Run("makeBucket_ok", func(t *testing.T) {
		got, err := env.svc.MakeBucket(a, "photos", "")
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "photos" || got.Region != "us-east-1" {
			t.Fatalf("got %+v", got)
		}
		// Physically it is the prefixed bucket.
		ok, err := coreRaw(t, env, env.a).BucketExists(context.Background(), "ta-photos")
		if err != nil || !ok {
			t.Fatalf("ta-photos in the store: %v %v", ok, err)
		}
	})
	t.Run("makeBucket_conflictOwn", func(t *testing.T) {
		_, err := env.svc.MakeBucket(a, "photos", "")
		coreWantCode(t, err, errs.BucketAlreadyExists)
		if strings.Contains(err.Error(), "ta-photos") {
			t.Fatalf("error %q names the physical bucket", err)
		}
	})
	t.Run("makeBucket_sameNameOtherTenant", func(t *testing.T) {
		if _, err := env.svc.MakeBucket(b, "photos", "us-east-1"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("makeBucket_longestAllowed", func(t *testing.T) {
		coreBucket(t, env, a, strings.Repeat("l", 60)) // 63 with "ta-"
	})
	t.Run("listBuckets_onlyOwnSorted", func(t *testing.T) {
		coreBucket(t, env, a, "archive")
		coreBucket(t, env, b, "zeta")
		got, err := env.svc.ListBuckets(a)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, bk := range got {
			names = append(names, bk.Name)
			if bk.CreationDate.IsZero() {
				t.Errorf("bucket %s has no creation date", bk.Name)
			}
		}
		want := []string{"archive", strings.Repeat("l", 60), "photos"}
		if strings.Join(names, ",") != strings.Join(want, ",") {
			t.Fatalf("A's buckets %v, want %v", names, want)
		}
		got, err = env.svc.ListBuckets(b)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Name != "photos" || got[1].Name != "zeta" {
			t.Fatalf("B's buckets %+v", got)
		}
	})
	t.Run("bucketExists", func(t *testing.T) {
		for name, want := range map[string]bool{"photos": true, "archive": true, "zeta": false, "missing": false} {
			got, err := env.svc.BucketExists(a, name)
			if err != nil || got != want {
				t.Errorf("exists %s: %v %v, want %v", name, got, err, want)
			}
		}
	})
	t.Run("removeBucket_notEmpty", func(t *testing.T) {
		corePut(t, env, a, "archive", "x", []byte("x"), service.PutOptions{})
		coreWantCode(t, env.svc.RemoveBucket(a, "archive"), errs.BucketNotEmpty)
	})
	t.Run("removeBucket_missing", func(t *testing.T) {
		err := env.svc.RemoveBucket(a, "missing")
		coreWantCode(t, err, errs.NoSuchBucket)
		if strings.Contains(err.Error(), "ta-") {
			t.Fatalf("error %q names the physical bucket", err)
		}
	})
	t.Run("removeBucket_ok", func(t *testing.T) {
		if err := env.svc.RemoveObject(a, "archive", "x"); err != nil {
			t.Fatal(err)
		}
		if err := env.svc.RemoveBucket(a, "archive"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := env.svc.BucketExists(a, "archive"); ok {
			t.Fatal("bucket still exists")
		}
	})
	t.Run("everyCallSignedByTheTenant", func(t *testing.T) {
		log.take()
		coreBucket(t, env, a, "signed")
		corePut(t, env, a, "signed", "big", coreData(6*coreMiB, 1), service.PutOptions{})
		corePut(t, env, a, "signed", "small", []byte("s"), service.PutOptions{Size: -1})
		coreRead(t, env, a, "signed", "big")
		if _, err := env.svc.ListObjects(a, "signed", service.ListOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := env.svc.RemoveObjects(a, "signed", []string{"big", "small"}); err != nil {
			t.Fatal(err)
		}
		if err := env.svc.Ready(a); err != nil {
			t.Fatal(err)
		}
		reqs := log.take()
		if len(reqs) < 8 {
			t.Fatalf("only %d requests recorded", len(reqs))
		}
		for _, r := range reqs {
			if auth := r.Header.Get("Authorization"); !strings.Contains(auth, "Credential=core-ta-svc/") {
				t.Fatalf("%s %s signed as %q", r.Method, r.URL.Path, auth)
			}
			if r.URL.Path != "/" && !strings.HasPrefix(r.URL.Path, "/ta-") {
				t.Fatalf("tenant A's call went to %s", r.URL.Path)
			}
		}
	})
}

// Store errors become contract codes with messages made of the tenant's
// names only, whatever the store said.
func TestCoreTranslate(t *testing.T) {
	t.Parallel()
	leaky := func(code string, status int) error {
		return minio.ErrorResponse{Code: code, StatusCode: status, BucketName: "ta-photos",
			Message: "bucket ta-photos at 127.0.0.1:9000 says no", HostID: "host", Resource: "/ta-photos/x"}
	}
	for _, tc := range []struct {
		name string
		err  error
		want errs.Code
	}{
		{"noSuchBucket", leaky("NoSuchBucket", 404), errs.NoSuchBucket},
		{"noSuchKey", leaky("NoSuchKey", 404), errs.NoSuchKey},
		{"noSuchVersion", leaky("NoSuchVersion", 404), errs.NoSuchKey},
		{"noSuchUpload", leaky("NoSuchUpload", 404), errs.NoSuchUpload},
		{"ownedByYou", leaky("BucketAlreadyOwnedByYou", 409), errs.BucketAlreadyExists},
		{"notEmpty", leaky("BucketNotEmpty", 409), errs.BucketNotEmpty},
		{"accessDenied", leaky("AccessDenied", 403), errs.AccessDenied},
		{"badKey", leaky("InvalidAccessKeyId", 403), errs.AccessDenied},
		{"precondition", leaky("PreconditionFailed", 412), errs.PreconditionFailed},
		{"range", leaky("InvalidRange", 416), errs.InvalidRange},
		{"tooLarge", leaky("EntityTooLarge", 400), errs.EntityTooLarge},
		{"shaMismatch", leaky("XAmzContentSHA256Mismatch", 400), errs.InvalidArgument},
		{"metadataTooLarge", leaky("MetadataTooLarge", 400), errs.InvalidArgument},
		{"invalidRegion", leaky("InvalidRegion", 400), errs.InvalidArgument},
		{"objectName", leaky("XMinioInvalidObjectName", 400), errs.InvalidObjectName},
		{"slowDown", leaky("SlowDown", 503), errs.BackendUnavailable},
		{"storageFull", leaky("XMinioStorageFull", 507), errs.BackendUnavailable},
		{"storeShuttingDown", leaky("ClientDisconnected", 499), errs.BackendUnavailable},
		{"unknown404", leaky("Whatever", 404), errs.NotFound},
		{"resourceName", leaky("XMinioInvalidResourceName", 400), errs.InvalidObjectName},
		{"unknown400", leaky("XMinioSomethingNew", 400), errs.InvalidArgument},
		{"unknown4xx", leaky("Whatever", 422), errs.InvalidArgument},
		{"unknown403", leaky("Whatever", 403), errs.AccessDenied},
		{"unknown412", leaky("Whatever", 412), errs.PreconditionFailed},
		{"unknown500", leaky("InternalError", 500), errs.InternalError},
		{"deadline", context.DeadlineExceeded, errs.BackendTimeout},
		{"plain", errors.New("dial 127.0.0.1:9000 for ta-photos"), errs.InternalError},
		{"bodyTooLarge", bodyFailure(&http.MaxBytesError{Limit: 10}), errs.EntityTooLarge},
		{"bodyBroken", bodyFailure(errors.New("read tcp 10.0.0.1: reset")), errs.InvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The cause, kept for the log, is the store's; the message is
			// what a client sees.
			e, ok := errs.As(translate(tc.err, "photos", "x"))
			if !ok || e.Code != tc.want {
				t.Fatalf("got %v, want %s", e, tc.want)
			}
			coreSafeMessage(t, e.Message)
		})
	}
}
