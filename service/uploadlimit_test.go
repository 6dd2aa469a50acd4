package service

import (
	"strings"
	"testing"
	"time"

	"s3gateway/access"
	"s3gateway/errs"
)

// A presigned form without contentLengthRange is limited to the gateway's
// upload limit; a range beyond it is refused.
func TestPresignPost_defaultSizeLimit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit int64 // Options.MaxUploadSize
		want  int64 // the max the store signs
	}{
		{"s3Limit", 0, MaxObjectSize},
		{"configured", 1 << 20, 1 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeStore("ta-box")
			g := New(f, WithMaxUploadSize(tc.limit))
			ctx := access.NewContext(t.Context(), fakeTenant)
			if _, err := g.PresignPost(ctx, PostPolicyRequest{Bucket: "box", Name: "a", Expires: time.Minute}); err != nil {
				t.Fatal(err)
			}
			if f.lastPost.MaxSize != tc.want || f.lastPost.MinSize != 0 {
				t.Fatalf("signed range %d-%d, want 0-%d", f.lastPost.MinSize, f.lastPost.MaxSize, tc.want)
			}
			_, err := g.PresignPost(ctx, PostPolicyRequest{Bucket: "box", Name: "a", Expires: time.Minute, MaxSize: tc.want + 1})
			wantCode(t, err, errs.InvalidArgument)
		})
	}
}

// A PUT over the configured limit is refused before the store is called.
func TestPutObject_overConfiguredLimit(t *testing.T) {
	f := newFakeStore("ta-box")
	g := New(f, WithMaxUploadSize(1<<20))
	ctx := access.NewContext(t.Context(), fakeTenant)
	_, err := g.PutObject(ctx, "box", "big", strings.NewReader(""), PutOptions{Size: 1<<20 + 1})
	wantCode(t, err, errs.EntityTooLarge)
	if e, _ := errs.As(err); !strings.Contains(e.Message, "1 MiB") {
		t.Errorf("message %q does not say the limit", e.Message)
	}
	if f.callCount() != 0 {
		t.Fatalf("store called: %v", f.calls)
	}
	if _, err := g.PutObject(ctx, "box", "fits", strings.NewReader("x"), PutOptions{Size: 1}); err != nil {
		t.Fatal(err)
	}
}
