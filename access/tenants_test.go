package access

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// tenantYAML is one tenant entry of a tenants file.
func tenantYAML(id, prefix string, keys ...string) string {
	var b strings.Builder
	b.WriteString("  - id: " + id + "\n    bucketPrefix: " + prefix + "\n    apiKeys:\n")
	for _, k := range keys {
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
			yaml:    tenantsFile(tenantYAML("acme", "acme-", HashKey("shared")), tenantYAML("beta", "beta-", "shared")),
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
		{"plainKey", "acme-plain", "acme"},
		{"hashedKey", "acme-hashed", "acme"},
		{"otherTenantsKey", "beta-plain", "beta"},
		{"wrongKey", "acme-plainx", ""},
		{"keyPrefix", "acme-plai", ""},
		{"hashItselfIsNotAKey", HashKey("acme-hashed"), ""},
		{"hexOfHashIsNotAKey", strings.TrimPrefix(HashKey("acme-hashed"), "sha256:"), ""},
		{"caseMatters", "ACME-PLAIN", ""},
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

// TestAuthenticateExaminesEveryKey checks by the function's structure that
// Authenticate compares the presented key with every stored key, each in
// constant time: its loops hold no return, break or goto, the only
// comparison of key material is subtle.ConstantTimeCompare, and it returns
// once, after the loops. The time it takes therefore depends on the number
// of stored keys only, never on which key matched or how much of it.
func TestAuthenticateExaminesEveryKey(t *testing.T) {
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

	var loops, compares, returnsAfterLoops int
	inLoop := 0
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.RangeStmt, *ast.ForStmt:
			loops++
			inLoop++
			var body *ast.BlockStmt
			if r, ok := n.(*ast.RangeStmt); ok {
				body = r.Body
			} else {
				body = n.(*ast.ForStmt).Body
			}
			ast.Inspect(body, visit)
			inLoop--
			return false
		case *ast.ReturnStmt:
			if inLoop > 0 {
				t.Errorf("%s: return inside the key loop", fset.Position(n.Pos()))
			} else if loops > 0 {
				returnsAfterLoops++
			}
		case *ast.BranchStmt:
			if inLoop > 0 && n.Tok != token.CONTINUE || n.Label != nil {
				t.Errorf("%s: %s inside the key loop", fset.Position(n.Pos()), n.Tok)
			}
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
				pkg, _ := sel.X.(*ast.Ident)
				switch {
				case pkg != nil && pkg.Name == "subtle" && sel.Sel.Name == "ConstantTimeCompare":
					if inLoop == 0 {
						t.Errorf("%s: comparison outside the key loop", fset.Position(n.Pos()))
					}
					compares++
				case pkg != nil && (pkg.Name == "bytes" || pkg.Name == "strings" || pkg.Name == "reflect"):
					t.Errorf("%s: %s.%s on key material: not constant time", fset.Position(n.Pos()), pkg.Name, sel.Sel.Name)
				}
			}
		case *ast.BinaryExpr:
			if inLoop > 0 && (n.Op == token.EQL || n.Op == token.NEQ) {
				if c, ok := n.Y.(*ast.BasicLit); !ok || c.Value != "1" {
					t.Errorf("%s: == or != inside the key loop other than on ConstantTimeCompare's result", fset.Position(n.Pos()))
				}
			}
		}
		return true
	}
	ast.Inspect(fn.Body, visit)
	if loops == 0 || compares != 1 {
		t.Errorf("Authenticate has %d loops and %d constant-time comparisons; want the keys compared in a loop", loops, compares)
	}
	if returnsAfterLoops != 1 {
		t.Errorf("Authenticate returns %d times after its loop; want once", returnsAfterLoops)
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
		for _, k := range []string{id + "-k1", id + "-k2"} {
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
