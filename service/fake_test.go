package service

import (
	"context"
	"io"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"s3gateway/access"
	"s3gateway/errs"
)

// fakeStore is an in-memory Store for the service's own rules: name
// mapping, validation, paging and batching. What only a real store decides
// (policies, multipart, isolation, faults) is tested against MinIO in
// package miniostore.
type fakeStore struct {
	mu       sync.Mutex
	calls    []string                       // every store call, by method name
	buckets  map[string]map[string]struct{} // physical bucket -> object names
	batches  [][]string                     // RemoveObjects batches
	failed   map[string]bool                // names RemoveObjects fails to remove
	listErr  error                          // ListBuckets fails with it
	parts    map[string][]UploadPart        // upload id -> the parts the store holds
	lastPost PostPolicy                     // what PresignPost was last asked to sign
	lastPut  PutOptions                     // what PutObject was last asked to store
}

func newFakeStore(buckets ...string) *fakeStore {
	f := &fakeStore{buckets: map[string]map[string]struct{}{}, failed: map[string]bool{}}
	for _, b := range buckets {
		f.buckets[b] = map[string]struct{}{}
	}
	return f
}

// fakeTenant is the tenant of the fake tests: its buckets have the prefix
// "ta-".
var fakeTenant = &access.Tenant{ID: "ta", BucketPrefix: "ta-", NotificationTargets: []string{fakeTenantARN}}

// fakeTenantARN is the one notification target fakeTenant may use.
const fakeTenantARN = "arn:minio:sqs::TA:webhook"

// fakeEnv is the service over a fake store, and a context of fakeTenant.
func fakeEnv(t *testing.T, buckets ...string) (*Gateway, *fakeStore, context.Context) {
	t.Helper()
	f := newFakeStore(buckets...)
	return New(f), f, access.NewContext(t.Context(), fakeTenant)
}

func (f *fakeStore) Client(t *access.Tenant) (StoreClient, bool) {
	if t != fakeTenant {
		return nil, false
	}
	return f, true
}

func (f *fakeStore) Ready(context.Context) error { return nil }

func (f *fakeStore) record(call string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
}

func (f *fakeStore) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (f *fakeStore) bucket(name string) (map[string]struct{}, error) {
	b, ok := f.buckets[name]
	if !ok {
		return nil, errs.New(errs.NoSuchBucket, "bucket %q does not exist", strings.TrimPrefix(name, fakeTenant.BucketPrefix))
	}
	return b, nil
}

func (f *fakeStore) put(bucket string, names ...string) {
	for _, n := range names {
		f.buckets[bucket][n] = struct{}{}
	}
}

func (f *fakeStore) ListBuckets(context.Context) ([]Bucket, error) {
	f.record("ListBuckets")
	if f.listErr != nil {
		return nil, f.listErr
	}
	var out []Bucket
	for name := range f.buckets {
		out = append(out, Bucket{Name: name, Region: "us-east-1", CreationDate: time.Unix(1, 0).In(time.FixedZone("x", 3600))})
	}
	return out, nil
}

func (f *fakeStore) MakeBucket(_ context.Context, bucket, region string) (string, error) {
	f.record("MakeBucket")
	if _, ok := f.buckets[bucket]; ok {
		return "", errs.New(errs.BucketAlreadyExists, "exists")
	}
	f.buckets[bucket] = map[string]struct{}{}
	if region == "" {
		region = "us-east-1"
	}
	return region, nil
}

func (f *fakeStore) BucketExists(_ context.Context, bucket string) (bool, error) {
	f.record("BucketExists")
	_, ok := f.buckets[bucket]
	return ok, nil
}

func (f *fakeStore) RemoveBucket(_ context.Context, bucket string) error {
	f.record("RemoveBucket")
	if _, err := f.bucket(bucket); err != nil {
		return err
	}
	delete(f.buckets, bucket)
	return nil
}

// ListObjects lists as S3 does: sorted, with folders ("/"-ended common
// prefixes) when not recursive.
func (f *fakeStore) ListObjects(_ context.Context, bucket string, q ListQuery) ([]ObjectInfo, bool, error) {
	f.record("ListObjects")
	b, err := f.bucket(bucket)
	if err != nil {
		return nil, false, err
	}
	seen := map[string]bool{}
	var all []ObjectInfo
	for name := range b {
		if !strings.HasPrefix(name, q.Prefix) {
			continue
		}
		entry := ObjectInfo{Name: name}
		if i := strings.Index(name[len(q.Prefix):], "/"); !q.Recursive && i >= 0 {
			entry = ObjectInfo{Name: name[:len(q.Prefix)+i+1], IsDir: true}
		}
		if entry.Name > q.After && !seen[entry.Name] {
			seen[entry.Name] = true
			all = append(all, entry)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	if len(all) > q.Limit {
		return all[:q.Limit], true, nil
	}
	return all, false, nil
}

func (f *fakeStore) PutObject(_ context.Context, bucket, name string, _ io.Reader, opts PutOptions) (UploadResult, error) {
	f.record("PutObject")
	b, err := f.bucket(bucket)
	if err != nil {
		return UploadResult{}, err
	}
	b[name] = struct{}{}
	f.lastPut = opts
	return UploadResult{Name: name, Size: opts.Size}, nil
}

func (f *fakeStore) GetObject(context.Context, string, string, GetOptions) (*Object, error) {
	f.record("GetObject")
	return &Object{}, nil
}

func (f *fakeStore) StatObject(context.Context, string, string) (ObjectInfo, error) {
	f.record("StatObject")
	return ObjectInfo{}, nil
}

func (f *fakeStore) RemoveObject(context.Context, string, string) error {
	f.record("RemoveObject")
	return nil
}

func (f *fakeStore) RemoveObjects(_ context.Context, bucket string, names []string) (map[string]error, error) {
	f.record("RemoveObjects")
	b, err := f.bucket(bucket)
	if err != nil {
		return nil, err
	}
	f.batches = append(f.batches, append([]string(nil), names...))
	failed := map[string]error{}
	for _, n := range names {
		if f.failed[n] {
			failed[n] = errs.New(errs.AccessDenied, "access to %s is denied", n)
			continue
		}
		delete(b, n)
	}
	return failed, nil
}

func (f *fakeStore) CopyObject(context.Context, CopyRequest) (CopyResult, error) {
	f.record("CopyObject")
	return CopyResult{}, nil
}

func (f *fakeStore) ListMultipartUploads(context.Context, string, string) ([]IncompleteUpload, error) {
	f.record("ListMultipartUploads")
	return nil, nil
}

func (f *fakeStore) UploadedSize(context.Context, string, string, string) (int64, error) {
	f.record("UploadedSize")
	return 0, nil
}

func (f *fakeStore) AbortMultipartUpload(context.Context, string, string, string) error {
	f.record("AbortMultipartUpload")
	return nil
}

func (f *fakeStore) GetBucketPolicy(context.Context, string) (string, error) {
	f.record("GetBucketPolicy")
	return "", nil
}

func (f *fakeStore) SetBucketPolicy(context.Context, string, string) error {
	f.record("SetBucketPolicy")
	return nil
}

func (f *fakeStore) GetBucketNotification(context.Context, string) (NotificationConfig, error) {
	f.record("GetBucketNotification")
	return NotificationConfig{}, nil
}

func (f *fakeStore) SetBucketNotification(context.Context, string, NotificationConfig) error {
	f.record("SetBucketNotification")
	return nil
}

func (f *fakeStore) RemoveBucketNotification(context.Context, string) error {
	f.record("RemoveBucketNotification")
	return nil
}

func (f *fakeStore) PresignGet(context.Context, string, string, time.Duration, url.Values) (*url.URL, error) {
	f.record("PresignGet")
	return &url.URL{}, nil
}

func (f *fakeStore) PresignPut(context.Context, string, string, time.Duration) (*url.URL, error) {
	f.record("PresignPut")
	return &url.URL{}, nil
}

func (f *fakeStore) PresignPost(_ context.Context, p PostPolicy) (*url.URL, map[string]string, error) {
	f.record("PresignPost")
	f.mu.Lock()
	f.lastPost = p
	f.mu.Unlock()
	return &url.URL{}, map[string]string{}, nil
}

// wantCode fails unless err carries code.
func wantCode(t *testing.T, err error, want errs.Code) {
	t.Helper()
	if got := errs.CodeOf(err); got != want {
		t.Fatalf("error %v: code %s, want %s", err, got, want)
	}
}
