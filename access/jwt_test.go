package access

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"s3gateway/errs"
)

// jwtTenants is a tenants file with two tenants that share idp, told
// apart by audience.
func jwtTenants(idp *testIDP) string {
	block := func(aud, claim string) string {
		return fmt.Sprintf("    jwt:\n      issuer: %q\n      audience: %s\n      jwksUrl: %s\n"+
			"      scopes: [objects:read, objects:list, objects:write]\n%s      buckets: [user-files]\n      prefixTemplate: \"users/{sub}/\"\n",
			idp.issuer, aud, idp.url(), claim)
	}
	return tenantsFile(
		tenantYAML("acme", "acme-", "acme-key")+block("acme-app", ""),
		tenantYAML("beta", "beta-", "beta-key")+block("beta-app", "      scopeClaim: scope\n"),
	)
}

func newJWTAuth(t testing.TB, idp *testIDP) *Authenticator {
	t.Helper()
	reg, err := Parse([]byte(jwtTenants(idp)))
	if err != nil {
		t.Fatal(err)
	}
	a := NewAuthenticator(reg, JWKSOptions{UnknownKIDInterval: time.Millisecond})
	t.Cleanup(a.Close)
	return a
}

func TestResolveToken(t *testing.T) {
	idp := newTestIDP(t)
	a := newJWTAuth(t, idp)
	ctx := context.Background()

	for _, kid := range []string{"rsa-1", "ec-1"} {
		p, err := a.Resolve(ctx, idp.mint(t, kid, idp.claims("acme-app", "alice")))
		if err != nil {
			t.Fatalf("%s: %v", kid, err)
		}
		if p.Tenant.ID != "acme" || p.Kind != KindJWT || p.ID != "alice" || p.Prefix != "users/alice/" ||
			len(p.Scopes) != 3 || len(p.Buckets) != 1 || p.Expires.IsZero() {
			t.Fatalf("%s: principal %+v", kid, p)
		}
	}
	// The same provider, another audience: the other tenant, whose scopes
	// come from the token's scope claim, intersected with its block's.
	c := idp.claims("beta-app", "bob")
	c["scope"] = "objects:read buckets:manage openid"
	p, err := a.Resolve(ctx, idp.mint(t, "rsa-1", c))
	if err != nil {
		t.Fatal(err)
	}
	if p.Tenant.ID != "beta" || len(p.Scopes) != 1 || p.Scopes[0] != ObjectsRead {
		t.Fatalf("principal %+v", p)
	}
}

func TestResolveTokenRefused(t *testing.T) {
	idp := newTestIDP(t)
	a := newJWTAuth(t, idp)
	now := time.Now()
	with := func(mod func(jwt.MapClaims)) jwt.MapClaims {
		c := idp.claims("acme-app", "alice")
		mod(c)
		return c
	}
	rsaPub := idp.keys["rsa-1"].Public().(*rsa.PublicKey)
	pubDER, _ := x509.MarshalPKIXPublicKey(rsaPub)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, idp.claims("acme-app", "alice"))
	hs.Header["kid"] = "rsa-1"
	hsToken, _ := hs.SignedString(pubPEM)
	none := jwt.NewWithClaims(jwt.SigningMethodNone, idp.claims("acme-app", "alice"))
	noneToken, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)

	cases := map[string]string{
		"expired":          idp.mint(t, "rsa-1", with(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Hour).Unix() })),
		"noExpiry":         idp.mint(t, "rsa-1", with(func(c jwt.MapClaims) { delete(c, "exp") })),
		"notYetValid":      idp.mint(t, "rsa-1", with(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Hour).Unix() })),
		"wrongIssuer":      idp.mint(t, "rsa-1", with(func(c jwt.MapClaims) { c["iss"] = "https://evil.test/" })),
		"wrongAudience":    idp.mint(t, "rsa-1", with(func(c jwt.MapClaims) { c["aud"] = "other-app" })),
		"algNone":          noneToken,
		"hs256PublicKey":   hsToken,
		"unknownKid":       signWith(t, "rsa-9", rsaKey(t), idp.claims("acme-app", "alice")),
		"keyNotInJWKS":     signWith(t, "rsa-1", rsaKey(t), idp.claims("acme-app", "alice")),
		"missingSub":       idp.mint(t, "ec-1", with(func(c jwt.MapClaims) { delete(c, "sub") })),
		"subWithSlash":     idp.mint(t, "ec-1", with(func(c jwt.MapClaims) { c["sub"] = "alice/../bob" })),
		"subDotDot":        idp.mint(t, "ec-1", with(func(c jwt.MapClaims) { c["sub"] = ".." })),
		"subControl":       idp.mint(t, "ec-1", with(func(c jwt.MapClaims) { c["sub"] = "al\nice" })),
		"tamperedPayload":  tamper(idp.mint(t, "rsa-1", idp.claims("acme-app", "alice"))),
		"garbageThreeDots": "a.b.c",
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := a.Resolve(context.Background(), tok)
			if err == nil || !errs.Is(err, errs.Unauthorized) {
				t.Fatalf("got %+v, %v; want 401", p, err)
			}
		})
	}
}

// tamper swaps the payload's subject without re-signing.
func tamper(tok string) string {
	parts := strings.Split(tok, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	payload = []byte(strings.Replace(string(payload), `"alice"`, `"bobby"`, 1))
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, ".")
}

func TestResolveTokenKeyRotation(t *testing.T) {
	idp := newTestIDP(t)
	a := newJWTAuth(t, idp)
	ctx := context.Background()
	if _, err := a.Resolve(ctx, idp.mint(t, "rsa-1", idp.claims("acme-app", "alice"))); err != nil {
		t.Fatal(err)
	}
	idp.addKey(t, "rsa-2", rsaKey(t))
	time.Sleep(5 * time.Millisecond) // past the unknown-kid rate limit
	if _, err := a.Resolve(ctx, idp.mint(t, "rsa-2", idp.claims("acme-app", "alice"))); err != nil {
		t.Fatalf("the new key is not picked up: %v", err)
	}
}

func TestResolveTokenProviderDown(t *testing.T) {
	idp := newTestIDP(t)
	a := newJWTAuth(t, idp)
	ctx := context.Background()
	if _, err := a.Resolve(ctx, idp.mint(t, "rsa-1", idp.claims("acme-app", "alice"))); err != nil {
		t.Fatal(err)
	}
	idp.down.Store(true)
	// A key not cached while the provider is down: the token cannot be
	// checked, which is the provider's failure, not the caller's.
	idp.addKey(t, "rsa-2", rsaKey(t))
	time.Sleep(5 * time.Millisecond)
	_, err := a.Resolve(ctx, idp.mint(t, "rsa-2", idp.claims("acme-app", "alice")))
	if !errs.Is(err, errs.BackendUnavailable) {
		t.Fatalf("uncached key, provider down: %v; want 503", err)
	}
	// Cached keys keep working.
	if _, err := a.Resolve(ctx, idp.mint(t, "rsa-1", idp.claims("acme-app", "alice"))); err != nil {
		t.Fatalf("cached key, provider down: %v", err)
	}
	st := a.Providers()
	if len(st) != 1 || st[0].Reachable || st[0].JWKSURL != idp.url() {
		t.Fatalf("provider status %+v", st)
	}
	idp.down.Store(false)
	time.Sleep(5 * time.Millisecond)
	if _, err := a.Resolve(ctx, idp.mint(t, "rsa-2", idp.claims("acme-app", "alice"))); err != nil {
		t.Fatalf("provider back: %v", err)
	}
	if st := a.Providers(); !st[0].Reachable {
		t.Fatalf("provider status %+v after it came back", st)
	}
}

func TestParseJWTBlock(t *testing.T) {
	base := func(extra string) string {
		return tenantsFile(tenantYAML("acme", "acme-", "acme-key") + "    jwt:\n" + extra)
	}
	ok := "      issuer: https://idp/\n      audience: a\n      scopes: [objects:read]\n"
	cases := map[string]string{
		"httpNotLoopback": ok + "      jwksUrl: http://idp.example/jwks\n",
		"noURL":           ok,
		"unknownScope":    "      issuer: i\n      audience: a\n      jwksUrl: https://idp/jwks\n      scopes: [objects:steal]\n",
		"templateDotDot":  ok + "      jwksUrl: https://idp/jwks\n      prefixTemplate: \"../{sub}/\"\n",
		"templateBrace":   ok + "      jwksUrl: https://idp/jwks\n      prefixTemplate: \"users/{sub/\"\n",
	}
	for name, y := range cases {
		if _, err := Parse([]byte(base(y))); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, u := range []string{"https://idp.example/jwks", "http://127.0.0.1:9/jwks", "http://localhost/jwks", "http://[::1]:8/jwks"} {
		if _, err := Parse([]byte(base(ok + "      jwksUrl: " + u + "\n"))); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	two := tenantsFile(
		tenantYAML("acme", "acme-", "acme-key")+"    jwt:\n"+ok+"      jwksUrl: https://idp/jwks\n",
		tenantYAML("beta", "beta-", "beta-key")+"    jwt:\n"+ok+"      jwksUrl: https://idp/jwks\n")
	if _, err := Parse([]byte(two)); err == nil || !strings.Contains(err.Error(), "same audience") {
		t.Errorf("two tenants, one issuer and audience: %v", err)
	}
}

// BenchmarkResolveToken is the cost of a token already verified (the
// common case: an app re-sends its token) and of verifying a new token
// with a cached key (issue target: at most 30 µs of CPU). Besides the
// wall time per op, each reports cpu-ns/op: the CPU time of the loop's own
// thread, which other work on a busy machine does not inflate.
func BenchmarkResolveToken(b *testing.B) {
	idp := newTestIDP(b)
	a := newJWTAuth(b, idp)
	ctx := context.Background()
	for _, kid := range []string{"rsa-1", "ec-1"} {
		tok := idp.mint(b, kid, idp.claims("acme-app", "alice"))
		if _, err := a.Resolve(ctx, tok); err != nil {
			b.Fatal(err)
		}
		b.Run(kid+"/seen", func(b *testing.B) {
			b.ReportAllocs()
			loopCPU(b, func() {
				if _, err := a.Resolve(ctx, tok); err != nil {
					b.Fatal(err)
				}
			})
		})
		b.Run(kid+"/verify", func(b *testing.B) {
			b.ReportAllocs()
			loopCPU(b, func() {
				if _, err := a.Registry().resolveToken(ctx, tok); err != nil {
					b.Fatal(err)
				}
			})
		})
		// The signature check alone, the floor of any verifier: what
		// verify costs beyond it is the gateway's and the libraries' own.
		b.Run(kid+"/signature", func(b *testing.B) {
			pub := idp.keys[kid].Public()
			method := jwt.GetSigningMethod(map[string]string{"rsa-1": "RS256", "ec-1": "ES256"}[kid])
			dot := strings.LastIndexByte(tok, '.')
			sig, err := base64.RawURLEncoding.DecodeString(tok[dot+1:])
			if err != nil {
				b.Fatal(err)
			}
			loopCPU(b, func() {
				if err := method.Verify(tok[:dot], sig, pub); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// loopCPU runs op in b's loop on one OS thread and reports that thread's
// CPU time per op as cpu-ns/op.
func loopCPU(b *testing.B, op func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := threadCPU(b)
	n := 0
	for b.Loop() {
		op()
		n++
	}
	b.ReportMetric(float64(threadCPU(b)-before)/float64(n), "cpu-ns/op")
}

// threadCPU is the calling thread's user and system time.
func threadCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rusageThread is Linux's RUSAGE_THREAD, which package syscall does not
// name.
const rusageThread = 1
