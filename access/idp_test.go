package access

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// testIDP is an identity provider for tests: RSA and EC keys made per run,
// its key set served over HTTP, tokens minted per case.
type testIDP struct {
	srv     *httptest.Server
	issuer  string
	mu      sync.Mutex
	keys    map[string]crypto.Signer // published keys by kid
	down    atomic.Bool              // answer 503 to key set fetches
	fetches atomic.Int64
}

func newTestIDP(t testing.TB) *testIDP {
	t.Helper()
	idp := &testIDP{keys: map[string]crypto.Signer{}}
	idp.addKey(t, "rsa-1", rsaKey(t))
	idp.addKey(t, "ec-1", ecKey(t))
	idp.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		idp.fetches.Add(1)
		if idp.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(idp.jwks())
	}))
	t.Cleanup(idp.srv.Close)
	idp.issuer = "https://idp.test/"
	return idp
}

func rsaKey(t testing.TB) crypto.Signer {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ecKey(t testing.TB) crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (idp *testIDP) addKey(_ testing.TB, kid string, k crypto.Signer) {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	idp.keys[kid] = k
}

func (idp *testIDP) url() string { return idp.srv.URL + "/jwks.json" }

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (idp *testIDP) jwks() map[string]any {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	var keys []map[string]any
	for kid, k := range idp.keys {
		switch pub := k.Public().(type) {
		case *rsa.PublicKey:
			keys = append(keys, map[string]any{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
				"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes())})
		case *ecdsa.PublicKey:
			point, _ := pub.Bytes() // 0x04 || X || Y
			keys = append(keys, map[string]any{"kty": "EC", "kid": kid, "use": "sig", "alg": "ES256", "crv": "P-256",
				"x": b64(point[1:33]), "y": b64(point[33:])})
		}
	}
	return map[string]any{"keys": keys}
}

// claims are a valid token's claims for audience aud and subject sub.
func (idp *testIDP) claims(aud, sub string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{"iss": idp.issuer, "aud": aud, "sub": sub, "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix()}
}

// mint signs claims with the published key kid.
func (idp *testIDP) mint(t testing.TB, kid string, claims jwt.MapClaims) string {
	t.Helper()
	idp.mu.Lock()
	k := idp.keys[kid]
	idp.mu.Unlock()
	return signWith(t, kid, k, claims)
}

func signWith(t testing.TB, kid string, k crypto.Signer, claims jwt.MapClaims) string {
	t.Helper()
	method := jwt.SigningMethod(jwt.SigningMethodRS256)
	if _, ok := k.(*ecdsa.PrivateKey); ok {
		method = jwt.SigningMethodES256
	}
	tok := jwt.NewWithClaims(method, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
