package service

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"s3gateway/errs"
)

// The fake's multipart side holds the parts of uploads that a test put
// there with addUpload: enough for the service's own checks of a
// completion. What the store does with real parts is tested against MinIO.

func (f *fakeStore) addUpload(id string, parts ...UploadPart) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.parts == nil {
		f.parts = map[string][]UploadPart{}
	}
	f.parts[id] = parts
}

func (f *fakeStore) hasUpload(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.parts[id]
	return ok
}

func (f *fakeStore) NewMultipartUpload(_ context.Context, bucket, _ string, _ PutOptions) (string, error) {
	f.record("NewMultipartUpload")
	if _, err := f.bucket(bucket); err != nil {
		return "", err
	}
	id := "upload-" + strconv.Itoa(f.callCount())
	f.addUpload(id)
	return id, nil
}

func (f *fakeStore) ListUploadParts(_ context.Context, _, _, uploadID string) ([]UploadPart, error) {
	f.record("ListUploadParts")
	f.mu.Lock()
	defer f.mu.Unlock()
	parts, ok := f.parts[uploadID]
	if !ok {
		return nil, errs.New(errs.NoSuchUpload, "no such upload")
	}
	return append([]UploadPart(nil), parts...), nil
}

func (f *fakeStore) CompleteMultipartUpload(_ context.Context, _, name, uploadID string, parts []UploadPart) (UploadResult, error) {
	f.record("CompleteMultipartUpload")
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.parts, uploadID)
	var size int64
	for _, p := range parts {
		size += p.Size
	}
	return UploadResult{Name: name, ETag: "joined", Size: size}, nil
}

func (f *fakeStore) PresignUploadPart(_ context.Context, bucket, name, uploadID string, n int, _ time.Duration) (*url.URL, error) {
	f.record("PresignUploadPart")
	return &url.URL{Scheme: "http", Host: "store", Path: "/" + bucket + "/" + name,
		RawQuery: url.Values{"uploadId": {uploadID}, "partNumber": {strconv.Itoa(n)}}.Encode()}, nil
}

func (f *fakeStore) PresignS3(_ context.Context, req S3Request) (*url.URL, error) {
	f.record("PresignS3")
	return &url.URL{Scheme: "http", Host: "store", Path: "/" + req.Bucket + "/" + req.Name, RawQuery: req.Query.Encode()}, nil
}
