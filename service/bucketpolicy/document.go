// Package bucketpolicy models IAM-style S3 bucket policy documents: strict
// parsing and validation of a document a client wrote, rewriting its
// resources between a tenant's bucket names and the store's, and the canned
// grants (readonly, writeonly, readwrite) of one prefix of a bucket, and
// what a document lets anonymous users do under a prefix.
//
// It knows nothing of the store: the caller reads and writes documents.
// Every error meant for a client is an *errs.Error with a client-safe
// message.
package bucketpolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"s3gateway/errs"
)

// version is the only IAM policy language version.
const version = "2012-10-17"

// arnPrefix starts every S3 resource name in a policy.
const arnPrefix = "arn:aws:s3:::"

// Document is an IAM-style bucket policy. It models every field the policy
// language has, so a document survives a read-modify-write intact.
type Document struct {
	Version   string     `json:"Version,omitempty"`
	ID        string     `json:"Id,omitempty"`
	Statement Statements `json:"Statement"`
}

// Statements is the Statement list; the language also allows a single
// statement object in its place.
type Statements []Statement

// UnmarshalJSON reads a list of statements or a single one.
func (s *Statements) UnmarshalJSON(data []byte) error {
	if one, ok := jsonObject(data); ok {
		var st Statement
		if err := json.Unmarshal(one, &st); err != nil {
			return err
		}
		*s = Statements{st}
		return nil
	}
	var many []Statement
	if err := json.Unmarshal(data, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// jsonObject returns data trimmed, and whether it is a JSON object.
func jsonObject(data []byte) ([]byte, bool) {
	data = bytes.TrimSpace(data)
	return data, len(data) > 0 && data[0] == '{'
}

// Statement is one statement of a Document.
type Statement struct {
	Sid          string          `json:"Sid,omitempty"`
	Effect       string          `json:"Effect"`
	Principal    json.RawMessage `json:"Principal,omitempty"`
	NotPrincipal json.RawMessage `json:"NotPrincipal,omitempty"`
	Action       StringList      `json:"Action,omitempty"`
	NotAction    StringList      `json:"NotAction,omitempty"`
	Resource     StringList      `json:"Resource,omitempty"`
	NotResource  StringList      `json:"NotResource,omitempty"`
	// Condition is operator → key → value(s). Values keep their JSON form:
	// they may be strings, numbers or booleans, one or a list.
	Condition map[string]map[string]json.RawMessage `json:"Condition,omitempty"`
}

// StringList is a policy element that holds one string or a list of them.
type StringList []string

// UnmarshalJSON reads one string or a list of strings.
func (l *StringList) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		*l = nil
		return nil
	}
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*l = StringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(data, &many); err != nil {
		return errNotStringList
	}
	*l = many
	return nil
}

var errNotStringList = errors.New("must be a string or a list of strings")

// Parse decodes a document a client wrote and checks it has a policy's
// shape: only the elements of the policy language, spelled exactly, at
// least one statement, every statement complete, no NotAction (which the
// store cannot keep), and no Allow for anonymous users of anything but
// AnonymousActions. Its errors are
// InvalidPolicyDocument errors that name the problem.
func Parse(data []byte) (*Document, error) {
	if err := checkKeys(data); err != nil {
		return nil, errs.Wrap(err, errs.InvalidPolicyDocument, "the policy document is not a valid policy: %s", jsonProblem(err))
	}
	var doc Document
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, errs.Wrap(err, errs.InvalidPolicyDocument, "the policy document is not a valid policy: %s", jsonProblem(err))
	}
	if len(doc.Statement) == 0 {
		return nil, errs.New(errs.InvalidPolicyDocument, "the policy document has no statements")
	}
	doc.normalize()
	for i, s := range doc.Statement {
		err := s.check()
		if err == nil {
			err = s.checkAnonymous()
		}
		if err == nil && len(s.NotAction) > 0 {
			// MinIO parses a NotAction statement but fails to store it
			// (an internal error), whatever its principal.
			err = errors.New("NotAction is not supported by the object store; name the actions in Action")
		}
		if err != nil {
			return nil, errs.New(errs.InvalidPolicyDocument, "statement %d of the policy document is invalid: %s", i+1, err)
		}
	}
	return &doc, nil
}

// ParseStored decodes a document as the store keeps it, without the checks
// of Parse: the store has accepted it already, and a read-modify-write must
// keep whatever it holds.
func ParseStored(data []byte) (*Document, error) {
	var doc Document
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	doc.normalize()
	return &doc, nil
}

// Marshal encodes doc for the store, with the language version filled in
// when missing. A nil document or one without statements encodes as nil:
// the bucket then has no policy.
func Marshal(doc *Document) ([]byte, error) {
	if doc == nil || len(doc.Statement) == 0 {
		return nil, nil
	}
	if doc.Version == "" {
		doc.Version = version
	}
	return json.Marshal(doc)
}

// The elements of the policy language, with their exact spelling.
var (
	documentKeys  = []string{"Version", "Id", "Statement"}
	statementKeys = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)

// checkKeys refuses a document that is not a JSON object or that has an
// element the policy language does not have (or spells differently).
func checkKeys(data []byte) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return err
	}
	if err := knownKeys(top, documentKeys, "the document"); err != nil {
		return err
	}
	var statements []json.RawMessage
	if one, ok := jsonObject(top["Statement"]); ok {
		statements = []json.RawMessage{one}
	} else if len(top["Statement"]) > 0 {
		if err := json.Unmarshal(top["Statement"], &statements); err != nil {
			return errors.New("Statement must be a statement or a list of statements")
		}
	}
	for i, raw := range statements {
		var st map[string]json.RawMessage
		if err := json.Unmarshal(raw, &st); err != nil {
			return fmt.Errorf("statement %d must be an object", i+1)
		}
		if err := knownKeys(st, statementKeys, fmt.Sprintf("statement %d", i+1)); err != nil {
			return err
		}
	}
	return nil
}

func knownKeys(m map[string]json.RawMessage, known []string, where string) error {
	for k := range m {
		if !slices.Contains(known, k) {
			if len(k) > 64 {
				k = k[:64] + "..."
			}
			return fmt.Errorf("%s has an unknown element %q", where, k)
		}
	}
	return nil
}

// jsonProblem describes a decoding error without echoing large input.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return "malformed JSON"
	case errors.As(err, &typ):
		if typ.Field != "" {
			return "element " + typ.Field + " has the wrong type"
		}
		return "the document must be a JSON object"
	case errors.Is(err, errNotStringList):
		return "Action, Resource and condition values must be strings or lists of strings"
	case strings.HasPrefix(err.Error(), "json: "):
		return "malformed document"
	}
	return err.Error()
}

func (s Statement) check() error {
	switch {
	case s.Effect != "Allow" && s.Effect != "Deny":
		return errors.New(`the Effect must be "Allow" or "Deny"`)
	case len(s.Principal) == 0 && len(s.NotPrincipal) == 0:
		return errors.New("a Principal is required")
	case len(s.Principal) > 0 && len(s.NotPrincipal) > 0:
		return errors.New("the elements Principal and NotPrincipal exclude each other")
	case len(s.Action) == 0 && len(s.NotAction) == 0:
		return errors.New("an Action is required")
	case len(s.Action) > 0 && len(s.NotAction) > 0:
		return errors.New("the elements Action and NotAction exclude each other")
	case len(s.Resource) == 0 && len(s.NotResource) == 0:
		return errors.New("a Resource is required")
	case len(s.Resource) > 0 && len(s.NotResource) > 0:
		return errors.New("the elements Resource and NotResource exclude each other")
	}
	for _, p := range [][]byte{s.Principal, s.NotPrincipal} {
		if len(p) > 0 && p[0] != '"' && p[0] != '{' {
			return errors.New(`a principal must be "*" or an object`)
		}
	}
	return nil
}

// normalize drops empty conditions, which say nothing.
func (doc *Document) normalize() {
	for i := range doc.Statement {
		if len(doc.Statement[i].Condition) == 0 {
			doc.Statement[i].Condition = nil
		}
	}
}

// ToPhysical rewrites the resources of a document written in the tenant's
// view (arn:aws:s3:::<logical>[/...]) to the store's bucket physical. A
// resource that names anything but the logical bucket (another bucket, a
// bucket pattern, "*") is refused with an InvalidPolicyDocument error; the
// document is then partly rewritten and must not be used.
func (doc *Document) ToPhysical(logical, physical string) error {
	for i := range doc.Statement {
		s := &doc.Statement[i]
		for _, list := range []StringList{s.Resource, s.NotResource} {
			for j, r := range list {
				rest, ok := resourceOf(r, logical)
				if !ok {
					return errs.New(errs.InvalidPolicyDocument,
						"statement %d: resource %d does not name bucket %q: a bucket policy may only name its own bucket, as %q or %q",
						i+1, j+1, logical, arnPrefix+logical, arnPrefix+logical+"/...")
				}
				list[j] = arnPrefix + physical + rest
			}
		}
	}
	return nil
}

// ToLogical rewrites the resources of a stored document to the tenant's
// view by taking the tenant's bucket prefix off the bucket part, which also
// covers patterns (arn:aws:s3:::<prefix>site* reads arn:aws:s3:::site*).
func (doc *Document) ToLogical(bucketPrefix string) {
	for i := range doc.Statement {
		s := &doc.Statement[i]
		for _, list := range []StringList{s.Resource, s.NotResource} {
			for j, r := range list {
				if rest, ok := strings.CutPrefix(r, arnPrefix+bucketPrefix); ok {
					list[j] = arnPrefix + rest
				}
			}
		}
	}
}

// resourceOf returns what follows bucket in resource ("" or "/..."), and
// whether resource names exactly that bucket.
func resourceOf(resource, bucket string) (string, bool) {
	rest, ok := strings.CutPrefix(resource, arnPrefix+bucket)
	if !ok || rest != "" && rest[0] != '/' {
		return "", false
	}
	return rest, true
}
