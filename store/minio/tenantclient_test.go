package miniostore

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"s3gateway/access"
)

// mustClient is t's client in s, built if it was not yet.
func (s *Store) mustClient(tb testing.TB, t *access.Tenant) *client {
	tb.Helper()
	c, ok := s.client(t)
	if !ok {
		tb.Fatalf("no client for tenant %s", t.ID)
	}
	return c
}

// manyTenantsYAML is a tenants file of n tenants t0..t(n-1).
func manyTenantsYAML(n int) []byte {
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i
	}
	return tenantsYAML(ids...)
}

// tenantsYAML is a tenants file of the tenants t<id>.
func tenantsYAML(ids ...int) []byte {
	var b strings.Builder
	b.WriteString("tenants:\n")
	for _, i := range ids {
		fmt.Fprintf(&b, "  - id: t%d\n    bucketPrefix: t%d-\n    apiKeys: [\"key-of-tenant-%08d-for-the-lazy-client-test\"]\n"+
			"    s3: {accessKey: svc-%d, secretKey: secret-of-tenant-%d}\n", i, i, i, i, i)
	}
	return []byte(b.String())
}

// lazyStore is a store of reg (no store behind it: building a client needs
// none) that counts the clients it builds.
func lazyStore(t *testing.T, reg *access.Registry) (*Store, *atomic.Int64) {
	t.Helper()
	var built atomic.Int64
	endpoint, _ := url.Parse("http://127.0.0.1:9")
	s, err := New(Config{
		Endpoint: endpoint, Region: "us-east-1", PartSize: 5 << 20, BackendTimeout: time.Second,
		FailFastCooldown: time.Second, onBuild: func(*access.Tenant) { built.Add(1) },
	}, reg)
	if err != nil {
		t.Fatal(err)
	}
	return s, &built
}

// Configured tenants cost a small entry each: no client is built until a
// tenant's first request, and racing first requests build one.
func TestClientsBuiltOnFirstUse(t *testing.T) {
	t.Parallel()
	const tenants = 10_000
	reg, err := access.Parse(manyTenantsYAML(tenants))
	if err != nil {
		t.Fatal(err)
	}
	s, built := lazyStore(t, reg)
	if n := built.Load(); n != 0 {
		t.Fatalf("%d clients built for %d idle tenants, want 0", n, tenants)
	}

	target := reg.All()[tenants/2]
	const racers = 64
	got := make([]*client, racers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			got[i] = s.mustClient(t, target)
		}()
	}
	close(start)
	wg.Wait()
	if n := built.Load(); n != 1 {
		t.Fatalf("%d concurrent first uses built %d clients, want 1", racers, n)
	}
	for i, c := range got {
		if c != got[0] || c.tenant != target {
			t.Fatalf("racer %d got another client", i)
		}
	}
	if s.mustClient(t, target) != got[0] || built.Load() != 1 {
		t.Fatal("a later use built the client again")
	}
	if _, ok := s.Client(&access.Tenant{ID: "stranger"}); ok {
		t.Fatal("a client for a tenant the store does not serve")
	}
}

// A reload keeps the clients of unchanged tenants, builds none for new
// ones until used, and drops removed tenants.
func TestUpdateKeepsBuiltClients(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tenants.yaml")
	if err := os.WriteFile(path, manyTenantsYAML(3), 0o600); err != nil {
		t.Fatal(err)
	}
	reg, err := access.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	auth := access.NewAuthenticator(reg, access.JWKSOptions{})
	t.Cleanup(auth.Close)
	s, built := lazyStore(t, reg)
	auth.OnReload(s.Update)
	byID := func(r *access.Registry) map[string]*access.Tenant {
		m := map[string]*access.Tenant{}
		for _, tn := range r.All() {
			m[tn.ID] = tn
		}
		return m
	}
	old := byID(reg)
	c0 := s.mustClient(t, old["t0"])
	c2 := s.mustClient(t, old["t2"])

	// t0 unchanged, t1 and t2 removed, t3 to t5 new.
	if err := os.WriteFile(path, tenantsYAML(0, 3, 4, 5), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := auth.ReloadFile(path); err != nil {
		t.Fatal(err)
	}
	now := byID(auth.Registry())
	if len(now) != 4 || now["t0"] != old["t0"] {
		t.Fatalf("reloaded tenants %v: want t0 (kept), t3, t4, t5", now)
	}
	if built.Load() != 2 {
		t.Fatalf("%d clients built by the reload, want none", built.Load()-2)
	}
	if s.mustClient(t, now["t0"]) != c0 {
		t.Fatal("the unchanged tenant lost its client")
	}
	if _, ok := s.Client(old["t2"]); ok || c2 == nil {
		t.Fatal("a removed tenant still has a client")
	}
	if s.mustClient(t, now["t4"]) == nil || built.Load() != 3 {
		t.Fatalf("a new tenant's first use: %d clients built, want 3", built.Load())
	}
}
