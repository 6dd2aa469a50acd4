package service

import (
	"testing"

	"s3gateway/service/bucketpolicy"
)

// The service's canned policies convert to the model's by name.
func TestPolicyCannedNames(t *testing.T) {
	t.Parallel()
	for p, m := range map[CannedPolicy]bucketpolicy.Canned{
		CannedNone: bucketpolicy.None, CannedReadOnly: bucketpolicy.ReadOnly,
		CannedWriteOnly: bucketpolicy.WriteOnly, CannedReadWrite: bucketpolicy.ReadWrite,
	} {
		if bucketpolicy.Canned(p) != m || !m.Valid() {
			t.Errorf("%s converts to %q, want %q", p, bucketpolicy.Canned(p), m)
		}
	}
}
