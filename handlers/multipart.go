package handlers

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"s3gateway/errs"
	"s3gateway/service"
)

// Part URLs live an hour unless asked otherwise.
const defaultPartExpiry = 60 * 60

// createMultipartUpload godoc
//
//	@Summary		Start a resumable upload
//	@Description	Starts a multipart upload whose parts the client PUTs straight to the store through URLs from the parts route, in any order, resumed after a lost connection from where it left off. contentType (default application/octet-stream) and metadata are the object's. partSize is the part size the gateway suggests: parts are 5 MiB to 5 GiB, the last may be smaller, at most 10,000.
//	@ID				createMultipartUpload
//	@Tags			multipart
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket	path		string				true	"bucket name"
//	@Param			body	body		createUploadRequest	true	"the object to upload"
//	@Success		201		{object}	createUploadResponse
//	@Failure		400		{object}	errorResponse	"InvalidBucketName, InvalidObjectName, InvalidArgument, MalformedJSON"
//	@Failure		401		{object}	errorResponse	"Unauthorized"
//	@Failure		403		{object}	errorResponse	"AccessDenied"
//	@Failure		404		{object}	errorResponse	"NoSuchBucket"
//	@Failure		413		{object}	errorResponse	"EntityTooLarge"
//	@Failure		500		{object}	errorResponse	"InternalError"
//	@Failure		503		{object}	errorResponse	"BackendUnavailable"
//	@Failure		504		{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/multipart [post]
func (h *handler) createMultipartUpload(c echo.Context) error {
	bucket, err := bucketParam(c)
	if err != nil {
		return err
	}
	var req createUploadRequest
	if err := h.decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Name == "" {
		return errs.New(errs.InvalidObjectName, "name: required")
	}
	u, err := h.svc.CreateMultipartUpload(c.Request().Context(), service.CreateUploadRequest{
		Bucket: bucket, Name: req.Name, ContentType: req.ContentType, Metadata: req.Metadata,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toCreateUploadResponse(u))
}

// signUploadParts godoc
//
//	@Summary		Presign part uploads
//	@Description	One URL per part number (1 to 10000, at most 1000 per call) of an upload of name: a plain PUT of the part's bytes to url uploads it, and the answer's ETag header is the part's etag, for completion. Each URL is good for that one part of that one upload only, until expiresAt. expiresIn is in seconds, 1 to 604800, default 3600. A part sent again replaces the earlier one.
//	@ID				signUploadParts
//	@Tags			multipart
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket		path		string				true	"bucket name"
//	@Param			uploadId	path		string				true	"upload id"
//	@Param			body		body		signPartsRequest	true	"the parts to presign"
//	@Success		200			{object}	signPartsResponse
//	@Failure		400			{object}	errorResponse	"InvalidBucketName, InvalidObjectName, InvalidArgument, MalformedJSON"
//	@Failure		401			{object}	errorResponse	"Unauthorized"
//	@Failure		403			{object}	errorResponse	"AccessDenied"
//	@Failure		404			{object}	errorResponse	"NoSuchBucket, NoSuchUpload"
//	@Failure		413			{object}	errorResponse	"EntityTooLarge"
//	@Failure		500			{object}	errorResponse	"InternalError"
//	@Failure		503			{object}	errorResponse	"BackendUnavailable"
//	@Failure		504			{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/multipart/{uploadId}/parts [post]
func (h *handler) signUploadParts(c echo.Context) error {
	bucket, uploadID, err := uploadParams(c)
	if err != nil {
		return err
	}
	var req signPartsRequest
	if err := h.decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Name == "" {
		return errs.New(errs.InvalidObjectName, "name: required")
	}
	switch n := len(req.PartNumbers); {
	case n == 0:
		return required("partNumbers")
	case n > service.MaxPartsPerSign:
		return invalid("partNumbers", "at most %d per call", service.MaxPartsPerSign)
	}
	secs := int64(defaultPartExpiry)
	if req.ExpiresIn != nil {
		secs = *req.ExpiresIn
	}
	expires, err := presignExpiry(&secs)
	if err != nil {
		return err
	}
	parts, err := h.svc.SignUploadParts(c.Request().Context(), service.SignPartsRequest{
		Bucket: bucket, Name: req.Name, UploadID: uploadID, PartNumbers: req.PartNumbers, Expires: expires,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSignPartsResponse(parts))
}

// listUploadParts godoc
//
//	@Summary		List the parts of an upload
//	@Description	The parts the store holds for the upload, by part number: what a client that lost track (a reload, an app restart) needs to send only the rest.
//	@ID				listUploadParts
//	@Tags			multipart
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket		path		string	true	"bucket name"
//	@Param			uploadId	path		string	true	"upload id"
//	@Param			name		query		string	true	"object name of the upload"
//	@Success		200			{object}	listPartsResponse
//	@Failure		400			{object}	errorResponse	"InvalidBucketName, InvalidObjectName, InvalidArgument"
//	@Failure		401			{object}	errorResponse	"Unauthorized"
//	@Failure		403			{object}	errorResponse	"AccessDenied"
//	@Failure		404			{object}	errorResponse	"NoSuchBucket, NoSuchUpload"
//	@Failure		500			{object}	errorResponse	"InternalError"
//	@Failure		503			{object}	errorResponse	"BackendUnavailable"
//	@Failure		504			{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/multipart/{uploadId} [get]
func (h *handler) listUploadParts(c echo.Context) error {
	bucket, uploadID, name, err := uploadQueryParams(c)
	if err != nil {
		return err
	}
	parts, err := h.svc.ListUploadParts(c.Request().Context(), bucket, name, uploadID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toListPartsResponse(parts))
}

// completeMultipartUpload godoc
//
//	@Summary		Complete an upload
//	@Description	Joins the named parts (any order) into the object. Each part is checked against the store's list first: a missing part, an etag that does not match, or a part under 5 MiB that is not the last is 400 InvalidArgument naming the part, and nothing is completed. An upload whose parts add up to more than the gateway allows is 413 EntityTooLarge and is aborted.
//	@ID				completeMultipartUpload
//	@Tags			multipart
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket		path		string					true	"bucket name"
//	@Param			uploadId	path		string					true	"upload id"
//	@Param			body		body		completeUploadRequest	true	"the parts"
//	@Success		200			{object}	uploadResponse
//	@Failure		400			{object}	errorResponse	"InvalidBucketName, InvalidObjectName, InvalidArgument, MalformedJSON"
//	@Failure		401			{object}	errorResponse	"Unauthorized"
//	@Failure		403			{object}	errorResponse	"AccessDenied"
//	@Failure		404			{object}	errorResponse	"NoSuchBucket, NoSuchUpload"
//	@Failure		413			{object}	errorResponse	"EntityTooLarge"
//	@Failure		500			{object}	errorResponse	"InternalError"
//	@Failure		503			{object}	errorResponse	"BackendUnavailable"
//	@Failure		504			{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/multipart/{uploadId}/complete [post]
func (h *handler) completeMultipartUpload(c echo.Context) error {
	bucket, uploadID, err := uploadParams(c)
	if err != nil {
		return err
	}
	var req completeUploadRequest
	if err := h.decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Name == "" {
		return errs.New(errs.InvalidObjectName, "name: required")
	}
	if len(req.Parts) == 0 {
		return required("parts")
	}
	res, err := h.svc.CompleteMultipartUpload(c.Request().Context(), service.CompleteUploadRequest{
		Bucket: bucket, Name: req.Name, UploadID: uploadID, Parts: toCompletedParts(req.Parts),
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toUploadResponse(res))
}

// abortMultipartUpload godoc
//
//	@Summary		Abort an upload
//	@Description	Aborts the upload and frees its parts; its part URLs stop working.
//	@ID				abortMultipartUpload
//	@Tags			multipart
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket		path	string	true	"bucket name"
//	@Param			uploadId	path	string	true	"upload id"
//	@Param			name		query	string	true	"object name of the upload"
//	@Success		204			"aborted"
//	@Failure		400			{object}	errorResponse	"InvalidBucketName, InvalidObjectName, InvalidArgument"
//	@Failure		401			{object}	errorResponse	"Unauthorized"
//	@Failure		403			{object}	errorResponse	"AccessDenied"
//	@Failure		404			{object}	errorResponse	"NoSuchBucket, NoSuchUpload"
//	@Failure		500			{object}	errorResponse	"InternalError"
//	@Failure		503			{object}	errorResponse	"BackendUnavailable"
//	@Failure		504			{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/multipart/{uploadId} [delete]
func (h *handler) abortMultipartUpload(c echo.Context) error {
	bucket, uploadID, name, err := uploadQueryParams(c)
	if err != nil {
		return err
	}
	if err := h.svc.AbortMultipartUpload(c.Request().Context(), bucket, name, uploadID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// uploadParams returns the bucket and the upload id of a route
// /api/v1/buckets/{bucket}/multipart/{uploadId}[/...], each decoded once
// from the escaped path.
func uploadParams(c echo.Context) (bucket, uploadID string, err error) {
	if bucket, err = bucketParam(c); err != nil {
		return "", "", err
	}
	rest, _ := strings.CutPrefix(c.Request().URL.EscapedPath(), bucketsPrefix)
	segs := strings.SplitN(rest, "/", 4) // bucket, "multipart", id, rest
	if len(segs) < 3 || segs[2] == "" {
		return "", "", required("uploadId")
	}
	if uploadID, err = url.PathUnescape(segs[2]); err != nil {
		return "", "", invalid("uploadId", "not validly percent-encoded")
	}
	return bucket, uploadID, nil
}

// uploadQueryParams are uploadParams and the name query parameter.
func uploadQueryParams(c echo.Context) (bucket, uploadID, name string, err error) {
	if bucket, uploadID, err = uploadParams(c); err != nil {
		return "", "", "", err
	}
	if name = c.QueryParam("name"); name == "" {
		return "", "", "", errs.New(errs.InvalidObjectName, "name: required")
	}
	return bucket, uploadID, name, nil
}

// presignDefaultExpiry is the lifetime of a presigned request when none is
// asked for: a week for an object's GET or PUT, an hour for the requests
// of a multipart upload.
func presignDefaultExpiry(method string, req presignRequest) int64 {
	if req.UploadID != "" || method == http.MethodPost || method == http.MethodDelete {
		return defaultPartExpiry
	}
	return defaultPresignExpiry
}
