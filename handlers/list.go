package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"s3gateway/service"
)

// maxListLimit is the most entries one listing page holds.
const maxListLimit = 1000

// listObjects godoc
//
//	@Summary		List objects
//	@Description	One page of the bucket's objects, in name order. Without recursive, names are grouped at "/" and each folder (common prefix) is an entry with isDir true, its prefix as name, size 0, an empty etag and lastModified 0001-01-01T00:00:00.000Z. Follow nextCursor (opaque; absent on the last page) until truncated is false to get every entry exactly once. metadata=true adds each object's user metadata. apiVersion v1 uses the store's ListObjects V1. prefix, startAfter and the name inside cursor must not contain "." or ".." segments, between slashes or backslashes (400 InvalidArgument).
//	@ID				listObjects
//	@Tags			objects
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket		path		string	true	"bucket name"
//	@Param			prefix		query		string	false	"only names that start with this"
//	@Param			recursive	query		boolean	false	"true: do not group by /"	default(false)
//	@Param			limit		query		integer	false	"entries per page"			minimum(1)	maximum(1000)	default(1000)
//	@Param			cursor		query		string	false	"nextCursor of the previous page"
//	@Param			startAfter	query		string	false	"only names after this"
//	@Param			metadata	query		boolean	false	"true: include user metadata"	default(false)
//	@Param			apiVersion	query		string	false	"store listing API"	Enums(v1, v2)	default(v2)
//	@Success		200			{object}	listObjectsResponse
//	@Failure		400			{object}	errorResponse	"InvalidBucketName, InvalidArgument"
//	@Failure		401			{object}	errorResponse	"Unauthorized"
//	@Failure		403			{object}	errorResponse	"AccessDenied"
//	@Failure		404			{object}	errorResponse	"NoSuchBucket"
//	@Failure		500			{object}	errorResponse	"InternalError"
//	@Failure		503			{object}	errorResponse	"BackendUnavailable"
//	@Failure		504			{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/objects [get]
func (h *handler) listObjects(c echo.Context) error {
	bucket, err := bucketParam(c)
	if err != nil {
		return err
	}
	opts, err := listOptions(c)
	if err != nil {
		return err
	}
	page, err := h.svc.ListObjects(c.Request().Context(), bucket, opts)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toListObjectsResponse(page))
}

func listOptions(c echo.Context) (service.ListOptions, error) {
	var (
		opts service.ListOptions
		err  error
	)
	opts.Prefix = c.QueryParam("prefix")
	opts.Cursor = c.QueryParam("cursor")
	opts.StartAfter = c.QueryParam("startAfter")
	if opts.Recursive, err = queryBool(c, "recursive", false); err != nil {
		return opts, err
	}
	if opts.WithMetadata, err = queryBool(c, "metadata", false); err != nil {
		return opts, err
	}
	limit, err := queryInt(c, "limit", 1, maxListLimit, maxListLimit)
	if err != nil {
		return opts, err
	}
	opts.Limit = int(limit)
	switch v, _ := queryValue(c, "apiVersion"); v {
	case "", "v2":
	case "v1":
		opts.UseV1 = true
	default:
		return opts, invalid("apiVersion", "must be v1 or v2")
	}
	return opts, nil
}
