package bucketpolicy

import (
	"encoding/json"
	"slices"
	"strings"

	"s3gateway/errs"
)

// Canned policies.
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

// Canned is the anonymous access to one prefix: one of the canned
// policies, or Custom.
type Canned string

// The canned policies, and Custom.
const (
	None      Canned = "none"
	ReadOnly  Canned = "readonly"
	WriteOnly Canned = "writeonly"
	ReadWrite Canned = "readwrite"
	// Custom is only reported, never set: anonymous users may do something
	// under the prefix that none of the others describes.
	Custom Canned = "custom"
)

// CheckSettable returns an InvalidArgument error unless c is a canned
// policy a prefix can be set to: none, readonly, writeonly or readwrite.
func (c Canned) CheckSettable() error {
	switch c {
	case None, ReadOnly, WriteOnly, ReadWrite:
		return nil
	}
	return errs.New(errs.InvalidArgument, "policy must be one of none, readonly, writeonly, readwrite (custom is only reported, for a document that is none of these)")
}

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

// anonymousPrincipal is the principal of the canned statements.
var anonymousPrincipal = json.RawMessage(`{"AWS":["*"]}`)

// ValidatePrefix checks the prefix a canned policy applies to, as far as
// the policy language is concerned (whether it is a valid object name is
// the caller's rule). It is written into resource patterns, so the pattern
// characters of the language are refused with an InvalidArgument error:
// they would widen the grant.
func ValidatePrefix(prefix string) error {
	if strings.ContainsAny(prefix, "*?") || strings.Contains(prefix, "${") {
		return errs.New(errs.InvalidArgument, "prefix must not contain '*', '?' or '${': a policy would read them as patterns")
	}
	return nil
}

// SetCanned returns doc with the canned grant of prefix on bucket (the
// name the document's resources use) replaced by c; every other statement
// is kept. doc may be nil (no policy yet) and is not changed. The result
// has no statements when no grant is left. c is one that CheckSettable
// accepts; any other leaves prefix no canned grant, as None does.
func SetCanned(doc *Document, bucket, prefix string, c Canned) *Document {
	out := &Document{Version: version}
	var statements []Statement
	if doc != nil {
		out.Version, out.ID = doc.Version, doc.ID
		statements = doc.Statement
	}
	out.Statement = setCanned(statements, bucket, prefix, c)
	return out
}

func setCanned(statements []Statement, bucket, prefix string, c Canned) []Statement {
	objects := objectsARN(bucket, prefix)
	var out []Statement
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
	if c == ReadOnly || c == ReadWrite {
		objectActions = append(objectActions, readObjectActions...)
		out = addListGrant(out, bucket, prefix)
	}
	if c == WriteOnly || c == ReadWrite {
		objectActions = append(objectActions, writeObjectActions...)
	}
	if len(objectActions) > 0 {
		slices.Sort(objectActions)
		out = append(out, Statement{
			Effect: "Allow", Principal: anonymousPrincipal, Action: objectActions, Resource: StringList{objects},
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
		shared := StringList{actionGetBucketLocation}
		if anyWrite {
			shared = append(shared, actionListBucketMultipartUploads)
		}
		out = append(out, Statement{
			Effect: "Allow", Principal: anonymousPrincipal, Action: shared, Resource: StringList{bucketARN(bucket)},
		})
	}
	return out
}

// addListGrant lets anyone list the keys under prefix, joining the prefix
// to an existing canned ListBucket statement when there is one.
func addListGrant(statements []Statement, bucket, prefix string) []Statement {
	if prefix != "" {
		for i, s := range statements {
			if values, ok := s.listPrefixes(bucket); ok && values != nil {
				statements[i].Condition = listCondition(append(slices.Clone(values), prefix+"*"))
				return statements
			}
		}
	}
	s := Statement{
		Effect: "Allow", Principal: anonymousPrincipal, Action: StringList{actionListBucket}, Resource: StringList{bucketARN(bucket)},
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

// bucketARN and objectsARN name a bucket and the objects under a prefix.
func bucketARN(bucket string) string          { return arnPrefix + bucket }
func objectsARN(bucket, prefix string) string { return arnPrefix + bucket + "/" + prefix + "*" }

// isPublicAllow reports whether s allows anyone ("*") to do its actions on
// its resources, and says nothing else: no Not* element.
func (s Statement) isPublicAllow() bool {
	return s.Effect == "Allow" && len(s.NotPrincipal) == 0 && len(s.NotAction) == 0 &&
		len(s.NotResource) == 0 && isAnonymousPrincipal(s.Principal)
}

// listPrefixes returns the s3:prefix values of a public ListBucket statement
// on bucket whose only condition is StringLike s3:prefix; ok is false for any
// other statement. A statement without condition yields (nil, true).
func (s Statement) listPrefixes(bucket string) (values []string, ok bool) {
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
	var vals StringList
	if json.Unmarshal(s.Condition[condStringLike][condKeyPrefix], &vals) != nil || len(vals) == 0 {
		return nil, false
	}
	return vals, true
}

// isCannedObjects reports whether s is a canned grant on objects: public,
// unconditional, canned object actions only, on objects of bucket.
func (s Statement) isCannedObjects(bucket string) bool {
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
func (s Statement) isSharedBucket(bucket string) bool {
	return s.isPublicAllow() && s.Condition == nil && slices.Equal(s.Resource, []string{bucketARN(bucket)}) &&
		actionsSubset(s.Action, sharedBucketActions)
}

// mayApply reports whether s names action on resource (wildcards allowed in
// s; Not* elements are read as "applies unless excluded"). A policy
// variable in a resource matches only itself.
func (s Statement) mayApply(action, resource string) bool {
	match := func(p string) bool { return wildcardMatch(p, resource) }
	resourceOK := len(s.Resource) > 0 && slices.ContainsFunc(s.Resource, match) ||
		len(s.NotResource) > 0 && !slices.ContainsFunc(s.NotResource, match)
	return resourceOK && s.namesAction(action)
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
