package miniostore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"s3gateway/access"
	"s3gateway/errs"
	"s3gateway/service"
)

// Config configures the store adapter. Every value is the caller's: the
// defaults of the knobs live in package config.
type Config struct {
	Endpoint  *url.URL // the store, as the gateway reaches it
	PublicURL *url.URL // the store, as clients reach it (presigned URLs); nil: Endpoint
	Region    string
	// PartSize is the part size of multipart uploads, and so the most an
	// unknown-size upload buffers. It must be positive; it is held within
	// S3's part size limits.
	PartSize int64
	// BackendTimeout bounds backend metadata calls (not data streams), and
	// the wait for the store's answer to any request. It must be positive.
	BackendTimeout time.Duration
	// CopyComposeThreshold is the source size from which a copy is done in
	// parts. 0 means S3's limit for a copy in one request (MaxSingleCopy);
	// tests lower it.
	CopyComposeThreshold int64
	// Transport overrides the HTTP transport to the store (tests); object
	// reads then use it too.
	Transport http.RoundTripper
	// ZeroCopyReads sends object reads from an http:// store reached
	// without a proxy through the stream transport (see streamTransport)
	// rather than the standard one.
	ZeroCopyReads bool
	// FailFastAfter is how many store requests in a row must go unanswered
	// (refused, failed or timed-out connections) before requests fail at
	// once with BackendUnavailable, for FailFastCooldown (which must be
	// positive); then one request is let through as a trial, and any
	// answer from the store ends the fail-fast. 0: failFastAfter.
	FailFastAfter    int
	FailFastCooldown time.Duration
	// OnBackendError, when not nil, is told the code of every store request
	// that failed because of the store: no answer (BackendUnavailable,
	// BackendTimeout), a 5xx answer, or a fail-fast refusal. Requests
	// cancelled by their caller are not reported. It must be cheap and safe
	// for concurrent use (a metrics counter).
	OnBackendError func(code errs.Code)
	// onBuild, when not nil, is told of every tenant's client built
	// (tests count them).
	onBuild func(*access.Tenant)
}

// MaxSingleCopy is S3's limit for a copy in one request.
const MaxSingleCopy = 5 << 30

// Store is the service.Store over minio-go. It holds one client per
// tenant, with that tenant's own credentials, built on the tenant's first
// request: startup and memory do not grow with tenants that are configured
// but idle.
type Store struct {
	cfg Config
	// clients are the tenants' entries; Update replaces the map when the
	// tenants file is reloaded.
	mu      sync.RWMutex
	clients map[*access.Tenant]*tenantClient
	// parts holds PartSize buffers for uploads of unknown size: one
	// buffer per such upload in flight bounds their memory.
	parts *partPool
	// maxParts is the most parts an upload may have (S3's 10,000; tests
	// lower it).
	maxParts int
	// stream carries object reads when the store can be reached over
	// plain TCP with the default transport (nil otherwise).
	stream *streamTransport
}

// client is the store with one tenant's credentials.
type client struct {
	s      *Store
	tenant *access.Tenant
	mc     *minio.Client // the store, the tenant's credentials
	core   minio.Core    // low-level calls on the same client
	// circuit fails this tenant's store requests fast while they go
	// unanswered; other tenants' requests have their own.
	circuit *circuit
	// presignRead and presignUpload sign for the public URL with the
	// tenant's signing identities (access.SigningCredentials): GET URLs
	// with the one that can only read, PUT URLs and POST forms with the
	// one that can only upload. They have the region set, so signing
	// needs no network call.
	presignRead, presignUpload *minio.Client
	// direct sends object reads without minio-go (nil: they go through mc).
	direct *directReader
}

var (
	_ service.Store       = (*Store)(nil)
	_ service.StoreClient = (*client)(nil)
)

// New makes the store of the tenants of reg; their clients are built on
// first use.
func New(cfg Config, reg *access.Registry) (*Store, error) {
	switch {
	case cfg.Endpoint == nil:
		return nil, errors.New("store: no endpoint")
	case cfg.PartSize <= 0:
		return nil, errors.New("store: the part size must be positive")
	case cfg.BackendTimeout <= 0:
		return nil, errors.New("store: the backend timeout must be positive")
	case cfg.FailFastCooldown <= 0:
		return nil, errors.New("store: the fail-fast cool-down must be positive")
	}
	// A part of a multipart upload is 5 MiB to 5 GiB (the last may be less).
	cfg.PartSize = min(max(cfg.PartSize, minPartSize), maxPartSize)
	if cfg.CopyComposeThreshold <= 0 {
		cfg.CopyComposeThreshold = MaxSingleCopy
	}
	cfg.CopyComposeThreshold = min(max(cfg.CopyComposeThreshold, minPartSize), MaxSingleCopy)
	if cfg.PublicURL == nil {
		cfg.PublicURL = cfg.Endpoint
	}
	var stream *streamTransport
	if cfg.Transport == nil {
		cfg.Transport = newTransport(cfg.BackendTimeout)
		if cfg.ZeroCopyReads && streamEligible(cfg.Endpoint) {
			// An object read waits for the store's answer as long as a
			// metadata call may take.
			stream = newStreamTransport(cfg.BackendTimeout)
		}
	}
	if cfg.OnBackendError == nil {
		cfg.OnBackendError = func(errs.Code) {}
	}
	s := &Store{cfg: cfg, maxParts: maxUploadParts, stream: stream}
	s.parts = newPartPool(int(cfg.PartSize))
	// A client's options depend on the tenant only through its keys, which
	// minio-go does not check: one trial build settles, for every tenant,
	// that building a client on first use cannot fail.
	if _, err := s.newClient(&access.Tenant{ID: "trial"}); err != nil {
		return nil, err
	}
	s.clients = tenantClients(reg, nil)
	return s, nil
}

func (s *Store) newClient(t *access.Tenant) (*client, error) {
	creds := credentials.NewStaticV4(t.AccessKey, t.SecretKey, "")
	circuit := s.newCircuit()
	transport := s.storeTransport(circuit)
	mc, err := minio.New(s.cfg.Endpoint.Host, &minio.Options{
		Creds:     creds,
		Secure:    s.cfg.Endpoint.Scheme == "https",
		Region:    s.cfg.Region,
		Transport: transport,
		// Retries would replay request bodies the gateway streams once; the
		// client of the gateway decides whether to retry.
		MaxRetries: 1,
	})
	if err != nil {
		return nil, fmt.Errorf("store client: %w", err)
	}
	read, err := s.presignClient(t, access.SignReads)
	if err != nil {
		return nil, err
	}
	upload, err := s.presignClient(t, access.SignUploads)
	if err != nil {
		return nil, err
	}
	return &client{s: s, tenant: t, mc: mc, core: minio.Core{Client: mc}, circuit: circuit,
		presignRead: read, presignUpload: upload, direct: s.newDirectReader(t, transport)}, nil
}

// presignClient signs for the public URL as the tenant's signing identity
// for purpose.
func (s *Store) presignClient(t *access.Tenant, purpose access.SigningPurpose) (*minio.Client, error) {
	accessKey, secretKey := t.SigningCredentials(purpose)
	c, err := minio.New(s.cfg.PublicURL.Host, &minio.Options{
		Creds:     credentials.NewStaticV4(accessKey, secretKey, ""),
		Secure:    s.cfg.PublicURL.Scheme == "https",
		Region:    s.cfg.Region,
		Transport: s.cfg.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("%s presign client: %w", purpose, err)
	}
	return c, nil
}

// Client implements service.Store. It builds the tenant's client on its
// first use.
func (s *Store) Client(t *access.Tenant) (service.StoreClient, bool) {
	c, ok := s.client(t)
	if !ok {
		return nil, false
	}
	return c, true
}

// client is t's client, built on first use; ok is false for a tenant the
// store does not serve.
func (s *Store) client(t *access.Tenant) (*client, bool) {
	s.mu.RLock()
	e, ok := s.clients[t]
	s.mu.RUnlock()
	if !ok {
		return nil, false
	}
	c := e.get(s)
	return c, c != nil
}

// newTransport is the HTTP transport to the store: connections are reused
// across requests and tenants (the store is one host), and every phase
// before the response body has a deadline, so a hung store cannot hold a
// request forever. The wait for the store's answer to any request, a
// download's or an upload's included, is bounded like a metadata call.
func newTransport(answerTimeout time.Duration) *http.Transport {
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
		ResponseHeaderTimeout: answerTimeout,
		ExpectContinueTimeout: time.Second,
		// Objects are stored as sent; compression would only cost CPU.
		DisableCompression: true,
	}
}

// newCircuit is the fail-fast circuit of one tenant's requests.
func (s *Store) newCircuit() *circuit {
	return newCircuit(s.cfg.FailFastAfter, s.cfg.FailFastCooldown)
}

// storeTransport is the transport of a store client whose requests circuit
// guards. A readiness probe that gets an answer closes every tenant's
// circuit: the store is back for all.
func (s *Store) storeTransport(circuit *circuit) http.RoundTripper {
	t := storeTransport{base: s.cfg.Transport, circuit: circuit, onError: s.cfg.OnBackendError, onProbeAnswer: s.closeCircuits}
	if s.stream != nil {
		t.stream = s.stream
	}
	return t
}

// closeCircuits ends the fail-fast of every tenant. A tenant whose client
// is not built yet has no circuit to close.
func (s *Store) closeCircuits() {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, e := range s.clients {
		if c := e.built.Load(); c != nil {
			c.circuit.answered()
		}
	}
}

// callContext bounds a metadata call (not a data stream) by BackendTimeout.
func (c *client) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.s.cfg.BackendTimeout)
}

// translate is the package's translate for a call of this tenant about
// physical bucket and object name: messages name the bucket as the tenant
// knows it (the tenant's bucket prefix is not shown).
func (c *client) translate(err error, physical, name string) error {
	return translate(err, c.logical(physical), name)
}

// logical is how a message names the tenant's bucket physical.
func (c *client) logical(physical string) string {
	return strings.TrimPrefix(physical, c.tenant.BucketPrefix)
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
