package miniostore

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"go.uber.org/zap/zaptest"

	"s3gateway/access"
	"s3gateway/errs"
	"s3gateway/internal/logctx"
	"s3gateway/internal/minitest"
	"s3gateway/service"
	"s3gateway/service/bucketpolicy"
)

// extTenantsYAML is the one tenant of these tests: its buckets are stored
// with the prefix "acme-". It may use the store's PRIMARY webhook, and
// also targets the store does not have or refuses here, so that the store's
// answers to them are tested.
const extTenantsYAML = `
tenants:
  - id: acme
    bucketPrefix: acme-
    apiKeys: ["acme-key-for-tests-of-the-store-policies"]
    s3: {accessKey: acme-svc, secretKey: acme-secret-value}
    notificationTargets:
      - "arn:minio:sqs::PRIMARY:webhook"
      - "arn:minio:sqs::NOPE:webhook"
      - "arn:minio:sns::PRIMARY:webhook"
`

// extEnvironment is a real MinIO with the tenant provisioned, the service
// over it, and a raw client with the tenant's own credentials for setting
// up buckets and objects by their physical names.
type extEnvironment struct {
	srv    *minitest.Server
	svc    *service.Gateway
	tenant *access.Tenant
	ctx    context.Context // carries the tenant
	raw    *minio.Client
}

func extEnv(t *testing.T, opts minitest.Options) *extEnvironment {
	t.Helper()
	srv := minitest.Start(t, opts)
	reg := srv.Tenants(t, extTenantsYAML)
	endpoint, err := url.Parse(srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := newTestGateway(t, Config{Endpoint: endpoint, Region: "us-east-1", BackendTimeout: 10 * time.Second, ZeroCopyReads: true}, reg)
	tenant := reg.All()[0]
	raw, err := minio.New(srv.Addr, &minio.Options{
		Creds:  credentials.NewStaticV4(tenant.AccessKey, tenant.SecretKey, ""),
		Region: "us-east-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := logctx.With(access.NewContext(context.Background(), tenant), zaptest.NewLogger(t))
	return &extEnvironment{srv: srv, svc: svc, tenant: tenant, ctx: ctx, raw: raw}
}

// extBucket creates the tenant's bucket logical and returns its physical name.
func (e *extEnvironment) extBucket(t *testing.T, logical string) string {
	t.Helper()
	physical := e.tenant.BucketPrefix + logical
	if err := e.raw.MakeBucket(context.Background(), physical, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("make bucket %s: %v", physical, err)
	}
	return physical
}

// extPut stores an object in the tenant's bucket logical.
func (e *extEnvironment) extPut(t *testing.T, logical, name, body string) minio.UploadInfo {
	t.Helper()
	info, err := e.raw.PutObject(context.Background(), e.tenant.BucketPrefix+logical, name,
		strings.NewReader(body), int64(len(body)), minio.PutObjectOptions{ContentType: "text/plain"})
	if err != nil {
		t.Fatalf("put %s/%s: %v", logical, name, err)
	}
	return info
}

// extAnon makes an anonymous request straight to the store, path style.
func (e *extEnvironment) extAnon(t *testing.T, method, physical, key, body string) (int, string) {
	t.Helper()
	u := e.srv.Endpoint + "/" + physical + "/" + key
	return extDo(t, method, u, body)
}

func extDo(t *testing.T, method, u, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// extWantCode fails unless err carries code and a message free of the
// store's names.
func extWantCode(t *testing.T, err error, code errs.Code) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Code != code {
		t.Fatalf("got error %v, want code %s", err, code)
	}
	for _, leak := range []string{"acme-", "127.0.0.1"} {
		if strings.Contains(e.Message, leak) {
			t.Fatalf("message %q leaks %q", e.Message, leak)
		}
	}
}

func TestPolicyCannedPrefixes(t *testing.T) {
	t.Parallel()
	env := extEnv(t, minitest.Options{})
	ctx := env.ctx
	physical := env.extBucket(t, "site")
	env.extPut(t, "site", "public/x", "public data")
	env.extPut(t, "site", "private/y", "private data")
	env.extPut(t, "site", "b/z", "b data")

	// Private to begin with: the store refuses anonymous reads.
	if code, _ := env.extAnon(t, http.MethodGet, physical, "public/x", ""); code != http.StatusForbidden {
		t.Fatalf("anonymous GET before any policy: %d, want 403", code)
	}

	got, err := env.svc.SetBucketPolicy(ctx, "site", "public/", bucketpolicy.ReadOnly)
	if err != nil {
		t.Fatal(err)
	}
	if got.Prefix != "public/" || got.Policy != bucketpolicy.ReadOnly {
		t.Fatalf("set readonly: got %+v", got)
	}
	if code, body := env.extAnon(t, http.MethodGet, physical, "public/x", ""); code != http.StatusOK || body != "public data" {
		t.Fatalf("anonymous GET public/x: %d %q, want 200", code, body)
	}
	if code, _ := env.extAnon(t, http.MethodGet, physical, "private/y", ""); code != http.StatusForbidden {
		t.Fatalf("anonymous GET private/y: %d, want 403", code)
	}
	// The ListBucket grant is limited to the prefix by the store.
	if code, _ := env.extAnon(t, http.MethodGet, physical, "?list-type=2&prefix=public/", ""); code != http.StatusOK {
		t.Fatalf("anonymous list of public/: %d, want 200", code)
	}
	if code, _ := env.extAnon(t, http.MethodGet, physical, "?list-type=2&prefix=private/", ""); code != http.StatusForbidden {
		t.Fatalf("anonymous list of private/: %d, want 403", code)
	}

	if _, err := env.svc.SetBucketPolicy(ctx, "site", "drop/", bucketpolicy.WriteOnly); err != nil {
		t.Fatal(err)
	}
	if code, body := env.extAnon(t, http.MethodPut, physical, "drop/in", "dropped"); code != http.StatusOK {
		t.Fatalf("anonymous PUT drop/in: %d %s, want 200", code, body)
	}
	if code, _ := env.extAnon(t, http.MethodGet, physical, "drop/in", ""); code != http.StatusForbidden {
		t.Fatalf("anonymous GET drop/in: %d, want 403", code)
	}

	if _, err := env.svc.SetBucketPolicy(ctx, "site", "b/", bucketpolicy.ReadWrite); err != nil {
		t.Fatal(err)
	}
	if code, _ := env.extAnon(t, http.MethodPut, physical, "b/new", "new"); code != http.StatusOK {
		t.Fatalf("anonymous PUT b/new: %d, want 200", code)
	}
	if code, body := env.extAnon(t, http.MethodGet, physical, "b/new", ""); code != http.StatusOK || body != "new" {
		t.Fatalf("anonymous GET b/new: %d %q, want 200", code, body)
	}
	// Setting b/ and drop/ left public/ as it was.
	if code, _ := env.extAnon(t, http.MethodGet, physical, "public/x", ""); code != http.StatusOK {
		t.Fatalf("anonymous GET public/x after other prefixes: %d, want 200", code)
	}
	if code, _ := env.extAnon(t, http.MethodPut, physical, "public/w", "w"); code != http.StatusForbidden {
		t.Fatalf("anonymous PUT public/w: %d, want 403", code)
	}

	for prefix, want := range map[string]bucketpolicy.Canned{
		"public/": bucketpolicy.ReadOnly, "public/sub/": bucketpolicy.ReadOnly, "drop/": bucketpolicy.WriteOnly,
		"b/": bucketpolicy.ReadWrite, "private/": bucketpolicy.None,
		// Parts of these are public, and not in one canned way.
		"": bucketpolicy.Custom, "pub": bucketpolicy.Custom,
	} {
		got, err := env.svc.GetBucketPolicy(ctx, "site", prefix)
		if err != nil {
			t.Fatal(err)
		}
		if got.Policy != want || got.Prefix != prefix {
			t.Errorf("GetBucketPolicy(%q) = %s, want %s", prefix, got.Policy, want)
		}
		extCheckTenantView(t, got.Document, "site")
	}

	// none on one prefix removes only its grant.
	if got, err := env.svc.SetBucketPolicy(ctx, "site", "public/", bucketpolicy.None); err != nil || got.Policy != bucketpolicy.None {
		t.Fatalf("set none: %+v, %v", got, err)
	}
	if code, _ := env.extAnon(t, http.MethodGet, physical, "public/x", ""); code != http.StatusForbidden {
		t.Fatalf("anonymous GET public/x after none: %d, want 403", code)
	}
	if code, _ := env.extAnon(t, http.MethodGet, physical, "b/new", ""); code != http.StatusOK {
		t.Fatalf("anonymous GET b/new after public/ none: %d, want 200", code)
	}

	if err := env.svc.RemoveBucketPolicy(ctx, "site"); err != nil {
		t.Fatal(err)
	}
	if code, _ := env.extAnon(t, http.MethodGet, physical, "b/new", ""); code != http.StatusForbidden {
		t.Fatalf("anonymous GET after remove: %d, want 403", code)
	}
	if code, _ := env.extAnon(t, http.MethodPut, physical, "drop/again", "x"); code != http.StatusForbidden {
		t.Fatalf("anonymous PUT after remove: %d, want 403", code)
	}
	got, err = env.svc.GetBucketPolicy(ctx, "site", "b/")
	if err != nil || got.Policy != bucketpolicy.None || got.Document != nil {
		t.Fatalf("get after remove: %+v, %v", got, err)
	}
	// Removing again, with no policy stored, is not an error.
	if err := env.svc.RemoveBucketPolicy(ctx, "site"); err != nil {
		t.Fatalf("second remove: %v", err)
	}
	// Every grant set to none leaves no document at all.
	if _, err := env.svc.SetBucketPolicy(ctx, "site", "a/", bucketpolicy.ReadOnly); err != nil {
		t.Fatal(err)
	}
	if got, err := env.svc.SetBucketPolicy(ctx, "site", "a/", bucketpolicy.None); err != nil || got.Document != nil {
		t.Fatalf("back to none: document %s, %v", got.Document, err)
	}

	t.Run("invalid", func(t *testing.T) {
		_, err := env.svc.SetBucketPolicy(ctx, "site", "a/", bucketpolicy.Canned("public"))
		extWantCode(t, err, errs.InvalidArgument)
		_, err = env.svc.SetBucketPolicy(ctx, "site", "a*", bucketpolicy.ReadOnly)
		extWantCode(t, err, errs.InvalidArgument)
		_, err = env.svc.GetBucketPolicy(ctx, "Bad_Name", "")
		extWantCode(t, err, errs.InvalidBucketName)
		_, err = env.svc.GetBucketPolicy(ctx, "missing", "")
		extWantCode(t, err, errs.NoSuchBucket)
		_, err = env.svc.SetBucketPolicy(ctx, "missing", "", bucketpolicy.ReadOnly)
		extWantCode(t, err, errs.NoSuchBucket)
	})
}

// extCheckTenantView fails unless doc is in the tenant's view: resources
// name the logical bucket, and the physical name appears nowhere.
func extCheckTenantView(t *testing.T, doc json.RawMessage, logical string) {
	t.Helper()
	if doc == nil {
		return
	}
	if strings.Contains(string(doc), "acme-") {
		t.Fatalf("document leaks the physical bucket name: %s", doc)
	}
	var parsed struct {
		Statement []struct {
			Resource []string
		}
	}
	if err := json.Unmarshal(doc, &parsed); err != nil {
		t.Fatalf("document: %v: %s", err, doc)
	}
	for _, s := range parsed.Statement {
		for _, r := range s.Resource {
			if r != "arn:aws:s3:::"+logical && !strings.HasPrefix(r, "arn:aws:s3:::"+logical+"/") {
				t.Fatalf("resource %q does not name bucket %q", r, logical)
			}
		}
	}
}

func TestPolicyDocument(t *testing.T) {
	t.Parallel()
	env := extEnv(t, minitest.Options{})
	ctx := env.ctx
	physical := env.extBucket(t, "docs")
	env.extPut(t, "docs", "pub/k", "kept")

	doc := `{
	  "Version": "2012-10-17",
	  "Statement": [{
	    "Sid": "PublicRead",
	    "Effect": "Allow",
	    "Principal": {"AWS": ["*"]},
	    "Action": "s3:GetObject",
	    "Resource": "arn:aws:s3:::docs/pub/*"
	  }]
	}`
	got, err := env.svc.SetBucketPolicyDocument(ctx, "docs", json.RawMessage(doc))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stored document, tenant's view: %s", got.Document)
	extCheckTenantView(t, got.Document, "docs")
	if !strings.Contains(string(got.Document), `"arn:aws:s3:::docs/pub/*"`) || !strings.Contains(string(got.Document), "PublicRead") {
		t.Fatalf("document did not round-trip: %s", got.Document)
	}
	// No GetBucketLocation or ListBucket, and only part of the bucket: no
	// canned grant, yet public.
	if got.Policy != bucketpolicy.Custom || got.Prefix != "" {
		t.Fatalf("whole-bucket view: %+v", got)
	}
	// The store enforces it on the physical bucket.
	if code, body := env.extAnon(t, http.MethodGet, physical, "pub/k", ""); code != http.StatusOK || body != "kept" {
		t.Fatalf("anonymous GET pub/k: %d %q, want 200", code, body)
	}

	// A canned change keeps the hand-written statement.
	got, err = env.svc.SetBucketPolicy(ctx, "docs", "open/", bucketpolicy.ReadWrite)
	if err != nil {
		t.Fatal(err)
	}
	extCheckTenantView(t, got.Document, "docs")
	if got.Policy != bucketpolicy.ReadWrite || !strings.Contains(string(got.Document), "PublicRead") {
		t.Fatalf("canned change lost the custom statement: %+v %s", got, got.Document)
	}
	if code, _ := env.extAnon(t, http.MethodGet, physical, "pub/k", ""); code != http.StatusOK {
		t.Fatalf("anonymous GET pub/k after canned change: %d, want 200", code)
	}
	if got, err = env.svc.SetBucketPolicy(ctx, "docs", "open/", bucketpolicy.None); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got.Document), "PublicRead") || strings.Contains(string(got.Document), "s3:PutObject") {
		t.Fatalf("after none: %s", got.Document)
	}

	refused := map[string]string{
		"malformed JSON":       `{"Statement": [`,
		"not an object":        `["s3:GetObject"]`,
		"no statement":         `{"Version": "2012-10-17"}`,
		"bad effect":           `{"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::docs/*"}]}`,
		"unknown element":      `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::docs/*", "Colour": "red"}]}`,
		"other bucket":         `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}]}`,
		"physical name":        `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-docs/*"}]}`,
		"bucket pattern":       `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::doc*"}]}`,
		"any resource":         `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}`,
		"store refuses":        `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123:root"}, "Action": "s3:FlyToTheMoon", "Resource": "arn:aws:s3:::docs/*"}]}`,
		"anonymous management": `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::docs", "arn:aws:s3:::docs/*"]}]}`,
		"store refuses again":  `{"Version": "1999-01-01", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::docs/*"}]}`,
	}
	for name, doc := range refused {
		t.Run(name, func(t *testing.T) {
			_, err := env.svc.SetBucketPolicyDocument(ctx, "docs", json.RawMessage(doc))
			extWantCode(t, err, errs.InvalidPolicyDocument)
			t.Logf("refused: %v", err)
		})
	}
	// Nothing refused was stored.
	got, err = env.svc.GetBucketPolicy(ctx, "docs", "")
	if err != nil || !strings.Contains(string(got.Document), "PublicRead") || strings.Contains(string(got.Document), "other") {
		t.Fatalf("after refusals: %s, %v", got.Document, err)
	}

	if err := env.svc.RemoveBucketPolicy(ctx, "docs"); err != nil {
		t.Fatal(err)
	}
	if code, _ := env.extAnon(t, http.MethodGet, physical, "pub/k", ""); code != http.StatusForbidden {
		t.Fatalf("anonymous GET after remove: %d, want 403", code)
	}
}

// Concurrent canned changes of different prefixes of one bucket all land:
// each is a read-modify-write of the bucket's one document.
func TestPolicyConcurrentCannedChanges(t *testing.T) {
	t.Parallel()
	env := extEnv(t, minitest.Options{})
	ctx := env.ctx
	physical := env.extBucket(t, "busy")
	cycle := []bucketpolicy.Canned{bucketpolicy.ReadOnly, bucketpolicy.WriteOnly, bucketpolicy.ReadWrite}
	const prefixes = 8
	want := map[string]bucketpolicy.Canned{}
	for i := range prefixes {
		p := fmt.Sprintf("p%d/", i)
		want[p] = cycle[i%len(cycle)]
		env.extPut(t, "busy", p+"k", "data of "+p)
	}

	setAll := func(policyOf func(prefix string) bucketpolicy.Canned) {
		t.Helper()
		start := make(chan struct{})
		var wg sync.WaitGroup
		for p := range want {
			wg.Go(func() {
				<-start
				if _, err := env.svc.SetBucketPolicy(ctx, "busy", p, policyOf(p)); err != nil {
					t.Errorf("set %s: %v", p, err)
				}
			})
		}
		close(start)
		wg.Wait()
	}

	setAll(func(p string) bucketpolicy.Canned { return want[p] })
	for p, w := range want {
		got, err := env.svc.GetBucketPolicy(ctx, "busy", p)
		if err != nil {
			t.Fatal(err)
		}
		if got.Policy != w {
			t.Errorf("prefix %s: %s after the concurrent changes, want %s: %s", p, got.Policy, w, got.Document)
		}
		readable := w == bucketpolicy.ReadOnly || w == bucketpolicy.ReadWrite
		if code, _ := env.extAnon(t, http.MethodGet, physical, p+"k", ""); (code == http.StatusOK) != readable {
			t.Errorf("anonymous GET %sk: %d with %s", p, code, w)
		}
	}

	// Taking every grant away at once leaves no document.
	setAll(func(string) bucketpolicy.Canned { return bucketpolicy.None })
	got, err := env.svc.GetBucketPolicy(ctx, "busy", "")
	if err != nil || got.Document != nil {
		t.Fatalf("after every grant set to none at once: %s, %v", got.Document, err)
	}
}
