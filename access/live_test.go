package access

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Keys added and removed while requests keep resolving: the stable key
// never fails, a new key works and a removed one is refused within 2 s,
// whether the file is replaced by a rename or rewritten in place, and a
// broken file leaves the tenants in force.
func TestWatchReloadUnderLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tenants.yaml")
	write := func(content string, inPlace bool) {
		t.Helper()
		if inPlace {
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			return
		}
		tmp := filepath.Join(dir, "next.yaml")
		if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	stable := tenantYAML("acme", "acme-", "stable-key")
	write(tenantsFile(stable, tenantYAML("beta", "beta-", "old-key")), false)
	reg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	a := NewAuthenticator(reg, JWKSOptions{})
	acme := reg.All()[0]
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reports := make(chan error, 16)
	go a.Watch(ctx, path, 100*time.Millisecond, func(err error) { reports <- err })

	var failures atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				if _, err := a.Resolve(ctx, plain("stable-key")); err != nil {
					failures.Add(1)
				}
			}
		})
	}
	within := func(what, key string, want bool) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Second)
		for {
			_, err := a.Resolve(ctx, plain(key))
			if (err == nil) == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: key %s still resolves=%v after 2 s", what, key, !want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	write(tenantsFile(stable, tenantYAML("beta", "beta-", "new-key")), false)
	within("renamed file", "new-key", true)
	within("renamed file", "old-key", false)
	write(tenantsFile(stable, tenantYAML("beta", "beta-", "old-key")), true)
	within("written in place", "old-key", true)
	within("written in place", "new-key", false)

	write("tenants: [broken", true)
	select {
	case err := <-drain(reports):
		if err == nil {
			t.Fatal("a broken file was accepted")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the broken file was not noticed")
	}
	if _, err := a.Resolve(ctx, plain("old-key")); err != nil {
		t.Fatalf("after a broken file, the tenants in force changed: %v", err)
	}
	if _, failed := a.LoadStatus(); !failed {
		t.Error("the failed attempt is not reported")
	}
	cancel()
	wg.Wait()
	if n := failures.Load(); n != 0 {
		t.Fatalf("%d requests with the stable key failed during reloads", n)
	}
	// The unchanged tenant kept its *Tenant, so its store client is kept.
	if a.Registry().All()[0] != acme {
		t.Error("an unchanged tenant was rebuilt")
	}
}

// drain returns a channel of the first error report after the ones
// already queued (successes of earlier reloads).
func drain(reports chan error) <-chan error {
	out := make(chan error, 1)
	go func() {
		for err := range reports {
			if err != nil {
				out <- err
				return
			}
		}
	}()
	return out
}
