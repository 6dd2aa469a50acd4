package access

import (
	"regexp"
	"testing"
)

func TestSigningCredentials(t *testing.T) {
	a := &Tenant{ID: "a", AccessKey: "a-svc", SecretKey: "a-secret-value"}
	b := &Tenant{ID: "b", AccessKey: "b-svc", SecretKey: "a-secret-value"} // same secret, other user
	accessShape, secretShape := regexp.MustCompile(`^[A-Z2-7]{20}$`), regexp.MustCompile(`^[0-9a-f]{40}$`)
	seen := map[string]bool{}
	for _, tn := range []*Tenant{a, b} {
		for _, p := range SigningPurposes() {
			ak, sk := tn.SigningCredentials(p)
			if !accessShape.MatchString(ak) || !secretShape.MatchString(sk) {
				t.Fatalf("%s %s: %q %q", tn.ID, p, ak, sk)
			}
			if seen[ak] || seen[sk] {
				t.Fatalf("%s %s: credentials not distinct", tn.ID, p)
			}
			seen[ak], seen[sk] = true, true
			if ak2, sk2 := tn.SigningCredentials(p); ak2 != ak || sk2 != sk {
				t.Fatal("not deterministic")
			}
		}
	}
	rotated := *a
	rotated.SecretKey = "a-new-secret-value"
	if ak, _ := rotated.SigningCredentials(SignUploads); seen[ak] {
		t.Fatal("a new secret key keeps the old signing credentials")
	}
}
