package handlers

import (
	"testing"

	"s3gateway/errs"
	"s3gateway/service"
)

func TestNotifications(t *testing.T) {
	stored := service.NotificationConfig{
		Queues: []service.NotificationTarget{{ID: "1", ARN: "arn:minio:sqs::PRIMARY:webhook", Events: []string{"s3:ObjectCreated:*"}, Prefix: "abc", Suffix: ".jpg"}},
	}
	storedJSON := `{"queueConfigurations":[{"id":"1","arn":"arn:minio:sqs::PRIMARY:webhook","events":["s3:ObjectCreated:*"],"filter":{"prefix":"abc","suffix":".jpg"}}],"topicConfigurations":[],"cloudFunctionConfigurations":[]}`
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
			name:       "getBucketNotifications_none",
			req:        request{method: "GET", target: "/api/v1/buckets/photos/notifications"},
			wantStatus: 200,
			wantBody:   `{"queueConfigurations":[],"topicConfigurations":[],"cloudFunctionConfigurations":[]}`,
		},
		{
			name: "getBucketNotifications_some",
			setup: func(f *fakeService) {
				f.getNotification = func(string) (service.NotificationConfig, error) { return stored, nil }
			},
			req:        request{method: "GET", target: "/api/v1/buckets/photos/notifications"},
			wantStatus: 200,
			wantBody:   storedJSON,
		},
		{
			name:       "putBucketNotifications_ok",
			req:        request{method: "PUT", target: "/api/v1/buckets/photos/notifications", body: storedJSON},
			wantStatus: 200,
			wantBody:   storedJSON,
			wantCall:   &call{Method: "SetBucketNotification", Tenant: "acme", Bucket: "photos", Args: stored},
		},
		{
			name:       "putBucketNotifications_omittedListsAndFilter",
			req:        request{method: "PUT", target: "/api/v1/buckets/photos/notifications", body: `{"topicConfigurations":[{"arn":"arn:t","events":["s3:ObjectRemoved:*"]}]}`},
			wantStatus: 200,
			wantBody:   `{"queueConfigurations":[],"topicConfigurations":[{"id":"","arn":"arn:t","events":["s3:ObjectRemoved:*"],"filter":{"prefix":"","suffix":""}}],"cloudFunctionConfigurations":[]}`,
			wantCall: &call{Method: "SetBucketNotification", Tenant: "acme", Bucket: "photos", Args: service.NotificationConfig{
				Topics: []service.NotificationTarget{{ARN: "arn:t", Events: []string{"s3:ObjectRemoved:*"}}},
			}},
		},
		{
			name:       "putBucketNotifications_empty",
			req:        request{method: "PUT", target: "/api/v1/buckets/photos/notifications", body: `{"queueConfigurations":[],"topicConfigurations":[],"cloudFunctionConfigurations":[]}`},
			wantStatus: 400, wantCode: "InvalidArgument",
		},
		{
			name:       "putBucketNotifications_missingArn",
			req:        request{method: "PUT", target: "/api/v1/buckets/photos/notifications", body: `{"queueConfigurations":[{"events":["s3:ObjectCreated:*"]}]}`},
			wantStatus: 400, wantCode: "InvalidArgument",
		},
		{
			name:       "putBucketNotifications_noEvents",
			req:        request{method: "PUT", target: "/api/v1/buckets/photos/notifications", body: `{"queueConfigurations":[{"arn":"arn:q","events":[]}]}`},
			wantStatus: 400, wantCode: "InvalidArgument",
		},
		{
			name:       "putBucketNotifications_unknownField",
			req:        request{method: "PUT", target: "/api/v1/buckets/photos/notifications", body: `{"QueueConfiguration":[]}`},
			wantStatus: 400, wantCode: "MalformedJSON",
		},
		{
			name: "putBucketNotifications_unknownArn",
			setup: func(f *fakeService) {
				f.setNotification = func(string, service.NotificationConfig) (service.NotificationConfig, error) {
					return service.NotificationConfig{}, errs.New(errs.InvalidArgument, "the store does not know ARN x")
				}
			},
			req:        request{method: "PUT", target: "/api/v1/buckets/photos/notifications", body: storedJSON},
			wantStatus: 400, wantCode: "InvalidArgument",
		},
		{
			name:       "deleteBucketNotifications_ok",
			req:        request{method: "DELETE", target: "/api/v1/buckets/photos/notifications"},
			wantStatus: 204,
			wantCall:   &call{Method: "RemoveBucketNotification", Tenant: "acme", Bucket: "photos"},
		},
		{
			name: "deleteBucketNotifications_noSuchBucket",
			setup: func(f *fakeService) {
				f.removeNotification = func(string) error { return errs.New(errs.NoSuchBucket, "x") }
			},
			req:        request{method: "DELETE", target: "/api/v1/buckets/photos/notifications"},
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
