package devidp

import (
	"encoding/json"
	"net"
	"net/http"
	"slices"
)

// routes serves discovery, the key set and the token endpoint.
func (p *Provider) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks.json", p.keySet)
	mux.HandleFunc("GET /token", p.token)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("OPTIONS /token", p.token)
	return mux
}

// discovery is the part of OpenID Connect discovery a resource server reads.
func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.issuer,
		"jwks_uri":                              p.JWKSURL(),
		"token_endpoint":                        p.issuer + "/token",
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"subject_types_supported":               []string{"public"},
		"response_types_supported":              []string{"token"},
	})
}

func (p *Provider) keySet(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(p.jwks)
}

// token mints a token for the sub query parameter (or form field). Only
// loopback clients are served, and from a browser only the allowed
// origins: another web page the developer happens to open cannot get one.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if !loopbackClient(r) {
		writeError(w, http.StatusForbidden, "the development identity provider serves loopback clients only")
		return
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		if !slices.Contains(p.origins, origin) {
			writeError(w, http.StatusForbidden, "origin "+origin+" may not ask for tokens (allowed: its -origins)")
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Vary", "Origin")
	}
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	tok, err := p.Mint(r.FormValue("sub"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, tok)
}

func loopbackClient(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers in the OAuth 2.0 error shape.
func writeError(w http.ResponseWriter, status int, message string) {
	code := "invalid_request"
	if status == http.StatusForbidden {
		code = "access_denied"
	}
	writeJSON(w, status, map[string]string{"error": code, "error_description": message})
}
