package handlers

import (
	"reflect"
	"testing"
	"time"

	"s3gateway/errs"
	"s3gateway/service"
)

func TestListObjects(t *testing.T) {
	tests := []struct {
		name     string
		query    string
		want     service.ListOptions
		wantCode string
	}{
		{"listObjects_defaults", "", service.ListOptions{Limit: 1000}, ""},
		{"listObjects_all", "prefix=a%2Bb/&recursive=true&limit=10&cursor=c1&startAfter=a/x&metadata=1&apiVersion=v1",
			service.ListOptions{Prefix: "a+b/", Recursive: true, Limit: 10, Cursor: "c1", StartAfter: "a/x", WithMetadata: true, UseV1: true}, ""},
		{"listObjects_falseValues", "recursive=false&metadata=0&apiVersion=v2", service.ListOptions{Limit: 1000}, ""},
		{"listObjects_recursiveInvalid", "recursive=yes", service.ListOptions{}, "InvalidArgument"},
		{"listObjects_recursiveEmpty", "recursive=", service.ListOptions{}, "InvalidArgument"},
		{"listObjects_metadataInvalid", "metadata=TRUE", service.ListOptions{}, "InvalidArgument"},
		{"listObjects_limitZero", "limit=0", service.ListOptions{}, "InvalidArgument"},
		{"listObjects_limitTooBig", "limit=1001", service.ListOptions{}, "InvalidArgument"},
		{"listObjects_limitNotNumber", "limit=ten", service.ListOptions{}, "InvalidArgument"},
		{"listObjects_limitMax", "limit=1000", service.ListOptions{Limit: 1000}, ""},
		{"listObjects_apiVersionInvalid", "apiVersion=v3", service.ListOptions{}, "InvalidArgument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t)
			rec := env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/objects?" + tt.query})
			if tt.wantCode != "" {
				wantError(t, rec, 400, tt.wantCode)
				return
			}
			wantStatus(t, rec, 200)
			c, ok := env.svc.only()
			if !ok || !reflect.DeepEqual(c.Args, tt.want) || c.Bucket != "photos" {
				t.Errorf("calls %+v, want options %+v", env.svc.Calls(), tt.want)
			}
		})
	}

	t.Run("listObjects_body", func(t *testing.T) {
		env := newEnv(t)
		mod := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
		env.svc.listObjects = func(string, service.ListOptions) (service.ListPage, error) {
			return service.ListPage{Objects: []service.ObjectInfo{
				{Name: "dir/", IsDir: true},
				{Name: "a.txt", Size: 3, ETag: "e", LastModified: mod, ContentType: "text/plain", Metadata: map[string]string{"Color": "red"}},
				{Name: "b", Size: 1, ETag: "f", LastModified: mod},
			}, NextCursor: "next", Truncated: true}, nil
		}
		rec := env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/objects"})
		wantStatus(t, rec, 200)
		jsonEq(t, rec.Body.String(), `{"objects":[
			{"name":"dir/","size":0,"etag":"","lastModified":"0001-01-01T00:00:00.000Z","isDir":true},
			{"name":"a.txt","size":3,"etag":"e","lastModified":"2024-05-01T12:00:00.000Z","contentType":"text/plain","isDir":false,"metadata":{"Color":"red"}},
			{"name":"b","size":1,"etag":"f","lastModified":"2024-05-01T12:00:00.000Z","isDir":false}
		],"nextCursor":"next","truncated":true}`)
	})
	t.Run("listObjects_emptyLastPage", func(t *testing.T) {
		env := newEnv(t)
		rec := env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/objects"})
		jsonEq(t, rec.Body.String(), `{"objects":[],"truncated":false}`)
	})
	t.Run("listObjects_noSuchBucket", func(t *testing.T) {
		env := newEnv(t)
		env.svc.listObjects = func(string, service.ListOptions) (service.ListPage, error) {
			return service.ListPage{}, errs.New(errs.NoSuchBucket, "x")
		}
		wantError(t, env.do(t, request{method: "GET", target: "/api/v1/buckets/photos/objects"}), 404, "NoSuchBucket")
	})
}

func TestUploads(t *testing.T) {
	init := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
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
			name: "listIncompleteUploads_ok",
			setup: func(f *fakeService) {
				f.listIncompleteUploads = func(string, string, bool) ([]service.IncompleteUpload, error) {
					return []service.IncompleteUpload{{Name: "big.bin", UploadID: "u1", Initiated: init, Size: 5 << 20}, {Name: "dir/", IsDir: true}}, nil
				}
			},
			req:        request{method: "GET", target: "/api/v1/buckets/photos/uploads?prefix=b&recursive=true"},
			wantStatus: 200,
			wantBody: `{"uploads":[{"name":"big.bin","uploadId":"u1","initiated":"2024-05-01T12:00:00.000Z","size":5242880,"isDir":false},
				{"name":"dir/","uploadId":"","initiated":"0001-01-01T00:00:00.000Z","size":0,"isDir":true}]}`,
			wantCall: &call{Method: "ListIncompleteUploads", Tenant: "acme", Bucket: "photos", Args: []any{"b", true}},
		},
		{
			name:       "listIncompleteUploads_empty",
			req:        request{method: "GET", target: "/api/v1/buckets/photos/uploads"},
			wantStatus: 200,
			wantBody:   `{"uploads":[]}`,
			wantCall:   &call{Method: "ListIncompleteUploads", Tenant: "acme", Bucket: "photos", Args: []any{"", false}},
		},
		{
			name:       "listIncompleteUploads_badRecursive",
			req:        request{method: "GET", target: "/api/v1/buckets/photos/uploads?recursive=maybe"},
			wantStatus: 400, wantCode: "InvalidArgument",
		},
		{
			name:       "deleteIncompleteUpload_ok",
			req:        request{method: "DELETE", target: "/api/v1/buckets/photos/uploads/dir/big%20file.bin"},
			wantStatus: 204,
			wantCall:   &call{Method: "RemoveIncompleteUpload", Tenant: "acme", Bucket: "photos", Name: "dir/big file.bin"},
		},
		{
			name: "deleteIncompleteUpload_noSuchUpload",
			setup: func(f *fakeService) {
				f.removeIncompleteUpload = func(string, string) error { return errs.New(errs.NoSuchUpload, "x") }
			},
			req:        request{method: "DELETE", target: "/api/v1/buckets/photos/uploads/a"},
			wantStatus: 404, wantCode: "NoSuchUpload",
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
