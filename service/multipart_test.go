package service

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"s3gateway/access"
	"s3gateway/errs"
)

const mib = 1 << 20

func TestCompleteMultipartUpload_checksParts(t *testing.T) {
	stored := []UploadPart{{1, "e1", 5 * mib}, {2, "e2", 4 * mib}, {3, "e3", 1}}
	for _, tc := range []struct {
		name  string
		parts []UploadPart
		want  string // in the message; "" for success
	}{
		{"complete_ok", []UploadPart{{3, `"e3"`, 0}, {1, "e1", 0}}, ""},
		{"complete_missing", []UploadPart{{1, "e1", 0}, {4, "e4", 0}}, "part 4 is missing"},
		{"complete_wrongETag", []UploadPart{{1, "e9", 0}}, "part 1: etag"},
		{"complete_smallNotLast", []UploadPart{{1, "e1", 0}, {2, "e2", 0}, {3, "e3", 0}}, "part 2 is 4194304 bytes"},
		{"complete_duplicate", []UploadPart{{1, "e1", 0}, {1, "e1", 0}}, "part 1 is named more than once"},
		{"complete_none", nil, "at least one part"},
		{"complete_partZero", []UploadPart{{0, "e1", 0}}, "part number 0 is out of range"},
		{"complete_noETag", []UploadPart{{1, "", 0}}, "part 1: etag is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, f, ctx := fakeEnv(t, "ta-bkt")
			f.addUpload("u1", stored...)
			res, err := g.CompleteMultipartUpload(ctx, CompleteUploadRequest{Bucket: "bkt", Name: "big.bin", UploadID: "u1", Parts: tc.parts})
			if tc.want == "" {
				if err != nil || res.Size != 5*mib+1 || res.Bucket != "bkt" {
					t.Fatalf("got %+v, %v", res, err)
				}
				return
			}
			if !errs.Is(err, errs.InvalidArgument) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want InvalidArgument with %q", err, tc.want)
			}
			if !f.hasUpload("u1") {
				t.Fatal("the upload was completed")
			}
		})
	}
}

func TestCompleteMultipartUpload_tooManyParts(t *testing.T) {
	g, f, ctx := fakeEnv(t, "ta-bkt")
	f.addUpload("u1")
	parts := make([]UploadPart, MaxUploadParts+1)
	for i := range parts {
		parts[i] = UploadPart{PartNumber: i + 1, ETag: "e"}
	}
	_, err := g.CompleteMultipartUpload(ctx, CompleteUploadRequest{Bucket: "bkt", Name: "n", UploadID: "u1", Parts: parts})
	if !errs.Is(err, errs.InvalidArgument) {
		t.Fatalf("got %v", err)
	}
}

func TestCompleteMultipartUpload_overLimitAborted(t *testing.T) {
	f := newFakeStore("ta-bkt")
	g := New(f, WithMaxUploadSize(6*mib))
	ctx := access.NewContext(t.Context(), fakeTenant)
	f.addUpload("u1", UploadPart{1, "e1", 5 * mib}, UploadPart{2, "e2", 2 * mib})
	_, err := g.CompleteMultipartUpload(ctx, CompleteUploadRequest{Bucket: "bkt", Name: "n", UploadID: "u1",
		Parts: []UploadPart{{1, "e1", 0}, {2, "e2", 0}}})
	if !errs.Is(err, errs.EntityTooLarge) {
		t.Fatalf("got %v", err)
	}
	if !slices.Contains(f.calls, "AbortMultipartUpload") || slices.Contains(f.calls, "CompleteMultipartUpload") {
		t.Fatalf("store calls %q: want an abort and no completion", f.calls)
	}
}

func TestSignUploadParts(t *testing.T) {
	g, f, ctx := fakeEnv(t, "ta-bkt")
	f.addUpload("u1")
	parts, err := g.SignUploadParts(ctx, SignPartsRequest{Bucket: "bkt", Name: "n", UploadID: "u1", PartNumbers: []int{3, 1}})
	if err != nil || len(parts) != 2 || parts[0].PartNumber != 3 {
		t.Fatalf("got %+v, %v", parts, err)
	}
	if d := time.Until(parts[0].ExpiresAt); d < 59*time.Minute || d > time.Hour {
		t.Errorf("default lifetime %v, want an hour", d)
	}
	u, _ := url.Parse(parts[1].URL)
	if q := u.Query(); q.Get("partNumber") != "1" || q.Get("uploadId") != "u1" {
		t.Errorf("url %s", parts[1].URL)
	}

	tooMany := make([]int, MaxPartsPerSign+1)
	for i := range tooMany {
		tooMany[i] = i + 1
	}
	for name, req := range map[string]SignPartsRequest{
		"sign_tooMany":      {PartNumbers: tooMany},
		"sign_none":         {},
		"sign_part10001":    {PartNumbers: []int{MaxUploadParts + 1}},
		"sign_tooLong":      {PartNumbers: []int{1}, Expires: 8 * 24 * time.Hour},
		"sign_badUploadID":  {PartNumbers: []int{1}, UploadID: "a b"},
		"sign_emptyUploadI": {PartNumbers: []int{1}, UploadID: "-"},
	} {
		req.Bucket, req.Name = "bkt", "n"
		if req.UploadID == "" {
			req.UploadID = "u1"
		} else if req.UploadID == "-" {
			req.UploadID = ""
		}
		if _, err := g.SignUploadParts(ctx, req); !errs.Is(err, errs.InvalidArgument) {
			t.Errorf("%s: got %v, want InvalidArgument", name, err)
		}
	}
	if _, err := g.SignUploadParts(ctx, SignPartsRequest{Bucket: "bkt", Name: "n", UploadID: "other", PartNumbers: []int{1}}); !errs.Is(err, errs.NoSuchUpload) {
		t.Errorf("unknown upload: got %v", err)
	}
}

func TestPresignObject_uploadRequests(t *testing.T) {
	g, _, ctx := fakeEnv(t, "ta-bkt")
	for _, tc := range []struct {
		name, method, uploadID string
		part                   int
		contentType            string
		wantQuery              string // "" with wantErr
		wantErr                bool
	}{
		{"create", "POST", "", 0, "", "uploads=", false},
		{"createTyped", "POST", "", 0, "video/mp4", "uploads=", false},
		{"part", "PUT", "u1", 7, "", "partNumber=7&uploadId=u1", false},
		{"list", "GET", "u1", 0, "", "uploadId=u1", false},
		{"complete", "POST", "u1", 0, "", "uploadId=u1", false},
		{"abort", "DELETE", "u1", 0, "", "uploadId=u1", false},
		{"putTyped", "PUT", "", 0, "text/plain", "", false},
		{"partWithoutNumber", "PUT", "u1", 0, "", "", true},
		{"numberWithoutUpload", "PUT", "", 2, "", "", true},
		{"part10001", "PUT", "u1", 10001, "", "", true},
		{"deleteObject", "DELETE", "", 0, "", "", true},
		{"listTyped", "GET", "u1", 0, "text/plain", "", true},
		{"head", "HEAD", "u1", 0, "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := g.PresignObject(ctx, PresignRequest{Bucket: "bkt", Name: "n", Method: tc.method, Expires: time.Hour,
				UploadID: tc.uploadID, PartNumber: tc.part, ContentType: tc.contentType})
			if tc.wantErr {
				if !errs.Is(err, errs.InvalidArgument) {
					t.Fatalf("got %+v, %v; want InvalidArgument", p, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(p.URL)
			if u.RawQuery != tc.wantQuery || p.Method != tc.method {
				t.Errorf("got %s %s, want query %q", p.Method, p.URL, tc.wantQuery)
			}
			if (tc.contentType != "") != (p.Headers["Content-Type"] == tc.contentType && p.Headers != nil) {
				t.Errorf("headers %v", p.Headers)
			}
		})
	}
}
