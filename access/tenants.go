// Package access reads the tenants file and resolves credentials to tenants.
//
// A tenant has API keys, its own S3 credentials and a bucket prefix. Keys are
// kept only as SHA-256 hashes and compared in constant time, so neither the
// file's plain keys nor the comparison leak a key.
package access

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// Tenant is one configured tenant.
type Tenant struct {
	ID           string
	BucketPrefix string
	AccessKey    string
	SecretKey    string
	keyHashes    [][sha256.Size]byte
}

// Registry is the immutable set of tenants loaded at startup.
type Registry struct {
	tenants []*Tenant
}

// file is the YAML shape of the tenants file.
type file struct {
	Tenants []struct {
		ID           string   `yaml:"id"`
		BucketPrefix string   `yaml:"bucketPrefix"`
		APIKeys      []string `yaml:"apiKeys"`
		S3           struct {
			AccessKey string `yaml:"accessKey"`
			SecretKey string `yaml:"secretKey"`
		} `yaml:"s3"`
	} `yaml:"tenants"`
}

// hashPrefix marks a key given as its SHA-256 hash in hex.
const hashPrefix = "sha256:"

var (
	idPattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$`)
	// A prefix is the start of an S3 bucket name: lowercase letters, digits,
	// dots and hyphens, beginning with a letter or digit.
	prefixPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`)
	hexPattern    = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

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
func Parse(data []byte) (*Registry, error) {
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("invalid YAML: %w", err)
	}
	if len(f.Tenants) == 0 {
		return nil, errors.New("no tenants defined")
	}

	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	ids := map[string]bool{}
	keyOwner := map[[sha256.Size]byte]string{}
	reg := &Registry{}
	for i, ft := range f.Tenants {
		name := ft.ID
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
		}
		t := &Tenant{ID: ft.ID, BucketPrefix: ft.BucketPrefix, AccessKey: ft.S3.AccessKey, SecretKey: ft.S3.SecretKey}
		switch {
		case ft.ID == "":
			add("tenant %s: missing id", name)
		case !idPattern.MatchString(ft.ID):
			add("tenant %s: id must be 1-63 letters, digits, '.', '_' or '-'", name)
		case ids[ft.ID]:
			add("tenant %s: duplicate id", name)
		}
		ids[ft.ID] = true
		switch {
		case ft.BucketPrefix == "":
			add("tenant %s: missing bucketPrefix", name)
		case len(ft.BucketPrefix) > MaxPrefixLen || !prefixPattern.MatchString(ft.BucketPrefix):
			add("tenant %s: bucketPrefix %q must be at most %d lowercase letters, digits, '.' or '-', starting with a letter or digit", name, ft.BucketPrefix, MaxPrefixLen)
		case strings.Contains(ft.BucketPrefix, "..") || strings.Contains(ft.BucketPrefix, ".-") || strings.Contains(ft.BucketPrefix, "-."):
			// No bucket name with such a prefix would be valid in S3.
			add("tenant %s: bucketPrefix %q must not contain '..', '.-' or '-.'", name, ft.BucketPrefix)
		}
		if ft.S3.AccessKey == "" || ft.S3.SecretKey == "" {
			add("tenant %s: missing s3.accessKey or s3.secretKey", name)
		}
		if len(ft.APIKeys) == 0 {
			add("tenant %s: no apiKeys", name)
		}
		for j, k := range ft.APIKeys {
			h, err := keyHash(k)
			if err != nil {
				add("tenant %s: apiKeys[%d]: %v", name, j, err)
				continue
			}
			if owner, dup := keyOwner[h]; dup {
				add("tenant %s: apiKeys[%d] is also a key of tenant %s", name, j, owner)
				continue
			}
			keyOwner[h] = name
			t.keyHashes = append(t.keyHashes, h)
		}
		reg.tenants = append(reg.tenants, t)
	}
	problems = append(problems, overlappingPrefixes(reg.tenants)...)
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	return reg, nil
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
	return sha256.Sum256([]byte(k)), nil
}

// HashKey returns the "sha256:<hex>" form of a plain key, for the tenants file.
func HashKey(plain string) string {
	h := sha256.Sum256([]byte(plain))
	return hashPrefix + hex.EncodeToString(h[:])
}

// Authenticate returns the tenant that owns key. Every stored hash is
// compared in constant time, and the loop never stops early, so the time
// taken says nothing about which key, or how much of one, matched.
func (r *Registry) Authenticate(key string) (*Tenant, bool) {
	if key == "" {
		return nil, false
	}
	h := sha256.Sum256([]byte(key))
	var found *Tenant
	for _, t := range r.tenants {
		for i := range t.keyHashes {
			if subtle.ConstantTimeCompare(h[:], t.keyHashes[i][:]) == 1 {
				found = t
			}
		}
	}
	return found, found != nil
}

// All returns the tenants in file order.
func (r *Registry) All() []*Tenant {
	return append([]*Tenant(nil), r.tenants...)
}

type ctxKey struct{}

// NewContext returns a context that carries t.
func NewContext(ctx context.Context, t *Tenant) context.Context {
	return context.WithValue(ctx, ctxKey{}, t)
}

// FromContext returns the tenant of ctx, if any.
func FromContext(ctx context.Context) (*Tenant, bool) {
	t, ok := ctx.Value(ctxKey{}).(*Tenant)
	return t, ok && t != nil
}
