package handlers

import (
	"testing"
	"time"

	"s3gateway/errs"
	"s3gateway/service"
)

func TestPresign(t *testing.T) {
	exp := time.Date(2024, 5, 8, 12, 0, 0, 0, time.UTC)
	week := 7 * 24 * time.Hour
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
			name: "presignObject_getDefaults",
			setup: func(f *fakeService) {
				f.presignObject = func(r service.PresignRequest) (service.PresignedURL, error) {
					return service.PresignedURL{URL: "http://store/acme-photos/a?X-Amz-Signature=s", Method: r.Method, ExpiresAt: exp}, nil
				}
			},
			req:        request{method: "POST", target: "/api/v1/buckets/photos/presign", body: `{"method":"GET","name":"a b"}`},
			wantStatus: 200,
			wantBody:   `{"url":"http://store/acme-photos/a?X-Amz-Signature=s","method":"GET","expiresAt":"2024-05-08T12:00:00.000Z"}`,
			wantCall:   &call{Method: "PresignObject", Tenant: "acme", Bucket: "photos", Name: "a b", Args: service.PresignRequest{Bucket: "photos", Name: "a b", Method: "GET", Expires: week}},
		},
		{
			name: "presignObject_getResponseHeaders",
			req: request{method: "POST", target: "/api/v1/buckets/photos/presign", body: `{"method":"get","name":"a","expiresIn":60,
				"responseHeaders":{"contentType":"text/plain","contentDisposition":"attachment","cacheControl":"no-cache"}}`},
			wantStatus: 200,
			wantCall: &call{Method: "PresignObject", Tenant: "acme", Bucket: "photos", Name: "a", Args: service.PresignRequest{
				Bucket: "photos", Name: "a", Method: "GET", Expires: time.Minute,
				ResponseHeaders: service.ResponseHeaders{ContentType: "text/plain", ContentDisposition: "attachment", CacheControl: "no-cache"},
			}},
		},
		{
			name:       "presignObject_put",
			req:        request{method: "POST", target: "/api/v1/buckets/photos/presign", body: `{"method":"PUT","name":"a","expiresIn":604800}`},
			wantStatus: 200,
			wantCall:   &call{Method: "PresignObject", Tenant: "acme", Bucket: "photos", Name: "a", Args: service.PresignRequest{Bucket: "photos", Name: "a", Method: "PUT", Expires: week}},
		},
		{"presignObject_putResponseHeaders", nil, request{method: "POST", target: "/api/v1/buckets/photos/presign", body: `{"method":"PUT","name":"a","responseHeaders":{"contentType":"x"}}`}, 400, "InvalidArgument", "", nil},
		{"presignObject_badMethod", nil, request{method: "POST", target: "/api/v1/buckets/photos/presign", body: `{"method":"HEAD","name":"a"}`}, 400, "InvalidArgument", "", nil},
		{"presignObject_noMethod", nil, request{method: "POST", target: "/api/v1/buckets/photos/presign", body: `{"name":"a"}`}, 400, "InvalidArgument", "", nil},
		{"presignObject_noName", nil, request{method: "POST", target: "/api/v1/buckets/photos/presign", body: `{"method":"GET"}`}, 400, "InvalidObjectName", "", nil},
		{"presignObject_expiryZero", nil, request{method: "POST", target: "/api/v1/buckets/photos/presign", body: `{"method":"GET","name":"a","expiresIn":0}`}, 400, "InvalidArgument", "", nil},
		{"presignObject_expiryTooLong", nil, request{method: "POST", target: "/api/v1/buckets/photos/presign", body: `{"method":"GET","name":"a","expiresIn":604801}`}, 400, "InvalidArgument", "", nil},
		{"presignObject_expiryNegative", nil, request{method: "POST", target: "/api/v1/buckets/photos/presign", body: `{"method":"GET","name":"a","expiresIn":-5}`}, 400, "InvalidArgument", "", nil},
		{
			name: "presignObject_noSuchBucket",
			setup: func(f *fakeService) {
				f.presignObject = func(service.PresignRequest) (service.PresignedURL, error) {
					return service.PresignedURL{}, errs.New(errs.NoSuchBucket, "x")
				}
			},
			req:        request{method: "POST", target: "/api/v1/buckets/photos/presign", body: `{"method":"GET","name":"a"}`},
			wantStatus: 404, wantCode: "NoSuchBucket",
		},
		{
			name: "presignPost_name",
			setup: func(f *fakeService) {
				f.presignPost = func(r service.PostPolicyRequest) (service.PresignedPost, error) {
					return service.PresignedPost{URL: "http://store/acme-photos", FormData: map[string]string{"key": "a.jpg", "policy": "p"}, ExpiresAt: exp}, nil
				}
			},
			req:        request{method: "POST", target: "/api/v1/buckets/photos/presign-post", body: `{"name":"a.jpg","expiresIn":3600,"contentType":"image/jpeg","contentLengthRange":{"min":1,"max":1048576}}`},
			wantStatus: 200,
			wantBody:   `{"url":"http://store/acme-photos","formData":{"key":"a.jpg","policy":"p"},"expiresAt":"2024-05-08T12:00:00.000Z"}`,
			wantCall: &call{Method: "PresignPost", Tenant: "acme", Bucket: "photos", Name: "a.jpg", Args: service.PostPolicyRequest{
				Bucket: "photos", Name: "a.jpg", Expires: time.Hour, ContentType: "image/jpeg", MinSize: 1, MaxSize: 1 << 20,
			}},
		},
		{
			name:       "presignPost_namePrefixDefaults",
			req:        request{method: "POST", target: "/api/v1/buckets/photos/presign-post", body: `{"namePrefix":"uploads/"}`},
			wantStatus: 200,
			wantBody:   `{"url":"http://store/","formData":{},"expiresAt":"0001-01-01T00:00:00.000Z"}`,
			wantCall:   &call{Method: "PresignPost", Tenant: "acme", Bucket: "photos", Args: service.PostPolicyRequest{Bucket: "photos", NamePrefix: "uploads/", Expires: week}},
		},
		{"presignPost_both", nil, request{method: "POST", target: "/api/v1/buckets/photos/presign-post", body: `{"name":"a","namePrefix":"b/"}`}, 400, "InvalidArgument", "", nil},
		{"presignPost_neither", nil, request{method: "POST", target: "/api/v1/buckets/photos/presign-post", body: `{}`}, 400, "InvalidArgument", "", nil},
		{"presignPost_emptyName", nil, request{method: "POST", target: "/api/v1/buckets/photos/presign-post", body: `{"name":""}`}, 400, "InvalidObjectName", "", nil},
		{"presignPost_emptyPrefix", nil, request{method: "POST", target: "/api/v1/buckets/photos/presign-post", body: `{"namePrefix":""}`}, 400, "InvalidArgument", "", nil},
		{"presignPost_expiry", nil, request{method: "POST", target: "/api/v1/buckets/photos/presign-post", body: `{"name":"a","expiresIn":700000}`}, 400, "InvalidArgument", "", nil},
		{"presignPost_rangeNoMax", nil, request{method: "POST", target: "/api/v1/buckets/photos/presign-post", body: `{"name":"a","contentLengthRange":{"min":1}}`}, 400, "InvalidArgument", "", nil},
		{"presignPost_rangeMaxBelowMin", nil, request{method: "POST", target: "/api/v1/buckets/photos/presign-post", body: `{"name":"a","contentLengthRange":{"min":10,"max":5}}`}, 400, "InvalidArgument", "", nil},
		{"presignPost_rangeNegativeMin", nil, request{method: "POST", target: "/api/v1/buckets/photos/presign-post", body: `{"name":"a","contentLengthRange":{"min":-1,"max":5}}`}, 400, "InvalidArgument", "", nil},
		{"presignPost_rangeZeroMax", nil, request{method: "POST", target: "/api/v1/buckets/photos/presign-post", body: `{"name":"a","contentLengthRange":{"max":0}}`}, 400, "InvalidArgument", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t)
			if tt.setup != nil {
				tt.setup(env.svc)
			}
			rec := env.do(t, tt.req)
			runCase(t, env, rec, tt.wantStatus, tt.wantCode, tt.wantBody, tt.wantCall)
			if tt.wantCode == "InvalidArgument" && len(env.svc.Calls()) != 0 {
				t.Error("service called")
			}
		})
	}
}
