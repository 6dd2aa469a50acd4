package access

import (
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"s3gateway/errs"
)

// Resolver turns the credential a request presents into its principal.
type Resolver interface {
	Resolve(ctx context.Context, credential string) (*Principal, error)
}

var _ Resolver = (*Registry)(nil)

// asymmetricAlgs are the only signature algorithms a user token may use:
// a shared-secret (HMAC) token could be forged by anyone who holds the
// provider's public key bytes, and "none" is no signature at all.
var asymmetricAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// clockSkew is how far the gateway's and the provider's clocks may differ
// for exp, nbf and iat.
const clockSkew = 30 * time.Second

// Resolve returns the principal of an API key (tenant or scoped, found by
// its digest) or of a user token. Unknown, expired or badly signed
// credentials are 401 Unauthorized; a token whose provider cannot be
// reached and whose key is not cached is 503 BackendUnavailable.
func (r *Registry) Resolve(ctx context.Context, credential string) (*Principal, error) {
	if credential == "" {
		return nil, errs.New(errs.Unauthorized, "missing credential")
	}
	sum := sha256.Sum256([]byte(credential))
	if p, ok := r.byKey[sum]; ok {
		if p.ExpiredAt(time.Now()) {
			return nil, errs.New(errs.Unauthorized, "the API key has expired")
		}
		return p, nil
	}
	if strings.Count(credential, ".") == 2 && len(r.byIssuer) > 0 {
		now := time.Now()
		if p, ok := r.tokens.get(sum, now); ok {
			return p, nil
		}
		p, err := r.resolveToken(ctx, credential)
		if err == nil {
			r.tokens.put(sum, p, now)
		}
		return p, err
	}
	return nil, errs.New(errs.Unauthorized, "unknown API key")
}

// tokenParser checks everything but the issuer and audience, which select
// the tenant (see resolveToken).
var tokenParser = jwt.NewParser(
	jwt.WithValidMethods(asymmetricAlgs),
	jwt.WithExpirationRequired(),
	jwt.WithIssuedAt(),
	jwt.WithLeeway(clockSkew),
)

// resolveToken verifies a user token and builds its principal. The
// token's issuer and audience select the tenant's jwt block; the key comes
// from that block's provider.
func (r *Registry) resolveToken(ctx context.Context, raw string) (*Principal, error) {
	if r.jwks == nil {
		return nil, errs.New(errs.Unauthorized, "user tokens are not accepted here")
	}
	var cfg *JWTConfig
	token, err := tokenParser.Parse(raw, func(t *jwt.Token) (any, error) {
		c, err := r.selectTenant(t.Claims)
		if err != nil {
			return nil, err
		}
		cfg = c
		p, err := r.jwks.get(c.JWKSURL)
		if err != nil {
			return nil, errors.Join(errProviderDown, err)
		}
		return p.keyFor(ctx, t)
	})
	switch {
	case errors.Is(err, errProviderDown):
		return nil, errs.Wrap(err, errs.BackendUnavailable, "the identity provider cannot be reached to check this token; try again later")
	case err != nil:
		return nil, errs.Wrap(err, errs.Unauthorized, "invalid token: %s", tokenProblem(err))
	}
	claims := token.Claims.(jwt.MapClaims)
	prefix, err := cfg.fillPrefix(claims)
	if err != nil {
		return nil, errs.Wrap(err, errs.Unauthorized, "invalid token: %v", err)
	}
	sub, _ := claims.GetSubject()
	exp, _ := claims.GetExpirationTime() // required by the parser
	return &Principal{
		Tenant: cfg.Tenant, Kind: KindJWT, ID: sub, Scopes: cfg.tokenScopes(claims),
		Buckets: cfg.Buckets, Prefix: prefix, Expires: exp.Time,
	}, nil
}

// selectTenant finds the jwt block whose issuer and audience the token
// names.
func (r *Registry) selectTenant(claims jwt.Claims) (*JWTConfig, error) {
	iss, err := claims.GetIssuer()
	if err != nil || iss == "" {
		return nil, errors.New("no issuer")
	}
	cs := r.byIssuer[iss]
	if len(cs) == 0 {
		return nil, errors.New("unknown issuer")
	}
	aud, err := claims.GetAudience()
	if err != nil {
		return nil, errors.New("unreadable audience")
	}
	for _, c := range cs {
		if slices.Contains(aud, c.Audience) {
			return c, nil
		}
	}
	return nil, errors.New("audience not accepted")
}

// tokenProblem names what is wrong with a token without echoing it.
func tokenProblem(err error) string {
	for _, k := range []struct {
		target error
		say    string
	}{
		{jwt.ErrTokenMalformed, "malformed"},
		{jwt.ErrTokenSignatureInvalid, "bad signature or algorithm"},
		{jwt.ErrTokenExpired, "expired"},
		{jwt.ErrTokenNotValidYet, "not valid yet"},
		{jwt.ErrTokenUsedBeforeIssued, "issued in the future"},
		{jwt.ErrTokenRequiredClaimMissing, "a required claim is missing"},
		{jwt.ErrTokenInvalidClaims, "invalid claims"},
	} {
		if errors.Is(err, k.target) {
			return k.say
		}
	}
	msg := err.Error()
	for _, known := range []string{"unknown issuer", "no issuer", "audience not accepted", "unreadable audience"} {
		if strings.Contains(msg, known) {
			return known
		}
	}
	return "unknown signing key"
}
