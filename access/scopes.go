package access

import (
	"fmt"
	"slices"
)

// Scope names one kind of operation a credential may perform (API.md,
// "Access"). A tenant key has every scope.
type Scope string

// The scopes of the contract.
const (
	ObjectsRead   Scope = "objects:read"   // GET, HEAD, stat, presign GET
	ObjectsList   Scope = "objects:list"   // listings, incomplete uploads
	ObjectsWrite  Scope = "objects:write"  // PUT, form upload, copy target, presign PUT/POST, multipart
	ObjectsDelete Scope = "objects:delete" // single and batch delete, abort of incomplete uploads
	BucketsRead   Scope = "buckets:read"   // list, get, head
	BucketsManage Scope = "buckets:manage" // create, delete, policy, notifications
	EventsRead    Scope = "events:read"    // event streams
)

// AllScopes lists every scope, in the contract's order.
func AllScopes() []Scope {
	return []Scope{ObjectsRead, ObjectsList, ObjectsWrite, ObjectsDelete, BucketsRead, BucketsManage, EventsRead}
}

// ParseScope returns the scope named s.
func ParseScope(s string) (Scope, error) {
	if slices.Contains(AllScopes(), Scope(s)) {
		return Scope(s), nil
	}
	return "", fmt.Errorf("unknown scope %q (one of objects:read, objects:list, objects:write, objects:delete, buckets:read, buckets:manage, events:read)", s)
}

// parseScopes parses a list of scope names, refusing unknown and repeated
// ones, and returns them in the contract's order.
func parseScopes(names []string) ([]Scope, error) {
	seen := map[Scope]bool{}
	for _, n := range names {
		s, err := ParseScope(n)
		if err != nil {
			return nil, err
		}
		if seen[s] {
			return nil, fmt.Errorf("scope %q is listed twice", n)
		}
		seen[s] = true
	}
	var out []Scope
	for _, s := range AllScopes() {
		if seen[s] {
			out = append(out, s)
		}
	}
	return out, nil
}
