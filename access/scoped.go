package access

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// fileScopedKey is the YAML shape of one scopedKeys entry.
type fileScopedKey struct {
	ID      string   `yaml:"id"`
	Key     string   `yaml:"key"`
	Scopes  []string `yaml:"scopes"`
	Buckets []string `yaml:"buckets"`
	Prefix  string   `yaml:"prefix"`
	Expires string   `yaml:"expires"`
}

// scopedPrincipal validates one scopedKeys entry and builds its principal.
func scopedPrincipal(t *Tenant, fk fileScopedKey) (*Principal, error) {
	if !idPattern.MatchString(fk.ID) {
		return nil, errors.New("id must be 1-63 letters, digits, '.', '_' or '-'")
	}
	var problems []string
	scopes, err := parseScopes(fk.Scopes)
	switch {
	case err != nil:
		problems = append(problems, err.Error())
	case len(scopes) == 0:
		problems = append(problems, "no scopes")
	}
	buckets, err := parseBuckets(fk.Buckets)
	if err != nil {
		problems = append(problems, err.Error())
	}
	if err := ValidatePrefix(fk.Prefix); err != nil {
		problems = append(problems, err.Error())
	}
	var expires time.Time
	if fk.Expires != "" {
		if expires, err = time.Parse(time.RFC3339, fk.Expires); err != nil {
			problems = append(problems, "expires must be an RFC 3339 time such as 2027-06-30T00:00:00Z")
		}
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, ", "))
	}
	return &Principal{Tenant: t, Kind: KindScoped, ID: fk.ID, Scopes: scopes, Buckets: buckets, Prefix: fk.Prefix, Expires: expires}, nil
}

// parseBuckets checks a credential's bucket list: logical names, each once.
func parseBuckets(names []string) ([]string, error) {
	for i, b := range names {
		if b == "" || strings.ContainsAny(b, "/\\ ") || strings.ContainsFunc(b, unicode.IsControl) {
			return nil, fmt.Errorf("buckets[%d] %q is not a bucket name", i, b)
		}
		if slices.Contains(names[:i], b) {
			return nil, fmt.Errorf("buckets[%d] %q is listed twice", i, b)
		}
	}
	return slices.Clone(names), nil
}

// ValidatePrefix checks an object name prefix a credential is confined to:
// no path traversal, no backslash, no control characters, not starting
// with "/". The empty prefix is no limit.
func ValidatePrefix(p string) error {
	switch {
	case p == "":
		return nil
	case strings.HasPrefix(p, "/"):
		return fmt.Errorf("prefix %q must not start with '/'", p)
	case strings.Contains(p, "\\"):
		return fmt.Errorf("prefix %q must not contain '\\'", p)
	case strings.ContainsFunc(p, unicode.IsControl):
		return fmt.Errorf("prefix %q must not contain control characters", p)
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." || seg == "." {
			return fmt.Errorf("prefix %q must not contain '.' or '..' segments", p)
		}
	}
	if strings.Contains(p, "..") {
		return fmt.Errorf("prefix %q must not contain '..'", p)
	}
	return nil
}

// addScopedKeys validates a tenant's scoped keys and adds them to the
// registry, returning the problems found. keyOwner names the owner of each
// key digest seen so far, across tenants.
func (r *Registry) addScopedKeys(t *Tenant, tenant string, keys []fileScopedKey, keyOwner map[[32]byte]string) []string {
	var problems []string
	ids := map[string]bool{}
	for j, fk := range keys {
		where := fmt.Sprintf("tenant %s: scopedKeys[%d]", tenant, j)
		if fk.ID != "" {
			where = fmt.Sprintf("tenant %s: scoped key %s", tenant, fk.ID)
		}
		if ids[fk.ID] {
			problems = append(problems, where+": duplicate id")
			continue
		}
		ids[fk.ID] = true
		p, err := scopedPrincipal(t, fk)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", where, err))
			continue
		}
		h, err := keyHash(fk.Key)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: key: %v", where, err))
			continue
		}
		if owner, dup := keyOwner[h]; dup {
			problems = append(problems, fmt.Sprintf("%s: key is also a key of %s", where, owner))
			continue
		}
		keyOwner[h] = where
		r.byKey[h] = p
	}
	return problems
}

// same returns the tenant of r with t's id if nothing the store or the
// service uses differs, else t.
func (r *Registry) same(t *Tenant) *Tenant {
	if r == nil {
		return t
	}
	for _, old := range r.tenants {
		if old.ID == t.ID && old.BucketPrefix == t.BucketPrefix && old.AccessKey == t.AccessKey &&
			old.SecretKey == t.SecretKey && slices.Equal(old.NotificationTargets, t.NotificationTargets) {
			return old
		}
	}
	return t
}

// sharedAudiences refuses two tenants that accept tokens of the same
// issuer and audience: a token must select one tenant.
func sharedAudiences(byIssuer map[string][]*JWTConfig) []string {
	var problems []string
	for iss, cs := range byIssuer {
		for i, a := range cs {
			for _, b := range cs[:i] {
				if a.Audience == b.Audience {
					problems = append(problems, fmt.Sprintf("tenants %s and %s: jwt issuer %q with the same audience %q; give each tenant its own audience", b.Tenant.ID, a.Tenant.ID, iss, a.Audience))
				}
			}
		}
	}
	return problems
}
