package access

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"
)

// JWKSOptions tune how identity providers' key sets are fetched.
type JWKSOptions struct {
	// Refresh is how often each key set is fetched again; 0: one hour.
	Refresh time.Duration
	// UnknownKIDInterval is the least time between two fetches caused by a
	// token whose key id is not cached; 0: 30 seconds.
	UnknownKIDInterval time.Duration
	// Timeout bounds one fetch; 0: 5 seconds.
	Timeout time.Duration
	// Client fetches the key sets; nil: a plain client.
	Client *http.Client
}

func (o JWKSOptions) withDefaults() JWKSOptions {
	if o.Refresh <= 0 {
		o.Refresh = time.Hour
	}
	if o.UnknownKIDInterval <= 0 {
		o.UnknownKIDInterval = 30 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	return o
}

// ProviderStatus says whether an identity provider's key set could be
// fetched the last time it was tried.
type ProviderStatus struct {
	JWKSURL   string
	Reachable bool
	Error     string // why the last fetch failed
}

// errProviderDown marks a token that cannot be checked because its key is
// not cached and the provider cannot be reached.
var errProviderDown = errors.New("identity provider unreachable")

// provider is one JWKS endpoint: its cached keys and whether the last
// fetch worked. Tenants that share an endpoint share the provider.
type provider struct {
	url     string
	opts    JWKSOptions
	cache   jwkset.Storage // the keys of the last successful fetch
	keys    keyfunc.Keyfunc
	unknown *rate.Limiter // fetches caused by unknown key ids
	stop    context.CancelFunc
	mu      sync.Mutex
	lastErr error
}

func newProvider(url string, opts JWKSOptions) (*provider, error) {
	cache := jwkset.NewMemoryStorage()
	keys, err := keyfunc.New(keyfunc.Options{Storage: cache})
	if err != nil {
		return nil, fmt.Errorf("identity provider %s: %w", url, err)
	}
	ctx, stop := context.WithCancel(context.Background())
	p := &provider{
		url: url, opts: opts, cache: cache, keys: keys, stop: stop,
		unknown: rate.NewLimiter(rate.Every(opts.UnknownKIDInterval), 1),
	}
	p.fetch(ctx)
	go p.refresh(ctx)
	return p, nil
}

// fetch reads the key set once and, when that works, replaces the cache.
// A failed fetch keeps the cached keys.
func (p *provider) fetch(ctx context.Context) {
	fetched, err := jwkset.NewStorageFromHTTP(p.url, jwkset.HTTPClientStorageOptions{
		Client: p.opts.Client, Ctx: ctx, HTTPTimeout: p.opts.Timeout,
	})
	var keys []jwkset.JWK
	if err == nil {
		keys, err = fetched.KeyReadAll(ctx)
	}
	if err == nil {
		err = p.cache.KeyReplaceAll(ctx, keys)
	}
	p.mu.Lock()
	p.lastErr = err
	p.mu.Unlock()
}

// refresh fetches the key set periodically until ctx ends.
func (p *provider) refresh(ctx context.Context) {
	ticker := time.NewTicker(p.opts.Refresh)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			p.fetch(ctx)
		}
	}
}

func (p *provider) status() ProviderStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := ProviderStatus{JWKSURL: p.url, Reachable: p.lastErr == nil}
	if p.lastErr != nil {
		st.Error = p.lastErr.Error()
	}
	return st
}

// keyFor returns the verification key of a token. A key id that is not
// cached makes the key set be fetched again, at most once per
// UnknownKIDInterval and never waiting for the limiter; when no key is
// found and the last fetch failed, the provider is unreachable rather than
// the token bad.
func (p *provider) keyFor(ctx context.Context, token *jwt.Token) (any, error) {
	key, err := p.keys.KeyfuncCtx(ctx)(token)
	if err == nil {
		return key, nil
	}
	if errors.Is(err, jwkset.ErrKeyNotFound) && p.unknown.Allow() {
		p.fetch(ctx)
		if key, err = p.keys.KeyfuncCtx(ctx)(token); err == nil {
			return key, nil
		}
	}
	p.mu.Lock()
	down := p.lastErr
	p.mu.Unlock()
	if down != nil {
		return nil, fmt.Errorf("%w: %v", errProviderDown, down)
	}
	return nil, err
}

// providers are the identity providers in use, one per JWKS URL.
type providers struct {
	opts  JWKSOptions
	mu    sync.Mutex
	byURL map[string]*provider
}

func newProviders(opts JWKSOptions) *providers {
	return &providers{opts: opts.withDefaults(), byURL: map[string]*provider{}}
}

// get returns the provider of url, starting it (one fetch, then periodic
// refreshes) the first time. A provider that cannot be reached still
// starts: it serves no key until a fetch works.
func (ps *providers) get(url string) (*provider, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if p, ok := ps.byURL[url]; ok {
		return p, nil
	}
	p, err := newProvider(url, ps.opts)
	if err != nil {
		return nil, err
	}
	ps.byURL[url] = p
	return p, nil
}

// retain stops the providers no tenant of reg uses any more.
func (ps *providers) retain(reg *Registry) {
	used := map[string]bool{}
	for _, cs := range reg.byIssuer {
		for _, c := range cs {
			used[c.JWKSURL] = true
		}
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for url, p := range ps.byURL {
		if !used[url] {
			p.stop()
			delete(ps.byURL, url)
		}
	}
}

// statuses reports every provider, by URL.
func (ps *providers) statuses() []ProviderStatus {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	out := make([]ProviderStatus, 0, len(ps.byURL))
	for _, p := range ps.byURL {
		out = append(out, p.status())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].JWKSURL < out[j].JWKSURL })
	return out
}

// close stops every provider.
func (ps *providers) close() {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for url, p := range ps.byURL {
		p.stop()
		delete(ps.byURL, url)
	}
}
