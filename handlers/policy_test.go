package handlers

import (
	"encoding/json"
	"testing"

	"s3gateway/errs"
	"s3gateway/service"
	"s3gateway/service/bucketpolicy"
)

func TestPolicy(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::photos/public/*"]}]}`
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
			name:       "getBucketPolicy_none",
			req:        request{method: "GET", target: "/api/v1/buckets/photos/policy"},
			wantStatus: 200,
			wantBody:   `{"prefix":"","policy":"none","document":null}`,
			wantCall:   &call{Method: "GetBucketPolicy", Tenant: "acme", Bucket: "photos", Args: ""},
		},
		{
			name: "getBucketPolicy_prefix",
			setup: func(f *fakeService) {
				f.getBucketPolicy = func(b, p string) (service.BucketPolicy, error) {
					return service.BucketPolicy{Prefix: p, Policy: bucketpolicy.ReadOnly, Document: json.RawMessage(doc)}, nil
				}
			},
			req:        request{method: "GET", target: "/api/v1/buckets/photos/policy?prefix=public/"},
			wantStatus: 200,
			wantBody:   `{"prefix":"public/","policy":"readonly","document":` + doc + `}`,
			wantCall:   &call{Method: "GetBucketPolicy", Tenant: "acme", Bucket: "photos", Args: "public/"},
		},
		{
			name: "getBucketPolicy_noSuchBucket",
			setup: func(f *fakeService) {
				f.getBucketPolicy = func(string, string) (service.BucketPolicy, error) {
					return service.BucketPolicy{}, errs.New(errs.NoSuchBucket, "x")
				}
			},
			req:        request{method: "GET", target: "/api/v1/buckets/photos/policy"},
			wantStatus: 404, wantCode: "NoSuchBucket",
		},
		{
			name:       "putBucketPolicy_canned",
			req:        request{method: "PUT", target: "/api/v1/buckets/photos/policy", body: `{"prefix":"public/","policy":"readonly"}`},
			wantStatus: 200,
			wantBody:   `{"prefix":"public/","policy":"readonly","document":null}`,
			wantCall:   &call{Method: "SetBucketPolicy", Tenant: "acme", Bucket: "photos", Args: []any{"public/", bucketpolicy.ReadOnly}},
		},
		{
			name:       "putBucketPolicy_cannedWholeBucket",
			req:        request{method: "PUT", target: "/api/v1/buckets/photos/policy", body: `{"policy":"none"}`},
			wantStatus: 200,
			wantCall:   &call{Method: "SetBucketPolicy", Tenant: "acme", Bucket: "photos", Args: []any{"", bucketpolicy.None}},
		},
		{
			name:       "putBucketPolicy_document",
			req:        request{method: "PUT", target: "/api/v1/buckets/photos/policy", body: `{"document":` + doc + `}`},
			wantStatus: 200,
			wantBody:   `{"prefix":"","policy":"none","document":` + doc + `}`,
			wantCall:   &call{Method: "SetBucketPolicyDocument", Tenant: "acme", Bucket: "photos", Args: doc},
		},
		{
			name: "getBucketPolicy_custom",
			setup: func(f *fakeService) {
				f.getBucketPolicy = func(b, p string) (service.BucketPolicy, error) {
					return service.BucketPolicy{Prefix: p, Policy: bucketpolicy.Custom, Document: json.RawMessage(doc)}, nil
				}
			},
			req:        request{method: "GET", target: "/api/v1/buckets/photos/policy?prefix=public/"},
			wantStatus: 200,
			wantBody:   `{"prefix":"public/","policy":"custom","document":` + doc + `}`,
		},
		{
			// The service alone decides which canned policies can be set.
			name: "putBucketPolicy_invalidCanned",
			setup: func(f *fakeService) {
				f.setBucketPolicy = func(_, _ string, p bucketpolicy.Canned) (service.BucketPolicy, error) {
					return service.BucketPolicy{}, p.CheckSettable()
				}
			},
			req:        request{method: "PUT", target: "/api/v1/buckets/photos/policy", body: `{"policy":"custom"}`},
			wantStatus: 400, wantCode: "InvalidArgument",
			wantCall: &call{Method: "SetBucketPolicy", Tenant: "acme", Bucket: "photos", Args: []any{"", bucketpolicy.Custom}},
		},
		{
			name:       "putBucketPolicy_bothForms",
			req:        request{method: "PUT", target: "/api/v1/buckets/photos/policy", body: `{"policy":"readonly","document":` + doc + `}`},
			wantStatus: 400, wantCode: "InvalidArgument",
		},
		{
			name:       "putBucketPolicy_prefixWithDocument",
			req:        request{method: "PUT", target: "/api/v1/buckets/photos/policy", body: `{"prefix":"a/","document":` + doc + `}`},
			wantStatus: 400, wantCode: "InvalidArgument",
		},
		{
			name:       "putBucketPolicy_neither",
			req:        request{method: "PUT", target: "/api/v1/buckets/photos/policy", body: `{}`},
			wantStatus: 400, wantCode: "InvalidArgument",
		},
		{
			name:       "putBucketPolicy_prefixOnly",
			req:        request{method: "PUT", target: "/api/v1/buckets/photos/policy", body: `{"prefix":"a/"}`},
			wantStatus: 400, wantCode: "InvalidArgument",
		},
		{
			name:       "putBucketPolicy_nullDocument",
			req:        request{method: "PUT", target: "/api/v1/buckets/photos/policy", body: `{"document":null}`},
			wantStatus: 400, wantCode: "InvalidArgument",
		},
		{
			name:       "putBucketPolicy_documentNotObject",
			req:        request{method: "PUT", target: "/api/v1/buckets/photos/policy", body: `{"document":"allow all"}`},
			wantStatus: 400, wantCode: "InvalidPolicyDocument",
		},
		{
			name: "putBucketPolicy_storeRejectsDocument",
			setup: func(f *fakeService) {
				f.setBucketPolicyDoc = func(string, json.RawMessage) (service.BucketPolicy, error) {
					return service.BucketPolicy{}, errs.New(errs.InvalidPolicyDocument, "resource outside the bucket")
				}
			},
			req:        request{method: "PUT", target: "/api/v1/buckets/photos/policy", body: `{"document":{"Statement":[]}}`},
			wantStatus: 400, wantCode: "InvalidPolicyDocument",
		},
		{
			name:       "deleteBucketPolicy_ok",
			req:        request{method: "DELETE", target: "/api/v1/buckets/photos/policy"},
			wantStatus: 204,
			wantCall:   &call{Method: "RemoveBucketPolicy", Tenant: "acme", Bucket: "photos"},
		},
		{
			name: "deleteBucketPolicy_noSuchBucket",
			setup: func(f *fakeService) {
				f.removeBucketPolicy = func(string) error { return errs.New(errs.NoSuchBucket, "x") }
			},
			req:        request{method: "DELETE", target: "/api/v1/buckets/photos/policy"},
			wantStatus: 404, wantCode: "NoSuchBucket",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t)
			if tt.setup != nil {
				tt.setup(env.svc)
			}
			runCase(t, env, env.do(t, tt.req), tt.wantStatus, tt.wantCode, tt.wantBody, tt.wantCall)
		})
	}
}
