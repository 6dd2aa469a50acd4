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
		// "" and "a" hold a/'s public objects, and more: neither is canned.
		{"readonly a/", "a/", ReadOnly, map[string]Canned{"a/": ReadOnly, "a/x/": ReadOnly, "": Custom, "b/": None, "a": Custom}},
		{"readwrite b/", "b/", ReadWrite, map[string]Canned{"a/": ReadOnly, "b/": ReadWrite, "b/deep/er/": ReadWrite}},
		{"writeonly c/", "c/", WriteOnly, map[string]Canned{"a/": ReadOnly, "b/": ReadWrite, "c/": WriteOnly, "d/": None}},
		{"none on the whole bucket leaves prefixes", "", None, map[string]Canned{"a/": ReadOnly, "b/": ReadWrite, "c/": WriteOnly, "": Custom}},
		{"b/ lowered to readonly", "b/", ReadOnly, map[string]Canned{"a/": ReadOnly, "b/": ReadOnly, "c/": WriteOnly}},
		{"b/ raised to writeonly", "b/", WriteOnly, map[string]Canned{"a/": ReadOnly, "b/": WriteOnly, "c/": WriteOnly}},
		{"c/ none", "c/", None, map[string]Canned{"a/": ReadOnly, "b/": WriteOnly, "c/": None}},
		{"whole bucket readonly", "", ReadOnly, map[string]Canned{"": Custom, "a/": ReadOnly, "b/": ReadWrite, "z/": ReadOnly}},
		{"whole bucket none", "", None, map[string]Canned{"": Custom, "a/": ReadOnly, "b/": WriteOnly, "z/": None}},
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
	// The Deny keeps a/secret/'s objects from being read, not their names
	// from being listed.
	wantEffective(t, out, map[string]Canned{"a/": ReadOnly, "a/secret/": Custom, "a/public/": ReadOnly})
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

func TestCanned_checkSettable(t *testing.T) {
	for c, want := range map[Canned]bool{
		None: true, ReadOnly: true, WriteOnly: true, ReadWrite: true,
		Custom: false, "public": false, "": false, "ReadOnly": false,
	} {
		err := c.CheckSettable()
		if (err == nil) != want {
			t.Errorf("Canned(%q).CheckSettable() = %v", c, err)
		}
		if err != nil && !errs.Is(err, errs.InvalidArgument) {
			t.Errorf("Canned(%q).CheckSettable() = %v, want InvalidArgument", c, err)
		}
	}
}
