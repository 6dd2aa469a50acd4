package miniostore

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/s3utils"

	"s3gateway/access"
)

// directReader sends a tenant's object reads (GET and HEAD) itself instead
// of through minio-go, over the stream transport. A small read is mostly
// overhead, and two parts of minio-go's are avoidable there: it derives the
// SigV4 signing key (four HMACs) for every request, where this signer keeps
// it per tenant and day; and it parses every header of the answer into an
// ObjectInfo, where this reads only what the gateway uses. Every other
// request, and reads from stores this does not fit (see newDirectReader),
// stay minio-go's.
type directReader struct {
	endpoint  *url.URL
	region    string
	creds     aws.Credentials
	signer    *v4.Signer        // one per tenant: its key cache holds one key per region
	transport http.RoundTripper // the tenant's storeTransport (circuit, stream)
}

// emptyPayloadSHA256 is the SHA-256 of no bytes, the payload of a read.
const emptyPayloadSHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// newDirectReader is the direct read path for t, or nil where reads must
// stay minio-go's: without the stream transport, without a configured
// region (minio-go would look up the bucket's), or on a cloud endpoint
// whose bucket addressing minio-go decides.
func (s *Store) newDirectReader(t *access.Tenant, transport http.RoundTripper) *directReader {
	ep := s.cfg.Endpoint
	if s.stream == nil || s.cfg.Region == "" || s3utils.IsAmazonEndpoint(*ep) || s3utils.IsGoogleEndpoint(*ep) ||
		s3utils.IsAliyunOSSEndpoint(*ep) {
		return nil
	}
	return &directReader{
		endpoint:  ep,
		region:    s.cfg.Region,
		creds:     aws.Credentials{AccessKeyID: t.AccessKey, SecretAccessKey: t.SecretKey},
		signer:    v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }),
		transport: transport,
	}
}

// do sends a signed read of bucket/name with the given headers. An answer
// other than 200, 206 or (allowNotModified) 304 is returned as the
// minio.ErrorResponse minio-go would have made of it.
func (d *directReader) do(ctx context.Context, method, bucket, name string, header http.Header, allowNotModified bool) (*http.Response, error) {
	if err := s3utils.CheckValidBucketName(bucket); err != nil {
		return nil, minio.ErrorResponse{StatusCode: http.StatusBadRequest, Code: "InvalidBucketName", Message: err.Error(), BucketName: bucket}
	}
	if err := s3utils.CheckValidObjectName(name); err != nil {
		return nil, minio.ErrorResponse{StatusCode: http.StatusBadRequest, Code: "XMinioInvalidObjectName", Message: err.Error(), BucketName: bucket, Key: name}
	}
	u := &url.URL{
		Scheme:  d.endpoint.Scheme,
		Host:    d.endpoint.Host,
		Path:    "/" + bucket + "/" + name,
		RawPath: "/" + bucket + "/" + s3utils.EncodePath(name),
	}
	req := &http.Request{Method: method, URL: u, Host: u.Host, Header: header, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	req = req.WithContext(ctx)
	req.Header.Set("X-Amz-Content-Sha256", emptyPayloadSHA256)
	if err := d.signer.SignHTTP(ctx, d.creds, req, emptyPayloadSHA256, "s3", d.region, time.Now().UTC()); err != nil {
		return nil, fmt.Errorf("sign %s %s/%s: %w", method, bucket, name, err)
	}
	resp, err := d.transport.RoundTrip(req)
	if err != nil {
		return nil, &url.Error{Op: method, URL: u.String(), Err: err}
	}
	switch {
	case resp.StatusCode == http.StatusOK, resp.StatusCode == http.StatusPartialContent:
		return resp, nil
	case resp.StatusCode == http.StatusNotModified && allowNotModified:
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, errorResponse(resp, bucket, name)
}

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

// errorResponse is the error an answer that is not a success stands for,
// as minio-go reads it: the S3 error document when there is one, else a
// code from the status; MinIO's x-minio-error-code and -desc headers win.
func errorResponse(resp *http.Response, bucket, name string) error {
	e := minio.ErrorResponse{StatusCode: resp.StatusCode, Server: resp.Header.Get("Server")}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	if err := xml.Unmarshal(body, &e); err != nil {
		e = statusErrorResponse(resp, body, bucket, name)
	}
	if code := resp.Header.Get("X-Minio-Error-Code"); code != "" {
		e.Code = code
	}
	if desc := resp.Header.Get("X-Minio-Error-Desc"); desc != "" {
		e.Message = strings.Trim(desc, `"`)
	}
	if e.RequestID == "" {
		e.RequestID = resp.Header.Get("X-Amz-Request-Id")
	}
	if e.HostID == "" {
		e.HostID = resp.Header.Get("X-Amz-Id-2")
	}
	if e.Region = strings.TrimSpace(e.Region); e.Region == "" {
		e.Region = resp.Header.Get("X-Amz-Bucket-Region")
	}
	return e
}

// statusErrorResponse is the error of an answer without an error document
// (the answer to a HEAD has no body).
func statusErrorResponse(resp *http.Response, body []byte, bucket, name string) minio.ErrorResponse {
	e := minio.ErrorResponse{StatusCode: resp.StatusCode, BucketName: bucket, Key: name}
	switch resp.StatusCode {
	case http.StatusNotFound:
		e.Code, e.Message = "NoSuchKey", "The specified key does not exist."
	case http.StatusForbidden:
		e.Code, e.Message = "AccessDenied", "Access Denied."
	case http.StatusConflict:
		e.Code, e.Message, e.Key = "Conflict", "Bucket not empty.", ""
	case http.StatusPreconditionFailed:
		e.Code, e.Message = "PreconditionFailed", "At least one of the pre-conditions you specified did not hold."
	default:
		e.Code, e.Message, e.Key = resp.Status, resp.Status, ""
		if len(body) > 0 {
			e.Message = string(body[:min(len(body), 1024)])
		}
	}
	return e
}

// headerInfo is what an object read's answer says about the object, as
// minio-go's ToObjectInfo reads it, limited to what objectInfo uses.
func headerInfo(bucket, name string, h http.Header) (minio.ObjectInfo, error) {
	bad := func(format string, err error) error {
		return minio.ErrorResponse{Code: "InternalError", Message: fmt.Sprintf(format, err), BucketName: bucket, Key: name,
			RequestID: h.Get("X-Amz-Request-Id"), HostID: h.Get("X-Amz-Id-2"), Region: h.Get("X-Amz-Bucket-Region")}
	}
	info := minio.ObjectInfo{Key: name, Size: -1, ETag: h.Get("Etag")}
	if cl := h.Get("Content-Length"); cl != "" {
		size, err := strconv.ParseInt(cl, 10, 64)
		if err != nil {
			return minio.ObjectInfo{}, bad("Content-Length is not an integer, failed with %v", err)
		}
		info.Size = size
	}
	mtime, err := parseHTTPTime(h.Get("Last-Modified"))
	if err != nil {
		return minio.ObjectInfo{}, bad("Last-Modified time format is invalid, failed with %v", err)
	}
	if s := h.Get("X-Minio-Source-Mtime"); s != "" {
		if mtime, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return minio.ObjectInfo{}, bad("X-Minio-Source-Mtime is not in supported format: %v", err)
		}
	}
	if s := h.Get("Expires"); s != "" {
		if _, err := parseHTTPTime(s); err != nil {
			return minio.ObjectInfo{}, bad("'Expiry' is not in supported format: %v", err)
		}
	}
	info.LastModified = mtime
	info.ContentType = strings.TrimSpace(h.Get("Content-Type"))
	info.VersionID = h.Get("X-Amz-Version-Id")
	info.Metadata = metaHeaders(h)
	return info, nil
}

// parseHTTPTime parses the HTTP dates the store sends (RFC 7231, and the
// variants minio-go accepts).
func parseHTTPTime(s string) (time.Time, error) {
	for _, layout := range [...]string{"Mon, 2 Jan 2006 15:04:05 GMT", "Mon, _2 Jan 2006 15:04:05 GMT", "Mon, _2 Jan 06 15:04:05 GMT"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unable to parse %q as an HTTP date", s)
}

// metaHeaders are the user metadata headers of h, MIME-encoded words
// decoded as minio-go does.
func metaHeaders(h http.Header) http.Header {
	out := http.Header{}
	for k, v := range h {
		if !strings.HasPrefix(k, "X-Amz-Meta-") && !strings.HasPrefix(k, "X-Minio-Meta-") {
			continue
		}
		for i, val := range v {
			if strings.HasPrefix(val, "=?") {
				if decoded, err := new(mime.WordDecoder).DecodeHeader(val); err == nil {
					v[i] = decoded
				}
			}
		}
		out[k] = v
	}
	return out
}
