package handlers

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"reflect"
	"testing"
	"time"

	"s3gateway/service"
)

func TestReadDigests(t *testing.T) {
	md := md5.Sum([]byte("x"))
	sha := sha256.Sum256([]byte("x"))
	md5B64 := base64.StdEncoding.EncodeToString(md[:])
	shaB64 := base64.StdEncoding.EncodeToString(sha[:])
	tests := []struct {
		name      string
		headers   map[string]string
		wantMD5   []byte
		wantSHA   []byte
		wantError bool
	}{
		{"none", nil, nil, nil, false},
		{"md5", map[string]string{"Content-MD5": md5B64}, md[:], nil, false},
		{"sha256", map[string]string{"Repr-Digest": "sha-256=:" + shaB64 + ":"}, nil, sha[:], false},
		{"sha256_amongOthers", map[string]string{"Repr-Digest": "sha-512=:AAAA:, SHA-256=:" + shaB64 + ":"}, nil, sha[:], false},
		{"otherAlgorithmOnly", map[string]string{"Repr-Digest": "sha-512=:AAAA:"}, nil, nil, false},
		{"md5_notBase64", map[string]string{"Content-MD5": "not base64!"}, nil, nil, true},
		{"sha256_notByteSequence", map[string]string{"Repr-Digest": "sha-256=" + shaB64}, nil, nil, true},
		{"sha256_notBase64", map[string]string{"Repr-Digest": "sha-256=:%%%:"}, nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.headers {
				h.Set(k, v)
			}
			var opts service.PutOptions
			err := readDigests(h, &opts)
			if (err != nil) != tt.wantError {
				t.Fatalf("err = %v", err)
			}
			if !bytes.Equal(opts.ContentMD5, tt.wantMD5) || !bytes.Equal(opts.SHA256, tt.wantSHA) {
				t.Errorf("md5 %x sha256 %x", opts.ContentMD5, opts.SHA256)
			}
		})
	}
}

func TestConditionsReachTheService(t *testing.T) {
	env := newEnv(t)
	rec := env.do(t, request{method: "PUT", target: "/api/v1/buckets/photos/objects/a", body: "hello", headers: map[string]string{
		"If-Match": `"abc"`, "If-None-Match": "*",
	}})
	wantStatus(t, rec, 201)
	c, _ := env.svc.only()
	if want := (service.PutOptions{Size: 5, IfMatch: `"abc"`, IfNoneMatch: "*"}); !reflect.DeepEqual(c.Args, want) {
		t.Errorf("put %+v", c.Args)
	}

	env = newEnv(t)
	date := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	rec = env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/objects/a", headers: map[string]string{
		"If-Match": `"a"`, "If-None-Match": `"b"`, "If-Modified-Since": date.Format(http.TimeFormat), "If-Unmodified-Since": "not a date",
	}})
	wantStatus(t, rec, 200)
	c, _ = env.svc.only()
	if want := (service.GetOptions{IfMatch: `"a"`, IfNoneMatch: `"b"`, IfModifiedSince: date}); !reflect.DeepEqual(c.Args, want) {
		t.Errorf("get %+v", c.Args)
	}

	env = newEnv(t)
	rec = env.do(t, request{method: "PUT", target: "/api/v1/buckets/photos/objects/a", body: "hello", headers: map[string]string{"Content-MD5": "%%"}})
	wantError(t, rec, 400, "InvalidArgument")
}
