package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/minio/minio-go/v7"

	"s3gateway/errs"
)

// Bucket policies.
//
// A canned policy grants anonymous access to the objects under a prefix,
// as the MinIO client API did it:
//
//	readonly   s3:GetObject on bucket/prefix*, s3:ListBucket on the bucket
//	           limited by the condition s3:prefix like prefix*
//	writeonly  s3:PutObject, s3:DeleteObject, s3:AbortMultipartUpload and
//	           s3:ListMultipartUploadParts on bucket/prefix*,
//	           s3:ListBucketMultipartUploads on the bucket
//	readwrite  both
//
// and every grant needs s3:GetBucketLocation on the bucket. The bucket-level
// actions other than ListBucket are shared by every prefix, so they are kept
// in one statement that is rebuilt after each change. Statements that are not
// shaped like a canned grant (other principals, Deny, conditions, other
// actions) are never touched.
//
// The store holds one document per bucket and has no conditional write, so
// two concurrent changes of different prefixes of one bucket can lose one of
// them.

// policyVersion is the only IAM policy language version.
const policyVersion = "2012-10-17"

// s3ARNPrefix starts every S3 resource name in a policy.
const s3ARNPrefix = "arn:aws:s3:::"

const (
	actionGetObject                  = "s3:GetObject"
	actionListBucket                 = "s3:ListBucket"
	actionGetBucketLocation          = "s3:GetBucketLocation"
	actionListBucketMultipartUploads = "s3:ListBucketMultipartUploads"
)

// The object actions of the canned policies.
var (
	readObjectActions   = []string{actionGetObject}
	writeObjectActions  = []string{"s3:AbortMultipartUpload", "s3:DeleteObject", "s3:ListMultipartUploadParts", "s3:PutObject"}
	cannedObjectActions = append(slices.Clone(readObjectActions), writeObjectActions...)
	sharedBucketActions = []string{actionGetBucketLocation, actionListBucketMultipartUploads}
)

// The condition that limits ListBucket to a prefix.
const (
	condStringLike   = "StringLike"
	condStringEquals = "StringEquals"
	condKeyPrefix    = "s3:prefix"
)

// policyDocument is an IAM-style bucket policy. It models every field the
// policy language has, so a document survives a read-modify-write intact.
type policyDocument struct {
	Version   string           `json:"Version,omitempty"`
	ID        string           `json:"Id,omitempty"`
	Statement policyStatements `json:"Statement"`
}

// policyStatements is the Statement list; the language also allows a single
// statement object in its place.
type policyStatements []policyStatement

func (s *policyStatements) UnmarshalJSON(data []byte) error {
	if one, ok := policyJSONObject(data); ok {
		var st policyStatement
		if err := json.Unmarshal(one, &st); err != nil {
			return err
		}
		*s = policyStatements{st}
		return nil
	}
	var many []policyStatement
	if err := json.Unmarshal(data, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// policyJSONObject returns data trimmed, and whether it is a JSON object.
func policyJSONObject(data []byte) ([]byte, bool) {
	data = bytes.TrimSpace(data)
	return data, len(data) > 0 && data[0] == '{'
}

type policyStatement struct {
	Sid          string          `json:"Sid,omitempty"`
	Effect       string          `json:"Effect"`
	Principal    json.RawMessage `json:"Principal,omitempty"`
	NotPrincipal json.RawMessage `json:"NotPrincipal,omitempty"`
	Action       stringList      `json:"Action,omitempty"`
	NotAction    stringList      `json:"NotAction,omitempty"`
	Resource     stringList      `json:"Resource,omitempty"`
	NotResource  stringList      `json:"NotResource,omitempty"`
	// Condition is operator → key → value(s). Values keep their JSON form:
	// they may be strings, numbers or booleans, one or a list.
	Condition map[string]map[string]json.RawMessage `json:"Condition,omitempty"`
}

// stringList is a policy field that holds one string or a list of them.
type stringList []string

func (l *stringList) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		*l = nil
		return nil
	}
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		*l = stringList{one}
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

// The elements of the policy language, with their exact spelling.
var (
	documentKeys  = []string{"Version", "Id", "Statement"}
	statementKeys = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)

// checkPolicyKeys refuses a document that is not a JSON object or that has
// an element the policy language does not have (or spells differently).
func checkPolicyKeys(data []byte) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return err
	}
	if err := knownKeys(top, documentKeys, "the document"); err != nil {
		return err
	}
	var statements []json.RawMessage
	if one, ok := policyJSONObject(top["Statement"]); ok {
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

// parsePolicyDocument decodes a document and checks it has a policy's shape.
// Its errors are client-safe InvalidPolicyDocument errors.
func parsePolicyDocument(data []byte) (*policyDocument, error) {
	if err := checkPolicyKeys(data); err != nil {
		return nil, errs.Wrap(err, errs.InvalidPolicyDocument, "the policy document is not a valid policy: %s", jsonProblem(err))
	}
	var doc policyDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, errs.Wrap(err, errs.InvalidPolicyDocument, "the policy document is not a valid policy: %s", jsonProblem(err))
	}
	if len(doc.Statement) == 0 {
		return nil, errs.New(errs.InvalidPolicyDocument, "the policy document has no statements")
	}
	doc.normalize()
	for i, s := range doc.Statement {
		if err := s.check(); err != nil {
			return nil, errs.New(errs.InvalidPolicyDocument, "statement %d of the policy document is invalid: %s", i+1, err)
		}
	}
	return &doc, nil
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

func (s policyStatement) check() error {
	switch {
	case s.Effect != "Allow" && s.Effect != "Deny":
		return errors.New(`Effect must be "Allow" or "Deny"`)
	case len(s.Principal) == 0 && len(s.NotPrincipal) == 0:
		return errors.New("a Principal is required")
	case len(s.Principal) > 0 && len(s.NotPrincipal) > 0:
		return errors.New("Principal and NotPrincipal exclude each other")
	case len(s.Action) == 0 && len(s.NotAction) == 0:
		return errors.New("an Action is required")
	case len(s.Action) > 0 && len(s.NotAction) > 0:
		return errors.New("Action and NotAction exclude each other")
	case len(s.Resource) == 0 && len(s.NotResource) == 0:
		return errors.New("a Resource is required")
	case len(s.Resource) > 0 && len(s.NotResource) > 0:
		return errors.New("Resource and NotResource exclude each other")
	}
	for _, p := range [][]byte{s.Principal, s.NotPrincipal} {
		if len(p) > 0 && p[0] != '"' && p[0] != '{' {
			return errors.New(`a principal must be "*" or an object`)
		}
	}
	return nil
}

// toPhysical rewrites the resources of a document written in the tenant's
// view (arn:aws:s3:::<logical>[/...]) to the store's bucket. A resource that
// names anything but the logical bucket is refused.
func (doc *policyDocument) toPhysical(logical, physical string) error {
	for i := range doc.Statement {
		s := &doc.Statement[i]
		for _, list := range []stringList{s.Resource, s.NotResource} {
			for j, r := range list {
				rest, ok := resourceOf(r, logical)
				if !ok {
					return errs.New(errs.InvalidPolicyDocument,
						"statement %d: resource %d does not name bucket %q: a bucket policy may only name its own bucket, as %q or %q",
						i+1, j+1, logical, s3ARNPrefix+logical, s3ARNPrefix+logical+"/...")
				}
				list[j] = s3ARNPrefix + physical + rest
			}
		}
	}
	return nil
}

// toLogical rewrites the resources of a stored document to the tenant's
// view by taking the tenant's bucket prefix off the bucket part, which also
// covers patterns (arn:aws:s3:::<prefix>site* reads arn:aws:s3:::site*).
func (doc *policyDocument) toLogical(bucketPrefix string) {
	for i := range doc.Statement {
		s := &doc.Statement[i]
		for _, list := range []stringList{s.Resource, s.NotResource} {
			for j, r := range list {
				if rest, ok := strings.CutPrefix(r, s3ARNPrefix+bucketPrefix); ok {
					list[j] = s3ARNPrefix + rest
				}
			}
		}
	}
}

// normalize drops empty conditions, which say nothing.
func (doc *policyDocument) normalize() {
	for i := range doc.Statement {
		if len(doc.Statement[i].Condition) == 0 {
			doc.Statement[i].Condition = nil
		}
	}
}

// resourceOf returns what follows bucket in resource ("" or "/..."), and
// whether resource names exactly that bucket.
func resourceOf(resource, bucket string) (string, bool) {
	rest, ok := strings.CutPrefix(resource, s3ARNPrefix+bucket)
	if !ok || rest != "" && rest[0] != '/' {
		return "", false
	}
	return rest, true
}

// bucketARN and objectsARN name a bucket and the objects under a prefix.
func bucketARN(bucket string) string          { return s3ARNPrefix + bucket }
func objectsARN(bucket, prefix string) string { return s3ARNPrefix + bucket + "/" + prefix + "*" }

// isPublicAllow reports whether s allows anyone ("*") to do its actions on
// its resources, and says nothing else: no Not* element.
func (s policyStatement) isPublicAllow() bool {
	return s.Effect == "Allow" && len(s.NotPrincipal) == 0 && len(s.NotAction) == 0 &&
		len(s.NotResource) == 0 && isAnonymousPrincipal(s.Principal)
}

// isAnonymousPrincipal reports whether p is "*" or {"AWS": "*"}.
func isAnonymousPrincipal(p json.RawMessage) bool {
	var star string
	if json.Unmarshal(p, &star) == nil {
		return star == "*"
	}
	var obj map[string]stringList
	if json.Unmarshal(p, &obj) != nil || len(obj) != 1 {
		return false
	}
	aws, ok := obj["AWS"]
	return ok && slices.Contains(aws, "*")
}

// anonymousPrincipal is the principal of the canned statements.
var anonymousPrincipal = json.RawMessage(`{"AWS":["*"]}`)

// listPrefixes returns the s3:prefix values of a public ListBucket statement
// on bucket whose only condition is StringLike s3:prefix; ok is false for any
// other statement. A statement without condition yields (nil, true).
func (s policyStatement) listPrefixes(bucket string) (values []string, ok bool) {
	if !s.isPublicAllow() || !slices.Equal(s.Action, []string{actionListBucket}) ||
		!slices.Equal(s.Resource, []string{bucketARN(bucket)}) {
		return nil, false
	}
	if s.Condition == nil {
		return nil, true
	}
	if len(s.Condition) != 1 || len(s.Condition[condStringLike]) != 1 {
		return nil, false
	}
	var vals stringList
	if json.Unmarshal(s.Condition[condStringLike][condKeyPrefix], &vals) != nil || len(vals) == 0 {
		return nil, false
	}
	return vals, true
}

// isCannedObjects reports whether s is a canned grant on objects: public,
// unconditional, canned object actions only, on objects of bucket.
func (s policyStatement) isCannedObjects(bucket string) bool {
	if !s.isPublicAllow() || s.Condition != nil || len(s.Resource) == 0 || !actionsSubset(s.Action, cannedObjectActions) {
		return false
	}
	for _, r := range s.Resource {
		if rest, ok := resourceOf(r, bucket); !ok || !strings.HasPrefix(rest, "/") || !strings.HasSuffix(rest, "*") {
			return false
		}
	}
	return true
}

// isSharedBucket reports whether s is the shared bucket-level statement of
// the canned grants.
func (s policyStatement) isSharedBucket(bucket string) bool {
	return s.isPublicAllow() && s.Condition == nil && slices.Equal(s.Resource, []string{bucketARN(bucket)}) &&
		actionsSubset(s.Action, sharedBucketActions)
}

// setCannedPolicy returns statements with the canned grant of prefix replaced
// by policy; other statements are kept.
func setCannedPolicy(statements []policyStatement, bucket, prefix string, policy CannedPolicy) []policyStatement {
	objects := objectsARN(bucket, prefix)
	var out []policyStatement
	for _, s := range statements {
		if s.isSharedBucket(bucket) {
			continue // rebuilt below
		}
		if s.isPublicAllow() && s.Condition == nil && actionsSubset(s.Action, cannedObjectActions) && slices.Contains(s.Resource, objects) {
			s.Resource = slices.DeleteFunc(slices.Clone(s.Resource), func(r string) bool { return r == objects })
			if len(s.Resource) > 0 {
				out = append(out, s)
			}
			continue
		}
		if values, ok := s.listPrefixes(bucket); ok {
			if values == nil {
				if prefix != "" {
					out = append(out, s)
				}
				continue
			}
			values = slices.DeleteFunc(slices.Clone(values), func(v string) bool { return v == prefix+"*" })
			if len(values) > 0 {
				s.Condition = listCondition(values)
				out = append(out, s)
			}
			continue
		}
		out = append(out, s)
	}

	var objectActions []string
	if policy == CannedReadOnly || policy == CannedReadWrite {
		objectActions = append(objectActions, readObjectActions...)
		out = addListGrant(out, bucket, prefix)
	}
	if policy == CannedWriteOnly || policy == CannedReadWrite {
		objectActions = append(objectActions, writeObjectActions...)
	}
	if len(objectActions) > 0 {
		slices.Sort(objectActions)
		out = append(out, policyStatement{
			Effect: "Allow", Principal: anonymousPrincipal, Action: objectActions, Resource: stringList{objects},
		})
	}

	// The shared bucket-level grants, as long as any canned grant needs them.
	var anyGrant, anyWrite bool
	for _, s := range out {
		if s.isCannedObjects(bucket) {
			anyGrant = true
			anyWrite = anyWrite || actionsOverlap(s.Action, writeObjectActions)
		}
	}
	if anyGrant {
		shared := stringList{actionGetBucketLocation}
		if anyWrite {
			shared = append(shared, actionListBucketMultipartUploads)
		}
		out = append(out, policyStatement{
			Effect: "Allow", Principal: anonymousPrincipal, Action: shared, Resource: stringList{bucketARN(bucket)},
		})
	}
	return out
}

// addListGrant lets anyone list the keys under prefix, joining the prefix
// to an existing canned ListBucket statement when there is one.
func addListGrant(statements []policyStatement, bucket, prefix string) []policyStatement {
	if prefix != "" {
		for i, s := range statements {
			if values, ok := s.listPrefixes(bucket); ok && values != nil {
				statements[i].Condition = listCondition(append(slices.Clone(values), prefix+"*"))
				return statements
			}
		}
	}
	s := policyStatement{
		Effect: "Allow", Principal: anonymousPrincipal, Action: stringList{actionListBucket}, Resource: stringList{bucketARN(bucket)},
	}
	if prefix != "" {
		s.Condition = listCondition([]string{prefix + "*"})
	}
	return append(statements, s)
}

func listCondition(values []string) map[string]map[string]json.RawMessage {
	raw, _ := json.Marshal(values) // a list of strings always marshals
	return map[string]map[string]json.RawMessage{condStringLike: {condKeyPrefix: raw}}
}

// effectivePolicy reports which canned policy the statements grant, in
// full, for the objects under prefix. A grant counts only when its
// unconditional Allow statements cover it and no Deny statement touches it
// (whatever the Deny's conditions: a conditional Deny may apply).
func effectivePolicy(statements []policyStatement, bucket, prefix string) CannedPolicy {
	objects := objectsARN(bucket, prefix)
	bucketRes := bucketARN(bucket)
	allowed := func(action, resource string) bool {
		var allow bool
		for _, s := range statements {
			if s.Effect == "Deny" && s.mayApply(action, resource) {
				return false
			}
			if s.isPublicAllow() && s.Condition == nil && s.mayApply(action, resource) {
				allow = true
			}
		}
		return allow
	}
	all := func(actions []string, resource string) bool {
		for _, a := range actions {
			if !allowed(a, resource) {
				return false
			}
		}
		return true
	}
	if !allowed(actionGetBucketLocation, bucketRes) {
		return CannedNone
	}
	read := all(readObjectActions, objects) && listAllowed(statements, bucket, prefix)
	write := all(writeObjectActions, objects) && allowed(actionListBucketMultipartUploads, bucketRes)
	switch {
	case read && write:
		return CannedReadWrite
	case read:
		return CannedReadOnly
	case write:
		return CannedWriteOnly
	}
	return CannedNone
}

// listAllowed reports whether anyone may list the keys under prefix:
// s3:ListBucket on the bucket, unconditional or limited to s3:prefix values
// that cover prefix, and no Deny of it.
func listAllowed(statements []policyStatement, bucket, prefix string) bool {
	bucketRes := bucketARN(bucket)
	var allow bool
	for _, s := range statements {
		if !s.mayApply(actionListBucket, bucketRes) {
			continue
		}
		if s.Effect == "Deny" {
			return false
		}
		if !s.isPublicAllow() {
			continue
		}
		if s.Condition == nil {
			allow = true
			continue
		}
		if len(s.Condition) != 1 {
			continue
		}
		for op, keys := range s.Condition {
			var vals stringList
			if len(keys) != 1 || json.Unmarshal(keys[condKeyPrefix], &vals) != nil {
				continue
			}
			for _, v := range vals {
				if op == condStringLike && wildcardMatch(v, prefix+"*") || op == condStringEquals && v == prefix {
					allow = true
				}
			}
		}
	}
	return allow
}

// mayApply reports whether s names action on resource (wildcards allowed in
// s; Not* elements are read as "applies unless excluded").
func (s policyStatement) mayApply(action, resource string) bool {
	matchAny := func(patterns []string, v string, fold bool) bool {
		for _, p := range patterns {
			if fold && wildcardMatch(strings.ToLower(p), strings.ToLower(v)) || !fold && wildcardMatch(p, v) {
				return true
			}
		}
		return false
	}
	actionOK := len(s.Action) > 0 && matchAny(s.Action, action, true) ||
		len(s.NotAction) > 0 && !matchAny(s.NotAction, action, true)
	resourceOK := len(s.Resource) > 0 && matchAny(s.Resource, resource, false) ||
		len(s.NotResource) > 0 && !matchAny(s.NotResource, resource, false)
	return actionOK && resourceOK
}

// wildcardMatch matches s against pattern, where '*' stands for any run of
// characters and '?' for one; every other character of s, '*' included, is
// literal.
func wildcardMatch(pattern, s string) bool {
	p, str := []rune(pattern), []rune(s)
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(str) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == str[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func actionsSubset(a, of []string) bool {
	for _, x := range a {
		if !slices.Contains(of, x) {
			return false
		}
	}
	return len(a) > 0
}

func actionsOverlap(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// validatePolicyPrefix checks the prefix a canned policy applies to. It is
// written into resource patterns, so the pattern characters of the policy
// language are refused: they would widen the grant.
func validatePolicyPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if err := ValidateObjectName(prefix); err != nil {
		return errs.Wrap(err, errs.InvalidArgument, "prefix must be valid UTF-8 of at most %d bytes, without NUL or '.' and '..' segments", MaxObjectNameBytes)
	}
	if strings.ContainsAny(prefix, "*?") || strings.Contains(prefix, "${") {
		return errs.New(errs.InvalidArgument, "prefix must not contain '*', '?' or '${': a policy would read them as patterns")
	}
	return nil
}

func validCanned(p CannedPolicy) bool {
	switch p {
	case CannedNone, CannedReadOnly, CannedWriteOnly, CannedReadWrite:
		return true
	}
	return false
}

// GetBucketPolicy implements Policies.
func (m *MinIO) GetBucketPolicy(ctx context.Context, bucket, prefix string) (BucketPolicy, error) {
	tc, physical, err := m.policyTarget(ctx, bucket, prefix)
	if err != nil {
		return BucketPolicy{}, err
	}
	doc, err := m.readPolicy(ctx, tc, bucket, physical)
	if err != nil {
		return BucketPolicy{}, err
	}
	return policyView(doc, tc.tenant.BucketPrefix, physical, prefix)
}

// SetBucketPolicy implements Policies.
func (m *MinIO) SetBucketPolicy(ctx context.Context, bucket, prefix string, policy CannedPolicy) (BucketPolicy, error) {
	if !validCanned(policy) {
		return BucketPolicy{}, errs.New(errs.InvalidArgument, "policy must be one of none, readonly, writeonly, readwrite")
	}
	tc, physical, err := m.policyTarget(ctx, bucket, prefix)
	if err != nil {
		return BucketPolicy{}, err
	}
	doc, err := m.readPolicy(ctx, tc, bucket, physical)
	if err != nil {
		return BucketPolicy{}, err
	}
	if doc == nil {
		doc = &policyDocument{Version: policyVersion}
	}
	doc.Statement = setCannedPolicy(doc.Statement, physical, prefix, policy)
	if err := m.writePolicy(ctx, tc, bucket, physical, doc); err != nil {
		return BucketPolicy{}, err
	}
	return m.GetBucketPolicy(ctx, bucket, prefix)
}

// SetBucketPolicyDocument implements Policies.
func (m *MinIO) SetBucketPolicyDocument(ctx context.Context, bucket string, raw json.RawMessage) (BucketPolicy, error) {
	tc, physical, err := m.policyTarget(ctx, bucket, "")
	if err != nil {
		return BucketPolicy{}, err
	}
	doc, err := parsePolicyDocument(raw)
	if err != nil {
		return BucketPolicy{}, err
	}
	if err := doc.toPhysical(bucket, physical); err != nil {
		return BucketPolicy{}, err
	}
	if err := m.writePolicy(ctx, tc, bucket, physical, doc); err != nil {
		return BucketPolicy{}, err
	}
	return m.GetBucketPolicy(ctx, bucket, "")
}

// RemoveBucketPolicy implements Policies.
func (m *MinIO) RemoveBucketPolicy(ctx context.Context, bucket string) error {
	tc, physical, err := m.policyTarget(ctx, bucket, "")
	if err != nil {
		return err
	}
	return m.writePolicy(ctx, tc, bucket, physical, nil)
}

func (m *MinIO) policyTarget(ctx context.Context, bucket, prefix string) (*tenantClient, string, error) {
	tc, err := m.tenantFor(ctx)
	if err != nil {
		return nil, "", err
	}
	physical, err := physicalBucket(tc.tenant, bucket)
	if err != nil {
		return nil, "", err
	}
	if err := validatePolicyPrefix(prefix); err != nil {
		return nil, "", err
	}
	return tc, physical, nil
}

// readPolicy returns the stored document with the store's names, nil when
// the bucket has none.
func (m *MinIO) readPolicy(ctx context.Context, tc *tenantClient, bucket, physical string) (*policyDocument, error) {
	cctx, cancel := m.callContext(ctx)
	defer cancel()
	text, err := tc.client.GetBucketPolicy(cctx, physical)
	if err != nil {
		return nil, translate(err, bucket, "")
	}
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	var doc policyDocument
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return nil, errs.Wrap(err, errs.InternalError, "the stored policy of bucket %q could not be read", bucket)
	}
	doc.normalize()
	return &doc, nil
}

// writePolicy stores doc, or deletes the policy when doc has no statements.
func (m *MinIO) writePolicy(ctx context.Context, tc *tenantClient, bucket, physical string, doc *policyDocument) error {
	var text string
	if doc != nil && len(doc.Statement) > 0 {
		if doc.Version == "" {
			doc.Version = policyVersion
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return errs.Wrap(err, errs.InternalError, "internal error")
		}
		text = string(b)
	}
	cctx, cancel := m.callContext(ctx)
	defer cancel()
	err := tc.client.SetBucketPolicy(cctx, physical, text)
	if err == nil {
		return nil
	}
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		switch {
		case resp.Code == minio.NoSuchBucketPolicy:
			return nil // already private
		case resp.Code != "NoSuchBucket" && resp.StatusCode == http.StatusBadRequest:
			return errs.Wrap(err, errs.InvalidPolicyDocument, "the object store refused the policy of bucket %q as invalid", bucket)
		}
	}
	return translate(err, bucket, "")
}

// policyView is what GetBucketPolicy reports for prefix, from the stored
// document (nil: none) of the tenant's bucket physical.
func policyView(doc *policyDocument, bucketPrefix, physical, prefix string) (BucketPolicy, error) {
	view := BucketPolicy{Prefix: prefix, Policy: CannedNone}
	if doc == nil {
		return view, nil
	}
	view.Policy = effectivePolicy(doc.Statement, physical, prefix)
	doc.toLogical(bucketPrefix)
	b, err := json.Marshal(doc)
	if err != nil {
		return BucketPolicy{}, errs.Wrap(err, errs.InternalError, "internal error")
	}
	view.Document = b
	return view, nil
}
