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
	keys    keyfunc.Keyfunc
	stop    context.CancelFunc
	mu      sync.Mutex
	lastErr error
}

// record is the outcome of a fetch, kept for readiness and for telling a
// missing key from an unreachable provider.
func (p *provider) record(err error) {
	p.mu.Lock()
	p.lastErr = err
	p.mu.Unlock()
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
// cached makes the key set be fetched again (rate limited); when that
// fails and no key is found, the provider is unreachable rather than the
// token bad.
func (p *provider) keyFor(ctx context.Context, token *jwt.Token) (any, error) {
	key, err := p.keys.KeyfuncCtx(ctx)(token)
	if err == nil {
		return key, nil
	}
	p.mu.Lock()
	down := p.lastErr
	p.mu.Unlock()
	if down != nil {
		return nil, fmt.Errorf("%w: %v", errProviderDown, down)
	}
	return nil, err
}

// recordingTransport notes the outcome of every key set fetch.
type recordingTransport struct {
	next http.RoundTripper
	p    *provider
}

func (t recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	switch {
	case err != nil:
		t.p.record(fmt.Errorf("fetch key set: %w", err))
	case resp.StatusCode != http.StatusOK:
		t.p.record(fmt.Errorf("fetch key set: status %d", resp.StatusCode))
	default:
		t.p.record(nil)
	}
	return resp, err
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
	ctx, stop := context.WithCancel(context.Background())
	p := &provider{url: url, stop: stop}
	next := ps.opts.Client.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	client := *ps.opts.Client
	client.Transport = recordingTransport{next: next, p: p}
	storage, err := jwkset.NewStorageFromHTTP(url, jwkset.HTTPClientStorageOptions{
		Client:                    &client,
		Ctx:                       ctx,
		HTTPTimeout:               ps.opts.Timeout,
		NoErrorReturnFirstHTTPReq: true,
		RefreshInterval:           ps.opts.Refresh,
		RefreshErrorHandler:       func(_ context.Context, err error) { p.record(err) },
	})
	if err == nil {
		storage, err = jwkset.NewHTTPClient(jwkset.HTTPClientOptions{
			HTTPURLs: map[string]jwkset.Storage{url: storage},
			// Never hold a request waiting for the limiter: an unknown key
			// id within the interval is simply unknown.
			RateLimitWaitMax:  time.Millisecond,
			RefreshUnknownKID: rate.NewLimiter(rate.Every(ps.opts.UnknownKIDInterval), 1),
		})
	}
	if err == nil {
		p.keys, err = keyfunc.New(keyfunc.Options{Ctx: ctx, Storage: storage})
	}
	if err != nil {
		stop()
		return nil, fmt.Errorf("identity provider %s: %w", url, err)
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
