package bucketpolicy

import (
	"strings"
	"testing"

	"s3gateway/errs"
)

// mustParseStored reads statements as the store may hold them: documents
// stored before the anonymous check, or written to the store directly.
func mustParseStored(t *testing.T, statements string) *Document {
	t.Helper()
	d, err := ParseStored([]byte(`{"Statement": [` + statements + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Statements of the tests' documents on bucket acme-b.
const (
	location = `{"Effect": "Allow", "Principal": "*", "Action": ["s3:GetBucketLocation", "s3:ListBucketMultipartUploads"], "Resource": "arn:aws:s3:::acme-b"}`
	list     = `{"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::acme-b"}`
	listOpen = `{"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::acme-b", "Condition": {"StringLike": {"s3:prefix": "open/*"}}}`
	objects  = `{"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], "Resource": "arn:aws:s3:::acme-b/*"}`
	photos   = `{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-b/photos/*"}`
)

func TestEffective(t *testing.T) {
	for _, c := range []struct {
		name string
		doc  string // statements
		want map[string]Canned
	}{
		// The canned policies, as other tools write them.
		{"action names fold case",
			location + `, ` + list + `, {"Effect": "Allow", "Principal": "*", "Action": ["S3:GETOBJECT", "s3:putobject", "S3:DeleteObject", "s3:abortmultipartupload", "s3:listMultipartUploadParts"], "Resource": "arn:aws:s3:::acme-b/*"}`,
			map[string]Canned{"": ReadWrite, "x/": ReadWrite}},
		{"wildcard that matches GetObject alone",
			location + `, {"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::acme-b", "Condition": {"StringLike": {"s3:prefix": "pub*"}}}, {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObjec?", "Resource": "arn:aws:s3:::acme-b/pub*"}`,
			map[string]Canned{"pub/": ReadOnly, "public/": ReadOnly, "pu": Custom, "other/": None}},
		{"? matches one character",
			location + `, {"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::acme-b", "Condition": {"StringLike": {"s3:prefix": "v?/*"}}}, {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-b/v?/*"}`,
			map[string]Canned{"v1/": ReadOnly, "v12/": None}},
		{"listing limited to other prefixes",
			location + `, ` + objects + `, {"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::acme-b", "Condition": {"StringLike": {"s3:prefix": ["a/*", "b/*"]}}}`,
			map[string]Canned{"a/": ReadWrite, "a/x/": ReadWrite, "b/": ReadWrite, "c/": Custom}},
		{"listing of exactly one prefix",
			location + `, ` + objects + `, {"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::acme-b", "Condition": {"StringEquals": {"s3:prefix": "a/"}}}`,
			map[string]Canned{"a/": ReadWrite, "a/x/": Custom}},
		{"bucket location and multipart listing alone", location, map[string]Canned{"": None, "x/": None}},

		// Public, but not in a canned way: custom, never none.
		{"GetObject on a prefix", photos,
			map[string]Canned{"photos/": Custom, "photos/2024/": Custom, "": Custom, "pho": Custom, "other/": None}},
		{"NotResource",
			`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::acme-b/private/*"}`,
			map[string]Canned{"photos/": Custom, "": Custom, "private/": None, "private/x/": None}},
		{"NotResource that leaves out the bucket only",
			`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::acme-b"}`,
			map[string]Canned{"x/": Custom}},
		{"no GetBucketLocation", list + `, ` + objects, map[string]Canned{"": Custom, "x/": Custom}},
		{"listing alone",
			`{"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::acme-b", "Condition": {"StringLike": {"s3:prefix": "a/*"}}}`,
			map[string]Canned{"a/": Custom, "a/x/": Custom, "": Custom, "b/": None}},
		{"listing bound by another condition only",
			`{"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::acme-b", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}`,
			map[string]Canned{"b/": Custom}},
		{"conditional Allow",
			location + `, ` + list + `, {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-b/*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}`,
			map[string]Canned{"x/": Custom}},
		{"more than a canned grant on a sub-prefix",
			location + `, ` + list + `, {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-b/*"}, {"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::acme-b/b/*"}`,
			map[string]Canned{"": Custom, "a/": ReadOnly, "b/": Custom}},
		{"policy variable in the resource",
			`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-b/${aws:username}/*"}`,
			map[string]Canned{"photos/": Custom}},

		// Stored before the anonymous check: more than any canned policy.
		{"s3:* on everything",
			`{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::acme-b", "arn:aws:s3:::acme-b/*"]}`,
			map[string]Canned{"": Custom, "any/": Custom}},
		{"s3:Get* reads tags and versions too",
			location + `, ` + list + `, {"Effect": "Allow", "Principal": "*", "Action": "s3:Get*", "Resource": "arn:aws:s3:::acme-b/*"}`,
			map[string]Canned{"x/": Custom}},
		{"management of the bucket concerns every prefix",
			`{"Effect": "Allow", "Principal": "*", "Action": "s3:PutBucketPolicy", "Resource": "arn:aws:s3:::acme-b"}`,
			map[string]Canned{"": Custom, "any/": Custom}},
		{"NotAction",
			location + `, ` + list + `, {"Effect": "Allow", "Principal": "*", "NotAction": "s3:DeleteObject", "Resource": "arn:aws:s3:::acme-b/*"}`,
			map[string]Canned{"x/": Custom}},
		{"an action the store does not know",
			`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObjectSomehow", "Resource": "arn:aws:s3:::acme-b/photos/*"}`,
			map[string]Canned{"photos/": Custom, "other/": None}},

		// Deny statements.
		{"Deny of a sub-prefix",
			location + `, ` + listOpen + `, ` + objects + `, {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-b/secret/*"}`,
			map[string]Canned{"open/": ReadWrite, "secret/": WriteOnly, "secret/deeper/": WriteOnly}},
		{"Deny of everything under the grant",
			photos + `, {"Effect": "Deny", "Principal": {"AWS": ["*"]}, "Action": "s3:*", "Resource": "arn:aws:s3:::acme-b/photos/*"}`,
			map[string]Canned{"photos/": None, "": None}},
		{"Deny of part of the grant",
			photos + `, {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-b/photos/private/*"}`,
			map[string]Canned{"photos/": Custom, "photos/private/": None}},
		{"conditional Deny takes nothing away for sure",
			location + `, ` + list + `, ` + objects + `, {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::acme-b/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}`,
			map[string]Canned{"x/": Custom}},
		{"Deny of a named principal takes nothing away from anonymous users",
			photos + `, {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "s3:*", "Resource": "arn:aws:s3:::acme-b/*"}`,
			map[string]Canned{"photos/": Custom}},
		{"Deny by NotResource",
			location + `, ` + listOpen + `, ` + objects + `, {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "NotResource": ["arn:aws:s3:::acme-b", "arn:aws:s3:::acme-b/open/*"]}`,
			map[string]Canned{"open/": ReadWrite, "closed/": None}},
		{"Deny of listing",
			location + `, ` + list + `, ` + objects + `, {"Effect": "Deny", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::acme-b"}`,
			map[string]Canned{"x/": Custom}},
		{"Deny with a policy variable is not sure",
			photos + `, {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::acme-b/${aws:username}*"}`,
			map[string]Canned{"photos/": Custom}},

		// Not anonymous users, or not this bucket.
		{"named principal",
			`{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123:root"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::acme-b", "arn:aws:s3:::acme-b/*"]}`,
			map[string]Canned{"": None, "x/": None}},
		{"other bucket",
			`{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::acme-c", "arn:aws:s3:::acme-c/*"]}`,
			map[string]Canned{"": None, "x/": None}},
		{"bucket with a longer name",
			`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-bb/*"}`,
			map[string]Canned{"": None}},
	} {
		t.Run(c.name, func(t *testing.T) { wantEffective(t, mustParseStored(t, c.doc), c.want) })
	}
	if got := Effective(nil, bucket, "x/"); got != None {
		t.Errorf("no document: %s", got)
	}
}

func TestEffective_principals(t *testing.T) {
	for _, c := range []struct {
		name, principal string
		want            Canned
	}{
		{"star", `"*"`, Custom},
		{"AWS star", `{"AWS": "*"}`, Custom},
		{"AWS list", `{"AWS": ["*"]}`, Custom},
		{"AWS in lower case", `{"aws": "*"}`, Custom},
		{"star among others", `{"AWS": ["arn:aws:iam::1:root", "*"]}`, Custom},
		{"run of stars", `{"AWS": "**"}`, Custom},
		{"empty name", `{"AWS": ""}`, Custom},
		{"other elements", `{"AWS": "*", "Service": 5}`, Custom},
		{"named", `{"AWS": "arn:aws:iam::1:root"}`, None},
		{"pattern that needs a name", `{"AWS": "a*"}`, None},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc := mustParseStored(t, `{"Effect": "Allow", "Principal": `+c.principal+`, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-b/photos/*"}`)
			wantEffective(t, doc, map[string]Canned{"photos/": c.want})
		})
	}
}

func TestParse_anonymousAllow(t *testing.T) {
	const res = `"Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]`
	allow := func(principal, actions string) string {
		return `{"Statement": [{"Effect": "Allow", "Principal": ` + principal + `, "Action": ` + actions + `, ` + res + `}]}`
	}
	for _, c := range []struct {
		name, doc string
		want      string // in the message; "" for accepted
	}{
		{"canned actions", allow(`"*"`, `["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:GetBucketLocation"]`), ""},
		{"case folded", allow(`"*"`, `"S3:GETOBJECT"`), ""},
		{"wildcard of allowed actions only", allow(`"*"`, `["s3:GetObjec?", "s3:*MultipartUpload*"]`), ""},
		{"named principal may manage", allow(`{"AWS": "arn:aws:iam::1:root"}`, `"s3:*"`), ""},
		{"Deny of everything", `{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", ` + res + `}]}`, ""},
		{"NotResource", `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b/private/*"}]}`, ""},

		{"s3:*", allow(`"*"`, `["s3:*"]`), `"s3:*" would also allow s3:PutBucketPolicy`},
		{"*", allow(`"*"`, `"*"`), `"*" would also allow s3:PutBucketPolicy`},
		{"s3:Get*", allow(`"*"`, `"s3:Get*"`), `"s3:Get*" would also allow s3:GetBucketPolicy`},
		{"s3:Put*", allow(`"*"`, `"s3:Put*"`), `"s3:Put*" would also allow s3:PutBucketPolicy`},
		{"s3:*Object", allow(`"*"`, `"s3:*Object"`), `"s3:*Object" would also allow s3:RestoreObject`},
		{"s3:*Lifecycle*", allow(`"*"`, `"s3:*Lifecycle*"`), `would also allow s3:PutLifecycleConfiguration`},
		{"wildcard matching nothing allowed", allow(`"*"`, `"s3:Fly*"`), `"s3:Fly*" matches none of them`},
		{"policy", allow(`"*"`, `["s3:GetObject", "s3:PutBucketPolicy"]`), `not "s3:PutBucketPolicy"`},
		{"policy in lower case", allow(`"*"`, `"s3:putbucketpolicy"`), `not "s3:putbucketpolicy"`},
		{"lifecycle", allow(`"*"`, `"s3:PutLifecycleConfiguration"`), `not "s3:PutLifecycleConfiguration"`},
		{"versioning", allow(`"*"`, `"s3:PutBucketVersioning"`), `not "s3:PutBucketVersioning"`},
		{"notification", allow(`"*"`, `"s3:PutBucketNotification"`), `not "s3:PutBucketNotification"`},
		{"object tags", allow(`"*"`, `"s3:PutObjectTagging"`), `not "s3:PutObjectTagging"`},
		{"unknown action", allow(`"*"`, `"s3:FlyToTheMoon"`), `not "s3:FlyToTheMoon"`},
		{"NotAction", `{"Statement": [{"Effect": "Allow", "Principal": "*", "NotAction": "s3:PutBucketPolicy", ` + res + `}]}`, "must not use NotAction"},
		{"condition does not help", `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", ` + res + `, "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}`, `"s3:*" would also allow`},
		{"AWS star", allow(`{"AWS": "*"}`, `"s3:*"`), "would also allow"},
		{"AWS list", allow(`{"AWS": ["*"]}`, `"s3:*"`), "would also allow"},
		{"AWS in lower case", allow(`{"aws": ["*"]}`, `"s3:*"`), "would also allow"},
		{"star among names", allow(`{"AWS": ["arn:aws:iam::1:root", "*"]}`, `"s3:*"`), "would also allow"},
		{"empty name", allow(`{"AWS": ""}`, `"s3:*"`), "would also allow"},
		{"NotPrincipal", `{"Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "s3:*", ` + res + `}]}`, "would also allow"},
		{"second statement", `{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", ` + res + `}, {"Effect": "Allow", "Principal": "*", "Action": "s3:*", ` + res + `}]}`, "statement 2 of the policy document is invalid"},
		{"long action cut short", allow(`"*"`, `"s3:`+strings.Repeat("x", 100)+`"`), `...`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.doc))
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantPolicyError(t, err, c.want)
			if !strings.Contains(err.Error(), "anonymous users") {
				t.Errorf("message %q does not say why", err)
			}
			if len(err.Error()) > 400 {
				t.Errorf("message of %d bytes", len(err.Error()))
			}
		})
	}
}

// wantPolicyError checks err is an InvalidPolicyDocument error that says want.
func wantPolicyError(t *testing.T, err error, want string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Code != errs.InvalidPolicyDocument {
		t.Fatalf("got %v, want an InvalidPolicyDocument error", err)
	}
	if !strings.Contains(e.Message, want) {
		t.Errorf("message %q does not say %q", e.Message, want)
	}
}

// A document near the store's size limit (20 KiB, 120 statements) costs
// well under a millisecond per GET (about 0.6 ms on a 2-core machine).
func BenchmarkEffective_largeDocument(b *testing.B) {
	var statements []string
	for i := range 60 {
		p := strings.Repeat("p", 40) + string(rune('a'+i%26)) + "/"
		statements = append(statements,
			`{"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::acme-b/`+p+`*"}`,
			`{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::acme-b/`+p+`secret/*"}`)
	}
	doc, err := ParseStored([]byte(`{"Statement": [` + strings.Join(statements, ", ") + `]}`))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		Effective(doc, bucket, strings.Repeat("p", 40)+"q/")
	}
}
