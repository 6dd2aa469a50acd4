package handlers

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"s3gateway/errs"
	"s3gateway/internal/httpsyntax"
	"s3gateway/service"
)

// putObject godoc
//
//	@Summary		Upload an object
//	@Description	Streams the request body to the store as the object {name} (the rest of the path, percent-encoded; it may contain "/"). The body may come with a Content-Length or chunked. Content-Type is stored as the object's content type. User metadata comes from X-Meta-<key> headers only, keys stored in canonical form (X-Meta-color is "Color"); other headers, X-Amz-Meta-* included, are not metadata. An object may be at most the gateway's upload limit (GATEWAY_MAX_UPLOAD_SIZE, 5 TiB by default); more is 413 EntityTooLarge.
//	@ID				putObject
//	@Tags			objects
//	@Accept			octet-stream
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket			path		string	true	"bucket name"
//	@Param			name			path		string	true	"object name, percent-encoded; a slash in it may be sent as is or as %2F"
//	@Param			body			body		string	true	"the object's bytes; the request's Content-Type is stored as the object's content type"
//	@Success		201				{object}	uploadResponse
//	@Failure		400				{object}	errorResponse	"InvalidBucketName, InvalidObjectName, InvalidArgument"
//	@Failure		401				{object}	errorResponse	"Unauthorized"
//	@Failure		403				{object}	errorResponse	"AccessDenied"
//	@Failure		404				{object}	errorResponse	"NoSuchBucket"
//	@Failure		413				{object}	errorResponse	"EntityTooLarge"
//	@Failure		429				{object}	errorResponse	"SlowDown: the tenant has the most uploads in progress it may have, or is over its request rate (see Retry-After)"
//	@Failure		500				{object}	errorResponse	"InternalError"
//	@Failure		503				{object}	errorResponse	"BackendUnavailable"
//	@Failure		504				{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/objects/{name} [put]
func (h *handler) putObject(c echo.Context) error {
	bucket, name, err := objectParams(c)
	if err != nil {
		return err
	}
	r := c.Request()
	size := r.ContentLength // -1 when unknown
	body := r.Body
	if body == nil {
		body = http.NoBody
	}
	res, err := h.svc.PutObject(r.Context(), bucket, name, body, service.PutOptions{
		Size:        size,
		ContentType: r.Header.Get("Content-Type"),
		Metadata:    metadataFromHeaders(r.Header),
	})
	if err != nil {
		return err
	}
	return created(c, res)
}

// maxFormName bounds the form's name field: S3 names are at most 1024 bytes.
const maxFormName = 1024

// uploadObjectForm godoc
//
//	@Summary		Upload an object with a form
//	@Description	Uploads a multipart/form-data body as a browser form sends it, streamed part by part: nothing is buffered to memory or disk. The field "name" is the object name; it must come before the field "file", and when it is absent or empty the file's filename (its last path segment) is used. The file part's Content-Type is stored as the object's content type. X-Meta-<key> request headers become user metadata, as for PUT. Parts other than name and file are ignored, and so is everything after the file.
//	@ID				uploadObjectForm
//	@Tags			objects
//	@Accept			multipart/form-data
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket	path		string	true	"bucket name"
//	@Param			name	formData	string	false	"object name (default: the file's filename)"
//	@Param			file	formData	file	true	"the object's bytes"
//	@Success		201		{object}	uploadResponse
//	@Failure		400		{object}	errorResponse	"InvalidBucketName, InvalidObjectName, InvalidArgument"
//	@Failure		401		{object}	errorResponse	"Unauthorized"
//	@Failure		403		{object}	errorResponse	"AccessDenied"
//	@Failure		404		{object}	errorResponse	"NoSuchBucket"
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
	var name string
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
			if name, err = readFormName(part); err != nil {
				return err
			}
		case "file":
			if name == "" {
				name = part.FileName()
			}
			if name == "" {
				return errs.New(errs.InvalidObjectName, "name: missing, and the file part has no filename")
			}
			res, err := h.svc.PutObject(r.Context(), bucket, name, part, service.PutOptions{
				Size:        -1,
				ContentType: part.Header.Get("Content-Type"),
				Metadata:    metadataFromHeaders(r.Header),
			})
			if err != nil {
				return err
			}
			return created(c, res)
		}
		if err := part.Close(); err != nil {
			return errs.Wrap(err, errs.InvalidArgument, "the multipart body is malformed")
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

func created(c echo.Context, res service.UploadResult) error {
	if res.ETag != "" {
		c.Response().Header().Set("ETag", httpsyntax.QuoteETag(res.ETag))
	}
	return c.JSON(http.StatusCreated, toUploadResponse(res))
}

// getObject godoc
//
//	@Summary		Download an object
//	@Description	Streams the object. A single range is served as 206 with Content-Range, asked for either with a Range header (bytes=a-b, bytes=a- or bytes=-n) or with the query parameters offset (≥ 0) and length (≥ 1); when both are given the query parameters win. As RFC 9110 allows, a Range header that is malformed or asks for several ranges is ignored and the whole object is sent. A range that starts past the end is 416 InvalidRange. If-None-Match with the object's ETag (or *) gives 304 with ETag and no body. download=true adds Content-Disposition: attachment with the name's last segment as the file name (an ASCII fallback plus the exact name as filename*). User metadata comes back as X-Meta-<Key> headers.
//	@ID				getObject
//	@Tags			objects
//	@Produce		octet-stream
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket			path		string	true	"bucket name"
//	@Param			name			path		string	true	"object name, percent-encoded; a slash in it may be sent as is or as %2F"
//	@Param			Range			header		string	false	"a single byte range: bytes=a-b, bytes=a- or bytes=-n"
//	@Param			If-None-Match	header		string	false	"an ETag; when it matches the answer is 304"
//	@Param			offset			query		integer	false	"first byte to send (≥ 0)"	minimum(0)	format(int64)
//	@Param			length			query		integer	false	"number of bytes to send (≥ 1)"	minimum(1)	format(int64)
//	@Param			download		query		boolean	false	"true: Content-Disposition: attachment"
//	@Success		200				{file}		binary	"the object"
//	@Header			200				{string}	ETag			"the object's entity tag, quoted"
//	@Header			200				{string}	Last-Modified	"HTTP date"
//	@Header			200				{integer}	Content-Length	"size of the body"
//	@Header			200				{string}	Accept-Ranges	"bytes"
//	@Header			200				{string}	Content-Disposition	"with download=true"
//	@Success		206				{file}		binary	"the requested range"
//	@Header			206				{string}	Content-Range	"bytes first-last/total"
//	@Success		304				"not modified"
//	@Failure		400				{object}	errorResponse	"InvalidBucketName, InvalidObjectName, InvalidArgument"
//	@Failure		401				{object}	errorResponse	"Unauthorized"
//	@Failure		403				{object}	errorResponse	"AccessDenied"
//	@Failure		404				{object}	errorResponse	"NoSuchBucket, NoSuchKey"
//	@Failure		416				{object}	errorResponse	"InvalidRange"
//	@Failure		500				{object}	errorResponse	"InternalError"
//	@Failure		503				{object}	errorResponse	"BackendUnavailable"
//	@Failure		504				{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/objects/{name} [get]
func (h *handler) getObject(c echo.Context) error {
	bucket, name, err := objectParams(c)
	if err != nil {
		return err
	}
	rng, err := requestedRange(c)
	if err != nil {
		return err
	}
	download, err := queryBool(c, "download", false)
	if err != nil {
		return err
	}
	r := c.Request()
	obj, err := h.svc.GetObject(r.Context(), bucket, name, service.GetOptions{
		Range:       rng,
		IfNoneMatch: r.Header.Get("If-None-Match"),
	})
	if err != nil {
		return err
	}
	if obj.Body != nil {
		defer obj.Body.Close()
	}
	hdr := c.Response().Header()
	if obj.NotModified {
		setValidators(hdr, obj.Info)
		return c.NoContent(http.StatusNotModified)
	}
	setObjectHeaders(hdr, obj.Info, name, download)
	status, length := http.StatusOK, obj.Info.Size
	if obj.Range != nil {
		status, length = http.StatusPartialContent, obj.Range.End-obj.Range.Start+1
		hdr.Set("Content-Range", contentRange(*obj.Range))
	}
	setContentLength(hdr, length)
	c.Response().WriteHeader(status)
	if obj.Body == nil || length == 0 {
		return nil
	}
	if err := sendBody(c.Response(), obj.Body); err != nil {
		return fmt.Errorf("send object: %w", err)
	}
	return nil
}

// headObject godoc
//
//	@Summary		Describe an object in headers
//	@Description	The headers of a GET of the whole object (Content-Type, Content-Length, ETag, Last-Modified, Accept-Ranges, X-Meta-*, and Content-Disposition with download=true) without a body. If-None-Match with the object's ETag (or *) gives 304. Range headers are not applied.
//	@ID				headObject
//	@Tags			objects
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket			path	string	true	"bucket name"
//	@Param			name			path	string	true	"object name, percent-encoded; a slash in it may be sent as is or as %2F"
//	@Param			If-None-Match	header	string	false	"an ETag; when it matches the answer is 304"
//	@Param			download		query	boolean	false	"true: Content-Disposition: attachment"
//	@Success		200				"the object exists"
//	@Header			200				{string}	ETag			"the object's entity tag, quoted"
//	@Header			200				{string}	Last-Modified	"HTTP date"
//	@Header			200				{integer}	Content-Length	"size of the object"
//	@Success		304				"not modified"
//	@Failure		400				"InvalidBucketName, InvalidObjectName, InvalidArgument"
//	@Failure		401				"Unauthorized"
//	@Failure		403				"AccessDenied"
//	@Failure		404				"NoSuchBucket, NoSuchKey"
//	@Failure		500				"InternalError"
//	@Failure		503				"BackendUnavailable"
//	@Failure		504				"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/objects/{name} [head]
func (h *handler) headObject(c echo.Context) error {
	bucket, name, err := objectParams(c)
	if err != nil {
		return err
	}
	download, err := queryBool(c, "download", false)
	if err != nil {
		return err
	}
	info, err := h.svc.StatObject(c.Request().Context(), bucket, name)
	if err != nil {
		return err
	}
	hdr := c.Response().Header()
	if inm := c.Request().Header.Get("If-None-Match"); inm != "" && httpsyntax.MatchesAny(inm, info.ETag) {
		setValidators(hdr, info)
		return c.NoContent(http.StatusNotModified)
	}
	setObjectHeaders(hdr, info, name, download)
	setContentLength(hdr, info.Size)
	return c.NoContent(http.StatusOK)
}

// deleteObject godoc
//
//	@Summary		Delete an object
//	@Description	Deletes the object. As in S3, deleting a name that does not exist also succeeds.
//	@ID				deleteObject
//	@Tags			objects
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket	path	string	true	"bucket name"
//	@Param			name	path	string	true	"object name, percent-encoded; a slash in it may be sent as is or as %2F"
//	@Success		204		"deleted"
//	@Failure		400		{object}	errorResponse	"InvalidBucketName, InvalidObjectName"
//	@Failure		401		{object}	errorResponse	"Unauthorized"
//	@Failure		403		{object}	errorResponse	"AccessDenied"
//	@Failure		404		{object}	errorResponse	"NoSuchBucket"
//	@Failure		500		{object}	errorResponse	"InternalError"
//	@Failure		503		{object}	errorResponse	"BackendUnavailable"
//	@Failure		504		{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/objects/{name} [delete]
func (h *handler) deleteObject(c echo.Context) error {
	bucket, name, err := objectParams(c)
	if err != nil {
		return err
	}
	if err := h.svc.RemoveObject(c.Request().Context(), bucket, name); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// statObject godoc
//
//	@Summary		Describe an object
//	@Description	The object's size, ETag (without quotes), content type, last modification and user metadata ({} when it has none).
//	@ID				statObject
//	@Tags			objects
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket	path		string	true	"bucket name"
//	@Param			name	path		string	true	"object name, percent-encoded; a slash in it may be sent as is or as %2F"
//	@Success		200		{object}	statResponse
//	@Failure		400		{object}	errorResponse	"InvalidBucketName, InvalidObjectName"
//	@Failure		401		{object}	errorResponse	"Unauthorized"
//	@Failure		403		{object}	errorResponse	"AccessDenied"
//	@Failure		404		{object}	errorResponse	"NoSuchBucket, NoSuchKey"
//	@Failure		500		{object}	errorResponse	"InternalError"
//	@Failure		503		{object}	errorResponse	"BackendUnavailable"
//	@Failure		504		{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/stat/{name} [get]
func (h *handler) statObject(c echo.Context) error {
	bucket, name, err := objectParams(c)
	if err != nil {
		return err
	}
	info, err := h.svc.StatObject(c.Request().Context(), bucket, name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toStatResponse(info))
}

// deleteObjects godoc
//
//	@Summary		Delete many objects
//	@Description	Deletes the named objects, batched to the store. The list holds 1 to the configured maximum of names (10000 by default). The answer is 200 even when some names fail: those are listed in errors with their code and message. Names that do not exist count as deleted, as in S3.
//	@ID				deleteObjects
//	@Tags			objects
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket	path		string					true	"bucket name"
//	@Param			body	body		deleteObjectsRequest	true	"the names"
//	@Success		200		{object}	deleteObjectsResponse
//	@Failure		400		{object}	errorResponse	"InvalidBucketName, InvalidArgument, MalformedJSON"
//	@Failure		401		{object}	errorResponse	"Unauthorized"
//	@Failure		403		{object}	errorResponse	"AccessDenied"
//	@Failure		404		{object}	errorResponse	"NoSuchBucket"
//	@Failure		413		{object}	errorResponse	"EntityTooLarge"
//	@Failure		500		{object}	errorResponse	"InternalError"
//	@Failure		503		{object}	errorResponse	"BackendUnavailable"
//	@Failure		504		{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/delete [post]
func (h *handler) deleteObjects(c echo.Context) error {
	bucket, err := bucketParam(c)
	if err != nil {
		return err
	}
	var req deleteObjectsRequest
	if err := h.decodeJSON(c, &req); err != nil {
		return err
	}
	switch {
	case len(req.Names) == 0:
		return invalid("names", "at least one name is required")
	case len(req.Names) > h.maxDeleteNames:
		return invalid("names", "at most %d names", h.maxDeleteNames)
	}
	res, err := h.svc.RemoveObjects(c.Request().Context(), bucket, req.Names)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toDeleteObjectsResponse(res))
}

// copyObject godoc
//
//	@Summary		Copy an object
//	@Description	Copies source to {bucket}/name on the store, objects over 5 GiB included. source.bucket defaults to {bucket}. The copy happens only if every given condition holds (else 412 PreconditionFailed); modifiedSince and unmodifiedSince are RFC 3339 times. metadata, when given (even {}), replaces the user metadata; when absent the source's is kept.
//	@ID				copyObject
//	@Tags			objects
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket	path		string				true	"destination bucket name"
//	@Param			body	body		copyObjectRequest	true	"what to copy"
//	@Success		201		{object}	copyObjectResponse
//	@Failure		400		{object}	errorResponse	"InvalidBucketName, InvalidObjectName, InvalidArgument, MalformedJSON"
//	@Failure		401		{object}	errorResponse	"Unauthorized"
//	@Failure		403		{object}	errorResponse	"AccessDenied"
//	@Failure		404		{object}	errorResponse	"NoSuchBucket, NoSuchKey"
//	@Failure		412		{object}	errorResponse	"PreconditionFailed"
//	@Failure		413		{object}	errorResponse	"EntityTooLarge"
//	@Failure		500		{object}	errorResponse	"InternalError"
//	@Failure		503		{object}	errorResponse	"BackendUnavailable"
//	@Failure		504		{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/copy [post]
func (h *handler) copyObject(c echo.Context) error {
	bucket, err := bucketParam(c)
	if err != nil {
		return err
	}
	var req copyObjectRequest
	if err := h.decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Name == "" {
		return errs.New(errs.InvalidObjectName, "name: required")
	}
	if req.Source.Name == "" {
		return errs.New(errs.InvalidObjectName, "source.name: required")
	}
	if req.Source.Bucket == "" {
		req.Source.Bucket = bucket
	}
	cond, err := toCopyConditions(req.Conditions)
	if err != nil {
		return err
	}
	res, err := h.svc.CopyObject(c.Request().Context(), service.CopyRequest{
		Source:      service.ObjectRef{Bucket: req.Source.Bucket, Name: req.Source.Name},
		Destination: service.ObjectRef{Bucket: bucket, Name: req.Name},
		Conditions:  cond,
		Metadata:    req.Metadata,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toCopyObjectResponse(res))
}

func toCopyConditions(b *copyConditionsBody) (service.CopyConditions, error) {
	if b == nil {
		return service.CopyConditions{}, nil
	}
	cond := service.CopyConditions{MatchETag: b.MatchETag, NotMatchETag: b.NotMatchETag}
	var err error
	if cond.ModifiedSince, err = parseTimeField("conditions.modifiedSince", b.ModifiedSince); err != nil {
		return cond, err
	}
	if cond.UnmodifiedSince, err = parseTimeField("conditions.unmodifiedSince", b.UnmodifiedSince); err != nil {
		return cond, err
	}
	return cond, nil
}

// parseTimeField parses an optional RFC 3339 time.
func parseTimeField(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, invalid(field, "must be an RFC 3339 time such as 2024-05-01T12:00:00Z")
	}
	return t.UTC(), nil
}
