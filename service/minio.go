package service

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"s3gateway/access"
	"s3gateway/errs"
)

// Config configures the MinIO implementation.
type Config struct {
	Endpoint  *url.URL // the store, as the gateway reaches it
	PublicURL *url.URL // the store, as clients reach it (presigned URLs)
	Region    string
	// PartSize is the part size of multipart uploads, and so the most an
	// unknown-size upload buffers.
	PartSize int64
	// CallTimeout bounds backend metadata calls (not data streams).
	CallTimeout time.Duration
	// CopyComposeThreshold is the source size from which a copy is done in
	// parts (S3 copies at most 5 GiB in one request). Tests lower it.
	CopyComposeThreshold int64
	// Transport overrides the HTTP transport to the store (tests); object
	// reads then use it too.
	Transport http.RoundTripper
	// StandardReads sends object reads through Transport as well, instead
	// of the stream transport (see streamTransport) that the default
	// transport to an http:// store otherwise comes with.
	StandardReads bool
	// FailFastAfter is how many store requests in a row must go unanswered
	// (refused, failed or timed-out connections) before requests fail at
	// once with BackendUnavailable, for FailFastCooldown; then one request
	// is let through as a trial, and any answer from the store ends the
	// fail-fast. 0: DefaultFailFastAfter, DefaultFailFastCooldown.
	FailFastAfter    int
	FailFastCooldown time.Duration
	// OnBackendError, when not nil, is told the code of every store request
	// that failed because of the store: no answer (BackendUnavailable,
	// BackendTimeout), a 5xx answer, or a fail-fast refusal. Requests
	// cancelled by their caller are not reported. It must be cheap and safe
	// for concurrent use (a metrics counter).
	OnBackendError func(code errs.Code)
}

// MaxSingleCopy is S3's limit for a copy in one request.
const MaxSingleCopy = 5 << 30

// MinIO is the Service implementation over minio-go. It holds one client
// per tenant, built once at startup with that tenant's own credentials.
type MinIO struct {
	cfg     Config
	clients map[*access.Tenant]*tenantClient
	// parts holds PartSize buffers for uploads of unknown size: one
	// buffer per such upload in flight bounds their memory.
	parts *partPool
	// maxParts is the most parts an upload may have (S3's 10,000; tests
	// lower it).
	maxParts int
	// policyLocks serializes the policy writes of each physical bucket
	// within this process (see policy.go); its zero value is ready.
	policyLocks keyedMutex
	// circuit fails store requests fast while the store is down.
	circuit *circuit
	// stream carries object reads when the store can be reached over
	// plain TCP with the default transport (nil otherwise).
	stream *streamTransport
}

// tenantClient is what the service holds for one tenant.
type tenantClient struct {
	tenant *access.Tenant
	client *minio.Client // the store, the tenant's credentials
	core   minio.Core    // low-level calls on the same client
	// presign signs for the public URL; it has the region set so signing
	// needs no network call.
	presign *minio.Client
}

var _ Service = (*MinIO)(nil)

// New builds a client for every tenant of reg.
func New(cfg Config, reg *access.Registry) (*MinIO, error) {
	if cfg.PartSize <= 0 {
		cfg.PartSize = 8 << 20
	}
	// A part of a multipart upload is 5 MiB to 5 GiB (the last may be less).
	cfg.PartSize = min(max(cfg.PartSize, minPartSize), maxPartSize)
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = 30 * time.Second
	}
	if cfg.CopyComposeThreshold <= 0 {
		cfg.CopyComposeThreshold = MaxSingleCopy
	}
	cfg.CopyComposeThreshold = min(max(cfg.CopyComposeThreshold, minPartSize), MaxSingleCopy)
	if cfg.PublicURL == nil {
		cfg.PublicURL = cfg.Endpoint
	}
	var stream *streamTransport
	if cfg.Transport == nil {
		t := NewTransport()
		// The wait for the store's answer to any request, a download's
		// or an upload's included, is bounded like a metadata call.
		t.ResponseHeaderTimeout = cfg.CallTimeout
		cfg.Transport = t
		if !cfg.StandardReads && streamEligible(cfg.Endpoint) {
			// An object read waits for the store's answer as long as a
			// metadata call may take.
			stream = newStreamTransport(cfg.CallTimeout)
		}
	}
	if cfg.OnBackendError == nil {
		cfg.OnBackendError = func(errs.Code) {}
	}
	m := &MinIO{
		cfg: cfg, clients: map[*access.Tenant]*tenantClient{}, maxParts: maxUploadParts,
		circuit: newCircuit(cfg.FailFastAfter, cfg.FailFastCooldown), stream: stream,
	}
	m.parts = newPartPool(int(cfg.PartSize))
	for _, t := range reg.All() {
		tc, err := m.newTenantClient(t)
		if err != nil {
			return nil, fmt.Errorf("tenant %s: %w", t.ID, err)
		}
		m.clients[t] = tc
	}
	return m, nil
}

func (m *MinIO) newTenantClient(t *access.Tenant) (*tenantClient, error) {
	creds := credentials.NewStaticV4(t.AccessKey, t.SecretKey, "")
	client, err := minio.New(m.cfg.Endpoint.Host, &minio.Options{
		Creds:     creds,
		Secure:    m.cfg.Endpoint.Scheme == "https",
		Region:    m.cfg.Region,
		Transport: m.storeTransport(),
		// Retries would replay request bodies the gateway streams once; the
		// client of the gateway decides whether to retry.
		MaxRetries: 1,
	})
	if err != nil {
		return nil, fmt.Errorf("store client: %w", err)
	}
	presign, err := minio.New(m.cfg.PublicURL.Host, &minio.Options{
		Creds:     creds,
		Secure:    m.cfg.PublicURL.Scheme == "https",
		Region:    m.cfg.Region,
		Transport: m.cfg.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("presign client: %w", err)
	}
	return &tenantClient{tenant: t, client: client, core: minio.Core{Client: client}, presign: presign}, nil
}

// NewTransport is the HTTP transport to the store: connections are reused
// across requests and tenants (the store is one host), and every phase
// before the response body has a deadline, so a hung store cannot hold a
// request forever.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   5 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   1024,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ExpectContinueTimeout: time.Second,
		// Objects are stored as sent; compression would only cost CPU.
		DisableCompression: true,
	}
}

// storeTransport is the transport of the store clients.
func (m *MinIO) storeTransport() http.RoundTripper {
	t := storeTransport{base: m.cfg.Transport, circuit: m.circuit, onError: m.cfg.OnBackendError}
	if m.stream != nil {
		t.stream = m.stream
	}
	return t
}

// tenantFor returns the client of the tenant in ctx.
func (m *MinIO) tenantFor(ctx context.Context) (*tenantClient, error) {
	t, ok := access.FromContext(ctx)
	if !ok {
		return nil, errs.New(errs.Unauthorized, "no tenant for this request")
	}
	tc, ok := m.clients[t]
	if !ok {
		return nil, errs.New(errs.Unauthorized, "unknown tenant")
	}
	return tc, nil
}

// callContext bounds a metadata call (not a data stream) by CallTimeout.
func (m *MinIO) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, m.cfg.CallTimeout)
}

type captureKey struct{}

// capturedResponse is the last response seen for a request context.
type capturedResponse struct {
	mu     sync.Mutex
	status int
	header http.Header
}

func (c *capturedResponse) set(status int, h http.Header) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status, c.header = status, h.Clone()
}

func (c *capturedResponse) get() (int, http.Header) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status, c.header
}

// withCapture returns a context whose store responses are recorded in c.
func withCapture(ctx context.Context, c *capturedResponse) context.Context {
	return context.WithValue(ctx, captureKey{}, c)
}
