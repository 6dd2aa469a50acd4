package handlers

import (
	"context"
	"encoding/json"
	"io"
	"sync"

	"s3gateway/access"
	"s3gateway/internal/httpsyntax"
	"s3gateway/service"
	"s3gateway/service/bucketpolicy"
)

// call is one recorded call of the fake service.
type call struct {
	Method string
	Tenant string // id of the tenant in the call's context
	Bucket string
	Name   string
	Args   any // the method's other arguments
	Body   []byte
}

// fakeService implements service.Service. Each method records its call and
// answers with the matching function field, or zero values when it is nil.
type fakeService struct {
	mu    sync.Mutex
	calls []call

	listBuckets            func() ([]service.Bucket, error)
	makeBucket             func(name, region string) (service.Bucket, error)
	bucketExists           func(name string) (bool, error)
	removeBucket           func(name string) error
	listObjects            func(bucket string, opts service.ListOptions) (service.ListPage, error)
	putBody                func(io.Reader) ([]byte, error) // reads the upload; default io.ReadAll
	putObject              func(bucket, name string, body []byte, opts service.PutOptions) (service.UploadResult, error)
	getObject              func(bucket, name string, opts service.GetOptions) (*service.Object, error)
	statObject             func(bucket, name string) (service.ObjectInfo, error)
	removeObject           func(bucket, name string) error
	removeObjects          func(bucket string, names []string) (service.DeleteResult, error)
	copyObject             func(req service.CopyRequest) (service.CopyResult, error)
	listIncompleteUploads  func(bucket, prefix string, recursive bool) ([]service.IncompleteUpload, error)
	removeIncompleteUpload func(bucket, name string) error
	getBucketPolicy        func(bucket, prefix string) (service.BucketPolicy, error)
	setBucketPolicy        func(bucket, prefix string, p bucketpolicy.Canned) (service.BucketPolicy, error)
	setBucketPolicyDoc     func(bucket string, doc json.RawMessage) (service.BucketPolicy, error)
	removeBucketPolicy     func(bucket string) error
	getNotification        func(bucket string) (service.NotificationConfig, error)
	setNotification        func(bucket string, cfg service.NotificationConfig) (service.NotificationConfig, error)
	removeNotification     func(bucket string) error
	listenBucket           func(ctx context.Context, bucket string, f service.EventFilter) (<-chan service.StreamItem, error)
	presignObject          func(req service.PresignRequest) (service.PresignedURL, error)
	presignPost            func(req service.PostPolicyRequest) (service.PresignedPost, error)
	ready                  func(ctx context.Context) error
}

var _ service.Service = (*fakeService)(nil)

func (f *fakeService) record(ctx context.Context, c call) {
	if t, ok := access.FromContext(ctx); ok {
		c.Tenant = t.ID
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
}

// Calls returns the recorded calls.
func (f *fakeService) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// only returns the single recorded call, or fails.
func (f *fakeService) only() (call, bool) {
	cs := f.Calls()
	if len(cs) != 1 {
		return call{}, false
	}
	return cs[0], true
}

func (f *fakeService) ListBuckets(ctx context.Context) ([]service.Bucket, error) {
	f.record(ctx, call{Method: "ListBuckets"})
	if f.listBuckets == nil {
		return nil, nil
	}
	return f.listBuckets()
}

func (f *fakeService) MakeBucket(ctx context.Context, name, region string) (service.Bucket, error) {
	f.record(ctx, call{Method: "MakeBucket", Bucket: name, Args: region})
	if f.makeBucket == nil {
		return service.Bucket{Name: name, Region: region}, nil
	}
	return f.makeBucket(name, region)
}

func (f *fakeService) BucketExists(ctx context.Context, name string) (bool, error) {
	f.record(ctx, call{Method: "BucketExists", Bucket: name})
	if f.bucketExists == nil {
		return true, nil
	}
	return f.bucketExists(name)
}

func (f *fakeService) RemoveBucket(ctx context.Context, name string) error {
	f.record(ctx, call{Method: "RemoveBucket", Bucket: name})
	if f.removeBucket == nil {
		return nil
	}
	return f.removeBucket(name)
}

func (f *fakeService) ListObjects(ctx context.Context, bucket string, opts service.ListOptions) (service.ListPage, error) {
	f.record(ctx, call{Method: "ListObjects", Bucket: bucket, Args: opts})
	if f.listObjects == nil {
		return service.ListPage{}, nil
	}
	return f.listObjects(bucket, opts)
}

func (f *fakeService) PutObject(ctx context.Context, bucket, name string, body io.Reader, opts service.PutOptions) (service.UploadResult, error) {
	read := io.ReadAll
	if f.putBody != nil {
		read = f.putBody
	}
	b, err := read(body)
	f.record(ctx, call{Method: "PutObject", Bucket: bucket, Name: name, Args: opts, Body: b})
	if err != nil {
		return service.UploadResult{}, err
	}
	if f.putObject == nil {
		return service.UploadResult{Bucket: bucket, Name: name, ETag: "etag1", Size: int64(len(b))}, nil
	}
	return f.putObject(bucket, name, b, opts)
}

func (f *fakeService) GetObject(ctx context.Context, bucket, name string, opts service.GetOptions) (*service.Object, error) {
	f.record(ctx, call{Method: "GetObject", Bucket: bucket, Name: name, Args: opts})
	if f.getObject == nil {
		return &service.Object{Info: service.ObjectInfo{Bucket: bucket, Name: name}, Body: io.NopCloser(&emptyReader{})}, nil
	}
	return f.getObject(bucket, name, opts)
}

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, io.EOF }

func (f *fakeService) StatObject(ctx context.Context, bucket, name string) (service.ObjectInfo, error) {
	f.record(ctx, call{Method: "StatObject", Bucket: bucket, Name: name})
	if f.statObject == nil {
		return service.ObjectInfo{Bucket: bucket, Name: name}, nil
	}
	return f.statObject(bucket, name)
}

// HeadObject describes the object with statObject, as the service would,
// and answers If-None-Match; the other conditions are the service's tests.
func (f *fakeService) HeadObject(ctx context.Context, bucket, name string, opts service.GetOptions) (*service.Object, error) {
	f.record(ctx, call{Method: "HeadObject", Bucket: bucket, Name: name, Args: opts})
	info := service.ObjectInfo{Bucket: bucket, Name: name}
	if f.statObject != nil {
		var err error
		if info, err = f.statObject(bucket, name); err != nil {
			return nil, err
		}
	}
	if opts.IfNoneMatch != "" && httpsyntax.MatchesAny(opts.IfNoneMatch, info.ETag) {
		return &service.Object{Info: info, NotModified: true}, nil
	}
	return &service.Object{Info: info}, nil
}

func (f *fakeService) RemoveObjectWith(ctx context.Context, bucket, name string, opts service.RemoveOptions) error {
	f.record(ctx, call{Method: "RemoveObject", Bucket: bucket, Name: name, Args: opts})
	if f.removeObject == nil {
		return nil
	}
	return f.removeObject(bucket, name)
}

func (f *fakeService) RemoveObject(ctx context.Context, bucket, name string) error {
	f.record(ctx, call{Method: "RemoveObject", Bucket: bucket, Name: name})
	if f.removeObject == nil {
		return nil
	}
	return f.removeObject(bucket, name)
}

func (f *fakeService) RemoveObjects(ctx context.Context, bucket string, names []string) (service.DeleteResult, error) {
	f.record(ctx, call{Method: "RemoveObjects", Bucket: bucket, Args: names})
	if f.removeObjects == nil {
		return service.DeleteResult{Deleted: names}, nil
	}
	return f.removeObjects(bucket, names)
}

func (f *fakeService) CopyObject(ctx context.Context, req service.CopyRequest) (service.CopyResult, error) {
	f.record(ctx, call{Method: "CopyObject", Bucket: req.Destination.Bucket, Name: req.Destination.Name, Args: req})
	if f.copyObject == nil {
		return service.CopyResult{Bucket: req.Destination.Bucket, Name: req.Destination.Name}, nil
	}
	return f.copyObject(req)
}

func (f *fakeService) ListIncompleteUploads(ctx context.Context, bucket, prefix string, recursive bool) ([]service.IncompleteUpload, error) {
	f.record(ctx, call{Method: "ListIncompleteUploads", Bucket: bucket, Args: []any{prefix, recursive}})
	if f.listIncompleteUploads == nil {
		return nil, nil
	}
	return f.listIncompleteUploads(bucket, prefix, recursive)
}

func (f *fakeService) RemoveIncompleteUpload(ctx context.Context, bucket, name string) error {
	f.record(ctx, call{Method: "RemoveIncompleteUpload", Bucket: bucket, Name: name})
	if f.removeIncompleteUpload == nil {
		return nil
	}
	return f.removeIncompleteUpload(bucket, name)
}

func (f *fakeService) GetBucketPolicy(ctx context.Context, bucket, prefix string) (service.BucketPolicy, error) {
	f.record(ctx, call{Method: "GetBucketPolicy", Bucket: bucket, Args: prefix})
	if f.getBucketPolicy == nil {
		return service.BucketPolicy{Prefix: prefix, Policy: bucketpolicy.None}, nil
	}
	return f.getBucketPolicy(bucket, prefix)
}

func (f *fakeService) SetBucketPolicy(ctx context.Context, bucket, prefix string, p bucketpolicy.Canned) (service.BucketPolicy, error) {
	f.record(ctx, call{Method: "SetBucketPolicy", Bucket: bucket, Args: []any{prefix, p}})
	if f.setBucketPolicy == nil {
		return service.BucketPolicy{Prefix: prefix, Policy: p}, nil
	}
	return f.setBucketPolicy(bucket, prefix, p)
}

func (f *fakeService) SetBucketPolicyDocument(ctx context.Context, bucket string, doc json.RawMessage) (service.BucketPolicy, error) {
	f.record(ctx, call{Method: "SetBucketPolicyDocument", Bucket: bucket, Args: string(doc)})
	if f.setBucketPolicyDoc == nil {
		return service.BucketPolicy{Policy: bucketpolicy.None, Document: doc}, nil
	}
	return f.setBucketPolicyDoc(bucket, doc)
}

func (f *fakeService) RemoveBucketPolicy(ctx context.Context, bucket string) error {
	f.record(ctx, call{Method: "RemoveBucketPolicy", Bucket: bucket})
	if f.removeBucketPolicy == nil {
		return nil
	}
	return f.removeBucketPolicy(bucket)
}

func (f *fakeService) GetBucketNotification(ctx context.Context, bucket string) (service.NotificationConfig, error) {
	f.record(ctx, call{Method: "GetBucketNotification", Bucket: bucket})
	if f.getNotification == nil {
		return service.NotificationConfig{}, nil
	}
	return f.getNotification(bucket)
}

func (f *fakeService) SetBucketNotification(ctx context.Context, bucket string, cfg service.NotificationConfig) (service.NotificationConfig, error) {
	f.record(ctx, call{Method: "SetBucketNotification", Bucket: bucket, Args: cfg})
	if f.setNotification == nil {
		return cfg, nil
	}
	return f.setNotification(bucket, cfg)
}

func (f *fakeService) RemoveBucketNotification(ctx context.Context, bucket string) error {
	f.record(ctx, call{Method: "RemoveBucketNotification", Bucket: bucket})
	if f.removeNotification == nil {
		return nil
	}
	return f.removeNotification(bucket)
}

func (f *fakeService) ListenBucket(ctx context.Context, bucket string, filter service.EventFilter) (<-chan service.StreamItem, error) {
	f.record(ctx, call{Method: "ListenBucket", Bucket: bucket, Args: filter})
	if f.listenBucket == nil {
		ch := make(chan service.StreamItem)
		go func() {
			<-ctx.Done()
			close(ch)
		}()
		return ch, nil
	}
	return f.listenBucket(ctx, bucket, filter)
}

func (f *fakeService) PresignObject(ctx context.Context, req service.PresignRequest) (service.PresignedURL, error) {
	f.record(ctx, call{Method: "PresignObject", Bucket: req.Bucket, Name: req.Name, Args: req})
	if f.presignObject == nil {
		return service.PresignedURL{URL: "http://store/x", Method: req.Method}, nil
	}
	return f.presignObject(req)
}

func (f *fakeService) PresignPost(ctx context.Context, req service.PostPolicyRequest) (service.PresignedPost, error) {
	f.record(ctx, call{Method: "PresignPost", Bucket: req.Bucket, Name: req.Name, Args: req})
	if f.presignPost == nil {
		return service.PresignedPost{URL: "http://store/"}, nil
	}
	return f.presignPost(req)
}

func (f *fakeService) Ready(ctx context.Context) error {
	f.record(ctx, call{Method: "Ready"})
	if f.ready == nil {
		return nil
	}
	return f.ready(ctx)
}
