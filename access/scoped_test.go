package access

import (
	"context"
	"strings"
	"testing"

	"s3gateway/errs"
)

func scopedFile(entries ...string) string {
	return tenantsFile(tenantYAML("acme", "acme-", "acme-key") + "    scopedKeys:\n" + strings.Join(entries, ""))
}

func scopedEntry(fields string) string { return "      - {" + fields + "}\n" }

func TestParseScopedKeys(t *testing.T) {
	key := `key: "` + plain("gallery-key") + `"`
	refused := map[string]string{
		"unknownScope":   scopedFile(scopedEntry("id: g, " + key + ", scopes: [objects:steal]")),
		"noScopes":       scopedFile(scopedEntry("id: g, " + key)),
		"prefixDotDot":   scopedFile(scopedEntry("id: g, " + key + ", scopes: [objects:read], prefix: users/../x/")),
		"prefixSlash":    scopedFile(scopedEntry("id: g, " + key + ", scopes: [objects:read], prefix: /users/")),
		"prefixBack":     scopedFile(scopedEntry("id: g, " + key + `, scopes: [objects:read], prefix: "users\\x"`)),
		"prefixControl":  scopedFile(scopedEntry("id: g, " + key + `, scopes: [objects:read], prefix: "users\tx"`)),
		"shortKey":       scopedFile(scopedEntry("id: g, key: short, scopes: [objects:read]")),
		"badExpires":     scopedFile(scopedEntry("id: g, " + key + ", scopes: [objects:read], expires: tomorrow")),
		"duplicateID":    scopedFile(scopedEntry("id: g, "+key+", scopes: [objects:read]"), scopedEntry(`id: g, key: "`+plain("other-key")+`", scopes: [objects:read]`)),
		"duplicateKey":   scopedFile(scopedEntry("id: g, "+key+", scopes: [objects:read]"), scopedEntry("id: h, "+key+", scopes: [objects:read]")),
		"tenantKeyReuse": scopedFile(scopedEntry(`id: g, key: "` + plain("acme-key") + `", scopes: [objects:read]`)),
		"unknownField":   scopedFile(scopedEntry("id: g, " + key + ", scopes: [objects:read], admin: true")),
	}
	for name, y := range refused {
		if _, err := Parse([]byte(y)); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "gallery-key") {
			t.Errorf("%s: the error quotes the key: %v", name, err)
		}
	}

	reg, err := Parse([]byte(scopedFile(
		scopedEntry("id: g, "+key+", scopes: [objects:list, objects:read], buckets: [photos], prefix: public/, expires: 2099-06-30T00:00:00Z"),
		scopedEntry(`id: old, key: "`+HashKey(plain("old-key"))+`", scopes: [objects:read], expires: 2020-06-30T00:00:00Z`),
	)))
	if err != nil {
		t.Fatal(err)
	}
	p, err := reg.Resolve(context.Background(), plain("gallery-key"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != KindScoped || p.ID != "g" || p.Prefix != "public/" || len(p.Scopes) != 2 || p.Scopes[0] != ObjectsRead || p.Expires.Year() != 2099 {
		t.Fatalf("principal %+v", p)
	}
	if _, ok := reg.Authenticate(plain("gallery-key")); ok {
		t.Error("a scoped key authenticates as the tenant")
	}
	if _, err := reg.Resolve(context.Background(), plain("old-key")); !errs.Is(err, errs.Unauthorized) {
		t.Errorf("expired key: %v; want 401", err)
	}
}
