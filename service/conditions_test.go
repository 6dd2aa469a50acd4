package service

import (
	"testing"
	"time"

	"s3gateway/errs"
)

func TestEvaluatePreconditions(t *testing.T) {
	modified := time.Date(2024, 5, 1, 12, 0, 0, 500e6, time.UTC) // sub-second: HTTP dates are whole seconds
	info := ObjectInfo{ETag: "abc", LastModified: modified}
	at := modified.Truncate(time.Second)
	before, after := at.Add(-time.Second), at.Add(time.Second)
	tests := []struct {
		name string
		opts GetOptions
		want outcome
	}{
		{"none", GetOptions{}, proceed},
		{"ifMatch_match", GetOptions{IfMatch: `"abc"`}, proceed},
		{"ifMatch_star", GetOptions{IfMatch: "*"}, proceed},
		{"ifMatch_other", GetOptions{IfMatch: `"x"`}, preconditionFailed},
		{"ifMatch_weakNeverMatches", GetOptions{IfMatch: `W/"abc"`}, preconditionFailed},
		{"ifMatch_winsOverUnmodifiedSince", GetOptions{IfMatch: `"abc"`, IfUnmodifiedSince: before}, proceed},
		{"ifMatch_failsBeforeIfNoneMatch", GetOptions{IfMatch: `"x"`, IfNoneMatch: `"abc"`}, preconditionFailed},
		{"ifUnmodifiedSince_before", GetOptions{IfUnmodifiedSince: before}, preconditionFailed},
		{"ifUnmodifiedSince_sameSecond", GetOptions{IfUnmodifiedSince: at}, proceed},
		{"ifNoneMatch_match", GetOptions{IfNoneMatch: `W/"abc"`}, notModified},
		{"ifNoneMatch_star", GetOptions{IfNoneMatch: "*"}, notModified},
		{"ifNoneMatch_other", GetOptions{IfNoneMatch: `"x"`}, proceed},
		{"ifNoneMatch_winsOverModifiedSince", GetOptions{IfNoneMatch: `"x"`, IfModifiedSince: after}, proceed},
		{"ifModifiedSince_sameSecond", GetOptions{IfModifiedSince: at}, notModified},
		{"ifModifiedSince_before", GetOptions{IfModifiedSince: before}, proceed},
		{"ifModifiedSince_after", GetOptions{IfModifiedSince: after}, notModified},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.opts.evaluate(info); got != tt.want {
				t.Errorf("evaluate = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestWriteConditionsAndDigests(t *testing.T) {
	tests := []struct {
		name string
		opts PutOptions
		want errs.Code // "" for valid
	}{
		{"ifMatch_etag", PutOptions{IfMatch: `"abc"`}, ""},
		{"ifMatch_bare", PutOptions{IfMatch: "abc"}, ""},
		{"ifMatch_star", PutOptions{IfMatch: "*"}, ""},
		{"ifMatch_list", PutOptions{IfMatch: `"a", "b"`}, errs.InvalidArgument},
		{"ifMatch_empty", PutOptions{IfMatch: `""`}, errs.InvalidArgument},
		{"ifNoneMatch_star", PutOptions{IfNoneMatch: "*"}, ""},
		{"ifNoneMatch_etag", PutOptions{IfNoneMatch: `"abc"`}, errs.InvalidArgument},
		{"md5_short", PutOptions{ContentMD5: []byte{1, 2}}, errs.InvalidArgument},
		{"sha256_short", PutOptions{SHA256: []byte{1, 2}}, errs.InvalidArgument},
		{"digests_ok", PutOptions{ContentMD5: make([]byte, 16), SHA256: make([]byte, 32)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkPutConditions(tt.opts)
			if err == nil {
				err = checkDigests(tt.opts)
			}
			if got := errs.CodeOf(err); got != tt.want && !(tt.want == "" && err == nil) {
				t.Errorf("code %q, want %q (%v)", got, tt.want, err)
			}
		})
	}
}

func TestStoredContentType(t *testing.T) {
	for in, want := range map[string]string{
		"":                          "application/octet-stream",
		"*/*":                       "application/octet-stream",
		"text/*":                    "application/octet-stream",
		"not a type":                "application/octet-stream",
		"text/plain\x01":            "application/octet-stream",
		"text/plain; charset=utf-8": "text/plain; charset=utf-8",
		"image/png":                 "image/png",
	} {
		if got := storedContentType(in); got != want {
			t.Errorf("storedContentType(%q) = %q, want %q", in, got, want)
		}
	}
}
