package handlers

import (
	"errors"
	"io"
	"mime/multipart"

	"github.com/labstack/echo/v4"

	"s3gateway/errs"
	"s3gateway/service"
)

// maxFormName bounds the form's name field: S3 names are at most 1024 bytes.
const maxFormName = 1024

// uploadObjectForm godoc
//
//	@Summary		Upload an object with a form
//	@Description	Uploads a multipart/form-data body as a browser form sends it, streamed part by part: nothing is buffered to memory or disk. The object name is the query parameter name, or the form field "name", which must then come before the field "file"; a name field after the file is 400 InvalidArgument and nothing is stored. With neither, the file's filename (its last path segment) is used. A name in both places must be the same. The file part's Content-Type is stored as the object's content type (application/octet-stream when absent, a wildcard or invalid). X-Meta-<key> request headers become user metadata, as for PUT, and If-Match / If-None-Match: * make the upload conditional, as for PUT. Parts other than name and file are ignored.
//	@ID				uploadObjectForm
//	@Tags			objects
//	@Accept			multipart/form-data
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket			path		string	true	"bucket name"
//	@Param			name			query		string	false	"object name (default: the name field, else the file's filename)"
//	@Param			If-Match		header		string	false	"one ETag, or *: store only if the object is that version (exists)"
//	@Param			If-None-Match	header		string	false	"*: store only if no object has the name"
//	@Param			name			formData	string	false	"object name, before the file (default: the query's name, else the file's filename)"
//	@Param			file			formData	file	true	"the object's bytes"
//	@Success		201		{object}	uploadResponse
//	@Failure		400		{object}	errorResponse	"InvalidBucketName, InvalidObjectName, InvalidArgument"
//	@Failure		401		{object}	errorResponse	"Unauthorized"
//	@Failure		403		{object}	errorResponse	"AccessDenied"
//	@Failure		404		{object}	errorResponse	"NoSuchBucket"
//	@Failure		412		{object}	errorResponse	"PreconditionFailed"
//	@Failure		413		{object}	errorResponse	"EntityTooLarge"
//	@Failure		429		{object}	errorResponse	"SlowDown: the tenant has the most uploads in progress it may have, or is over its request rate (see Retry-After)"
//	@Failure		500		{object}	errorResponse	"InternalError"
//	@Failure		503		{object}	errorResponse	"BackendUnavailable"
//	@Failure		504		{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/objects [post]
func (h *handler) uploadObjectForm(c echo.Context) error {
	bucket, err := bucketParam(c)
	if err != nil {
		return err
	}
	r := c.Request()
	mr, err := r.MultipartReader()
	if err != nil {
		return errs.New(errs.InvalidArgument, "the body must be multipart/form-data with a boundary")
	}
	queryName := c.QueryParam("name")
	name := queryName
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return errs.New(errs.InvalidArgument, "file: missing form field")
		}
		if err != nil {
			return errs.Wrap(err, errs.InvalidArgument, "the multipart body is malformed")
		}
		switch part.FormName() {
		case "name":
			field, err := readFormName(part)
			if err != nil {
				return err
			}
			if queryName != "" && field != "" && field != queryName {
				return errs.New(errs.InvalidArgument, "name: the query and the form give different names")
			}
			if field != "" {
				name = field
			}
		case "file":
			return h.storeFormFile(c, bucket, name, part, &formTail{part: part, mr: mr})
		}
		if err := part.Close(); err != nil {
			return errs.Wrap(err, errs.InvalidArgument, "the multipart body is malformed")
		}
	}
}

// storeFormFile stores the form's file part, read through body (which
// checks the rest of the form at its end).
func (h *handler) storeFormFile(c echo.Context, bucket, name string, part *multipart.Part, body io.Reader) error {
	if name == "" {
		name = part.FileName()
	}
	if name == "" {
		return errs.New(errs.InvalidObjectName, "name: missing, and the file part has no filename")
	}
	r := c.Request()
	opts := service.PutOptions{
		Size:        -1,
		ContentType: part.Header.Get("Content-Type"),
		Metadata:    metadataFromHeaders(r.Header),
	}
	readWriteConditions(r.Header, &opts)
	res, err := h.svc.PutObject(r.Context(), bucket, name, body, opts)
	if err != nil {
		return err
	}
	return created(c, res)
}

// formTail reads the file part and, at its end, the rest of the form: a
// name field there comes too late to name the file, and fails the upload
// (the store is told the body failed, so nothing is stored) rather than
// being ignored.
type formTail struct {
	part io.Reader
	mr   *multipart.Reader
	err  error // the tail's verdict, once read
}

func (f *formTail) Read(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.part.Read(p)
	if errors.Is(err, io.EOF) {
		if tailErr := checkFormTail(f.mr); tailErr != nil {
			f.err = tailErr
			return n, tailErr
		}
	}
	return n, err
}

// checkFormTail reads the parts after the file, refusing a name field.
func checkFormTail(mr *multipart.Reader) error {
	for {
		part, err := mr.NextPart()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return errs.Wrap(err, errs.InvalidArgument, "the multipart body is malformed")
		case part.FormName() == "name":
			return errs.New(errs.InvalidArgument, "name: the field comes after file; send it before file, or as the query parameter name")
		}
	}
}

func readFormName(part *multipart.Part) (string, error) {
	b, err := io.ReadAll(io.LimitReader(part, maxFormName+1))
	if err != nil {
		return "", errs.Wrap(err, errs.InvalidArgument, "the multipart body is malformed")
	}
	if len(b) > maxFormName {
		return "", errs.New(errs.InvalidObjectName, "name: longer than %d bytes", maxFormName)
	}
	return string(b), nil
}
