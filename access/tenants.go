// Package access reads the tenants file and resolves credentials to tenants.
//
// A tenant has API keys, its own S3 credentials, a bucket prefix and the
// store notification targets it may use. Keys are kept only as SHA-256
// digests, and a presented key is found by looking its digest up in a map:
// the time taken does not depend on how many keys there are, and the only
// thing compared is a digest, which says nothing useful about any key.
package access

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Tenant is one configured tenant.
type Tenant struct {
	ID           string
	BucketPrefix string
	AccessKey    string
	SecretKey    string
	// NotificationTargets are the store notification targets (ARNs) the
	// tenant may name in its buckets' notification configurations.
	NotificationTargets []string
}

// AllowsTarget reports whether the tenant may use the store notification
// target arn (an exact match with one of its NotificationTargets).
func (t *Tenant) AllowsTarget(arn string) bool {
	return slices.Contains(t.NotificationTargets, arn)
}

// Registry is an immutable set of tenants, as one tenants file defines them.
type Registry struct {
	tenants []*Tenant
	// byKey maps the SHA-256 of each API key, tenant or scoped, to the
	// principal it resolves to.
	byKey map[[sha256.Size]byte]*Principal
	// byIssuer holds the tenants' jwt blocks by token issuer.
	byIssuer map[string][]*JWTConfig
	// jwks verifies token signatures; nil until an Authenticator serves
	// the registry (tokens are then refused).
	jwks *providers
	// tokens caches verified tokens; a reload starts with an empty one.
	tokens *tokenCache
}

// file is the YAML shape of the tenants file. The types are named so that
// decoding errors name them rather than spell out their fields.
type file struct {
	Tenants []fileTenant `yaml:"tenants"`
}

type fileTenant struct {
	ID                  string          `yaml:"id"`
	BucketPrefix        string          `yaml:"bucketPrefix"`
	APIKeys             []string        `yaml:"apiKeys"`
	S3                  s3Credentials   `yaml:"s3"`
	NotificationTargets []string        `yaml:"notificationTargets"`
	ScopedKeys          []fileScopedKey `yaml:"scopedKeys"`
	JWT                 *fileJWT        `yaml:"jwt"`
}

type s3Credentials struct {
	AccessKey string `yaml:"accessKey"`
	SecretKey string `yaml:"secretKey"`
}

// hashPrefix marks a key given as its SHA-256 hash in hex.
const hashPrefix = "sha256:"

var (
	idPattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$`)
	// A prefix is the start of an S3 bucket name: lowercase letters, digits,
	// dots and hyphens, beginning with a letter or digit.
	prefixPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`)
	hexPattern    = regexp.MustCompile(`^[0-9a-f]{64}$`)
	// An ARN: arn:partition:service:region:account:resource, where region
	// and account may be empty (arn:minio:sqs::PRIMARY:webhook).
	arnPattern = regexp.MustCompile(`^arn:[a-zA-Z0-9-]+:[a-zA-Z0-9-]+:[^:\s]*:[^:\s]*:[^\s]+$`)
	// yamlValue is a value yaml.v3 quotes in its errors ("cannot unmarshal
	// !!str `abc...` into ..."); it may be part of a key.
	yamlValue = regexp.MustCompile("`[^`]*`")
)

// MinPlainKeyLen is the shortest plain API key the tenants file accepts.
// Keys given as sha256: digests are the operator's business.
const MinPlainKeyLen = 32

// MaxPrefixLen leaves room for a three-character bucket name within S3's 63.
const MaxPrefixLen = 60

// Load reads and validates the tenants file at path.
func Load(path string) (*Registry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read tenants file: %w", err)
	}
	reg, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("tenants file %s: %w", path, err)
	}
	return reg, nil
}

// Parse validates a tenants file and builds the registry. Every problem is
// reported, each naming the tenant it belongs to.
func Parse(data []byte) (*Registry, error) { return parse(data, nil) }

// parse is Parse keeping, from prev, the *Tenant of every tenant whose
// store-facing settings did not change, so that store clients keyed by
// tenant survive a reload.
func parse(data []byte, prev *Registry) (*Registry, error) {
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, yamlError(err)
	}
	if len(f.Tenants) == 0 {
		return nil, errors.New("no tenants defined")
	}

	p := &tenantsParser{
		keyOwner:  map[[sha256.Size]byte]string{},
		storeUser: map[string]string{},
		ids:       map[string]bool{},
		reg:       &Registry{byKey: map[[sha256.Size]byte]*Principal{}, byIssuer: map[string][]*JWTConfig{}, tokens: newTokenCache()},
	}
	for i, ft := range f.Tenants {
		p.tenant(i, ft, prev)
	}
	reg, problems := p.reg, p.problems
	problems = append(problems, sharedAudiences(reg.byIssuer)...)
	problems = append(problems, overlappingPrefixes(reg.tenants)...)
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	return reg, nil
}

// yamlError reports a tenants file YAML cannot decode without quoting any
// value from it: a value in the wrong place may be a key or a secret.
func yamlError(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs := make([]string, len(te.Errors))
		for i, m := range te.Errors {
			msgs[i] = yamlValue.ReplaceAllString(m, "a value")
		}
		return errors.New("invalid YAML: " + strings.Join(msgs, "; "))
	}
	return errors.New("invalid YAML: " + yamlValue.ReplaceAllString(err.Error(), "a value"))
}

// overlappingPrefixes reports tenants whose prefixes would let one tenant's
// bucket names fall inside another's namespace ("acme-" and "acme-x-").
func overlappingPrefixes(ts []*Tenant) []string {
	var problems []string
	sorted := append([]*Tenant(nil), ts...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].BucketPrefix < sorted[j].BucketPrefix })
	for i := range sorted {
		for j := i + 1; j < len(sorted); j++ {
			a, b := sorted[i], sorted[j]
			if a.BucketPrefix == "" || !strings.HasPrefix(b.BucketPrefix, a.BucketPrefix) {
				break
			}
			problems = append(problems, fmt.Sprintf("tenants %s and %s: bucketPrefix %q is a prefix of %q, so their buckets would overlap", a.ID, b.ID, a.BucketPrefix, b.BucketPrefix))
		}
	}
	return problems
}

// keyHash returns the SHA-256 of a key given plainly or as "sha256:<hex>".
func keyHash(k string) ([sha256.Size]byte, error) {
	var h [sha256.Size]byte
	if hexDigest, ok := strings.CutPrefix(k, hashPrefix); ok {
		hexDigest = strings.ToLower(hexDigest)
		if !hexPattern.MatchString(hexDigest) {
			return h, errors.New("sha256: key must be 64 hex digits")
		}
		_, err := hex.Decode(h[:], []byte(hexDigest))
		return h, err
	}
	if strings.TrimSpace(k) == "" {
		return h, errors.New("empty key")
	}
	// A key travels in a header, which loses surrounding white space and
	// cannot hold control characters: such a key could never match.
	if strings.TrimSpace(k) != k || strings.ContainsFunc(k, unicode.IsControl) {
		return h, errors.New("a key must not begin or end with white space or contain control characters")
	}
	if utf8.RuneCountInString(k) < MinPlainKeyLen {
		return h, fmt.Errorf("a plain key must be at least %d characters (or give its sha256: digest)", MinPlainKeyLen)
	}
	return sha256.Sum256([]byte(k)), nil
}

// HashKey returns the "sha256:<hex>" form of a plain key, for the tenants file.
func HashKey(plain string) string {
	h := sha256.Sum256([]byte(plain))
	return hashPrefix + hex.EncodeToString(h[:])
}

// Authenticate returns the tenant whose tenant key is key (scoped keys and
// tokens: Resolve). The key's SHA-256 digest is
// looked up in a map: the cost does not grow with the number of keys, and
// no key material is compared, only digests, which tell an attacker timing
// the lookup nothing about any key.
func (r *Registry) Authenticate(key string) (*Tenant, bool) {
	if key == "" {
		return nil, false
	}
	p, ok := r.byKey[sha256.Sum256([]byte(key))]
	if !ok || p.Kind != KindTenant {
		return nil, false
	}
	return p.Tenant, true
}

// All returns the tenants in file order.
func (r *Registry) All() []*Tenant {
	return append([]*Tenant(nil), r.tenants...)
}
