package handlers

import (
	"context"

	"s3gateway/service"
)

// The fake service's resumable uploads record their calls and answer with
// fixed values.

func (f *fakeService) CreateMultipartUpload(ctx context.Context, req service.CreateUploadRequest) (service.MultipartUpload, error) {
	f.record(ctx, call{Method: "CreateMultipartUpload", Bucket: req.Bucket, Name: req.Name, Args: req})
	return service.MultipartUpload{UploadID: "u1", Name: req.Name, PartSize: service.DefaultPartSize}, nil
}

func (f *fakeService) SignUploadParts(ctx context.Context, req service.SignPartsRequest) ([]service.SignedPart, error) {
	f.record(ctx, call{Method: "SignUploadParts", Bucket: req.Bucket, Name: req.Name, Args: req})
	out := make([]service.SignedPart, len(req.PartNumbers))
	for i, n := range req.PartNumbers {
		out[i] = service.SignedPart{PartNumber: n, URL: "http://store/x"}
	}
	return out, nil
}

func (f *fakeService) ListUploadParts(ctx context.Context, bucket, name, uploadID string) ([]service.UploadPart, error) {
	f.record(ctx, call{Method: "ListUploadParts", Bucket: bucket, Name: name, Args: uploadID})
	return []service.UploadPart{}, nil
}

func (f *fakeService) CompleteMultipartUpload(ctx context.Context, req service.CompleteUploadRequest) (service.UploadResult, error) {
	f.record(ctx, call{Method: "CompleteMultipartUpload", Bucket: req.Bucket, Name: req.Name, Args: req})
	return service.UploadResult{Bucket: req.Bucket, Name: req.Name}, nil
}

func (f *fakeService) AbortMultipartUpload(ctx context.Context, bucket, name, uploadID string) error {
	f.record(ctx, call{Method: "AbortMultipartUpload", Bucket: bucket, Name: name, Args: uploadID})
	return nil
}
