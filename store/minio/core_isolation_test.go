package miniostore

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"s3gateway/access"
	"s3gateway/errs"
	"s3gateway/service"
)

// Tenant B sees nothing of tenant A, through the service (its names map
// to its own prefix) and straight on the store with B's own keys (the
// store refuses).
func TestCoreIsolation(t *testing.T) {
	t.Parallel()
	env := coreEnv(t)
	a, b := env.ctxA, env.ctxB
	coreBucket(t, env, a, "private")
	coreBucket(t, env, a, "shared")
	coreBucket(t, env, b, "shared")
	corePut(t, env, a, "private", "secret.txt", []byte("A's secret"), service.PutOptions{})
	corePut(t, env, a, "shared", "doc", []byte("A's doc"), service.PutOptions{})
	corePut(t, env, b, "shared", "doc", []byte("B's doc"), service.PutOptions{})

	t.Run("service_listBuckets", func(t *testing.T) {
		got, err := env.svc.ListBuckets(b)
		if err != nil || len(got) != 1 || got[0].Name != "shared" {
			t.Fatalf("B's buckets %+v %v", got, err)
		}
	})
	t.Run("service_sameNameOwnBucket", func(t *testing.T) {
		if got := coreRead(t, env, b, "shared", "doc"); string(got) != "B's doc" {
			t.Fatalf("B read %q", got)
		}
		if got := coreRead(t, env, a, "shared", "doc"); string(got) != "A's doc" {
			t.Fatalf("A read %q", got)
		}
	})
	t.Run("service_otherTenantsBucketIsMissing", func(t *testing.T) {
		_, err := env.svc.GetObject(b, "private", "secret.txt", service.GetOptions{})
		coreWantCode(t, err, errs.NoSuchBucket)
		_, err = env.svc.StatObject(b, "private", "secret.txt")
		coreWantCode(t, err, errs.NoSuchBucket)
		_, err = env.svc.ListObjects(b, "private", service.ListOptions{})
		coreWantCode(t, err, errs.NoSuchBucket)
		ok, err := env.svc.BucketExists(b, "private")
		if err != nil || ok {
			t.Fatalf("exists %v %v", ok, err)
		}
	})

	raw := coreRaw(t, env, env.b)
	ctx := context.Background()
	denied := map[string]func() error{
		"get": func() error {
			_, _, _, err := raw.GetObject(ctx, "ta-private", "secret.txt", minio.GetObjectOptions{})
			return err
		},
		"stat": func() error {
			_, err := raw.StatObject(ctx, "ta-private", "secret.txt", minio.StatObjectOptions{})
			return err
		},
		"list": func() error {
			_, err := raw.ListObjectsV2("ta-private", "", "", "", "", 100)
			return err
		},
		"put": func() error {
			_, err := raw.PutObject(ctx, "ta-private", "planted", bytes.NewReader([]byte("x")), 1, "", "", minio.PutObjectOptions{})
			return err
		},
		"remove": func() error { return raw.RemoveObject(ctx, "ta-private", "secret.txt", minio.RemoveObjectOptions{}) },
		"makeBucket": func() error {
			return raw.MakeBucket(ctx, "ta-planted", minio.MakeBucketOptions{})
		},
		"removeBucket": func() error { return raw.RemoveBucket(ctx, "ta-shared") },
		"listUploads": func() error {
			_, err := raw.ListMultipartUploads(ctx, "ta-private", "", "", "", "", 100)
			return err
		},
		"startUpload": func() error {
			_, err := raw.NewMultipartUpload(ctx, "ta-private", "x", minio.PutObjectOptions{})
			return err
		},
	}
	for name, call := range denied {
		t.Run("store_"+name, func(t *testing.T) {
			err := call()
			if minio.ToErrorResponse(err).Code != "AccessDenied" {
				t.Fatalf("got %v, want AccessDenied", err)
			}
			// Translated, the store's refusal names only the tenant's view.
			e := translate(err, "private", "secret.txt")
			coreWantCode(t, e, errs.AccessDenied)
			if ee, _ := errs.As(e); !strings.Contains(ee.Message, `"private"`) {
				t.Fatalf("message %q", ee.Message)
			}
		})
	}
	t.Run("store_listBuckets", func(t *testing.T) {
		got, err := raw.ListBuckets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, bk := range got {
			if !strings.HasPrefix(bk.Name, "tb-") {
				t.Fatalf("B's keys list %s", bk.Name)
			}
		}
	})
	t.Run("untouched", func(t *testing.T) {
		if got := coreRead(t, env, a, "private", "secret.txt"); string(got) != "A's secret" {
			t.Fatalf("A read %q", got)
		}
		page, err := env.svc.ListObjects(a, "private", service.ListOptions{})
		if err != nil || len(page.Objects) != 1 {
			t.Fatalf("%+v %v", page, err)
		}
	})
}

func TestCoreReady(t *testing.T) {
	env := coreEnv(t)
	endpoint := func(s string) *url.URL {
		u, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	with := func(t *testing.T, ep string, reg *access.Registry) *service.Gateway {
		t.Helper()
		svc, _ := newTestGateway(t, Config{Endpoint: endpoint(ep), Region: "us-east-1", BackendTimeout: time.Second, ZeroCopyReads: true}, reg)
		return svc
	}
	reg := env.srv.Tenants(t, coreTenantsYAML)
	unknown, err := access.Parse([]byte(`
tenants:
  - id: ghost
    bucketPrefix: ghost-
    apiKeys: ["ghost-key-for-tests-of-the-store-00003"]
    s3: {accessKey: ghost-svc, secretKey: ghost-secret-value}
`))
	if err != nil {
		t.Fatal(err)
	}
	none := &access.Registry{}

	// A port nothing listens on, and one that accepts and never answers.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := "http://" + closed.Addr().String()
	closed.Close()
	hole, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	defer func() {
		hole.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	}()
	go func() {
		for {
			c, err := hole.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer busy.Close()

	for _, tc := range []struct {
		name     string
		endpoint string
		reg      *access.Registry
		want     errs.Code // "" for ready
	}{
		{"up_tenants", env.srv.Endpoint, reg, ""},
		{"up_noTenants", env.srv.Endpoint, none, ""},
		{"up_unknownKeysStillAnswer", env.srv.Endpoint, unknown, ""},
		{"refused_tenants", closedAddr, reg, errs.BackendUnavailable},
		{"refused_noTenants", closedAddr, none, errs.BackendUnavailable},
		{"silent_tenants", "http://" + hole.Addr().String(), reg, errs.BackendTimeout},
		{"silent_noTenants", "http://" + hole.Addr().String(), none, errs.BackendTimeout},
		{"unavailable_tenants", busy.URL, reg, errs.BackendUnavailable},
		{"unavailable_noTenants", busy.URL, none, errs.BackendUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			started := time.Now()
			err := with(t, tc.endpoint, tc.reg).Ready(context.Background())
			if took := time.Since(started); took > 4*time.Second {
				t.Fatalf("took %s", took)
			}
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			coreWantCode(t, err, tc.want)
		})
	}
	t.Run("storeGone", func(t *testing.T) {
		env.srv.Kill()
		coreWantCode(t, env.svc.Ready(env.ctxA), errs.BackendUnavailable)
		_, err := env.svc.ListBuckets(env.ctxA)
		coreWantCode(t, err, errs.BackendUnavailable)
	})
}
