package devidp

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"s3gateway/access"
)

func startProvider(t *testing.T) *Provider {
	t.Helper()
	p, err := Start(Options{Addr: "127.0.0.1:0", Audience: "demo-app", TTL: time.Minute, Origins: []string{"http://app.localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	return p
}

func getJSON(t *testing.T, req *http.Request, want int, into any) *http.Response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d", req.Method, req.URL, resp.StatusCode, want)
	}
	if into != nil {
		if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
			t.Fatal(err)
		}
	}
	return resp
}

func request(t *testing.T, method, url, origin string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	return req
}

// A token from /token is accepted by the gateway's own verifier, through
// discovery and the key set served over HTTP, and fills the tenant's
// prefix template.
func TestTokenVerifiesWithTheGateway(t *testing.T) {
	p := startProvider(t)
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	getJSON(t, request(t, http.MethodGet, p.URL()+"/.well-known/openid-configuration", ""), http.StatusOK, &disc)
	if disc.Issuer != p.URL() || disc.JWKSURI != p.JWKSURL() {
		t.Fatalf("discovery: %+v", disc)
	}

	reg, err := access.Parse([]byte(`
tenants:
  - id: demo
    bucketPrefix: demo-
    apiKeys: ["demo-api-key-0123456789abcdefghijkl"]
    s3: {accessKey: demo-svc, secretKey: demo-secret-value}
    jwt:
      issuer: ` + disc.Issuer + `
      audience: demo-app
      jwksUrl: ` + disc.JWKSURI + `
      scopes: [objects:read, objects:list]
      buckets: [userfiles]
      prefixTemplate: "users/{sub}/"
`))
	if err != nil {
		t.Fatal(err)
	}
	auth := access.NewAuthenticator(reg, access.JWKSOptions{})
	defer auth.Close()

	var tok Token
	resp := getJSON(t, request(t, http.MethodGet, p.URL()+"/token?sub=alice", "http://app.localhost"), http.StatusOK, &tok)
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "http://app.localhost" {
		t.Errorf("CORS origin %q", got)
	}
	if tok.TokenType != "Bearer" || tok.ExpiresIn != 60 {
		t.Errorf("token response %+v", tok)
	}
	principal, err := auth.Resolve(context.Background(), tok.AccessToken)
	if err != nil {
		t.Fatalf("the gateway refuses the token: %v", err)
	}
	if principal.Kind != access.KindJWT || principal.ID != "alice" || principal.Prefix != "users/alice/" {
		t.Fatalf("principal %+v", principal)
	}
	if left := time.Until(principal.Expires); left <= 0 || left > time.Minute {
		t.Errorf("expires in %v, want within the TTL", left)
	}
}

func TestTokenRefused(t *testing.T) {
	p := startProvider(t)
	for _, tc := range []struct {
		name, query, origin string
		want                int
	}{
		{"no subject", "", "", http.StatusBadRequest},
		{"subject with a slash", "sub=" + url.QueryEscape("alice/../bob"), "", http.StatusBadRequest},
		{"dot-dot subject", "sub=..", "", http.StatusBadRequest},
		{"another origin", "sub=alice", "http://evil.example", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body struct {
				Error       string `json:"error"`
				Description string `json:"error_description"`
			}
			resp := getJSON(t, request(t, http.MethodGet, p.URL()+"/token?"+tc.query, tc.origin), tc.want, &body)
			if body.Error == "" || body.Description == "" {
				t.Errorf("error body %+v", body)
			}
			if resp.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("a refused origin gets CORS headers")
			}
		})
	}
}

// Preflight of a browser on an allowed origin.
func TestTokenPreflight(t *testing.T) {
	p := startProvider(t)
	resp := getJSON(t, request(t, http.MethodOptions, p.URL()+"/token", "http://app.localhost"), http.StatusNoContent, nil)
	if !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "GET") {
		t.Errorf("preflight headers %v", resp.Header)
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0"} {
		if p, err := Start(Options{Addr: addr, Audience: "a"}); err == nil {
			p.Close()
			t.Errorf("Start(%q) listened", addr)
		}
	}
}
