package miniostore

import (
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
)

// An answer without an error document (a HEAD's) gets the code minio-go
// would give it, and MinIO's error headers win over both.
func TestErrorResponseWithoutDocument(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		header http.Header
		want   string
	}{
		{http.StatusNotFound, http.Header{}, "NoSuchKey"},
		{http.StatusForbidden, http.Header{}, "AccessDenied"},
		{http.StatusPreconditionFailed, http.Header{}, "PreconditionFailed"},
		{http.StatusNotFound, http.Header{"X-Minio-Error-Code": {"NoSuchBucket"}}, "NoSuchBucket"},
		{http.StatusServiceUnavailable, http.Header{}, "503 Service Unavailable"},
	} {
		resp := &http.Response{StatusCode: tc.status, Status: "503 Service Unavailable", Header: tc.header, Body: http.NoBody}
		var e minio.ErrorResponse
		if !errors.As(errorResponse(resp, "b", "o"), &e) || e.Code != tc.want || e.StatusCode != tc.status {
			t.Errorf("status %d, header %v: got %+v, want code %s", tc.status, tc.header, e, tc.want)
		}
	}
	doc := `<Error><Code>NoSuchBucket</Code><Message>gone</Message></Error>`
	resp := &http.Response{StatusCode: http.StatusNotFound, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(doc))}
	var e minio.ErrorResponse
	if !errors.As(errorResponse(resp, "b", "o"), &e) || e.Code != "NoSuchBucket" {
		t.Errorf("error document: got %+v", e)
	}
}

// The answer's headers are read as ToObjectInfo reads them: encoded
// metadata decoded, a bad date an internal error.
func TestHeaderInfo(t *testing.T) {
	t.Parallel()
	h := http.Header{
		"Content-Length":   {"1024"},
		"Etag":             {`"abc"`},
		"Last-Modified":    {"Mon, 2 Jan 2006 15:04:05 GMT"},
		"X-Amz-Meta-Title": {"=?utf-8?q?caf=C3=A9?="},
		"X-Amz-Version-Id": {"v1"},
	}
	info, err := headerInfo("b", "o", h)
	if err != nil {
		t.Fatal(err)
	}
	want, err := minio.ToObjectInfo("b", "o", h.Clone())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := objectInfo("o", info), objectInfo("o", want); !reflect.DeepEqual(got, want) || got.Metadata["Title"] != "café" {
		t.Errorf("got %+v, want %+v", got, want)
	}
	h.Set("Last-Modified", "yesterday")
	var e minio.ErrorResponse
	if _, err := headerInfo("b", "o", h); !errors.As(err, &e) || e.Code != "InternalError" {
		t.Errorf("bad date: got %v", err)
	}
}
