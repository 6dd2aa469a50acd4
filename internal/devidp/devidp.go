// Package devidp is a tiny OpenID Connect identity provider for development
// and tests only: it signs short-lived user tokens for whoever asks, with no
// password. It generates an ES256 key when it starts (nothing is stored),
// serves /.well-known/openid-configuration and /jwks.json, and mints a
// token for /token?sub=NAME. It listens only on a loopback address and
// answers /token only to loopback clients, so nothing beyond this machine
// can get a token from it. Never point a production tenant at it.
package devidp

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// Options configure a provider.
type Options struct {
	// Addr is the loopback host:port to listen on; "127.0.0.1:0" picks a
	// free port.
	Addr string
	// Audience is the aud claim of every token (a tenant's jwt audience).
	Audience string
	// TTL is how long a token is valid; 0: 10 minutes.
	TTL time.Duration
	// Origins are the browser origins allowed to ask for tokens (CORS);
	// requests without an Origin header (curl, tests) are always served.
	Origins []string
}

// Provider is a running development identity provider.
type Provider struct {
	issuer   string
	audience string
	ttl      time.Duration
	origins  []string
	key      *ecdsa.PrivateKey
	kid      string
	jwks     []byte // the public key set, as served
	srv      *http.Server
	done     chan error
}

// Token is the answer of /token, shaped like an OAuth 2.0 token response.
type Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// Start generates a key, listens on opts.Addr (which must be a loopback
// address) and serves until Close. The issuer is http://ADDR with the
// address actually bound.
func Start(opts Options) (*Provider, error) {
	if opts.Audience == "" {
		return nil, errors.New("devidp: no audience")
	}
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("devidp: address %q: %w", opts.Addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("devidp: address %q is not a loopback address: a development identity provider must not be reachable from other machines", opts.Addr)
	}
	p, err := newProvider(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("devidp: listen: %w", err)
	}
	// The issuer keeps the host as given (localhost stays localhost): a
	// tenant's jwt block names it exactly.
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	p.issuer = "http://" + net.JoinHostPort(host, port)
	p.srv = &http.Server{Handler: p.routes(), ReadHeaderTimeout: 5 * time.Second}
	go func() { p.done <- p.srv.Serve(ln) }()
	return p, nil
}

func newProvider(opts Options) (*Provider, error) {
	if opts.TTL <= 0 {
		opts.TTL = 10 * time.Minute
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("devidp: generate key: %w", err)
	}
	kidBytes := make([]byte, 8)
	if _, err := rand.Read(kidBytes); err != nil {
		return nil, fmt.Errorf("devidp: key id: %w", err)
	}
	p := &Provider{
		audience: opts.Audience, ttl: opts.TTL, origins: slices.Clone(opts.Origins),
		key: key, kid: "dev-" + hex.EncodeToString(kidBytes), done: make(chan error, 1),
	}
	if p.jwks, err = publicKeySet(&key.PublicKey, p.kid); err != nil {
		return nil, err
	}
	return p, nil
}

// publicKeySet is the JSON key set that holds only pub.
func publicKeySet(pub *ecdsa.PublicKey, kid string) ([]byte, error) {
	set := jwkset.NewMemoryStorage()
	jwk, err := jwkset.NewJWKFromKey(pub, jwkset.JWKOptions{
		Metadata: jwkset.JWKMetadataOptions{KID: kid, ALG: jwkset.AlgES256, USE: jwkset.UseSig},
	})
	if err != nil {
		return nil, fmt.Errorf("devidp: public key: %w", err)
	}
	if err := set.KeyWrite(context.Background(), jwk); err != nil {
		return nil, fmt.Errorf("devidp: key set: %w", err)
	}
	out, err := set.JSONPublic(context.Background())
	if err != nil {
		return nil, fmt.Errorf("devidp: key set: %w", err)
	}
	return out, nil
}

// URL is the issuer: the provider's base URL, the iss claim of its tokens.
func (p *Provider) URL() string { return p.issuer }

// JWKSURL is where the provider's key set is served.
func (p *Provider) JWKSURL() string { return p.issuer + "/jwks.json" }

// Audience is the aud claim of the provider's tokens.
func (p *Provider) Audience() string { return p.audience }

// Close stops serving.
func (p *Provider) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("devidp: shut down: %w", err)
	}
	if err := <-p.done; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("devidp: serve: %w", err)
	}
	return nil
}

// subjectPattern keeps a subject usable as one path segment of a prefix
// template such as users/{sub}/.
var subjectPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// Mint signs a token for subject sub: iss, aud, sub, iat, nbf and exp.
func (p *Provider) Mint(sub string) (Token, error) {
	if !subjectPattern.MatchString(sub) || slices.Contains([]string{".", ".."}, sub) {
		return Token{}, fmt.Errorf("subject %q: use 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit", sub)
	}
	now := time.Now()
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
		"iss": p.issuer, "aud": p.audience, "sub": sub,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(p.ttl).Unix(),
	})
	tok.Header["kid"] = p.kid
	signed, err := tok.SignedString(p.key)
	if err != nil {
		return Token{}, fmt.Errorf("devidp: sign: %w", err)
	}
	return Token{AccessToken: signed, TokenType: "Bearer", ExpiresIn: int(p.ttl.Seconds())}, nil
}
