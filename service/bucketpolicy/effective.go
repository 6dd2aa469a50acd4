package bucketpolicy

import (
	"encoding/json"
	"slices"
	"strings"
)

// Effective reports what anonymous users may do under prefix of bucket
// (the name the document's resources use) by doc (nil: nothing): the
// canned policy that says it exactly, or Custom.
//
// A canned policy is granted when unconditional public Allow statements
// grant it in full and no Deny statement touches it (whatever the Deny's
// conditions: a conditional Deny may apply). The answer is Custom when, on
// top of that, any Allow for anonymous users may grant more under the
// prefix, conditions or not: another action on an object under it, the
// listing of names under it, or an action on the bucket other than its
// location and its multipart uploads (the bucket-level part of every
// prefix's canned grant); unless an unconditional Deny for everyone takes
// it away. So it is None only when nothing under the prefix is public.
func Effective(doc *Document, bucket, prefix string) Canned {
	if doc == nil {
		return None
	}
	granted := grantedInFull(doc.Statement, bucket, prefix)
	if newScope(doc.Statement, bucket, prefix).grantsMore(granted) {
		return Custom
	}
	return granted
}

// grantedInFull reports the canned policy that unconditional public Allow
// statements grant in full for prefix, with no Deny touching it.
func grantedInFull(statements []Statement, bucket, prefix string) Canned {
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
		return None
	}
	read := all(readObjectActions, objects) && listAllowed(statements, bucket, prefix)
	write := all(writeObjectActions, objects) && allowed(actionListBucketMultipartUploads, bucketRes)
	switch {
	case read && write:
		return ReadWrite
	case read:
		return ReadOnly
	case write:
		return WriteOnly
	}
	return None
}

// listAllowed reports whether anyone may list the keys under prefix:
// s3:ListBucket on the bucket, unconditional or limited to s3:prefix values
// that cover prefix, and no Deny of it.
func listAllowed(statements []Statement, bucket, prefix string) bool {
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
			var vals StringList
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

// scope is the part of a bucket's policy that concerns one prefix.
type scope struct {
	statements []Statement
	bucket     string // the bucket's resource name
	head       string // what the resource names of the objects under prefix start with
	prefix     string
	// denies are the unconditional Deny statements for everyone: they surely
	// take away what they name.
	denies []Statement
	// covering remembers, by the start of object names, the denies whose
	// resources take in every object name that starts so.
	covering map[string][]Statement
}

func newScope(statements []Statement, bucket, prefix string) scope {
	sc := scope{
		statements: statements, bucket: bucketARN(bucket), head: arnPrefix + bucket + "/" + prefix, prefix: prefix,
		covering: map[string][]Statement{},
	}
	for _, s := range statements {
		if s.Effect == "Deny" && len(s.NotPrincipal) == 0 && isAnonymousPrincipal(s.Principal) && s.Condition == nil {
			sc.denies = append(sc.denies, s)
		}
	}
	return sc
}

// grantsMore reports whether an Allow for anonymous users may grant under
// the prefix anything that granted does not.
func (sc scope) grantsMore(granted Canned) bool {
	for _, s := range sc.statements {
		if s.Effect != "Allow" || !s.coversAnonymous() {
			continue
		}
		touched := sc.objectsTouched(s)
		for _, a := range s.actionsNamed() {
			if !granted.hasObjectAction(a) && sc.objectGrant(touched, a) || !granted.hasBucketAction(a) && sc.bucketGrant(s, a) {
				return true
			}
		}
	}
	return false
}

// objectsTouched returns, for each resource of s that may name an object
// under the prefix, what the names it matches start with.
func (sc scope) objectsTouched(s Statement) []string {
	if len(s.NotResource) > 0 {
		if slices.ContainsFunc(s.NotResource, func(n string) bool { return coversPrefix(n, sc.head) }) {
			return nil
		}
		return []string{sc.head}
	}
	var heads []string
	for _, r := range s.Resource {
		if r = widenVariables(r); patternsOverlap(r, sc.head+"*") {
			heads = append(heads, literalHead(r))
		}
	}
	return heads
}

// objectGrant reports whether action a, granted on the objects touched,
// is left to anonymous users on some object under the prefix: no Deny
// surely takes it away.
func (sc scope) objectGrant(touched []string, a string) bool {
	if len(touched) == 0 || !isObjectAction(a) || sc.deniedObjects(a, sc.head) {
		return false
	}
	return slices.ContainsFunc(touched, func(head string) bool { return !sc.deniedObjects(a, head) })
}

// bucketGrant reports whether s may grant action a on the bucket in a way
// that concerns the prefix, and no Deny surely takes it away.
func (sc scope) bucketGrant(s Statement, a string) bool {
	if !isBucketAction(a) || strings.EqualFold(a, actionGetBucketLocation) || strings.EqualFold(a, actionListBucketMultipartUploads) {
		return false
	}
	if !s.mayNameResource(sc.bucket) || isListing(a) && !listReaches(s.Condition, sc.prefix) {
		return false
	}
	return !slices.ContainsFunc(sc.denies, func(d Statement) bool { return d.namesAction(a) && d.surelyNamesResource(sc.bucket) })
}

// deniedObjects reports whether an unconditional Deny for everyone takes
// action a away on every object whose resource name starts with head.
func (sc scope) deniedObjects(a, head string) bool {
	covering, ok := sc.covering[head]
	if !ok {
		for _, d := range sc.denies {
			if slices.ContainsFunc(d.Resource, func(r string) bool { return coversPrefix(r, head) }) ||
				len(d.NotResource) > 0 && !slices.ContainsFunc(d.NotResource, func(n string) bool {
					return patternsOverlap(widenVariables(n), head+"*")
				}) {
				covering = append(covering, d)
			}
		}
		sc.covering[head] = covering
	}
	return slices.ContainsFunc(covering, func(d Statement) bool { return d.namesAction(a) })
}

// namesAction reports whether s may apply to action a.
func (s Statement) namesAction(a string) bool {
	if len(s.Action) > 0 {
		return slices.ContainsFunc(s.Action, func(p string) bool { return actionMatch(p, a) })
	}
	return len(s.NotAction) > 0 && !slices.ContainsFunc(s.NotAction, func(p string) bool { return actionMatch(p, a) })
}

// actionsNamed lists the actions s may apply to: the known actions it
// matches, and the ones it names that are not known.
func (s Statement) actionsNamed() []string {
	var out []string
	for _, a := range slices.Concat(objectActionNames, bucketActionNames) {
		if s.namesAction(a) {
			out = append(out, a)
		}
	}
	for _, a := range s.Action {
		if !isPattern(a) && !isKnownAction(a) {
			out = append(out, a)
		}
	}
	return out
}

// mayNameResource reports whether s may apply to the resource res.
func (s Statement) mayNameResource(res string) bool {
	if len(s.NotResource) > 0 {
		return !slices.ContainsFunc(s.NotResource, func(n string) bool { return wildcardMatch(n, res) })
	}
	return slices.ContainsFunc(s.Resource, func(r string) bool { return wildcardMatch(widenVariables(r), res) })
}

// surelyNamesResource reports whether s applies to the resource res
// whatever its policy variables stand for.
func (s Statement) surelyNamesResource(res string) bool {
	if len(s.NotResource) > 0 {
		return !slices.ContainsFunc(s.NotResource, func(n string) bool { return wildcardMatch(widenVariables(n), res) })
	}
	return slices.ContainsFunc(s.Resource, func(r string) bool { return !strings.Contains(r, "${") && wildcardMatch(r, res) })
}

// listReaches reports whether a listing allowed under cond may show names
// under prefix. Conditions all apply, so one s3:prefix bound of StringLike
// or StringEquals limits the listing to request prefixes that match it;
// a request prefix shows names under prefix when one of them starts with
// the other.
func listReaches(cond map[string]map[string]json.RawMessage, prefix string) bool {
	for op, keys := range cond {
		for key, raw := range keys {
			var values StringList
			if !strings.EqualFold(key, condKeyPrefix) || json.Unmarshal(raw, &values) != nil {
				continue
			}
			reaches := func(v string) bool {
				if op == condStringEquals {
					return strings.HasPrefix(v, prefix) || strings.HasPrefix(prefix, v)
				}
				return patternsOverlap(v, prefix+"*") || coversPrefixOf(v, prefix)
			}
			if (op == condStringLike || op == condStringEquals) && !slices.ContainsFunc(values, reaches) {
				return false
			}
		}
	}
	return true
}

// coversPrefixOf reports whether pattern matches a prefix of s.
func coversPrefixOf(pattern, s string) bool {
	for k := range s {
		if wildcardMatch(pattern, s[:k]) {
			return true
		}
	}
	return wildcardMatch(pattern, s)
}

func isKnownAction(a string) bool {
	return containsFold(objectActionNames, a) || containsFold(bucketActionNames, a)
}

// isObjectAction and isBucketAction tell the kind of resource an action
// applies to; an action the store does not know is read as both.
func isObjectAction(a string) bool { return containsFold(objectActionNames, a) || !isKnownAction(a) }
func isBucketAction(a string) bool { return containsFold(bucketActionNames, a) || !isKnownAction(a) }

func isListing(a string) bool {
	return strings.EqualFold(a, actionListBucket) || strings.EqualFold(a, "s3:ListBucketVersions")
}

// hasObjectAction and hasBucketAction report whether the canned policy c
// grants action a on the prefix's objects, or on the bucket.
func (c Canned) hasObjectAction(a string) bool {
	return (c == ReadOnly || c == ReadWrite) && containsFold(readObjectActions, a) ||
		(c == WriteOnly || c == ReadWrite) && containsFold(writeObjectActions, a)
}

func (c Canned) hasBucketAction(a string) bool {
	return (c == ReadOnly || c == ReadWrite) && strings.EqualFold(a, actionListBucket)
}
