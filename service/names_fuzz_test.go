package service

import (
	"strconv"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7/pkg/s3utils"

	"s3gateway/access"
)

// tenantWithPrefix returns a tenant whose prefix is what the tenants file
// gives for prefix, or false when the file would refuse it: only prefixes
// that a gateway can run with are fuzzed.
func tenantWithPrefix(prefix string) (*access.Tenant, bool) {
	reg, err := access.Parse([]byte("tenants:\n  - id: t\n    bucketPrefix: " + strconv.Quote(prefix) +
		"\n    apiKeys: [key-of-at-least-32-characters-000]\n    s3: {accessKey: a, secretKey: s}\n"))
	if err != nil {
		return nil, false
	}
	return reg.All()[0], true
}

// FuzzBucketName validates a tenant's bucket name and maps it to the store's
// name and back. Nothing panics; a name that is accepted, with the tenant's
// prefix added, is a bucket name S3 accepts (minio-go's strict check, at
// most 63 characters), and maps back to itself; a store name that maps to a
// tenant name is exactly the prefix and that name.
func FuzzBucketName(f *testing.F) {
	for _, seed := range []struct{ prefix, name string }{
		{"acme-", "photos"}, {"acme-", "ab"}, {"acme-", "Photos"}, {"acme-", "a..b"}, {"acme-", "a.-b"},
		{"acme-", "192.168.1.1"}, {"acme-", "999.999.999.999"}, {"10.", "0.0.100"}, {"1.2.", "3.400"},
		{"acme-", strings.Repeat("a", 58)}, {"acme-", strings.Repeat("a", 57)}, {"a", "bcd"},
		{"acme.", "x-y"}, {"acme-", "photos-"}, {"acme-", "-photos"}, {"acme-", "ph_otos"},
	} {
		f.Add(seed.prefix, seed.name, seed.prefix+seed.name)
	}
	f.Fuzz(func(t *testing.T, prefix, name, physical string) {
		tn, ok := tenantWithPrefix(prefix)
		if !ok {
			return
		}
		prefix = tn.BucketPrefix

		if err := ValidateBucketName(name, prefix); err == nil {
			phys, err := physicalBucket(tn, name)
			if err != nil || phys != prefix+name {
				t.Fatalf("physicalBucket(%q, %q) = %q, %v", prefix, name, phys, err)
			}
			if err := s3utils.CheckValidBucketNameStrict(phys); err != nil {
				t.Fatalf("prefix %q, name %q accepted, but %q is not a valid S3 bucket name: %v", prefix, name, phys, err)
			}
			if back, ok := logicalBucket(tn, phys); !ok || back != name {
				t.Fatalf("logicalBucket(%q) = %q, %v; want %q", phys, back, ok, name)
			}
		} else if _, err := physicalBucket(tn, name); err == nil {
			t.Fatalf("physicalBucket accepts %q, which ValidateBucketName refuses", name)
		}

		if back, ok := logicalBucket(tn, physical); ok {
			if prefix+back != physical || ValidateBucketName(back, prefix) != nil {
				t.Fatalf("logicalBucket(%q) = %q with prefix %q", physical, back, prefix)
			}
		} else if strings.HasPrefix(physical, prefix) && ValidateBucketName(physical[len(prefix):], prefix) == nil {
			t.Fatalf("logicalBucket refuses %q, a valid name with prefix %q", physical, prefix)
		}
	})
}

func TestValidateBucketNameWithPrefix(t *testing.T) {
	cases := []struct {
		name, bucket, prefix string
		valid                bool
	}{
		{"plain", "photos", "acme-", true},
		{"threeGroupsOfDigits", "1.2.3", "", true},
		{"ipAddress", "192.168.1.1", "", false},
		{"ipShapedOutOfRange", "999.999.999.999", "", false},
		{"ipShapedWithPrefix", "0.0.100", "10.", false},
		{"digitsWithLetterPrefix", "0.0.100", "acme-", true},
		{"lengthWithPrefix", strings.Repeat("a", 58), "acme-", true},
		{"tooLongWithPrefix", strings.Repeat("a", 59), "acme-", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := ValidateBucketName(tc.bucket, tc.prefix); (err == nil) != tc.valid {
				t.Fatalf("ValidateBucketName(%q, %q) = %v", tc.bucket, tc.prefix, err)
			}
		})
	}
}
