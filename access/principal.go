package access

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Kind is the kind of credential a request was made with.
type Kind string

// The kinds of credential.
const (
	KindTenant Kind = "tenant" // a tenant API key: everything the tenant may do
	KindScoped Kind = "scoped" // a scoped API key from the tenants file
	KindJWT    Kind = "jwt"    // a user token from the tenant's identity provider
)

// Principal is who a request acts as: the tenant and the limits of the
// credential it presented. It is immutable once built.
type Principal struct {
	Tenant *Tenant
	Kind   Kind
	// ID names the credential: the tenant id for a tenant key, the scoped
	// key's id, the token's subject.
	ID     string
	Scopes []Scope
	// Buckets are the logical buckets the credential may reach; empty: all
	// of the tenant's.
	Buckets []string
	// Prefix is what every object name the credential reaches starts with;
	// empty: any name.
	Prefix string
	// Expires is when the credential stops working; zero: never.
	Expires time.Time
}

// TenantPrincipal is the principal of a tenant key: every scope, no limit.
func TenantPrincipal(t *Tenant) *Principal {
	return &Principal{Tenant: t, Kind: KindTenant, ID: t.ID, Scopes: AllScopes()}
}

// Has reports whether the credential holds scope s.
func (p *Principal) Has(s Scope) bool { return slices.Contains(p.Scopes, s) }

// AllowsBucket reports whether the credential may reach the logical bucket.
func (p *Principal) AllowsBucket(bucket string) bool {
	return len(p.Buckets) == 0 || slices.Contains(p.Buckets, bucket)
}

// AllowsName reports whether an object name lies under the credential's
// prefix. The name must already be checked for traversal (service does).
func (p *Principal) AllowsName(name string) bool {
	return strings.HasPrefix(name, p.Prefix)
}

// Unlimited reports whether the credential is a tenant key.
func (p *Principal) Unlimited() bool { return p.Kind == KindTenant }

// ExpiredAt reports whether the credential has expired at now.
func (p *Principal) ExpiredAt(now time.Time) bool {
	return !p.Expires.IsZero() && !now.Before(p.Expires)
}

type ctxKey struct{}

// NewContext returns a context that carries the tenant key principal of t.
// Code that needs only the tenant keeps using FromContext.
func NewContext(ctx context.Context, t *Tenant) context.Context {
	if t == nil {
		return WithPrincipal(ctx, nil)
	}
	return WithPrincipal(ctx, TenantPrincipal(t))
}

// WithPrincipal returns a context that carries p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// PrincipalFromContext returns the principal of ctx, if any.
func PrincipalFromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(*Principal)
	return p, ok && p != nil && p.Tenant != nil
}

// FromContext returns the tenant of ctx, if any.
func FromContext(ctx context.Context) (*Tenant, bool) {
	p, ok := PrincipalFromContext(ctx)
	if !ok {
		return nil, false
	}
	return p.Tenant, true
}
