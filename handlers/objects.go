package handlers

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"s3gateway/internal/httpsyntax"
	"s3gateway/service"
)

// putObject godoc
//
//	@Summary		Upload an object
//	@Description	Streams the request body to the store as the object {name} (the rest of the path, percent-encoded; it may contain "/"). The body may come with a Content-Length or chunked. The body may be of any media type: the request's Content-Type is stored as the object's content type (application/octet-stream when it is absent, a wildcard such as */* or not a valid media type). User metadata comes from X-Meta-<key> headers only, keys stored in canonical form (X-Meta-color is "Color"); other headers, X-Amz-Meta-* included, are not metadata; the key Gateway-Sha256 is reserved. An object may be at most the gateway's upload limit (GATEWAY_MAX_UPLOAD_SIZE, 5 TiB by default); more is 413 EntityTooLarge.
//	@Description
//	@Description	Conditional writes: If-Match with one ETag stores only if the object is that version (with *: only if it exists), If-None-Match: * only if no object has the name; otherwise 412 PreconditionFailed and nothing is written. The store checks them when it commits, so of two writers that read the same ETag and both PUT with If-Match, exactly one succeeds.
//	@Description
//	@Description	Checksums: Content-MD5 (base64 of the MD5) and Repr-Digest with a sha-256 member (RFC 9530, sha-256=:<base64>:) are checked against the body before the object becomes visible; a mismatch is 400 BadDigest and nothing is stored, with or without Content-Length. The SHA-256 is kept with the object and comes back as Repr-Digest on a GET or HEAD of the whole object.
//	@ID				putObject
//	@Tags			objects
//	@Accept			octet-stream
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket			path		string	true	"bucket name"
//	@Param			name			path		string	true	"object name, percent-encoded; a slash in it may be sent as is or as %2F"
//	@Param			If-Match		header		string	false	"one ETag, or *: store only if the object is that version (exists)"
//	@Param			If-None-Match	header		string	false	"*: store only if no object has the name"
//	@Param			Content-MD5		header		string	false	"base64 of the body's MD5"
//	@Param			Repr-Digest		header		string	false	"sha-256=:<base64 of the body's SHA-256>: (RFC 9530)"
//	@Param			body			body		string	true	"the object's bytes, of any media type; the request's Content-Type is stored as the object's content type"
//	@Success		201				{object}	uploadResponse
//	@Header			201				{string}	ETag	"the new object's entity tag, quoted"
//	@Failure		400				{object}	errorResponse	"InvalidBucketName, InvalidObjectName, InvalidArgument, BadDigest"
//	@Failure		401				{object}	errorResponse	"Unauthorized"
//	@Failure		403				{object}	errorResponse	"AccessDenied"
//	@Failure		404				{object}	errorResponse	"NoSuchBucket"
//	@Failure		412				{object}	errorResponse	"PreconditionFailed"
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
	opts := service.PutOptions{
		Size:        size,
		ContentType: r.Header.Get("Content-Type"),
		Metadata:    metadataFromHeaders(r.Header),
	}
	readWriteConditions(r.Header, &opts)
	if err := readDigests(r.Header, &opts); err != nil {
		return err
	}
	res, err := h.svc.PutObject(r.Context(), bucket, name, body, opts)
	if err != nil {
		return err
	}
	return created(c, res)
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
//	@Description	Streams the object. A single range is served as 206 with Content-Range, asked for either with a Range header (bytes=a-b, bytes=a- or bytes=-n) or with the query parameters offset (≥ 0) and length (≥ 1); when both are given the query parameters win. As RFC 9110 allows, a Range header that is malformed or asks for several ranges is ignored and the whole object is sent. A range that starts past the end is 416 InvalidRange. Conditional reads follow RFC 9110 (evaluated in its order: If-Match, else If-Unmodified-Since; then If-None-Match, else If-Modified-Since): If-Match that matches no ETag or If-Unmodified-Since before the last modification is 412 PreconditionFailed; If-None-Match with the object's ETag (or *), or If-Modified-Since not before the last modification, is 304 with ETag and no body. The body sent is always that of the version the conditions were evaluated on. A whole object uploaded with a SHA-256 comes with Repr-Digest. download=true adds Content-Disposition: attachment with the name's last segment as the file name (an ASCII fallback plus the exact name as filename*). User metadata comes back as X-Meta-<Key> headers.
//	@ID				getObject
//	@Tags			objects
//	@Produce		octet-stream
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket			path		string	true	"bucket name"
//	@Param			name			path		string	true	"object name, percent-encoded; a slash in it may be sent as is or as %2F"
//	@Param			Range			header		string	false	"a single byte range: bytes=a-b, bytes=a- or bytes=-n"
//	@Param			If-Match			header		string	false	"ETags, or *: 412 unless one is the object's"
//	@Param			If-None-Match		header		string	false	"ETags, or *: 304 when one is the object's"
//	@Param			If-Modified-Since	header		string	false	"an HTTP date: 304 unless modified after it"
//	@Param			If-Unmodified-Since	header		string	false	"an HTTP date: 412 if modified after it"
//	@Param			offset			query		integer	false	"first byte to send (≥ 0)"	minimum(0)	format(int64)
//	@Param			length			query		integer	false	"number of bytes to send (≥ 1)"	minimum(1)	format(int64)
//	@Param			download		query		boolean	false	"true: Content-Disposition: attachment"
//	@Success		200				{file}		binary	"the object"
//	@Header			200				{string}	ETag			"the object's entity tag, quoted"
//	@Header			200				{string}	Last-Modified	"HTTP date"
//	@Header			200				{integer}	Content-Length	"size of the body"
//	@Header			200				{string}	Accept-Ranges	"bytes"
//	@Header			200				{string}	Content-Disposition	"with download=true"
//	@Header			200				{string}	Repr-Digest	"sha-256=:<base64>: when the object was uploaded with a SHA-256"
//	@Success		206				{file}		binary	"the requested range"
//	@Header			206				{string}	Content-Range	"bytes first-last/total"
//	@Success		304				"not modified"
//	@Failure		400				{object}	errorResponse	"InvalidBucketName, InvalidObjectName, InvalidArgument"
//	@Failure		401				{object}	errorResponse	"Unauthorized"
//	@Failure		403				{object}	errorResponse	"AccessDenied"
//	@Failure		404				{object}	errorResponse	"NoSuchBucket, NoSuchKey"
//	@Failure		412				{object}	errorResponse	"PreconditionFailed"
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
	opts := service.GetOptions{Range: rng}
	readConditions(r.Header, &opts)
	obj, err := h.svc.GetObject(r.Context(), bucket, name, opts)
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
	} else {
		setReprDigest(hdr, obj.Info)
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
//	@Description	The headers of a GET of the whole object (Content-Type, Content-Length, ETag, Last-Modified, Accept-Ranges, X-Meta-*, Content-Disposition with download=true, and Repr-Digest) without a body, with the same conditions as GET (412 or 304). Range headers are not applied.
//	@ID				headObject
//	@Tags			objects
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket			path	string	true	"bucket name"
//	@Param			name			path	string	true	"object name, percent-encoded; a slash in it may be sent as is or as %2F"
//	@Param			If-Match			header	string	false	"ETags, or *: 412 unless one is the object's"
//	@Param			If-None-Match		header	string	false	"ETags, or *: 304 when one is the object's"
//	@Param			If-Modified-Since	header	string	false	"an HTTP date: 304 unless modified after it"
//	@Param			If-Unmodified-Since	header	string	false	"an HTTP date: 412 if modified after it"
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
//	@Failure		412				"PreconditionFailed"
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
	var opts service.GetOptions
	readConditions(c.Request().Header, &opts)
	obj, err := h.svc.HeadObject(c.Request().Context(), bucket, name, opts)
	if err != nil {
		return err
	}
	hdr := c.Response().Header()
	if obj.NotModified {
		setValidators(hdr, obj.Info)
		return c.NoContent(http.StatusNotModified)
	}
	setObjectHeaders(hdr, obj.Info, name, download)
	setReprDigest(hdr, obj.Info)
	setContentLength(hdr, obj.Info.Size)
	return c.NoContent(http.StatusOK)
}

// deleteObject godoc
//
//	@Summary		Delete an object
//	@Description	Deletes the object. As in S3, deleting a name that does not exist also succeeds. With If-Match (one ETag, or *) the object is deleted only if it is that version (exists), else 412 PreconditionFailed; the store has no conditional delete, so the gateway compares, then deletes (README, "Conditional requests").
//	@ID				deleteObject
//	@Tags			objects
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket	path	string	true	"bucket name"
//	@Param			name		path	string	true	"object name, percent-encoded; a slash in it may be sent as is or as %2F"
//	@Param			If-Match	header	string	false	"one ETag, or *: delete only if the object is that version (exists)"
//	@Success		204		"deleted"
//	@Failure		400		{object}	errorResponse	"InvalidBucketName, InvalidObjectName, InvalidArgument"
//	@Failure		401		{object}	errorResponse	"Unauthorized"
//	@Failure		403		{object}	errorResponse	"AccessDenied"
//	@Failure		404		{object}	errorResponse	"NoSuchBucket"
//	@Failure		412		{object}	errorResponse	"PreconditionFailed"
//	@Failure		500		{object}	errorResponse	"InternalError"
//	@Failure		503		{object}	errorResponse	"BackendUnavailable"
//	@Failure		504		{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/objects/{name} [delete]
func (h *handler) deleteObject(c echo.Context) error {
	bucket, name, err := objectParams(c)
	if err != nil {
		return err
	}
	opts := service.RemoveOptions{IfMatch: c.Request().Header.Get("If-Match")}
	if err := h.svc.RemoveObjectWith(c.Request().Context(), bucket, name, opts); err != nil {
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
