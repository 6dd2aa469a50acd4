package bucketpolicy

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"s3gateway/errs"
)

// stmt is a complete statement with resource r, for building documents.
func stmt(r string) string {
	return `{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "` + r + `"}`
}

func TestParse_accepts(t *testing.T) {
	for _, c := range []struct {
		name       string
		doc        string
		statements int
		check      func(t *testing.T, doc *Document)
	}{
		{name: "list of statements", doc: `{"Version": "2012-10-17", "Id": "x", "Statement": [` + stmt("arn:aws:s3:::b/*") + `, ` + stmt("arn:aws:s3:::b/a*") + `]}`, statements: 2,
			check: func(t *testing.T, doc *Document) {
				if doc.Version != "2012-10-17" || doc.ID != "x" {
					t.Errorf("version %q, id %q", doc.Version, doc.ID)
				}
			}},
		{name: "one statement object", doc: `{"Statement": ` + stmt("arn:aws:s3:::b/*") + `}`, statements: 1},
		{name: "lists and single strings", doc: `{"Statement": [{"Sid": "s", "Effect": "Deny", "Principal": {"AWS": ["*"]}, "Action": ["s3:GetObject", "s3:PutObject"], "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}]}`, statements: 1,
			check: func(t *testing.T, doc *Document) {
				s := doc.Statement[0]
				if len(s.Action) != 2 || len(s.Resource) != 2 || s.Sid != "s" {
					t.Errorf("statement %+v", s)
				}
			}},
		{name: "Not elements", doc: `{"Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b/keep/*"}]}`, statements: 1},
		{name: "empty condition dropped", doc: `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {}}]}`, statements: 1,
			check: func(t *testing.T, doc *Document) {
				if doc.Statement[0].Condition != nil {
					t.Errorf("condition kept: %v", doc.Statement[0].Condition)
				}
			}},
		{name: "condition values keep their JSON", doc: `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"Bool": {"aws:SecureTransport": true}, "NumericLessThan": {"s3:max-keys": [10, 20]}}}]}`, statements: 1,
			check: func(t *testing.T, doc *Document) {
				if got := string(doc.Statement[0].Condition["NumericLessThan"]["s3:max-keys"]); got != "[10, 20]" {
					t.Errorf("condition value %s", got)
				}
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc, err := Parse([]byte(c.doc))
			if err != nil {
				t.Fatal(err)
			}
			if len(doc.Statement) != c.statements {
				t.Fatalf("%d statements, want %d", len(doc.Statement), c.statements)
			}
			if c.check != nil {
				c.check(t, doc)
			}
		})
	}
}

func TestParse_refuses(t *testing.T) {
	long := strings.Repeat("k", 200)
	for _, c := range []struct {
		name, doc string
		want      string // in the message
	}{
		{"malformed JSON", `{"Statement": [`, "malformed JSON"},
		{"empty", ``, "malformed JSON"},
		{"not an object", `["s3:GetObject"]`, "the document must be a JSON object"},
		{"no statement", `{"Version": "2012-10-17"}`, "the policy document has no statements"},
		{"empty statement list", `{"Statement": []}`, "the policy document has no statements"},
		{"unknown document element", `{"Statment": [` + stmt("arn:aws:s3:::b/*") + `]}`, `the document has an unknown element "Statment"`},
		{"element spelled in lower case", `{"statement": [` + stmt("arn:aws:s3:::b/*") + `]}`, `the document has an unknown element "statement"`},
		{"unknown statement element", `{"Statement": [` + stmt("arn:aws:s3:::b/*") + `, {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Colour": "red"}]}`, `statement 2 has an unknown element "Colour"`},
		{"long unknown element cut short", `{"` + long + `": 1, "Statement": [` + stmt("arn:aws:s3:::b/*") + `]}`, `unknown element "` + long[:64] + `..."`},
		{"Statement not a statement", `{"Statement": 5}`, "Statement must be a statement or a list of statements"},
		{"statement not an object", `{"Statement": ["s3:GetObject"]}`, "statement 1 must be an object"},
		{"Version of the wrong type", `{"Version": 5, "Statement": [` + stmt("arn:aws:s3:::b/*") + `]}`, "element Version has the wrong type"},
		{"Action a number", `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": 5, "Resource": "arn:aws:s3:::b/*"}]}`, "Action, Resource and condition values must be strings or lists of strings"},
		{"bad effect", `{"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}`, `statement 1 of the policy document is invalid: the Effect must be "Allow" or "Deny"`},
		{"no principal", `{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}`, "a Principal is required"},
		{"Principal and NotPrincipal", `{"Statement": [{"Effect": "Allow", "Principal": "*", "NotPrincipal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}`, "Principal and NotPrincipal exclude each other"},
		{"principal a number", `{"Statement": [{"Effect": "Allow", "Principal": 5, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}`, `a principal must be "*" or an object`},
		{"no action", `{"Statement": [{"Effect": "Allow", "Principal": "*", "Resource": "arn:aws:s3:::b/*"}]}`, "an Action is required"},
		{"Action and NotAction", `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "NotAction": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}]}`, "Action and NotAction exclude each other"},
		{"NotAction for a named principal", `{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "NotAction": "s3:DeleteObject", "Resource": "arn:aws:s3:::b/*"}]}`, "NotAction is not supported"},
		{"no resource", `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]}`, "a Resource is required"},
		{"Resource and NotResource", `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "NotResource": "arn:aws:s3:::b/x"}]}`, "Resource and NotResource exclude each other"},
		{"second statement counted", `{"Statement": [` + stmt("arn:aws:s3:::b/*") + `, {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]}`, "statement 2 of the policy document is invalid"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.doc))
			e, ok := errs.As(err)
			if !ok || e.Code != errs.InvalidPolicyDocument {
				t.Fatalf("got %v, want an InvalidPolicyDocument error", err)
			}
			if !strings.Contains(e.Message, c.want) {
				t.Errorf("message %q does not say %q", e.Message, c.want)
			}
			if len(e.Message) > 300 {
				t.Errorf("message of %d bytes echoes the input: %q", len(e.Message), e.Message)
			}
		})
	}
}

func TestParseStored(t *testing.T) {
	// The store's documents are taken as they are, without Parse's checks.
	doc, err := ParseStored([]byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::acme-b/*"], "Condition": {}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Statement) != 1 || doc.Statement[0].Condition != nil {
		t.Errorf("stored document read as %+v", doc)
	}
	if _, err := ParseStored([]byte(`{"Statement": [`)); err == nil {
		t.Error("malformed stored document read without error")
	}
}

func TestMarshal(t *testing.T) {
	for _, c := range []struct {
		name string
		doc  *Document
		want string // "" for nil
	}{
		{"nil", nil, ""},
		{"no statements", &Document{Version: version}, ""},
		{"version filled in", &Document{Statement: Statements{{Effect: "Allow"}}}, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}`},
		{"version and id kept", &Document{Version: "v", ID: "i", Statement: Statements{{Effect: "Deny"}}}, `{"Version":"v","Id":"i","Statement":[{"Effect":"Deny"}]}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := Marshal(c.doc)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != c.want || c.want == "" && b != nil {
				t.Errorf("got %q, want %q", b, c.want)
			}
		})
	}
}

func TestToPhysical_roundTrip(t *testing.T) {
	const logical, prefix = "site", "acme-"
	physical := prefix + logical
	for _, c := range []struct {
		name        string
		resources   []string
		notResource bool
	}{
		{"bucket", []string{"arn:aws:s3:::site"}, false},
		{"objects", []string{"arn:aws:s3:::site/*"}, false},
		{"prefix patterns", []string{"arn:aws:s3:::site/a/b*", "arn:aws:s3:::site/?x/*"}, false},
		{"bucket and objects", []string{"arn:aws:s3:::site", "arn:aws:s3:::site/*"}, false},
		{"NotResource", []string{"arn:aws:s3:::site/private/*"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := Statement{Effect: "Allow", Principal: json.RawMessage(`"*"`), Action: StringList{"s3:GetObject"}}
			if c.notResource {
				s.NotResource = slices.Clone(c.resources)
			} else {
				s.Resource = slices.Clone(c.resources)
			}
			doc := &Document{Statement: Statements{s}}
			if err := doc.ToPhysical(logical, physical); err != nil {
				t.Fatal(err)
			}
			stored := doc.Statement[0].Resource
			if c.notResource {
				stored = doc.Statement[0].NotResource
			}
			for i, r := range stored {
				if want := strings.Replace(c.resources[i], ":::site", ":::"+physical, 1); r != want {
					t.Errorf("physical resource %q, want %q", r, want)
				}
			}
			doc.ToLogical(prefix)
			back := doc.Statement[0].Resource
			if c.notResource {
				back = doc.Statement[0].NotResource
			}
			if !slices.Equal(back, c.resources) {
				t.Errorf("round trip: %q, want %q", back, c.resources)
			}
		})
	}
}

func TestToPhysical_refusesOtherBuckets(t *testing.T) {
	for _, c := range []struct {
		name      string
		statement Statement
		want      string
	}{
		{"other bucket", Statement{Resource: StringList{"arn:aws:s3:::other/*"}}, "statement 1: resource 1 does not name bucket \"site\""},
		{"physical name", Statement{Resource: StringList{"arn:aws:s3:::acme-site/*"}}, "resource 1 does not name"},
		{"bucket pattern", Statement{Resource: StringList{"arn:aws:s3:::site*"}}, "resource 1 does not name"},
		{"longer bucket name", Statement{Resource: StringList{"arn:aws:s3:::sites/x"}}, "resource 1 does not name"},
		{"any resource", Statement{Resource: StringList{"*"}}, "resource 1 does not name"},
		{"second resource", Statement{Resource: StringList{"arn:aws:s3:::site/*", "arn:aws:s3:::other"}}, "resource 2 does not name"},
		{"NotResource", Statement{NotResource: StringList{"arn:aws:s3:::other/*"}}, "resource 1 does not name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc := &Document{Statement: Statements{c.statement}}
			err := doc.ToPhysical("site", "acme-site")
			e, ok := errs.As(err)
			if !ok || e.Code != errs.InvalidPolicyDocument {
				t.Fatalf("got %v, want an InvalidPolicyDocument error", err)
			}
			if !strings.Contains(e.Message, c.want) {
				t.Errorf("message %q does not say %q", e.Message, c.want)
			}
			if strings.Contains(e.Message, "acme-") {
				t.Errorf("message %q names the physical bucket", e.Message)
			}
		})
	}
	// The statement is counted across the document.
	doc := &Document{Statement: Statements{{Resource: StringList{"arn:aws:s3:::site"}}, {Resource: StringList{"arn:aws:s3:::x"}}}}
	if err := doc.ToPhysical("site", "acme-site"); err == nil || !strings.Contains(err.Error(), "statement 2: resource 1") {
		t.Errorf("second statement: %v", err)
	}
}

func TestToLogical_patterns(t *testing.T) {
	doc := Document{Statement: Statements{{
		Resource:    StringList{"arn:aws:s3:::acme-b", "arn:aws:s3:::acme-b/x/*", "arn:aws:s3:::acme-b*"},
		NotResource: StringList{"arn:aws:s3:::acme-b/y"},
	}}}
	doc.ToLogical("acme-")
	if got := strings.Join(doc.Statement[0].Resource, " "); got != "arn:aws:s3:::b arn:aws:s3:::b/x/* arn:aws:s3:::b*" {
		t.Errorf("Resource: %s", got)
	}
	if got := doc.Statement[0].NotResource[0]; got != "arn:aws:s3:::b/y" {
		t.Errorf("NotResource: %s", got)
	}
}
