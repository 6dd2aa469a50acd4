package service

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"s3gateway/access"
	"s3gateway/errs"
)

// MaxObjectNameBytes is S3's limit for an object key.
const MaxObjectNameBytes = 1024

// ValidateBucketName checks a tenant's (logical) bucket name against S3's
// rules, counting the tenant's prefix towards the 63-character limit.
func ValidateBucketName(name, prefix string) error {
	invalid := func(why string) error {
		return errs.New(errs.InvalidBucketName, "bucket name %q is invalid: %s", name, why)
	}
	switch {
	case len(name) < 3:
		return invalid("it must be at least 3 characters long")
	case len(prefix)+len(name) > 63:
		return invalid("it must be at most " + strconv.Itoa(63-len(prefix)) + " characters long")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return invalid("only lowercase letters, digits, '.' and '-' are allowed")
		}
	}
	if !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) {
		return invalid("it must begin and end with a letter or digit")
	}
	if strings.Contains(name, "..") {
		return invalid("it must not contain '..'")
	}
	if strings.Contains(name, ".-") || strings.Contains(name, "-.") {
		return invalid("'.' and '-' must not be next to each other")
	}
	// The store sees the prefixed name: "10." and "0.0.1" make "10.0.0.1".
	if ipShaped(name) || ipShaped(prefix+name) {
		return invalid("it must not be shaped like an IP address")
	}
	return nil
}

// ipShaped reports whether s is four dot-separated groups of digits, the
// shape S3 (and minio-go) refuse as a bucket name, whether or not each group
// is at most 255.
func ipShaped(s string) bool {
	groups := strings.Split(s, ".")
	if len(groups) != 4 {
		return false
	}
	for _, g := range groups {
		if g == "" || strings.Trim(g, "0123456789") != "" {
			return false
		}
	}
	return true
}

// physicalBucket maps a tenant's bucket name to the store's.
func physicalBucket(t *access.Tenant, name string) (string, error) {
	if err := ValidateBucketName(name, t.BucketPrefix); err != nil {
		return "", err
	}
	return t.BucketPrefix + name, nil
}

// logicalBucket maps a store bucket name back to the tenant's; ok is false
// when the bucket is not the tenant's.
func logicalBucket(t *access.Tenant, physical string) (string, bool) {
	name, ok := strings.CutPrefix(physical, t.BucketPrefix)
	if !ok || ValidateBucketName(name, t.BucketPrefix) != nil {
		return "", false
	}
	return name, true
}

// ValidateObjectName rejects names S3 (or a file-system backed store) would
// refuse or misread: empty, over 1024 bytes, invalid UTF-8, NUL, "." or
// ".." path segments (a backslash separates segments too), and empty segments other than a
// trailing "/" (MinIO refuses "a//b" and stores "/a" as "a", so neither
// would round-trip).
func ValidateObjectName(name string) error {
	invalid := func(why string) error {
		return errs.New(errs.InvalidObjectName, "object name is invalid: %s", why)
	}
	switch {
	case name == "":
		return invalid("it must not be empty")
	case len(name) > MaxObjectNameBytes:
		return invalid("it must be at most 1024 bytes")
	case !utf8.ValidString(name):
		return invalid("it must be valid UTF-8")
	case strings.ContainsRune(name, 0):
		return invalid("it must not contain NUL")
	}
	if why := pathProblem(name); why != "" {
		return invalid(why)
	}
	segs := strings.Split(name, "/")
	for i, seg := range segs {
		if seg == "" && i < len(segs)-1 {
			return invalid("it must not begin with '/' or contain '//'")
		}
	}
	return nil
}

// pathProblem says why s cannot be (the start of) an object name the store
// accepts, "" when it can: MinIO refuses any segment that is "." or ".."
// once trimmed of spaces, and splits segments at a backslash as well as at
// "/" (a\..\b is refused; back\slash is a name like any other).
func pathProblem(s string) string {
	segs := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '\\' })
	for _, seg := range segs {
		if t := strings.TrimSpace(seg); t == "." || t == ".." {
			return "it must not contain '.' or '..' segments (between '/' or '\\')"
		}
	}
	return ""
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// Describe names what a call was about in a message, by the tenant's names
// (either may be empty).
func Describe(bucket, name string) string {
	switch {
	case name != "":
		return "object " + quote(name) + " in bucket " + quote(bucket)
	case bucket != "":
		return "bucket " + quote(bucket)
	}
	return "the request"
}

func quote(s string) string { return "\"" + s + "\"" }
