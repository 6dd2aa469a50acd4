package access

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// plain is the test's plain key named s: s padded to the shortest length
// the tenants file accepts (blank keys are left as they are).
func plain(s string) string {
	if len(s) >= MinPlainKeyLen || strings.TrimSpace(s) == "" {
		return s
	}
	return s + strings.Repeat("_", MinPlainKeyLen-len(s))
}

// tenantYAML is one tenant entry of a tenants file; plain keys are padded
// by plain, sha256: ones are kept.
func tenantYAML(id, prefix string, keys ...string) string {
	var b strings.Builder
	b.WriteString("  - id: " + id + "\n    bucketPrefix: " + prefix + "\n    apiKeys:\n")
	for _, k := range keys {
		if !strings.HasPrefix(k, hashPrefix) {
			k = plain(k)
		}
		b.WriteString("      - \"" + k + "\"\n")
	}
	b.WriteString("    s3: {accessKey: " + id + "-svc, secretKey: " + id + "-secret}\n")
	return b.String()
}

func tenantsFile(entries ...string) string {
	return "tenants:\n" + strings.Join(entries, "")
}

func TestParse(t *testing.T) {
	cases := []struct {
		name    string
		yaml    string
		wantErr []string // substrings of the error; none: must parse
		wantIDs []string
	}{
		{
			name:    "validFile",
			yaml:    tenantsFile(tenantYAML("acme", "acme-", "acme-key"), tenantYAML("beta", "beta-", "beta-key")),
			wantIDs: []string{"acme", "beta"},
		},
		{
			name:    "plainAndSha256Keys",
			yaml:    tenantsFile(tenantYAML("acme", "acme-", "plain-key", HashKey("hashed-key"))),
			wantIDs: []string{"acme"},
		},
		{
			name:    "sha256KeyInUpperCaseHex",
			yaml:    tenantsFile(tenantYAML("acme", "acme-", "sha256:"+strings.ToUpper(strings.TrimPrefix(HashKey("k"), "sha256:")))),
			wantIDs: []string{"acme"},
		},
		{
			name:    "duplicateIDs",
			yaml:    tenantsFile(tenantYAML("acme", "acme-", "k1"), tenantYAML("acme", "other-", "k2")),
			wantErr: []string{"tenant acme: duplicate id"},
		},
		{
			name:    "duplicateKeysAcrossTenants",
			yaml:    tenantsFile(tenantYAML("acme", "acme-", "same"), tenantYAML("beta", "beta-", "same")),
			wantErr: []string{"tenant beta: apiKeys[0] is also a key of tenant acme"},
		},
		{
			name:    "duplicateKeysWithinTenant",
			yaml:    tenantsFile(tenantYAML("acme", "acme-", "same", "same")),
			wantErr: []string{"tenant acme: apiKeys[1] is also a key of tenant acme"},
		},
		{
			name:    "plainKeyEqualsOtherTenantsHashedKey",
			yaml:    tenantsFile(tenantYAML("acme", "acme-", HashKey(plain("shared"))), tenantYAML("beta", "beta-", "shared")),
			wantErr: []string{"tenant beta: apiKeys[0] is also a key of tenant acme"},
		},
		{
			name: "missingCredentials",
			yaml: "tenants:\n  - id: acme\n    bucketPrefix: acme-\n    apiKeys: [k]\n    s3: {accessKey: a}\n" +
				"  - id: beta\n    bucketPrefix: beta-\n    apiKeys: [k2]\n",
			wantErr: []string{"tenant acme: missing s3.accessKey or s3.secretKey", "tenant beta: missing s3.accessKey or s3.secretKey"},
		},
		{
			name:    "missingID",
			yaml:    "tenants:\n  - bucketPrefix: acme-\n    apiKeys: [k]\n    s3: {accessKey: a, secretKey: s}\n",
			wantErr: []string{"tenant #1: missing id"},
		},
		{
			name:    "badID",
			yaml:    tenantsFile(tenantYAML("a b", "acme-", "k")),
			wantErr: []string{"tenant a b: id must be"},
		},
		{
			name:    "noAPIKeys",
			yaml:    "tenants:\n  - id: acme\n    bucketPrefix: acme-\n    s3: {accessKey: a, secretKey: s}\n",
			wantErr: []string{"tenant acme: no apiKeys"},
		},
		{
			name:    "emptyKey",
			yaml:    tenantsFile(tenantYAML("acme", "acme-", "  ")),
			wantErr: []string{"tenant acme: apiKeys[0]: empty key"},
		},
		{
			name:    "keyWithSurroundingSpace",
			yaml:    tenantsFile(tenantYAML("acme", "acme-", " key")),
			wantErr: []string{"tenant acme: apiKeys[0]: a key must not begin or end with white space"},
		},
		{
			name:    "keyWithControlCharacter",
			yaml:    tenantsFile(tenantYAML("acme", "acme-", `k\r\ney`)),
			wantErr: []string{"tenant acme: apiKeys[0]: a key must not begin or end with white space or contain control characters"},
		},
		{
			name:    "badSha256Key",
			yaml:    tenantsFile(tenantYAML("acme", "acme-", "sha256:abc")),
			wantErr: []string{"tenant acme: apiKeys[0]: sha256: key must be 64 hex digits"},
		},
		{
			name:    "missingPrefix",
			yaml:    tenantsFile(tenantYAML("acme", `""`, "k")),
			wantErr: []string{"tenant acme: missing bucketPrefix"},
		},
		{
			name:    "badPrefixUpperCase",
			yaml:    tenantsFile(tenantYAML("acme", "Acme-", "k")),
			wantErr: []string{`tenant acme: bucketPrefix "Acme-" must be`},
		},
		{
			name:    "badPrefixLeadingHyphen",
			yaml:    tenantsFile(tenantYAML("acme", "-acme", "k")),
			wantErr: []string{`tenant acme: bucketPrefix "-acme" must be`},
		},
		{
			name:    "badPrefixDoubleDot",
			yaml:    tenantsFile(tenantYAML("acme", "ac..me-", "k")),
			wantErr: []string{`tenant acme: bucketPrefix "ac..me-" must not contain`},
		},
		{
			name:    "badPrefixDotHyphen",
			yaml:    tenantsFile(tenantYAML("acme", "acme.-", "k")),
			wantErr: []string{`tenant acme: bucketPrefix "acme.-" must not contain`},
		},
		{
			name:    "badPrefixTooLong",
			yaml:    tenantsFile(tenantYAML("acme", strings.Repeat("a", MaxPrefixLen+1), "k")),
			wantErr: []string{"must be at most 60"},
		},
		{
			name:    "overlappingPrefixes",
			yaml:    tenantsFile(tenantYAML("acme", "acme-", "k1"), tenantYAML("acmex", "acme-x-", "k2")),
			wantErr: []string{`tenants acme and acmex: bucketPrefix "acme-" is a prefix of "acme-x-"`},
		},
		{
			name:    "samePrefix",
			yaml:    tenantsFile(tenantYAML("acme", "acme-", "k1"), tenantYAML("beta", "acme-", "k2")),
			wantErr: []string{`bucketPrefix "acme-" is a prefix of "acme-"`},
		},
		{
			name:    "unknownYAMLField",
			yaml:    "tenants:\n  - id: acme\n    bucketPrefix: acme-\n    apiKeys: [k]\n    apikey: typo\n    s3: {accessKey: a, secretKey: s}\n",
			wantErr: []string{"invalid YAML", "field apikey not found"},
		},
		{
			name:    "unknownTopLevelField",
			yaml:    "tenant: []\n",
			wantErr: []string{"invalid YAML", "field tenant not found"},
		},
		{
			name:    "emptyFile",
			yaml:    "",
			wantErr: []string{"invalid YAML"},
		},
		{
			name:    "noTenants",
			yaml:    "tenants: []\n",
			wantErr: []string{"no tenants defined"},
		},
		{
			name:    "notYAML",
			yaml:    "tenants: [",
			wantErr: []string{"invalid YAML"},
		},
		{
			name:    "shortPlainKey",
			yaml:    "tenants:\n  - {id: acme, bucketPrefix: acme-, apiKeys: [\"" + strings.Repeat("k", MinPlainKeyLen-1) + "\"], s3: {accessKey: a, secretKey: s}}\n",
			wantErr: []string{"tenant acme: apiKeys[0]: a plain key must be at least 32 characters"},
		},
		{
			name:    "shortKeyGivenAsDigest",
			yaml:    tenantsFile(tenantYAML("acme", "acme-", HashKey("short"))),
			wantIDs: []string{"acme"},
		},
		{
			name: "sameStoreUser",
			yaml: tenantsFile(tenantYAML("acme", "acme-", "k1")) +
				"  - {id: beta, bucketPrefix: beta-, apiKeys: [\"" + plain("k2") + "\"], s3: {accessKey: acme-svc, secretKey: other}}\n",
			wantErr: []string{"tenant beta: s3.accessKey is also the store user of tenant acme"},
		},
		{
			name: "notificationTargets",
			yaml: tenantsFile(tenantYAML("acme", "acme-", "k1")) +
				"    notificationTargets: [\"arn:minio:sqs::PRIMARY:webhook\", \"arn:aws:sqs:us-east-1:123456789012:queue\"]\n",
			wantIDs: []string{"acme"},
		},
		{
			name: "badNotificationTargets",
			yaml: tenantsFile(tenantYAML("acme", "acme-", "k1")) +
				"    notificationTargets: [\"webhook\", \"arn:minio:sqs\", \"arn:minio:sqs::A:webhook\", \"arn:minio:sqs::A:webhook\", \"arn:minio:sqs::A:web hook\"]\n",
			wantErr: []string{
				`tenant acme: notificationTargets[0] "webhook" must be an ARN`,
				`tenant acme: notificationTargets[1] "arn:minio:sqs" must be an ARN`,
				`tenant acme: notificationTargets[3] "arn:minio:sqs::A:webhook" is listed twice`,
				`tenant acme: notificationTargets[4] "arn:minio:sqs::A:web hook" must be an ARN`,
			},
		},
		{
			name: "everyProblemReported",
			yaml: tenantsFile(tenantYAML("acme", "Bad", "sha256:zz"), tenantYAML("acme", "acme-", "k")),
			wantErr: []string{
				`tenant acme: bucketPrefix "Bad" must be`,
				"tenant acme: apiKeys[0]: sha256: key must be 64 hex digits",
				"tenant acme: duplicate id",
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reg, err := Parse([]byte(tc.yaml))
			if len(tc.wantErr) > 0 {
				if err == nil {
					t.Fatalf("parsed; want an error with %q", tc.wantErr)
				}
				for _, want := range tc.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q lacks %q", err, want)
					}
				}
				if reg != nil {
					t.Errorf("a registry with the error")
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var ids []string
			for _, tn := range reg.All() {
				ids = append(ids, tn.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tc.wantIDs, ",") {
				t.Fatalf("tenants %v, want %v", ids, tc.wantIDs)
			}
		})
	}
}

func TestParseKeepsFields(t *testing.T) {
	reg, err := Parse([]byte(tenantsFile(tenantYAML("acme", "acme-", "k"))))
	if err != nil {
		t.Fatal(err)
	}
	got := reg.All()[0]
	if got.ID != "acme" || got.BucketPrefix != "acme-" || got.AccessKey != "acme-svc" || got.SecretKey != "acme-secret" {
		t.Fatalf("tenant %+v", got)
	}
	// All returns a copy: changing it does not change the registry.
	all := reg.All()
	all[0] = nil
	if reg.All()[0] == nil {
		t.Fatal("All exposes the registry's slice")
	}
}

func TestNotificationTargets(t *testing.T) {
	reg, err := Parse([]byte(tenantsFile(
		tenantYAML("acme", "acme-", "k1")+"    notificationTargets: [\"arn:minio:sqs::ACME:webhook\"]\n",
		tenantYAML("beta", "beta-", "k2"),
	)))
	if err != nil {
		t.Fatal(err)
	}
	acme, beta := reg.All()[0], reg.All()[1]
	if len(acme.NotificationTargets) != 1 || !acme.AllowsTarget("arn:minio:sqs::ACME:webhook") {
		t.Errorf("acme's targets %v", acme.NotificationTargets)
	}
	for _, arn := range []string{"arn:minio:sqs::BETA:webhook", "arn:minio:sqs::ACME:webhook2", "ARN:MINIO:SQS::ACME:WEBHOOK", ""} {
		if acme.AllowsTarget(arn) {
			t.Errorf("acme allows %q", arn)
		}
	}
	// Default: none.
	if len(beta.NotificationTargets) != 0 || beta.AllowsTarget("arn:minio:sqs::ACME:webhook") {
		t.Errorf("beta's targets %v", beta.NotificationTargets)
	}
}

// A value in the wrong place may be a key or a secret: the error names the
// line and the expected type, never the value.
func TestYAMLErrorsQuoteNoValue(t *testing.T) {
	const secret = "Zq7xWv2KpL9mRt4YbN8cHs3FdJ6gQw1E"
	for name, doc := range map[string]string{
		"keyAsString": "tenants:\n  - id: acme\n    bucketPrefix: acme-\n    apiKeys: \"" + secret + "\"\n    s3: {accessKey: a, secretKey: s}\n",
		"keyAsNumber": "tenants:\n  - id: acme\n    bucketPrefix: acme-\n    apiKeys: [k]\n    s3: {accessKey: a, secretKey: [\"" + secret + "\"]}\n",
		"secretAsMap": "tenants:\n  - id: acme\n    bucketPrefix: acme-\n    apiKeys: [k]\n    s3: \"" + secret + "\"\n",
		"idIsList":    "tenants:\n  - id: [\"" + secret + "\"]\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(doc))
			if err == nil {
				t.Fatal("parsed")
			}
			if !strings.Contains(err.Error(), "invalid YAML") || !strings.Contains(err.Error(), "line ") {
				t.Errorf("error %q does not say where", err)
			}
			for i := 0; i+3 <= len(secret); i++ {
				if strings.Contains(err.Error(), secret[i:i+3]) {
					t.Fatalf("error %q quotes part of the value (%q)", err, secret[i:i+3])
				}
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/tenants.yaml"
	if err := os.WriteFile(path, []byte(tenantsFile(tenantYAML("acme", "acme-", "k"))), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if _, err := Load(dir + "/missing.yaml"); err == nil || !strings.Contains(err.Error(), "read tenants file") {
		t.Fatalf("missing file: %v", err)
	}
	if err := os.WriteFile(path, []byte("tenants: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("bad file: error %v does not name the file", err)
	}
}

func TestAuthenticate(t *testing.T) {
	reg, err := Parse([]byte(tenantsFile(
		tenantYAML("acme", "acme-", "acme-plain", HashKey("acme-hashed")),
		tenantYAML("beta", "beta-", "beta-plain"),
	)))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		key    string
		wantID string // "": not authenticated
	}{
		{"plainKey", plain("acme-plain"), "acme"},
		{"hashedKey", "acme-hashed", "acme"},
		{"otherTenantsKey", plain("beta-plain"), "beta"},
		{"wrongKey", plain("acme-plain") + "x", ""},
		{"keyPrefix", plain("acme-plain")[:MinPlainKeyLen-1], ""},
		{"hashItselfIsNotAKey", HashKey("acme-hashed"), ""},
		{"hexOfHashIsNotAKey", strings.TrimPrefix(HashKey("acme-hashed"), "sha256:"), ""},
		{"caseMatters", strings.ToUpper(plain("acme-plain")), ""},
		{"emptyKey", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := reg.Authenticate(tc.key)
			if tc.wantID == "" {
				if ok || got != nil {
					t.Fatalf("authenticated as %+v", got)
				}
				return
			}
			if !ok || got == nil || got.ID != tc.wantID {
				t.Fatalf("got %+v, %v; want %s", got, ok, tc.wantID)
			}
		})
	}
}

// TestAuthenticateLooksUpTheDigest checks by the function's structure that
// Authenticate never compares or iterates over key material: the presented
// key is used only to be hashed with sha256.Sum256 (and checked for being
// empty), there is no loop, and the digest is used as a map index. Its cost
// therefore depends neither on the number of keys nor on which key matched
// or how much of one (BenchmarkAuthenticate shows the first).
func TestAuthenticateLooksUpTheDigest(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "tenants.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var fn *ast.FuncDecl
	for _, d := range f.Decls {
		if d, ok := d.(*ast.FuncDecl); ok && d.Name.Name == "Authenticate" && d.Recv != nil {
			fn = d
		}
	}
	if fn == nil {
		t.Fatal("no (*Registry).Authenticate in tenants.go")
	}
	param := fn.Type.Params.List[0].Names[0].Name

	var hashes, lookups int
	allowed := map[*ast.Ident]bool{} // uses of the key that are fine
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.RangeStmt, *ast.ForStmt:
			t.Errorf("%s: a loop in Authenticate", fset.Position(n.Pos()))
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, _ := sel.X.(*ast.Ident)
			switch {
			case pkg != nil && pkg.Name == "sha256" && sel.Sel.Name == "Sum256":
				hashes++
				ast.Inspect(n, func(m ast.Node) bool {
					if id, ok := m.(*ast.Ident); ok && id.Name == param {
						allowed[id] = true
					}
					return true
				})
			case pkg != nil && (pkg.Name == "subtle" || pkg.Name == "bytes" || pkg.Name == "strings" || pkg.Name == "reflect"):
				t.Errorf("%s: %s.%s in Authenticate: key material compared", fset.Position(n.Pos()), pkg.Name, sel.Sel.Name)
			}
		case *ast.BinaryExpr:
			// key == "" is the one comparison allowed on the key.
			if id, ok := n.X.(*ast.Ident); ok && id.Name == param {
				if lit, ok := n.Y.(*ast.BasicLit); ok && lit.Value == `""` {
					allowed[id] = true
				}
			}
		case *ast.IndexExpr:
			if _, ok := n.Index.(*ast.CallExpr); ok {
				lookups++
			}
		}
		return true
	})
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == param && !allowed[id] {
			t.Errorf("%s: the key is used other than to hash it", fset.Position(id.Pos()))
		}
		return true
	})
	if hashes != 1 || lookups != 1 {
		t.Errorf("Authenticate hashes %d times and looks up %d digests; want the key's digest looked up once", hashes, lookups)
	}
}

// A key matches whichever tenant's list it is in, first or last: the loop
// does not depend on the order of the tenants.
func TestAuthenticateFindsAnyPosition(t *testing.T) {
	var entries []string
	for _, id := range []string{"t1", "t2", "t3", "t4"} {
		entries = append(entries, tenantYAML(id, id+"-", id+"-k1", HashKey(id+"-k2")))
	}
	reg, err := Parse([]byte(tenantsFile(entries...)))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"t1", "t2", "t3", "t4"} {
		for _, k := range []string{plain(id + "-k1"), id + "-k2"} {
			if got, ok := reg.Authenticate(k); !ok || got.ID != id {
				t.Errorf("%s: got %+v", k, got)
			}
		}
	}
}

func TestHashKey(t *testing.T) {
	// sha256 of "acme-demo-key", as in the contract's example.
	const want = "sha256:8676d15d94dabdd1283e6c407e2bb08a7b5c13b4e3667d4795c17172e080a3d4"
	if got := HashKey("acme-demo-key"); got != want {
		t.Fatalf("HashKey = %s, want %s", got, want)
	}
}

func TestContext(t *testing.T) {
	if _, ok := FromContext(context.Background()); ok {
		t.Fatal("tenant in an empty context")
	}
	if _, ok := FromContext(NewContext(context.Background(), nil)); ok {
		t.Fatal("nil tenant reported as present")
	}
	tn := &Tenant{ID: "acme"}
	if got, ok := FromContext(NewContext(context.Background(), tn)); !ok || got != tn {
		t.Fatalf("got %v, %v", got, ok)
	}
}

// BenchmarkAuthenticate shows that authenticating costs the same with 10
// and with 10,000 configured keys (one per tenant), for a key that matches
// and for one that does not.
func BenchmarkAuthenticate(b *testing.B) {
	for _, n := range []int{10, 10_000} {
		var entries []string
		for i := range n {
			id := "t" + strconv.Itoa(i)
			entries = append(entries, tenantYAML(id, id+"-", HashKey(plain(id))))
		}
		reg, err := Parse([]byte(tenantsFile(entries...)))
		if err != nil {
			b.Fatal(err)
		}
		known, unknown := plain("t"+strconv.Itoa(n/2)), plain("nobody")
		b.Run("keys="+strconv.Itoa(n)+"/known", func(b *testing.B) {
			for b.Loop() {
				if _, ok := reg.Authenticate(known); !ok {
					b.Fatal("known key refused")
				}
			}
		})
		b.Run("keys="+strconv.Itoa(n)+"/unknown", func(b *testing.B) {
			for b.Loop() {
				if _, ok := reg.Authenticate(unknown); ok {
					b.Fatal("unknown key accepted")
				}
			}
		})
	}
}
