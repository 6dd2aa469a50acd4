package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http/httptest"
	"net/textproto"
	"reflect"
	"strings"
	"testing"
	"time"

	"s3gateway/errs"
	"s3gateway/service"
)

func TestObjectNames(t *testing.T) {
	tests := []struct {
		name string
		path string // after /api/v1/buckets/photos/<kind>/
		want string
	}{
		{"names_spaceAndUTF8", "a%20b/%E4%B8%AD.txt", "a b/中.txt"},
		{"names_escapedPercentNotDoubleDecoded", "a%2520b", "a%20b"},
		{"names_plusStaysPlus", "a+b", "a+b"},
		{"names_trailingSlash", "dir/", "dir/"},
		{"names_encodedSlash", "a%2Fb", "a/b"},
		{"names_hashAndQuestion", "a%23b%3Fc", "a#b?c"},
		{"names_percent", "100%25", "100%"},
		{"names_encodedSlashEscaped", "a%252Fb", "a%2Fb"},
		{"names_leadingSpace", "%20lead", " lead"},
		{"names_nested", "x/y/z.txt", "x/y/z.txt"},
		{"names_rawUTF8", "café", "café"},
		{"names_doubleSlash", "a//b", "a//b"},
		{"names_dotSegments", "a/../b", "a/../b"},
		{"names_withQuery", "a%3Fb?x=1", "a?b"},
	}
	routes := []struct {
		method, kind, wantCall string
	}{
		{"GET", "objects", "GetObject"},
		{"PUT", "objects", "PutObject"},
		{"HEAD", "objects", "HeadObject"},
		{"DELETE", "objects", "RemoveObject"},
		{"GET", "stat", "StatObject"},
		{"DELETE", "uploads", "RemoveIncompleteUpload"},
	}
	for _, tt := range tests {
		for _, r := range routes {
			t.Run(fmt.Sprintf("%s_%s_%s", tt.name, r.method, r.kind), func(t *testing.T) {
				env := newEnv(t)
				rec := env.do(t, request{method: r.method, target: "/api/v1/buckets/photos/" + r.kind + "/" + tt.path})
				if rec.Code >= 400 {
					t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
				}
				c, ok := env.svc.only()
				if !ok || c.Method != r.wantCall || c.Bucket != "photos" || c.Name != tt.want {
					t.Errorf("calls %+v, want %s(photos, %q)", env.svc.Calls(), r.wantCall, tt.want)
				}
			})
		}
	}
	for _, kind := range []string{"objects", "stat", "uploads"} {
		t.Run("names_empty_"+kind, func(t *testing.T) {
			env := newEnv(t)
			method := "GET"
			if kind == "uploads" {
				method = "DELETE"
			}
			rec := env.do(t, request{method: method, target: "/api/v1/buckets/photos/" + kind + "/"})
			wantError(t, rec, 400, "InvalidObjectName")
			if len(env.svc.Calls()) != 0 {
				t.Error("service called")
			}
		})
	}
}

func TestPutObject(t *testing.T) {
	tests := []struct {
		name       string
		headers    map[string]string
		setup      func(*fakeService)
		wantStatus int
		wantCode   string
		wantBody   string
		wantOpts   service.PutOptions
	}{
		{
			name:       "putObject_ok",
			headers:    map[string]string{"Content-Type": "text/plain"},
			wantStatus: 201,
			wantBody:   `{"bucket":"photos","name":"dir/a b.txt","etag":"etag1","size":5}`,
			wantOpts:   service.PutOptions{Size: 5, ContentType: "text/plain"},
		},
		{
			name: "putObject_xMetaOnly",
			headers: map[string]string{
				"X-Meta-Color":      "red",
				"x-meta-multi-word": "v",
				"X-Amz-Acl":         "public-read",
				"X-Amz-Meta-Foo":    "bar",
				"X-Metadata":        "no",
				"X-Meta-":           "empty key",
			},
			wantStatus: 201,
			wantOpts:   service.PutOptions{Size: 5, Metadata: map[string]string{"Color": "red", "Multi-Word": "v"}},
		},
		{
			name: "putObject_versionId",
			setup: func(f *fakeService) {
				f.putObject = func(b, n string, body []byte, o service.PutOptions) (service.UploadResult, error) {
					return service.UploadResult{Bucket: b, Name: n, ETag: "e", Size: 5, VersionID: "v1"}, nil
				}
			},
			wantStatus: 201,
			wantBody:   `{"bucket":"photos","name":"dir/a b.txt","etag":"e","size":5,"versionId":"v1"}`,
			wantOpts:   service.PutOptions{Size: 5},
		},
		{
			name: "putObject_noSuchBucket",
			setup: func(f *fakeService) {
				f.putObject = func(string, string, []byte, service.PutOptions) (service.UploadResult, error) {
					return service.UploadResult{}, errs.New(errs.NoSuchBucket, "no bucket")
				}
			},
			wantStatus: 404, wantCode: "NoSuchBucket",
			wantOpts: service.PutOptions{Size: 5},
		},
		{
			name: "putObject_invalidName",
			setup: func(f *fakeService) {
				f.putObject = func(string, string, []byte, service.PutOptions) (service.UploadResult, error) {
					return service.UploadResult{}, errs.New(errs.InvalidObjectName, "bad name")
				}
			},
			wantStatus: 400, wantCode: "InvalidObjectName",
			wantOpts: service.PutOptions{Size: 5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t)
			if tt.setup != nil {
				tt.setup(env.svc)
			}
			rec := env.do(t, request{method: "PUT", target: "/api/v1/buckets/photos/objects/dir/a%20b.txt", body: "hello", headers: tt.headers})
			runCase(t, env, rec, tt.wantStatus, tt.wantCode, tt.wantBody, nil)
			c, ok := env.svc.only()
			if !ok {
				t.Fatalf("calls %+v", env.svc.Calls())
			}
			if !reflect.DeepEqual(c.Args, tt.wantOpts) || string(c.Body) != "hello" || c.Tenant != "acme" {
				t.Errorf("PutObject(%+v, %q) as %q, want %+v", c.Args, c.Body, c.Tenant, tt.wantOpts)
			}
			if tt.wantStatus == 201 && rec.Header().Get("ETag") == "" {
				t.Error("no ETag header")
			}
		})
	}

	t.Run("putObject_chunkedSizeUnknown", func(t *testing.T) {
		env := newEnv(t)
		req := httptest.NewRequest("PUT", "/api/v1/buckets/photos/objects/a", io.MultiReader(strings.NewReader("chunk1"), strings.NewReader("chunk2")))
		req.Header.Set("Authorization", "Bearer "+acmeKey)
		req.TransferEncoding = []string{"chunked"}
		rec := httptest.NewRecorder()
		env.e.ServeHTTP(rec, req)
		wantStatus(t, rec, 201)
		c, _ := env.svc.only()
		if opts := c.Args.(service.PutOptions); opts.Size != -1 || string(c.Body) != "chunk1chunk2" {
			t.Errorf("size %d body %q", opts.Size, c.Body)
		}
	})
	t.Run("putObject_emptyBody", func(t *testing.T) {
		env := newEnv(t)
		rec := env.do(t, request{method: "PUT", target: "/api/v1/buckets/photos/objects/empty"})
		wantStatus(t, rec, 201)
		c, _ := env.svc.only()
		if opts := c.Args.(service.PutOptions); opts.Size != 0 || len(c.Body) != 0 {
			t.Errorf("size %d body %q", opts.Size, c.Body)
		}
	})
}

// formPart is one part of a test multipart body.
type formPart struct {
	field, filename, contentType, content string
}

func multipartBody(t *testing.T, parts []formPart) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		disp := fmt.Sprintf(`form-data; name=%q`, p.field)
		if p.filename != "" {
			disp += fmt.Sprintf(`; filename=%q`, p.filename)
		}
		h.Set("Content-Disposition", disp)
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(pw, p.content)
	}
	w.Close()
	return buf.String(), w.FormDataContentType()
}

func TestUploadObjectForm(t *testing.T) {
	tests := []struct {
		name        string
		parts       []formPart
		contentType string // overrides the multipart one
		wantStatus  int
		wantCode    string
		wantName    string
		wantType    string
	}{
		{
			name:       "uploadForm_nameField",
			parts:      []formPart{{field: "name", content: "dir/a b+c.txt"}, {field: "file", filename: "local.txt", contentType: "text/plain", content: "hello"}},
			wantStatus: 201, wantName: "dir/a b+c.txt", wantType: "text/plain",
		},
		{
			name:       "uploadForm_filenameFallback",
			parts:      []formPart{{field: "other", content: "ignored"}, {field: "file", filename: "photo.jpg", contentType: "image/jpeg", content: "hello"}},
			wantStatus: 201, wantName: "photo.jpg", wantType: "image/jpeg",
		},
		{
			name:       "uploadForm_emptyNameFieldFallsBack",
			parts:      []formPart{{field: "name", content: ""}, {field: "file", filename: "photo.jpg", content: "hello"}},
			wantStatus: 201, wantName: "photo.jpg", wantType: "",
		},
		{
			name:       "uploadForm_missingFile",
			parts:      []formPart{{field: "name", content: "a.txt"}},
			wantStatus: 400, wantCode: "InvalidArgument",
		},
		{
			name:       "uploadForm_noNameNoFilename",
			parts:      []formPart{{field: "file", content: "hello"}},
			wantStatus: 400, wantCode: "InvalidObjectName",
		},
		{
			name:       "uploadForm_nameTooLong",
			parts:      []formPart{{field: "name", content: strings.Repeat("a", 1025)}, {field: "file", filename: "x", content: "hello"}},
			wantStatus: 400, wantCode: "InvalidObjectName",
		},
		{
			name:        "uploadForm_notMultipart",
			parts:       []formPart{{field: "file", filename: "x", content: "hello"}},
			contentType: "application/json",
			wantStatus:  400, wantCode: "InvalidArgument",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t)
			body, ct := multipartBody(t, tt.parts)
			if tt.contentType != "" {
				ct = tt.contentType
			}
			rec := env.do(t, request{method: "POST", target: "/api/v1/buckets/photos/objects", body: body, headers: map[string]string{"Content-Type": ct, "X-Meta-Origin": "form"}})
			if tt.wantCode != "" {
				wantError(t, rec, tt.wantStatus, tt.wantCode)
				if len(env.svc.Calls()) != 0 {
					t.Errorf("service called: %+v", env.svc.Calls())
				}
				return
			}
			wantStatus(t, rec, tt.wantStatus)
			c, ok := env.svc.only()
			if !ok {
				t.Fatalf("calls %+v", env.svc.Calls())
			}
			want := service.PutOptions{Size: -1, ContentType: tt.wantType, Metadata: map[string]string{"Origin": "form"}}
			if c.Name != tt.wantName || c.Bucket != "photos" || string(c.Body) != "hello" || !reflect.DeepEqual(c.Args, want) {
				t.Errorf("PutObject(%q, %q, %q, %+v)", c.Bucket, c.Name, c.Body, c.Args)
			}
		})
	}

	// A name after the file fails the body the service reads, so the store
	// stores nothing, and the client hears why.
	t.Run("uploadForm_nameAfterFile", func(t *testing.T) {
		env := newEnv(t)
		body, ct := multipartBody(t, []formPart{{field: "file", filename: "photo.jpg", content: "hello"}, {field: "name", content: "late.txt"}})
		rec := env.do(t, request{method: "POST", target: "/api/v1/buckets/photos/objects", body: body, headers: map[string]string{"Content-Type": ct}})
		if !strings.Contains(rec.Body.String(), "before file") {
			t.Errorf("body %s", rec.Body.String())
		}
		wantError(t, rec, 400, "InvalidArgument")
	})

	t.Run("uploadForm_nameInQuery", func(t *testing.T) {
		env := newEnv(t)
		body, ct := multipartBody(t, []formPart{{field: "file", filename: "photo.jpg", content: "hello"}, {field: "other", content: "x"}})
		rec := env.do(t, request{method: "POST", target: "/api/v1/buckets/photos/objects?name=dir%2Fq%2B.txt", body: body, headers: map[string]string{"Content-Type": ct, "If-None-Match": "*"}})
		wantStatus(t, rec, 201)
		c, ok := env.svc.only()
		want := service.PutOptions{Size: -1, IfNoneMatch: "*"}
		if !ok || c.Name != "dir/q+.txt" || !reflect.DeepEqual(c.Args, want) {
			t.Errorf("calls %+v", env.svc.Calls())
		}
	})

	t.Run("uploadForm_queryAndFieldDiffer", func(t *testing.T) {
		env := newEnv(t)
		body, ct := multipartBody(t, []formPart{{field: "name", content: "b"}, {field: "file", filename: "photo.jpg", content: "hello"}})
		rec := env.do(t, request{method: "POST", target: "/api/v1/buckets/photos/objects?name=a", body: body, headers: map[string]string{"Content-Type": ct}})
		wantError(t, rec, 400, "InvalidArgument")
	})

	t.Run("uploadForm_streamed", func(t *testing.T) {
		// The client sends the first half of the file and waits until the
		// service has read it: a handler that buffered the body would never
		// hand it over, and the test would time out.
		env := newEnv(t)
		firstRead := make(chan struct{})
		env.svc.putBody = func(r io.Reader) ([]byte, error) {
			buf := make([]byte, 5)
			if _, err := io.ReadFull(r, buf); err != nil {
				return nil, err
			}
			close(firstRead)
			rest, err := io.ReadAll(r)
			return append(buf, rest...), err
		}
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			fw, _ := mw.CreateFormFile("file", "big.bin")
			io.WriteString(fw, "first")
			select {
			case <-firstRead:
			case <-time.After(5 * time.Second):
				pw.CloseWithError(errors.New("the handler did not stream"))
				return
			}
			io.WriteString(fw, "second")
			mw.Close()
			pw.Close()
		}()
		req := httptest.NewRequest("POST", "/api/v1/buckets/photos/objects", pr)
		req.Header.Set("Authorization", "Bearer "+acmeKey)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		rec := httptest.NewRecorder()
		env.e.ServeHTTP(rec, req)
		wantStatus(t, rec, 201)
		if c, _ := env.svc.only(); string(c.Body) != "firstsecond" {
			t.Errorf("body %q", c.Body)
		}
	})
}

func TestRange(t *testing.T) {
	tests := []struct {
		name     string
		query    string
		rangeHdr string
		want     *service.ByteRange
		wantCode string
	}{
		{"range_none", "", "", nil, ""},
		{"range_closed", "", "bytes=0-99", &service.ByteRange{Start: 0, End: 99}, ""},
		{"range_openEnded", "", "bytes=100-", &service.ByteRange{Start: 100, End: -1}, ""},
		{"range_suffix", "", "bytes=-50", &service.ByteRange{Start: -1, End: 50}, ""},
		{"range_unitCaseInsensitive", "", "Bytes=1-2", &service.ByteRange{Start: 1, End: 2}, ""},
		{"range_spaces", "", "bytes= 1-2 ", &service.ByteRange{Start: 1, End: 2}, ""},
		{"range_singleByte", "", "bytes=7-7", &service.ByteRange{Start: 7, End: 7}, ""},
		{"range_multipleIgnored", "", "bytes=0-1,5-6", nil, ""},
		{"range_malformedIgnored", "", "bytes=abc", nil, ""},
		{"range_noDashIgnored", "", "bytes=5", nil, ""},
		{"range_otherUnitIgnored", "", "items=0-1", nil, ""},
		{"range_reversedIgnored", "", "bytes=5-2", nil, ""},
		{"range_negativeIgnored", "", "bytes=--1", nil, ""},
		{"range_signIgnored", "", "bytes=+1-2", nil, ""},
		{"range_overflowIgnored", "", "bytes=0-99999999999999999999", nil, ""},
		{"range_emptySpecIgnored", "", "bytes=-", nil, ""},
		{"range_zeroSuffixUnsatisfiable", "", "bytes=-0", nil, "InvalidRange"},
		{"offset_only", "offset=10", "", &service.ByteRange{Start: 10, End: -1}, ""},
		{"length_only", "length=5", "", &service.ByteRange{Start: 0, End: 4}, ""},
		{"offset_andLength", "offset=10&length=5", "", &service.ByteRange{Start: 10, End: 14}, ""},
		{"offset_zero", "offset=0&length=1", "", &service.ByteRange{Start: 0, End: 0}, ""},
		{"offset_winsOverRange", "offset=5", "bytes=0-1", &service.ByteRange{Start: 5, End: -1}, ""},
		{"offset_negative", "offset=-1", "", nil, "InvalidArgument"},
		{"offset_notNumber", "offset=abc", "", nil, "InvalidArgument"},
		{"offset_empty", "offset=", "", nil, "InvalidArgument"},
		{"length_zero", "length=0", "", nil, "InvalidArgument"},
		{"length_fraction", "length=1.5", "", nil, "InvalidArgument"},
		{"length_overflow", "offset=9223372036854775807&length=2", "", nil, "InvalidArgument"},
		{"download_invalid", "download=yes", "", nil, "InvalidArgument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t)
			h := map[string]string{}
			if tt.rangeHdr != "" {
				h["Range"] = tt.rangeHdr
			}
			target := "/api/v1/buckets/photos/objects/a.txt"
			if tt.query != "" {
				target += "?" + tt.query
			}
			rec := env.do(t, request{method: "GET", target: target, headers: h})
			if tt.wantCode != "" {
				e := wantError(t, rec, errs.Code(tt.wantCode).Status(), tt.wantCode)
				if tt.wantCode == "InvalidArgument" && !strings.Contains(e.Message, strings.SplitN(tt.query, "=", 2)[0]) {
					t.Errorf("message %q does not name the parameter", e.Message)
				}
				if len(env.svc.Calls()) != 0 {
					t.Error("service called")
				}
				return
			}
			wantStatus(t, rec, 200)
			c, ok := env.svc.only()
			if !ok {
				t.Fatalf("calls %+v", env.svc.Calls())
			}
			if got := c.Args.(service.GetOptions).Range; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("range %+v, want %+v", got, tt.want)
			}
		})
	}
}

// trackedBody is an object body that records whether it was closed.
type trackedBody struct {
	io.Reader
	closed bool
}

func (b *trackedBody) Close() error { b.closed = true; return nil }

func TestGetObject(t *testing.T) {
	modified := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	info := service.ObjectInfo{
		Bucket: "photos", Name: "dir/a.txt", Size: 10, ETag: "abc123", LastModified: modified,
		ContentType: "text/plain", Metadata: map[string]string{"Color": "red", "bad key": "x"},
	}

	t.Run("getObject_full", func(t *testing.T) {
		env := newEnv(t)
		body := &trackedBody{Reader: strings.NewReader("0123456789")}
		env.svc.getObject = func(b, n string, o service.GetOptions) (*service.Object, error) {
			return &service.Object{Info: info, Body: body}, nil
		}
		rec := env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/objects/dir/a.txt"})
		wantStatus(t, rec, 200)
		want := map[string]string{
			"Content-Type":   "text/plain",
			"Content-Length": "10",
			"ETag":           `"abc123"`,
			"Last-Modified":  "Wed, 01 May 2024 12:00:00 GMT",
			"Accept-Ranges":  "bytes",
			"X-Meta-Color":   "red",
		}
		for k, v := range want {
			if got := rec.Header().Get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
		if rec.Header().Get("Content-Disposition") != "" {
			t.Error("Content-Disposition without download")
		}
		if rec.Body.String() != "0123456789" || !body.closed {
			t.Errorf("body %q closed %v", rec.Body.String(), body.closed)
		}
	})
	t.Run("getObject_defaultContentType", func(t *testing.T) {
		env := newEnv(t)
		env.svc.getObject = func(b, n string, o service.GetOptions) (*service.Object, error) {
			return &service.Object{Info: service.ObjectInfo{Size: 1}, Body: io.NopCloser(strings.NewReader("x"))}, nil
		}
		rec := env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/objects/a"})
		if got := rec.Header().Get("Content-Type"); got != "application/octet-stream" {
			t.Errorf("Content-Type %q", got)
		}
	})
	t.Run("getObject_partial206", func(t *testing.T) {
		env := newEnv(t)
		env.svc.getObject = func(b, n string, o service.GetOptions) (*service.Object, error) {
			return &service.Object{Info: info, Body: io.NopCloser(strings.NewReader("234")), Range: &service.ContentRange{Start: 2, End: 4, Total: 10}}, nil
		}
		rec := env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/objects/dir/a.txt", headers: map[string]string{"Range": "bytes=2-4"}})
		wantStatus(t, rec, 206)
		if rec.Header().Get("Content-Range") != "bytes 2-4/10" || rec.Header().Get("Content-Length") != "3" || rec.Body.String() != "234" {
			t.Errorf("headers %v body %q", rec.Header(), rec.Body.String())
		}
	})
	t.Run("getObject_notModified304", func(t *testing.T) {
		env := newEnv(t)
		env.svc.getObject = func(b, n string, o service.GetOptions) (*service.Object, error) {
			if o.IfNoneMatch != `"abc123"` {
				t.Errorf("IfNoneMatch %q", o.IfNoneMatch)
			}
			return &service.Object{Info: service.ObjectInfo{ETag: "abc123", LastModified: modified}, NotModified: true}, nil
		}
		rec := env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/objects/dir/a.txt", headers: map[string]string{"If-None-Match": `"abc123"`}})
		wantStatus(t, rec, 304)
		if rec.Header().Get("ETag") != `"abc123"` || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") != "" {
			t.Errorf("headers %v body %q", rec.Header(), rec.Body.String())
		}
	})
	t.Run("getObject_invalidRange416", func(t *testing.T) {
		env := newEnv(t)
		env.svc.getObject = func(b, n string, o service.GetOptions) (*service.Object, error) {
			return nil, errs.New(errs.InvalidRange, "the requested range is not satisfiable")
		}
		rec := env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/objects/a", headers: map[string]string{"Range": "bytes=100-"}})
		wantError(t, rec, 416, "InvalidRange")
	})
	t.Run("getObject_noSuchKey", func(t *testing.T) {
		env := newEnv(t)
		env.svc.getObject = func(b, n string, o service.GetOptions) (*service.Object, error) {
			return nil, errs.New(errs.NoSuchKey, "object does not exist")
		}
		rec := env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/objects/a"})
		wantError(t, rec, 404, "NoSuchKey")
	})
	t.Run("getObject_download", func(t *testing.T) {
		env := newEnv(t)
		env.svc.getObject = func(b, n string, o service.GetOptions) (*service.Object, error) {
			return &service.Object{Info: info, Body: io.NopCloser(strings.NewReader("0123456789"))}, nil
		}
		rec := env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/objects/dir/%E4%B8%AD%22%3B%0D%0Ax.txt?download=true"})
		wantStatus(t, rec, 200)
		cd := rec.Header().Get("Content-Disposition")
		if cd != `attachment; filename="_____x.txt"; filename*=UTF-8''%E4%B8%AD%22%3B%0D%0Ax.txt` {
			t.Errorf("Content-Disposition %q", cd)
		}
	})
	t.Run("getObject_brokenStream", func(t *testing.T) {
		env := newEnv(t)
		env.svc.getObject = func(b, n string, o service.GetOptions) (*service.Object, error) {
			return &service.Object{Info: info, Body: io.NopCloser(io.MultiReader(strings.NewReader("01234"), errReader{}))}, nil
		}
		rec := env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/objects/a"})
		wantStatus(t, rec, 200) // already sent
		if rec.Body.String() != "01234" {
			t.Errorf("body %q", rec.Body.String())
		}
		entries := env.logs.All()
		if len(entries) != 1 || entries[0].ContextMap()["interrupted"] != true {
			t.Errorf("log %+v", entries)
		}
	})
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("store connection reset") }

func TestContentDisposition(t *testing.T) {
	tests := []struct {
		name     string
		object   string
		fallback string
	}{
		{"disposition_plain", "a.txt", "a.txt"},
		{"disposition_baseName", "dir/sub/report.pdf", "report.pdf"},
		{"disposition_trailingSlash", "dir/", "dir"},
		{"disposition_onlySlashes", "/", "download"},
		{"disposition_nonASCII", "dir/中文.txt", "__.txt"},
		{"disposition_quoteInjection", `evil"; filename="x.exe`, `evil__ filename=_x.exe`},
		{"disposition_semicolonInjection", "a; filename*=UTF-8''x.exe", "a_ filename*=UTF-8''x.exe"},
		{"disposition_crlfInjection", "a\r\nSet-Cookie: x=y", "a__Set-Cookie: x=y"},
		{"disposition_backslash", `a\"b`, "a__b"},
		{"disposition_percent", "100%.txt", "100_.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cd := attachmentDisposition(tt.object)
			if strings.ContainsAny(cd, "\r\n") {
				t.Fatalf("line break in %q", cd)
			}
			typ, params, err := mime.ParseMediaType(cd)
			if err != nil || typ != "attachment" {
				t.Fatalf("ParseMediaType(%q) = %q, %v", cd, typ, err)
			}
			// Only filename (decoded from filename*, which ParseMediaType
			// prefers) may come out: no injected parameter.
			if len(params) != 1 || params["filename"] != baseName(tt.object) {
				t.Errorf("params %q, want only filename=%q", params, baseName(tt.object))
			}
			wantPrefix := `attachment; filename="` + tt.fallback + `"; filename*=UTF-8''`
			if !strings.HasPrefix(cd, wantPrefix) {
				t.Errorf("got %q, want prefix %q", cd, wantPrefix)
			}
		})
	}
}

func TestHeadObject(t *testing.T) {
	info := service.ObjectInfo{Name: "a.txt", Size: 42, ETag: "abc", LastModified: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), ContentType: "text/plain", Metadata: map[string]string{"Color": "red"}}
	tests := []struct {
		name       string
		target     string
		headers    map[string]string
		err        error
		wantStatus int
		wantHeader map[string]string
	}{
		{"headObject_ok", "/api/v1/buckets/photos/objects/a.txt", nil, nil, 200, map[string]string{"Content-Length": "42", "ETag": `"abc"`, "Content-Type": "text/plain", "X-Meta-Color": "red", "Accept-Ranges": "bytes", "Last-Modified": "Wed, 01 May 2024 12:00:00 GMT"}},
		{"headObject_download", "/api/v1/buckets/photos/objects/d/a.txt?download=1", nil, nil, 200, map[string]string{"Content-Disposition": `attachment; filename="a.txt"; filename*=UTF-8''a.txt`}},
		{"headObject_notModified", "/api/v1/buckets/photos/objects/a.txt", map[string]string{"If-None-Match": `W/"other", "abc"`}, nil, 304, map[string]string{"ETag": `"abc"`}},
		{"headObject_modified", "/api/v1/buckets/photos/objects/a.txt", map[string]string{"If-None-Match": `"other"`}, nil, 200, map[string]string{"Content-Length": "42"}},
		{"headObject_missing", "/api/v1/buckets/photos/objects/a.txt", nil, errs.New(errs.NoSuchKey, "missing"), 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t)
			env.svc.statObject = func(b, n string) (service.ObjectInfo, error) { return info, tt.err }
			rec := env.do(t, request{method: "HEAD", target: tt.target, headers: tt.headers})
			wantStatus(t, rec, tt.wantStatus)
			if rec.Body.Len() != 0 {
				t.Errorf("HEAD body %q", rec.Body.String())
			}
			for k, v := range tt.wantHeader {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestObjectMisc(t *testing.T) {
	modified := time.Date(2024, 5, 1, 12, 0, 0, 123e6, time.UTC)
	tests := []struct {
		name       string
		setup      func(*fakeService)
		req        request
		wantStatus int
		wantCode   string
		wantBody   string
		wantCall   *call
	}{
		{
			name:       "deleteObject_ok",
			req:        request{method: "DELETE", target: "/api/v1/buckets/photos/objects/a%2Fb"},
			wantStatus: 204,
			wantCall:   &call{Method: "RemoveObject", Tenant: "acme", Bucket: "photos", Name: "a/b", Args: service.RemoveOptions{}},
		},
		{
			name: "deleteObject_denied",
			setup: func(f *fakeService) {
				f.removeObject = func(string, string) error { return errs.New(errs.AccessDenied, "no") }
			},
			req:        request{method: "DELETE", target: "/api/v1/buckets/photos/objects/a"},
			wantStatus: 403, wantCode: "AccessDenied",
		},
		{
			name: "statObject_ok",
			setup: func(f *fakeService) {
				f.statObject = func(b, n string) (service.ObjectInfo, error) {
					return service.ObjectInfo{Bucket: b, Name: n, Size: 3, ETag: "e", ContentType: "text/plain", LastModified: modified, Metadata: map[string]string{"Color": "red"}, VersionID: "v9"}, nil
				}
			},
			req:        request{method: "GET", target: "/api/v1/buckets/photos/stat/a.txt"},
			wantStatus: 200,
			wantBody:   `{"bucket":"photos","name":"a.txt","size":3,"etag":"e","contentType":"text/plain","lastModified":"2024-05-01T12:00:00.123Z","metadata":{"Color":"red"},"versionId":"v9"}`,
		},
		{
			name: "statObject_noMetadataIsObject",
			setup: func(f *fakeService) {
				f.statObject = func(b, n string) (service.ObjectInfo, error) {
					return service.ObjectInfo{Bucket: b, Name: n, LastModified: modified}, nil
				}
			},
			req:        request{method: "GET", target: "/api/v1/buckets/photos/stat/a.txt"},
			wantStatus: 200,
			wantBody:   `{"bucket":"photos","name":"a.txt","size":0,"etag":"","contentType":"","lastModified":"2024-05-01T12:00:00.123Z","metadata":{}}`,
		},
		{
			name: "statObject_missing",
			setup: func(f *fakeService) {
				f.statObject = func(string, string) (service.ObjectInfo, error) {
					return service.ObjectInfo{}, errs.New(errs.NoSuchKey, "x")
				}
			},
			req:        request{method: "GET", target: "/api/v1/buckets/photos/stat/a.txt"},
			wantStatus: 404, wantCode: "NoSuchKey",
		},
		{
			name:       "deleteObjects_ok",
			req:        request{method: "POST", target: "/api/v1/buckets/photos/delete", body: `{"names":["a","b/c"]}`},
			wantStatus: 200,
			wantBody:   `{"deleted":["a","b/c"],"errors":[]}`,
			wantCall:   &call{Method: "RemoveObjects", Tenant: "acme", Bucket: "photos", Args: []string{"a", "b/c"}},
		},
		{
			name: "deleteObjects_partialErrors",
			setup: func(f *fakeService) {
				f.removeObjects = func(b string, names []string) (service.DeleteResult, error) {
					return service.DeleteResult{Errors: []service.DeleteError{{Name: "a", Code: "AccessDenied", Message: "denied"}}}, nil
				}
			},
			req:        request{method: "POST", target: "/api/v1/buckets/photos/delete", body: `{"names":["a"]}`},
			wantStatus: 200,
			wantBody:   `{"deleted":[],"errors":[{"name":"a","code":"AccessDenied","message":"denied"}]}`,
		},
		{
			name:       "deleteObjects_maxBatch",
			req:        request{method: "POST", target: "/api/v1/buckets/photos/delete", body: `{"names":["a","b","c"]}`},
			wantStatus: 200,
		},
		{
			name:       "deleteObjects_overBatch",
			req:        request{method: "POST", target: "/api/v1/buckets/photos/delete", body: `{"names":["a","b","c","d"]}`},
			wantStatus: 400, wantCode: "InvalidArgument",
		},
		{
			name:       "deleteObjects_empty",
			req:        request{method: "POST", target: "/api/v1/buckets/photos/delete", body: `{"names":[]}`},
			wantStatus: 400, wantCode: "InvalidArgument",
		},
		{
			name:       "deleteObjects_missingNames",
			req:        request{method: "POST", target: "/api/v1/buckets/photos/delete", body: `{}`},
			wantStatus: 400, wantCode: "InvalidArgument",
		},
		{
			name:       "deleteObjects_wrongType",
			req:        request{method: "POST", target: "/api/v1/buckets/photos/delete", body: `{"names":"a"}`},
			wantStatus: 400, wantCode: "MalformedJSON",
		},
		{
			name: "deleteObjects_noSuchBucket",
			setup: func(f *fakeService) {
				f.removeObjects = func(string, []string) (service.DeleteResult, error) {
					return service.DeleteResult{}, errs.New(errs.NoSuchBucket, "x")
				}
			},
			req:        request{method: "POST", target: "/api/v1/buckets/photos/delete", body: `{"names":["a"]}`},
			wantStatus: 404, wantCode: "NoSuchBucket",
		},
		{
			name: "copyObject_ok",
			setup: func(f *fakeService) {
				f.copyObject = func(r service.CopyRequest) (service.CopyResult, error) {
					return service.CopyResult{Bucket: r.Destination.Bucket, Name: r.Destination.Name, ETag: "e2", LastModified: modified}, nil
				}
			},
			req: request{method: "POST", target: "/api/v1/buckets/photos/copy", body: `{"name":"b.txt","source":{"bucket":"src","name":"a.txt"},
				"conditions":{"matchETag":"e1","notMatchETag":"e0","modifiedSince":"2024-01-01T00:00:00Z","unmodifiedSince":"2024-06-01T02:00:00+02:00"},
				"metadata":{"Color":"blue"}}`},
			wantStatus: 201,
			wantBody:   `{"bucket":"photos","name":"b.txt","etag":"e2","lastModified":"2024-05-01T12:00:00.123Z"}`,
			wantCall: &call{Method: "CopyObject", Tenant: "acme", Bucket: "photos", Name: "b.txt", Args: service.CopyRequest{
				Source:      service.ObjectRef{Bucket: "src", Name: "a.txt"},
				Destination: service.ObjectRef{Bucket: "photos", Name: "b.txt"},
				Conditions: service.CopyConditions{
					MatchETag: "e1", NotMatchETag: "e0",
					ModifiedSince:   time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
					UnmodifiedSince: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
				},
				Metadata: map[string]string{"Color": "blue"},
			}},
		},
		{
			name:       "copyObject_sourceBucketDefaults",
			req:        request{method: "POST", target: "/api/v1/buckets/photos/copy", body: `{"name":"b","source":{"name":"a"}}`},
			wantStatus: 201,
			wantCall: &call{Method: "CopyObject", Tenant: "acme", Bucket: "photos", Name: "b", Args: service.CopyRequest{
				Source: service.ObjectRef{Bucket: "photos", Name: "a"}, Destination: service.ObjectRef{Bucket: "photos", Name: "b"},
			}},
		},
		{
			name:       "copyObject_emptyMetadataReplaces",
			req:        request{method: "POST", target: "/api/v1/buckets/photos/copy", body: `{"name":"b","source":{"name":"a"},"metadata":{}}`},
			wantStatus: 201,
			wantCall: &call{Method: "CopyObject", Tenant: "acme", Bucket: "photos", Name: "b", Args: service.CopyRequest{
				Source: service.ObjectRef{Bucket: "photos", Name: "a"}, Destination: service.ObjectRef{Bucket: "photos", Name: "b"}, Metadata: map[string]string{},
			}},
		},
		{
			name:       "copyObject_badTime",
			req:        request{method: "POST", target: "/api/v1/buckets/photos/copy", body: `{"name":"b","source":{"name":"a"},"conditions":{"modifiedSince":"yesterday"}}`},
			wantStatus: 400, wantCode: "InvalidArgument",
		},
		{
			name:       "copyObject_missingName",
			req:        request{method: "POST", target: "/api/v1/buckets/photos/copy", body: `{"source":{"name":"a"}}`},
			wantStatus: 400, wantCode: "InvalidObjectName",
		},
		{
			name:       "copyObject_missingSource",
			req:        request{method: "POST", target: "/api/v1/buckets/photos/copy", body: `{"name":"b"}`},
			wantStatus: 400, wantCode: "InvalidObjectName",
		},
		{
			name: "copyObject_preconditionFailed",
			setup: func(f *fakeService) {
				f.copyObject = func(service.CopyRequest) (service.CopyResult, error) {
					return service.CopyResult{}, errs.New(errs.PreconditionFailed, "no")
				}
			},
			req:        request{method: "POST", target: "/api/v1/buckets/photos/copy", body: `{"name":"b","source":{"name":"a"},"conditions":{"matchETag":"x"}}`},
			wantStatus: 412, wantCode: "PreconditionFailed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t)
			if tt.setup != nil {
				tt.setup(env.svc)
			}
			rec := env.do(t, tt.req)
			runCase(t, env, rec, tt.wantStatus, tt.wantCode, tt.wantBody, tt.wantCall)
		})
	}

	t.Run("deleteObjects_overBatchMessage", func(t *testing.T) {
		env := newEnv(t)
		rec := env.do(t, request{method: "POST", target: "/api/v1/buckets/photos/delete", body: `{"names":["a","b","c","d"]}`})
		if e := wantError(t, rec, 400, "InvalidArgument"); e.Message != "names: at most 3 names" {
			t.Errorf("message %q", e.Message)
		}
	})
	t.Run("copyObject_badTimeMessage", func(t *testing.T) {
		env := newEnv(t)
		rec := env.do(t, request{method: "POST", target: "/api/v1/buckets/photos/copy", body: `{"name":"b","source":{"name":"a"},"conditions":{"unmodifiedSince":"2024-01-01"}}`})
		if e := wantError(t, rec, 400, "InvalidArgument"); !strings.HasPrefix(e.Message, "conditions.unmodifiedSince:") {
			t.Errorf("message %q", e.Message)
		}
	})
}
