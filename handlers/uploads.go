package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// listIncompleteUploads godoc
//
//	@Summary		List incomplete uploads
//	@Description	Multipart uploads that were started and neither completed nor aborted; size is the bytes uploaded so far. Without recursive, names are grouped at "/" as in the object listing: a folder is an entry with isDir true, its prefix as name, an empty uploadId, size 0 and initiated 0001-01-01T00:00:00.000Z (isDir extends the contract's fields).
//	@ID				listIncompleteUploads
//	@Tags			uploads
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket		path		string	true	"bucket name"
//	@Param			prefix		query		string	false	"only names that start with this"
//	@Param			recursive	query		boolean	false	"true: also names below a further /"	default(false)
//	@Success		200			{object}	listUploadsResponse
//	@Failure		400			{object}	errorResponse	"InvalidBucketName, InvalidArgument"
//	@Failure		401			{object}	errorResponse	"Unauthorized"
//	@Failure		403			{object}	errorResponse	"AccessDenied"
//	@Failure		404			{object}	errorResponse	"NoSuchBucket"
//	@Failure		500			{object}	errorResponse	"InternalError"
//	@Failure		503			{object}	errorResponse	"BackendUnavailable"
//	@Failure		504			{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/uploads [get]
func (h *handler) listIncompleteUploads(c echo.Context) error {
	bucket, err := bucketParam(c)
	if err != nil {
		return err
	}
	recursive, err := queryBool(c, "recursive", false)
	if err != nil {
		return err
	}
	ups, err := h.svc.ListIncompleteUploads(c.Request().Context(), bucket, c.QueryParam("prefix"), recursive)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toListUploadsResponse(ups))
}

// deleteIncompleteUpload godoc
//
//	@Summary		Abort the incomplete uploads of a name
//	@Description	Aborts every incomplete multipart upload of the object name and frees its parts.
//	@ID				deleteIncompleteUpload
//	@Tags			uploads
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket	path	string	true	"bucket name"
//	@Param			name	path	string	true	"object name, percent-encoded; a slash in it may be sent as is or as %2F"
//	@Success		204		"aborted"
//	@Failure		400		{object}	errorResponse	"InvalidBucketName, InvalidObjectName"
//	@Failure		401		{object}	errorResponse	"Unauthorized"
//	@Failure		403		{object}	errorResponse	"AccessDenied"
//	@Failure		404		{object}	errorResponse	"NoSuchBucket, NoSuchUpload"
//	@Failure		500		{object}	errorResponse	"InternalError"
//	@Failure		503		{object}	errorResponse	"BackendUnavailable"
//	@Failure		504		{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/uploads/{name} [delete]
func (h *handler) deleteIncompleteUpload(c echo.Context) error {
	bucket, name, err := objectParams(c)
	if err != nil {
		return err
	}
	if err := h.svc.RemoveIncompleteUpload(c.Request().Context(), bucket, name); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
