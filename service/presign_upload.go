package service

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"s3gateway/errs"
)

// presignUploadRequest presigns one S3 request of an upload, as a browser
// uploader that speaks S3 asks for them:
//
//	POST without uploadId            create a multipart upload (?uploads)
//	PUT with uploadId and partNumber upload one part
//	GET with uploadId                list the upload's parts
//	POST with uploadId               complete the upload
//	DELETE with uploadId             abort the upload
//	PUT without uploadId             a simple PUT (here: with contentType)
//
// Each URL is that one operation on that one key: the operation's query
// parameters (and a given content type) are signed with it.
func (g *Gateway) presignUploadRequest(ctx context.Context, c StoreClient, physical string, req PresignRequest, method string, expires time.Duration, signed time.Time) (PresignedURL, error) {
	if req.ResponseHeaders != (ResponseHeaders{}) {
		return PresignedURL{}, errs.New(errs.InvalidArgument, "responseHeaders apply to a GET of an object only")
	}
	var headers http.Header
	if req.ContentType != "" {
		if !(method == http.MethodPut && req.UploadID == "") && !(method == http.MethodPost && req.UploadID == "") {
			return PresignedURL{}, errs.New(errs.InvalidArgument, "contentType applies to a PUT of an object or the start of a multipart upload only")
		}
		if err := checkPresignHeader("contentType", req.ContentType); err != nil {
			return PresignedURL{}, err
		}
		headers = http.Header{"Content-Type": {req.ContentType}}
	}
	query, err := uploadRequestQuery(req, method)
	if err != nil {
		return PresignedURL{}, err
	}
	if req.UploadID != "" {
		if err := checkUploadID(req.UploadID); err != nil {
			return PresignedURL{}, err
		}
	}
	u, err := c.PresignS3(ctx, S3Request{
		Method: method, Bucket: physical, Name: req.Name, Expires: expires, Query: query, Headers: headers,
	})
	if err != nil {
		return PresignedURL{}, err
	}
	out := PresignedURL{URL: u.String(), Method: method, ExpiresAt: signed.Add(expires)}
	if headers != nil {
		out.Headers = map[string]string{"Content-Type": req.ContentType}
	}
	return out, nil
}

// uploadRequestQuery is the signed query of an upload's request, or why
// the combination of method, uploadId and partNumber is not one.
func uploadRequestQuery(req PresignRequest, method string) (url.Values, error) {
	hasUpload, hasPart := req.UploadID != "", req.PartNumber != 0
	if hasPart && !(method == http.MethodPut && hasUpload) {
		return nil, errs.New(errs.InvalidArgument, "partNumber applies to a PUT with an uploadId only")
	}
	switch {
	case method == http.MethodPost && !hasUpload:
		return url.Values{"uploads": {""}}, nil
	case method == http.MethodPut && hasUpload:
		if !hasPart {
			return nil, errs.New(errs.InvalidArgument, "partNumber is required for a PUT with an uploadId")
		}
		if err := checkPartNumber(req.PartNumber); err != nil {
			return nil, err
		}
		return url.Values{"partNumber": {strconv.Itoa(req.PartNumber)}, "uploadId": {req.UploadID}}, nil
	case method == http.MethodPut:
		return nil, nil
	case hasUpload && (method == http.MethodGet || method == http.MethodPost || method == http.MethodDelete):
		return url.Values{"uploadId": {req.UploadID}}, nil
	case method == http.MethodDelete:
		return nil, errs.New(errs.InvalidArgument, "DELETE is presigned only with an uploadId (to abort an upload)")
	}
	return nil, errs.New(errs.InvalidArgument, "method must be GET, PUT, POST or DELETE")
}
