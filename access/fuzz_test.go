package access

import (
	"bytes"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzParse parses arbitrary tenants files. Parse never panics, and a
// registry it returns authenticates each plain key of the file, as a header
// carries it, as the tenant that lists it, and nothing for an empty key.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		tenantsFile(tenantYAML("acme", "acme-", "acme-key", HashKey("hashed")), tenantYAML("beta", "beta-", "beta-key")),
		tenantsFile(tenantYAML("acme", "acme-", "same"), tenantYAML("beta", "beta-", "same")),
		tenantsFile(tenantYAML("acme", "acme-", "k1"), tenantYAML("acmex", "acme-x-", "k2")),
		"tenants:\n  - id: a\n    bucketPrefix: a-\n    apiKeys: [\" spaced \", \"sha256:ABC\"]\n    s3: {accessKey: x, secretKey: y}\n",
		"tenants:\n  - {id: a, bucketPrefix: a-, apiKeys: [k], s3: {accessKey: x, secretKey: y}, extra: 1}\n",
		"tenants: [{id: a, bucketPrefix: a-, apiKeys: [k, k2], s3: {accessKey: x, secretKey: y}}]\n---\ntenants: []\n",
		"tenants: &x [*x]\n", "", "tenants: {}\n", "- a\n- b\n", "tenants:\n  - ~\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		reg, err := Parse(data)
		if err != nil {
			if reg != nil {
				t.Fatal("a registry with an error")
			}
			return
		}
		if tn, ok := reg.Authenticate(""); ok || tn != nil {
			t.Fatal("the empty key authenticates")
		}
		var doc struct {
			Tenants []struct {
				ID      string   `yaml:"id"`
				APIKeys []string `yaml:"apiKeys"`
			} `yaml:"tenants"`
		}
		if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
			t.Fatalf("Parse accepted what plain YAML decoding refuses: %v", err)
		}
		if len(doc.Tenants) != len(reg.All()) {
			t.Fatalf("%d tenants in the file, %d in the registry", len(doc.Tenants), len(reg.All()))
		}
		for _, ft := range doc.Tenants {
			for _, k := range ft.APIKeys {
				if strings.HasPrefix(k, hashPrefix) {
					continue
				}
				// As the auth middleware reads it from a header.
				tn, ok := reg.Authenticate(strings.TrimSpace(k))
				if !ok || tn.ID != ft.ID {
					t.Fatalf("plain key %q of tenant %q authenticates as %+v, %v", k, ft.ID, tn, ok)
				}
			}
		}
	})
}
