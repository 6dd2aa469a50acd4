package access

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
)

// SigningPurpose names one of a tenant's restricted store identities, with
// which presigned URLs and forms are signed. A presigned request reaches
// the store without the gateway, so what it may do is what its signer may
// do: each identity can do only its one kind of action (see package
// provision for their policies).
type SigningPurpose string

const (
	// SignUploads signs presigned PUT URLs and POST forms: the identity
	// can put objects (and abort or list the parts of its multipart
	// uploads), but not read them, so an x-amz-copy-source header added
	// to a presigned PUT is refused.
	SignUploads SigningPurpose = "upload"
	// SignReads signs presigned GET URLs: the identity can only get
	// objects.
	SignReads SigningPurpose = "read"
)

// SigningPurposes returns every purpose, in a fixed order.
func SigningPurposes() []SigningPurpose { return []SigningPurpose{SignUploads, SignReads} }

// Lengths of the derived credentials: MinIO's longest service-account
// access key, and the length of the secret keys it generates.
const (
	signingAccessKeyLen = 20
	signingSecretKeyLen = 40
)

// SigningCredentials are the store credentials of the tenant's identity for
// purpose. They are derived from the tenant's store credentials (an HMAC
// keyed with its secret key), so the gateway and provisioning compute the
// same keys with no store call and nothing more to configure; they change
// when the tenant's secret key does (provisioning then makes new ones).
// The access key is 20 characters of A-Z and 2-7, the secret key 40
// lowercase hex digits: both within what MinIO accepts.
func (t *Tenant) SigningCredentials(purpose SigningPurpose) (accessKey, secretKey string) {
	derive := func(what string) []byte {
		m := hmac.New(sha256.New, []byte(t.SecretKey))
		m.Write([]byte("s3gateway signing identity\x00" + what + "\x00" + string(purpose) + "\x00" + t.AccessKey))
		return m.Sum(nil)
	}
	accessKey = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(derive("access key"))[:signingAccessKeyLen]
	secretKey = hex.EncodeToString(derive("secret key"))[:signingSecretKeyLen]
	return accessKey, secretKey
}
