package bucketpolicy

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"s3gateway/errs"
)

// bucket is the store's name of the bucket in these tests.
const bucket = "acme-b"

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// statementSet is the statements of doc as sorted JSON texts.
func statementSet(t *testing.T, doc *Document) []string {
	t.Helper()
	var out []string
	for _, s := range doc.Statement {
		out = append(out, jsonOf(t, s))
	}
	slices.Sort(out)
	return out
}

// mustParse parses a hand-written document.
func mustParse(t *testing.T, doc string) *Document {
	t.Helper()
	d, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// wantEffective checks Effective for every prefix of want.
func wantEffective(t *testing.T, doc *Document, want map[string]Canned) {
	t.Helper()
	for p, w := range want {
		if got := Effective(doc, bucket, p); got != w {
			t.Errorf("Effective(%q) = %s, want %s: %s", p, got, w, jsonOf(t, doc))
		}
	}
}

func TestSetCanned_perPrefix(t *testing.T) {
	var doc *Document
	for _, step := range []struct {
		name   string
		prefix string
		canned Canned
		want   map[string]Canned
	}{
		{"readonly a/", "a/", ReadOnly, map[string]Canned{"a/": ReadOnly, "a/x/": ReadOnly, "": None, "b/": None, "a": None}},
		{"readwrite b/", "b/", ReadWrite, map[string]Canned{"a/": ReadOnly, "b/": ReadWrite, "b/deep/er/": ReadWrite}},
		{"writeonly c/", "c/", WriteOnly, map[string]Canned{"a/": ReadOnly, "b/": ReadWrite, "c/": WriteOnly, "d/": None}},
		{"none on the whole bucket leaves prefixes", "", None, map[string]Canned{"a/": ReadOnly, "b/": ReadWrite, "c/": WriteOnly, "": None}},
		{"b/ lowered to readonly", "b/", ReadOnly, map[string]Canned{"a/": ReadOnly, "b/": ReadOnly, "c/": WriteOnly}},
		{"b/ raised to writeonly", "b/", WriteOnly, map[string]Canned{"a/": ReadOnly, "b/": WriteOnly, "c/": WriteOnly}},
		{"c/ none", "c/", None, map[string]Canned{"a/": ReadOnly, "b/": WriteOnly, "c/": None}},
		{"whole bucket readonly", "", ReadOnly, map[string]Canned{"": ReadOnly, "a/": ReadOnly, "b/": ReadWrite, "z/": ReadOnly}},
		{"whole bucket none", "", None, map[string]Canned{"": None, "a/": ReadOnly, "b/": WriteOnly, "z/": None}},
	} {
		doc = SetCanned(doc, bucket, step.prefix, step.canned)
		t.Run(step.name, func(t *testing.T) { wantEffective(t, doc, step.want) })
	}

	// Setting again changes no statement (their order may change).
	again := SetCanned(doc, bucket, "a/", ReadOnly)
	if s1, s2 := statementSet(t, doc), statementSet(t, again); !slices.Equal(s1, s2) {
		t.Errorf("re-setting changed the statements:\n%s\n%s", s1, s2)
	}
	// The multipart listing stays only while a write grant needs it.
	doc = SetCanned(doc, bucket, "b/", None)
	if strings.Contains(jsonOf(t, doc), actionListBucketMultipartUploads) {
		t.Errorf("no write grant left, yet %s stays: %s", actionListBucketMultipartUploads, jsonOf(t, doc))
	}
	// Every grant removed leaves no statement.
	doc = SetCanned(doc, bucket, "a/", None)
	if len(doc.Statement) != 0 {
		t.Errorf("every grant removed, yet: %s", jsonOf(t, doc))
	}
	if b, _ := Marshal(doc); b != nil {
		t.Errorf("an empty document marshals as %s, want nothing stored", b)
	}
}

func TestSetCanned_keepsAndDoesNotChangeInput(t *testing.T) {
	custom := `{"Version": "2012-10-17", "Id": "mine", "Statement": [
		{"Sid": "NoSecrets", "Effect": "Deny", "Principal": "*", "Action": "s3:Get*", "Resource": "arn:aws:s3:::acme-b/a/secret*"},
		{"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123:root"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::acme-b/a/*"}
	]}`
	doc := mustParse(t, custom)
	before := jsonOf(t, doc)
	out := SetCanned(doc, bucket, "a/", ReadOnly)
	if jsonOf(t, doc) != before {
		t.Fatalf("SetCanned changed its input:\n%s\n%s", before, jsonOf(t, doc))
	}
	if out.Version != "2012-10-17" || out.ID != "mine" {
		t.Errorf("version %q, id %q not kept", out.Version, out.ID)
	}
	if len(out.Statement) != 5 || out.Statement[0].Sid != "NoSecrets" || out.Statement[1].Sid != "Partner" {
		t.Fatalf("custom statements not kept first: %s", jsonOf(t, out))
	}
	wantEffective(t, out, map[string]Canned{"a/": ReadOnly, "a/secret/": None, "a/public/": ReadOnly})
	// Only the canned grant goes with none.
	out = SetCanned(out, bucket, "a/", None)
	if len(out.Statement) != 2 {
		t.Errorf("none left %s", jsonOf(t, out))
	}
	// A nil document (no policy yet) gets the language version.
	if fresh := SetCanned(nil, bucket, "x/", WriteOnly); fresh.Version != version || Effective(fresh, bucket, "x/") != WriteOnly {
		t.Errorf("from no document: %s", jsonOf(t, fresh))
	}
}

func TestSetCanned_joinsListPrefixes(t *testing.T) {
	doc := SetCanned(nil, bucket, "a/", ReadOnly)
	doc = SetCanned(doc, bucket, "b/", ReadOnly)
	var lists int
	for _, s := range doc.Statement {
		if values, ok := s.listPrefixes(bucket); ok {
			lists++
			if strings.Join(values, " ") != "a/* b/*" {
				t.Errorf("list prefixes %q", values)
			}
		}
	}
	if lists != 1 {
		t.Errorf("%d ListBucket statements, want one for both prefixes: %s", lists, jsonOf(t, doc))
	}
	doc = SetCanned(doc, bucket, "a/", None)
	wantEffective(t, doc, map[string]Canned{"a/": None, "b/": ReadOnly})
}

func TestEffective(t *testing.T) {
	const location = `{"Effect": "Allow", "Principal": "*", "Action": ["s3:GetBucketLocation", "s3:ListBucketMultipartUploads"], "Resource": "arn:aws:s3:::acme-b"}`
	const list = `{"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::acme-b"}`
	const objects = `{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::acme-b/*"}`
	for _, c := range []struct {
		name string
		doc  string // statements
		want map[string]Canned
	}{
		{"s3:* on everything",
			`{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::acme-b", "arn:aws:s3:::acme-b/*"]}`,
			map[string]Canned{"": ReadWrite, "any/": ReadWrite}},
		{"action names fold case",
			`{"Effect": "Allow", "Principal": "*", "Action": "S3:*", "Resource": ["arn:aws:s3:::acme-b", "arn:aws:s3:::acme-b/*"]}`,
			map[string]Canned{"x/": ReadWrite}},
		{"no GetBucketLocation",
			list + `, {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-b/*"}`,
			map[string]Canned{"": None, "x/": None}},
		{"object wildcard on a prefix",
			location + `, ` + list + `, {"Effect": "Allow", "Principal": "*", "Action": "s3:Get*", "Resource": "arn:aws:s3:::acme-b/pub*"}`,
			map[string]Canned{"pub/": ReadOnly, "public/": ReadOnly, "pu/": None, "": None}},
		{"? matches one character",
			location + `, ` + list + `, {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-b/v?/*"}`,
			map[string]Canned{"v1/": ReadOnly, "v12/": None}},
		{"Deny of a sub-prefix",
			location + `, ` + list + `, ` + objects + `, {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-b/secret/*"}`,
			map[string]Canned{"open/": ReadWrite, "secret/": WriteOnly, "secret/deeper/": WriteOnly}},
		{"conditional Deny counts",
			location + `, ` + list + `, ` + objects + `, {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::acme-b/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}`,
			map[string]Canned{"x/": ReadOnly}},
		{"Deny by NotResource",
			location + `, ` + list + `, ` + objects + `, {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "NotResource": ["arn:aws:s3:::acme-b", "arn:aws:s3:::acme-b/open/*"]}`,
			map[string]Canned{"open/": ReadWrite, "closed/": None}},
		{"Deny of listing",
			location + `, ` + list + `, ` + objects + `, {"Effect": "Deny", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::acme-b"}`,
			map[string]Canned{"x/": WriteOnly}},
		{"conditional Allow does not count",
			location + `, ` + list + `, {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::acme-b/*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}`,
			map[string]Canned{"x/": None}},
		{"Allow by NotAction does not count",
			location + `, ` + list + `, {"Effect": "Allow", "Principal": "*", "NotAction": "s3:DeleteObject", "Resource": "arn:aws:s3:::acme-b/*"}`,
			map[string]Canned{"x/": None}},
		{"named principal does not count",
			`{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123:root"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::acme-b", "arn:aws:s3:::acme-b/*"]}`,
			map[string]Canned{"x/": None}},
		{"listing limited to other prefixes",
			location + `, ` + objects + `, {"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::acme-b", "Condition": {"StringLike": {"s3:prefix": ["a/*", "b/*"]}}}`,
			map[string]Canned{"a/": ReadWrite, "a/x/": ReadWrite, "b/": ReadWrite, "c/": WriteOnly}},
		{"listing of exactly one prefix",
			location + `, ` + objects + `, {"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::acme-b", "Condition": {"StringEquals": {"s3:prefix": "a/"}}}`,
			map[string]Canned{"a/": ReadWrite, "a/x/": WriteOnly}},
		{"other bucket",
			`{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::acme-c", "arn:aws:s3:::acme-c/*"]}`,
			map[string]Canned{"": None, "x/": None}},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantEffective(t, mustParse(t, `{"Statement": [`+c.doc+`]}`), c.want)
		})
	}
	if got := Effective(nil, bucket, "x/"); got != None {
		t.Errorf("no document: %s", got)
	}
}

func TestWildcardMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"a*", "abc", true}, {"a*c", "abxc", true}, {"a*c", "abxcd", false},
		{"a?c", "abc", true}, {"a?c", "ac", false}, {"a?c", "aéc", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/a/*", true},
		{"arn:aws:s3:::b/a*", "arn:aws:s3:::b/*", false}, // a literal '*' in s is no wildcard
		{"*", "", true}, {"", "", true}, {"", "x", false},
		{"**", "x", true}, {"*a*b", "xaxxb", true}, {"*a*b", "xaxxbx", false},
	} {
		if got := wildcardMatch(c.pattern, c.s); got != c.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

func TestValidatePrefix(t *testing.T) {
	for prefix, ok := range map[string]bool{
		"": true, "a/": true, "a/b c/": true, "$x/": true, "{y}/": true,
		"a*": false, "a?": false, "${aws:username}/": false,
	} {
		err := ValidatePrefix(prefix)
		if ok != (err == nil) {
			t.Errorf("ValidatePrefix(%q) = %v", prefix, err)
		}
		if err != nil && !errs.Is(err, errs.InvalidArgument) {
			t.Errorf("ValidatePrefix(%q): %v, want InvalidArgument", prefix, err)
		}
	}
}

func TestCannedValid(t *testing.T) {
	for c, want := range map[Canned]bool{None: true, ReadOnly: true, WriteOnly: true, ReadWrite: true, "public": false, "": false, "ReadOnly": false} {
		if got := c.Valid(); got != want {
			t.Errorf("Canned(%q).Valid() = %v", c, got)
		}
	}
}
