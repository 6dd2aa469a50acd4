package handlers

import (
	"testing"
	"time"

	"s3gateway/errs"
	"s3gateway/service"
)

func TestBuckets(t *testing.T) {
	created := time.Date(2024, 5, 1, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	tests := []struct {
		name       string
		setup      func(*fakeService)
		req        request
		wantStatus int
		wantCode   string // error code, or "" for success
		wantBody   string // exact JSON, when set
		wantCall   *call
	}{
		{
			name: "listBuckets_ok",
			setup: func(f *fakeService) {
				f.listBuckets = func() ([]service.Bucket, error) {
					return []service.Bucket{{Name: "photos", CreationDate: created}}, nil
				}
			},
			req:        request{method: "GET", target: "/api/v1/buckets"},
			wantStatus: 200,
			wantBody:   `{"buckets":[{"name":"photos","creationDate":"2024-05-01T10:00:00.000Z"}]}`,
		},
		{
			name:       "listBuckets_emptyIsList",
			req:        request{method: "GET", target: "/api/v1/buckets"},
			wantStatus: 200,
			wantBody:   `{"buckets":[]}`,
		},
		{
			name: "listBuckets_unavailable",
			setup: func(f *fakeService) {
				f.listBuckets = func() ([]service.Bucket, error) { return nil, errs.New(errs.BackendUnavailable, "down") }
			},
			req:        request{method: "GET", target: "/api/v1/buckets"},
			wantStatus: 503, wantCode: "BackendUnavailable",
		},
		{
			name: "createBucket_ok",
			setup: func(f *fakeService) {
				f.makeBucket = func(n, r string) (service.Bucket, error) { return service.Bucket{Name: n, Region: "us-east-1"}, nil }
			},
			req:        request{method: "POST", target: "/api/v1/buckets", body: `{"name":"photos"}`},
			wantStatus: 201,
			wantBody:   `{"name":"photos","region":"us-east-1"}`,
			wantCall:   &call{Method: "MakeBucket", Tenant: "acme", Bucket: "photos", Args: ""},
		},
		{
			name:       "createBucket_region",
			req:        request{method: "POST", target: "/api/v1/buckets", body: `{"name":"photos","region":"eu-west-1"}`},
			wantStatus: 201,
			wantBody:   `{"name":"photos","region":"eu-west-1"}`,
			wantCall:   &call{Method: "MakeBucket", Tenant: "acme", Bucket: "photos", Args: "eu-west-1"},
		},
		{
			name: "createBucket_conflict",
			setup: func(f *fakeService) {
				f.makeBucket = func(n, r string) (service.Bucket, error) {
					return service.Bucket{}, errs.New(errs.BucketAlreadyExists, "exists")
				}
			},
			req:        request{method: "POST", target: "/api/v1/buckets", body: `{"name":"photos"}`},
			wantStatus: 409, wantCode: "BucketAlreadyExists",
		},
		{
			name: "createBucket_invalidName",
			setup: func(f *fakeService) {
				f.makeBucket = func(n, r string) (service.Bucket, error) {
					return service.Bucket{}, errs.New(errs.InvalidBucketName, "bad")
				}
			},
			req:        request{method: "POST", target: "/api/v1/buckets", body: `{"name":"Bad_Name"}`},
			wantStatus: 400, wantCode: "InvalidBucketName",
		},
		{
			name:       "createBucket_missingName",
			req:        request{method: "POST", target: "/api/v1/buckets", body: `{}`},
			wantStatus: 400, wantCode: "InvalidBucketName",
		},
		{
			name:       "createBucket_unknownField",
			req:        request{method: "POST", target: "/api/v1/buckets", body: `{"name":"photos","acl":"public"}`},
			wantStatus: 400, wantCode: "MalformedJSON",
		},
		{
			name:       "getBucket_exists",
			req:        request{method: "GET", target: "/api/v1/buckets/photos"},
			wantStatus: 200,
			wantBody:   `{"name":"photos","exists":true}`,
			wantCall:   &call{Method: "BucketExists", Tenant: "acme", Bucket: "photos"},
		},
		{
			name:       "getBucket_missing",
			setup:      func(f *fakeService) { f.bucketExists = func(string) (bool, error) { return false, nil } },
			req:        request{method: "GET", target: "/api/v1/buckets/photos"},
			wantStatus: 404, wantCode: "NoSuchBucket",
		},
		{
			name: "getBucket_denied",
			setup: func(f *fakeService) {
				f.bucketExists = func(string) (bool, error) { return false, errs.New(errs.AccessDenied, "no") }
			},
			req:        request{method: "GET", target: "/api/v1/buckets/photos"},
			wantStatus: 403, wantCode: "AccessDenied",
		},
		{
			name:       "headBucket_exists",
			req:        request{method: "HEAD", target: "/api/v1/buckets/photos"},
			wantStatus: 200,
		},
		{
			name:       "headBucket_missing",
			setup:      func(f *fakeService) { f.bucketExists = func(string) (bool, error) { return false, nil } },
			req:        request{method: "HEAD", target: "/api/v1/buckets/photos"},
			wantStatus: 404,
		},
		{
			name:       "deleteBucket_ok",
			req:        request{method: "DELETE", target: "/api/v1/buckets/photos"},
			wantStatus: 204,
			wantCall:   &call{Method: "RemoveBucket", Tenant: "acme", Bucket: "photos"},
		},
		{
			name: "deleteBucket_notEmpty",
			setup: func(f *fakeService) {
				f.removeBucket = func(string) error { return errs.New(errs.BucketNotEmpty, "not empty") }
			},
			req:        request{method: "DELETE", target: "/api/v1/buckets/photos"},
			wantStatus: 409, wantCode: "BucketNotEmpty",
		},
		{
			name: "deleteBucket_missing",
			setup: func(f *fakeService) {
				f.removeBucket = func(string) error { return errs.New(errs.NoSuchBucket, "missing") }
			},
			req:        request{method: "DELETE", target: "/api/v1/buckets/photos"},
			wantStatus: 404, wantCode: "NoSuchBucket",
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
}
