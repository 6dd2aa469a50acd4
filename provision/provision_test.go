package provision_test

import (
	"encoding/json"
	"slices"
	"testing"

	"s3gateway/access"
	"s3gateway/internal/minitest"
	"s3gateway/provision"
)

// Provisioning creates the tenant's user and its two signing identities,
// and running it again changes nothing and fails on nothing; a new secret
// key gives new signing identities.
func TestTenantIdempotent(t *testing.T) {
	srv := minitest.Start(t, minitest.Options{})
	ctx := t.Context()
	tn := &access.Tenant{ID: "acme", BucketPrefix: "acme-", AccessKey: "acme-svc", SecretKey: "acme-secret-value"}
	for range 2 {
		if err := provision.Tenant(ctx, srv.Admin, tn); err != nil {
			t.Fatal(err)
		}
	}
	check := func(tn *access.Tenant) {
		t.Helper()
		for _, purpose := range access.SigningPurposes() {
			ak, _ := tn.SigningCredentials(purpose)
			info, err := srv.Admin.InfoServiceAccount(ctx, ak)
			if err != nil {
				t.Fatalf("%s identity: %v", purpose, err)
			}
			if info.ParentUser != tn.AccessKey || info.AccountStatus != "on" {
				t.Fatalf("%s identity: parent %q, status %q", purpose, info.ParentUser, info.AccountStatus)
			}
			var policy struct {
				Statement []struct {
					Action   []string
					Resource []string
				}
			}
			if err := json.Unmarshal([]byte(info.Policy), &policy); err != nil || len(policy.Statement) != 1 {
				t.Fatalf("%s identity policy %s: %v", purpose, info.Policy, err)
			}
			got := slices.Sorted(slices.Values(policy.Statement[0].Action))
			want := slices.Sorted(slices.Values(provision.SigningActions(purpose)))
			if !slices.Equal(got, want) || !slices.Equal(policy.Statement[0].Resource, []string{"arn:aws:s3:::" + tn.BucketPrefix + "*/*"}) {
				t.Fatalf("%s identity policy %s", purpose, info.Policy)
			}
		}
	}
	check(tn)

	rotated := *tn
	rotated.SecretKey = "acme-new-secret-value"
	if err := provision.Tenant(ctx, srv.Admin, &rotated); err != nil {
		t.Fatal(err)
	}
	check(&rotated)
	// The identities of the old secret are gone: what they signed no
	// longer works.
	for _, purpose := range access.SigningPurposes() {
		ak, _ := tn.SigningCredentials(purpose)
		if _, err := srv.Admin.InfoServiceAccount(ctx, ak); err == nil {
			t.Errorf("%s identity of the old secret key still exists", purpose)
		}
	}
	list, err := srv.Admin.ListServiceAccounts(ctx, tn.AccessKey)
	if err != nil || len(list.Accounts) != 2 {
		t.Fatalf("service accounts after rotation: %+v, %v", list.Accounts, err)
	}
}
