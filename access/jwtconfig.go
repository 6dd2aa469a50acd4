package access

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"unicode"
)

// fileJWT is the YAML shape of a tenant's jwt block.
type fileJWT struct {
	Issuer         string   `yaml:"issuer"`
	Audience       string   `yaml:"audience"`
	JWKSURL        string   `yaml:"jwksUrl"`
	Scopes         []string `yaml:"scopes"`
	ScopeClaim     string   `yaml:"scopeClaim"`
	Buckets        []string `yaml:"buckets"`
	PrefixTemplate string   `yaml:"prefixTemplate"`
}

// JWTConfig is how a tenant accepts user tokens from its identity provider.
type JWTConfig struct {
	Tenant   *Tenant
	Issuer   string
	Audience string
	JWKSURL  string
	// Scopes are the most a token may have; with ScopeClaim set, a token
	// has those of its claim that are also here.
	Scopes     []Scope
	ScopeClaim string
	Buckets    []string
	// PrefixTemplate is the object name prefix with {claim} placeholders.
	PrefixTemplate string
}

// placeholder is one {claim} in a prefix template.
var placeholder = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_.:-]*)\}`)

// parseJWTConfig validates a tenant's jwt block.
func parseJWTConfig(t *Tenant, fj fileJWT) (*JWTConfig, error) {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if fj.Issuer == "" {
		add("missing issuer")
	}
	if fj.Audience == "" {
		add("missing audience")
	}
	if err := checkJWKSURL(fj.JWKSURL); err != nil {
		add("%v", err)
	}
	scopes, err := parseScopes(fj.Scopes)
	switch {
	case err != nil:
		add("%v", err)
	case len(scopes) == 0:
		add("no scopes")
	}
	buckets, err := parseBuckets(fj.Buckets)
	if err != nil {
		add("%v", err)
	}
	literal := placeholder.ReplaceAllString(fj.PrefixTemplate, "x")
	if strings.ContainsAny(literal, "{}") {
		add("prefixTemplate %q: a placeholder is {claim}, a claim name of letters, digits, '_', '.', ':' or '-'", fj.PrefixTemplate)
	} else if err := ValidatePrefix(literal); err != nil {
		add("prefixTemplate: %v", err)
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, ", "))
	}
	return &JWTConfig{
		Tenant: t, Issuer: fj.Issuer, Audience: fj.Audience, JWKSURL: fj.JWKSURL,
		Scopes: scopes, ScopeClaim: fj.ScopeClaim, Buckets: buckets, PrefixTemplate: fj.PrefixTemplate,
	}, nil
}

// checkJWKSURL requires https, except on a loopback host.
func checkJWKSURL(raw string) error {
	if raw == "" {
		return errors.New("missing jwksUrl")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("jwksUrl %q is not an absolute URL", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
	}
	return fmt.Errorf("jwksUrl %q must use https (plain http only on a loopback host)", raw)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// fillPrefix fills the template with the token's claims. A claim used must
// be a non-empty string without '/', '..' or control characters, so a
// user cannot name a prefix outside their own.
func (c *JWTConfig) fillPrefix(claims map[string]any) (string, error) {
	var bad error
	out := placeholder.ReplaceAllStringFunc(c.PrefixTemplate, func(m string) string {
		name := m[1 : len(m)-1]
		v, ok := claims[name].(string)
		switch {
		case !ok || v == "":
			bad = fmt.Errorf("the token has no %q claim, which the tenant's prefix needs", name)
		case strings.Contains(v, "/") || strings.Contains(v, "\\") || strings.Contains(v, "..") || strings.ContainsFunc(v, unicode.IsControl):
			bad = fmt.Errorf("the token's %q claim cannot be part of an object name prefix", name)
		}
		return v
	})
	if bad != nil {
		return "", bad
	}
	return out, nil
}

// tokenScopes are the block's scopes, or, with a scope claim, those of
// the claim's space-separated list that the block also has.
func (c *JWTConfig) tokenScopes(claims map[string]any) []Scope {
	if c.ScopeClaim == "" {
		return c.Scopes
	}
	var names []string
	switch v := claims[c.ScopeClaim].(type) {
	case string:
		names = strings.Fields(v)
	case []any: // some providers send a list
		for _, s := range v {
			if str, ok := s.(string); ok {
				names = append(names, str)
			}
		}
	}
	var out []Scope
	for _, s := range c.Scopes {
		for _, n := range names {
			if string(s) == n {
				out = append(out, s)
				break
			}
		}
	}
	return out
}
