package service

import (
	"encoding/base64"
	"strings"
	"testing"

	"s3gateway/errs"
)

// Every name-like input with a "." or ".." segment (between "/" or "\") is the
// client's mistake, refused before the store sees it (which would answer
// 400 with a code of its own), with the field named.
func TestBadNamesRefusedBeforeTheStore(t *testing.T) {
	g, f, ctx := fakeEnv(t, "ta-box")
	cursor := func(after string) string {
		return base64.RawURLEncoding.EncodeToString([]byte(`{"v":1,"a":"` + after + `"}`))
	}
	list := func(opts ListOptions) error { _, err := g.ListObjects(ctx, "box", opts); return err }
	for _, tc := range []struct {
		name  string
		call  func() error
		code  errs.Code
		field string // the message names it
	}{
		{"objectBackslashes", func() error { _, err := g.StatObject(ctx, "box", `a\..\..\b`); return err }, errs.InvalidObjectName, "object name"},
		{"objectDotDot", func() error { _, err := g.StatObject(ctx, "box", "a/../b"); return err }, errs.InvalidObjectName, "object name"},
		{"objectSpacedDot", func() error { _, err := g.StatObject(ctx, "box", "a/ . /b"); return err }, errs.InvalidObjectName, "object name"},
		{"prefixUp", func() error { return list(ListOptions{Prefix: "../"}) }, errs.InvalidArgument, "prefix"},
		{"prefixDot", func() error { return list(ListOptions{Prefix: "a/./"}) }, errs.InvalidArgument, "prefix"},
		{"prefixBackslashDots", func() error { return list(ListOptions{Prefix: `a\..\`}) }, errs.InvalidArgument, "prefix"},
		{"startAfterUp", func() error { return list(ListOptions{StartAfter: "../x"}) }, errs.InvalidArgument, "startAfter"},
		{"cursorUp", func() error { return list(ListOptions{Cursor: cursor("../x")}) }, errs.InvalidArgument, "cursor"},
		{"uploadsPrefix", func() error { _, err := g.ListIncompleteUploads(ctx, "box", "..", true); return err }, errs.InvalidArgument, "prefix"},
		{"copySource", func() error {
			_, err := g.CopyObject(ctx, CopyRequest{Source: ObjectRef{Bucket: "box", Name: `x\..\y`}, Destination: ObjectRef{Bucket: "box", Name: "y"}})
			return err
		}, errs.InvalidObjectName, "object name"},
		{"presignPostPrefix", func() error {
			_, err := g.PresignPost(ctx, PostPolicyRequest{Bucket: "box", NamePrefix: `up\..\`, Expires: 60e9})
			return err
		}, errs.InvalidObjectName, "namePrefix"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.callCount()
			err := tc.call()
			wantCode(t, err, tc.code)
			if e, _ := errs.As(err); !strings.Contains(e.Message, tc.field) {
				t.Errorf("message %q does not name %s", e.Message, tc.field)
			}
			if f.callCount() != before {
				t.Errorf("the store was called: %v", f.calls[before:])
			}
		})
	}
	// What stays valid: dots inside segments, trailing-slash prefixes.
	for _, ok := range []ListOptions{{Prefix: "a/.hidden"}, {Prefix: "a..b/"}, {StartAfter: "x.../y"}, {Prefix: `back\slash`}} {
		if err := list(ok); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
}
