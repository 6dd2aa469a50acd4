package handlers

import (
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"s3gateway/errs"
	"s3gateway/service"
)

// Conditional requests and checksums: the headers are read here; what they
// mean is decided by the service (service/conditions.go).

// readConditions reads the preconditions of a GET or HEAD. A date that is
// not an HTTP-date is ignored, as RFC 9110 (13.1.3, 13.1.4) says.
func readConditions(h http.Header, opts *service.GetOptions) {
	opts.IfMatch = h.Get("If-Match")
	opts.IfNoneMatch = h.Get("If-None-Match")
	opts.IfModifiedSince = httpDate(h.Get("If-Modified-Since"))
	opts.IfUnmodifiedSince = httpDate(h.Get("If-Unmodified-Since"))
}

func httpDate(v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// readWriteConditions reads the preconditions of a PUT or form upload.
func readWriteConditions(h http.Header, opts *service.PutOptions) {
	opts.IfMatch = h.Get("If-Match")
	opts.IfNoneMatch = h.Get("If-None-Match")
}

// readDigests reads Content-MD5 (base64) and the sha-256 member of
// Repr-Digest (RFC 9530: sha-256=:<base64>:). Other algorithms of
// Repr-Digest are ignored, as RFC 9530 allows.
func readDigests(h http.Header, opts *service.PutOptions) error {
	if v := h.Get("Content-MD5"); v != "" {
		sum, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
		if err != nil {
			return errs.New(errs.InvalidArgument, "Content-MD5: must be base64")
		}
		opts.ContentMD5 = sum
	}
	for _, v := range h.Values("Repr-Digest") {
		sum, ok, err := sha256Member(v)
		if err != nil {
			return err
		}
		if ok {
			opts.SHA256 = sum
		}
	}
	return nil
}

// sha256Member finds sha-256=:<base64>: in a Repr-Digest dictionary.
func sha256Member(v string) ([]byte, bool, error) {
	for _, member := range strings.Split(v, ",") {
		key, value, found := strings.Cut(strings.TrimSpace(member), "=")
		if !found || strings.ToLower(strings.TrimSpace(key)) != "sha-256" {
			continue
		}
		value = strings.TrimSpace(value)
		if len(value) < 2 || value[0] != ':' || value[len(value)-1] != ':' {
			return nil, false, errs.New(errs.InvalidArgument, "Repr-Digest: sha-256 must be a byte sequence, :<base64>:")
		}
		sum, err := base64.StdEncoding.DecodeString(value[1 : len(value)-1])
		if err != nil {
			return nil, false, errs.New(errs.InvalidArgument, "Repr-Digest: sha-256 must be base64")
		}
		return sum, true, nil
	}
	return nil, false, nil
}

// setReprDigest announces the stored SHA-256 of a whole object.
func setReprDigest(h http.Header, info service.ObjectInfo) {
	if len(info.SHA256) > 0 {
		h.Set("Repr-Digest", "sha-256=:"+base64.StdEncoding.EncodeToString(info.SHA256)+":")
	}
}
