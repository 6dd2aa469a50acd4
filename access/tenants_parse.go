package access

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
)

// tenantsParser validates the tenants of one file in order, building the
// registry and collecting every problem; what one tenant claims (its id,
// keys, store user) is remembered to find duplicates in the next ones.
type tenantsParser struct {
	reg      *Registry
	problems []string
	ids      map[string]bool
	// keyOwner: the principal ("tenant x", a scoped key) each key digest belongs to.
	keyOwner  map[[sha256.Size]byte]string
	storeUser map[string]string // s3.accessKey: the tenant that has it
}

func (p *tenantsParser) add(format string, args ...any) {
	p.problems = append(p.problems, fmt.Sprintf(format, args...))
}

// tenant validates the i-th tenant of the file and adds it to the registry,
// keeping prev's *Tenant if its store-facing settings did not change.
func (p *tenantsParser) tenant(i int, ft fileTenant, prev *Registry) {
	name := ft.ID
	if name == "" {
		name = fmt.Sprintf("#%d", i+1)
	}
	t := &Tenant{ID: ft.ID, BucketPrefix: ft.BucketPrefix, AccessKey: ft.S3.AccessKey, SecretKey: ft.S3.SecretKey}
	p.checkID(name, ft.ID)
	p.checkPrefix(name, ft.BucketPrefix)
	p.checkStoreUser(name, ft.S3)
	t.NotificationTargets = p.notificationTargets(name, ft.NotificationTargets)
	t = prev.same(t)
	p.apiKeys(t, name, ft.APIKeys)
	p.problems = append(p.problems, p.reg.addScopedKeys(t, name, ft.ScopedKeys, p.keyOwner)...)
	if ft.JWT != nil {
		if jc, err := parseJWTConfig(t, *ft.JWT); err != nil {
			p.add("tenant %s: jwt: %v", name, err)
		} else {
			p.reg.byIssuer[jc.Issuer] = append(p.reg.byIssuer[jc.Issuer], jc)
		}
	}
	p.reg.tenants = append(p.reg.tenants, t)
}

func (p *tenantsParser) checkID(name, id string) {
	switch {
	case id == "":
		p.add("tenant %s: missing id", name)
	case !idPattern.MatchString(id):
		p.add("tenant %s: id must be 1-63 letters, digits, '.', '_' or '-'", name)
	case p.ids[id]:
		p.add("tenant %s: duplicate id", name)
	}
	p.ids[id] = true
}

func (p *tenantsParser) checkPrefix(name, prefix string) {
	switch {
	case prefix == "":
		p.add("tenant %s: missing bucketPrefix", name)
	case len(prefix) > MaxPrefixLen || !prefixPattern.MatchString(prefix):
		p.add("tenant %s: bucketPrefix %q must be at most %d lowercase letters, digits, '.' or '-', starting with a letter or digit", name, prefix, MaxPrefixLen)
	case strings.Contains(prefix, "..") || strings.Contains(prefix, ".-") || strings.Contains(prefix, "-."):
		// No bucket name with such a prefix would be valid in S3.
		p.add("tenant %s: bucketPrefix %q must not contain '..', '.-' or '-.'", name, prefix)
	}
}

func (p *tenantsParser) checkStoreUser(name string, s3 s3Credentials) {
	if s3.AccessKey == "" || s3.SecretKey == "" {
		p.add("tenant %s: missing s3.accessKey or s3.secretKey", name)
	} else if owner, dup := p.storeUser[s3.AccessKey]; dup {
		// Provisioning would give the one store user the policy of
		// whichever tenant came last.
		p.add("tenant %s: s3.accessKey is also the store user of tenant %s", name, owner)
	} else {
		p.storeUser[s3.AccessKey] = name
	}
}

// notificationTargets returns the valid targets of arns, in order, once each.
func (p *tenantsParser) notificationTargets(name string, arns []string) []string {
	var valid []string
	for j, arn := range arns {
		switch {
		case !arnPattern.MatchString(arn):
			p.add("tenant %s: notificationTargets[%d] %q must be an ARN such as arn:minio:sqs::PRIMARY:webhook", name, j, arn)
		case slices.Contains(arns[:j], arn):
			p.add("tenant %s: notificationTargets[%d] %q is listed twice", name, j, arn)
		default:
			valid = append(valid, arn)
		}
	}
	return valid
}

// apiKeys registers the tenant keys of t.
func (p *tenantsParser) apiKeys(t *Tenant, name string, keys []string) {
	if len(keys) == 0 {
		p.add("tenant %s: no apiKeys", name)
	}
	tp := TenantPrincipal(t)
	for j, k := range keys {
		h, err := keyHash(k)
		if err != nil {
			p.add("tenant %s: apiKeys[%d]: %v", name, j, err)
			continue
		}
		if owner, dup := p.keyOwner[h]; dup {
			p.add("tenant %s: apiKeys[%d] is also a key of %s", name, j, owner)
			continue
		}
		p.keyOwner[h] = "tenant " + name
		p.reg.byKey[h] = tp
	}
}
