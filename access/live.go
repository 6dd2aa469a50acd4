package access

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Authenticator resolves credentials against the current registry, which
// a reload replaces atomically: a request resolves against one registry
// from start to end, and requests in flight finish with the one they got.
// It owns the identity providers' key caches, which survive reloads.
type Authenticator struct {
	cur  atomic.Pointer[Registry]
	jwks *providers

	mu       sync.Mutex // one reload at a time
	onReload []func(*Registry) error

	lastLoad   atomic.Int64 // unix nanoseconds of the last successful load
	lastFailed atomic.Bool  // whether the last attempt failed
}

var _ Resolver = (*Authenticator)(nil)

// NewAuthenticator serves reg, fetching the key sets of its identity
// providers as tokens need them.
func NewAuthenticator(reg *Registry, opts JWKSOptions) *Authenticator {
	a := &Authenticator{jwks: newProviders(opts)}
	a.publish(reg)
	return a
}

// Registry returns the registry in force.
func (a *Authenticator) Registry() *Registry { return a.cur.Load() }

// Resolve implements Resolver with the registry in force.
func (a *Authenticator) Resolve(ctx context.Context, credential string) (*Principal, error) {
	return a.cur.Load().Resolve(ctx, credential)
}

// OnReload registers f to be called with each new registry before it is
// put in force (the store builds clients for new tenants there); an error
// refuses the reload. Register before serving.
func (a *Authenticator) OnReload(f func(*Registry) error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.onReload = append(a.onReload, f)
}

// ReloadFile reads the tenants file at path again. A file with a problem
// is refused and the registry in force stays.
func (a *Authenticator) ReloadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		a.lastFailed.Store(true)
		return fmt.Errorf("read tenants file: %w", err)
	}
	return a.reload(path, data)
}

func (a *Authenticator) reload(path string, data []byte) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	reg, err := parse(data, a.cur.Load())
	if err != nil {
		a.lastFailed.Store(true)
		return fmt.Errorf("tenants file %s: %w", path, err)
	}
	for _, f := range a.onReload {
		if err := f(reg); err != nil {
			a.lastFailed.Store(true)
			return fmt.Errorf("tenants file %s: %w", path, err)
		}
	}
	a.publish(reg)
	return nil
}

func (a *Authenticator) publish(reg *Registry) {
	reg.jwks = a.jwks
	a.cur.Store(reg)
	a.jwks.retain(reg)
	a.lastLoad.Store(time.Now().UnixNano())
	a.lastFailed.Store(false)
}

// LoadStatus reports when the registry in force was loaded and whether the
// last attempt to load one failed.
func (a *Authenticator) LoadStatus() (loaded time.Time, lastFailed bool) {
	return time.Unix(0, a.lastLoad.Load()), a.lastFailed.Load()
}

// Providers reports each identity provider in use and whether its key set
// could be fetched the last time.
func (a *Authenticator) Providers() []ProviderStatus { return a.jwks.statuses() }

// Close stops refreshing the providers' key sets.
func (a *Authenticator) Close() { a.jwks.close() }

// Watch reloads the tenants file at path whenever its content changes,
// checking every interval, until ctx ends. Content, not events, is what
// counts: an atomic rename, an in-place write and a symlink swap (as
// Kubernetes does for mounted ConfigMaps) all show, with no file system
// notification API and nothing lost while a watch would be re-armed.
// report is told the outcome of every reload attempt.
func (a *Authenticator) Watch(ctx context.Context, path string, interval time.Duration, report func(error)) {
	// The first look always reloads: the file may have changed between
	// the load that built the registry in force and this watch's start.
	var last [sha256.Size]byte
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		data, err := os.ReadFile(path)
		if err != nil {
			// Between a remove and a rename the file may be briefly
			// missing: not a change, look again next tick.
			continue
		}
		sum := sha256.Sum256(data)
		if sum == last {
			continue
		}
		last = sum
		report(a.reload(path, data))
	}
}
