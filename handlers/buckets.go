package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"s3gateway/errs"
)

// listBuckets godoc
//
//	@Summary		List buckets
//	@Description	Lists the tenant's buckets by the names the tenant gave them (without the tenant's prefix).
//	@ID				listBuckets
//	@Tags			buckets
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Success		200	{object}	listBucketsResponse
//	@Failure		401	{object}	errorResponse	"Unauthorized"
//	@Failure		403	{object}	errorResponse	"AccessDenied"
//	@Failure		500	{object}	errorResponse	"InternalError"
//	@Failure		503	{object}	errorResponse	"BackendUnavailable"
//	@Failure		504	{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets [get]
func (h *handler) listBuckets(c echo.Context) error {
	bs, err := h.svc.ListBuckets(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toListBucketsResponse(bs))
}

// createBucket godoc
//
//	@Summary		Create a bucket
//	@Description	Creates a bucket. The name follows S3's bucket naming rules and, with the tenant's prefix added, must be at most 63 characters. The region defaults to the gateway's region.
//	@ID				createBucket
//	@Tags			buckets
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		createBucketRequest	true	"the bucket"
//	@Success		201		{object}	createBucketResponse
//	@Failure		400		{object}	errorResponse	"InvalidBucketName, InvalidArgument, MalformedJSON"
//	@Failure		401		{object}	errorResponse	"Unauthorized"
//	@Failure		403		{object}	errorResponse	"AccessDenied"
//	@Failure		409		{object}	errorResponse	"BucketAlreadyExists"
//	@Failure		413		{object}	errorResponse	"EntityTooLarge"
//	@Failure		500		{object}	errorResponse	"InternalError"
//	@Failure		503		{object}	errorResponse	"BackendUnavailable"
//	@Failure		504		{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets [post]
func (h *handler) createBucket(c echo.Context) error {
	var req createBucketRequest
	if err := h.decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Name == "" {
		return errs.New(errs.InvalidBucketName, "name: required")
	}
	b, err := h.svc.MakeBucket(c.Request().Context(), req.Name, req.Region)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toCreateBucketResponse(b))
}

// getBucket godoc
//
//	@Summary		Check that a bucket exists
//	@Description	200 with exists true when the bucket exists; 404 NoSuchBucket when it does not.
//	@ID				getBucket
//	@Tags			buckets
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket	path		string	true	"bucket name"
//	@Success		200		{object}	bucketExistsResponse
//	@Failure		400		{object}	errorResponse	"InvalidBucketName"
//	@Failure		401		{object}	errorResponse	"Unauthorized"
//	@Failure		403		{object}	errorResponse	"AccessDenied"
//	@Failure		404		{object}	errorResponse	"NoSuchBucket"
//	@Failure		500		{object}	errorResponse	"InternalError"
//	@Failure		503		{object}	errorResponse	"BackendUnavailable"
//	@Failure		504		{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket} [get]
func (h *handler) getBucket(c echo.Context) error {
	bucket, err := h.existingBucket(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, bucketExistsResponse{Name: bucket, Exists: true})
}

// headBucket godoc
//
//	@Summary		Check that a bucket exists, without a body
//	@Description	200 when the bucket exists, 404 when it does not; no body either way.
//	@ID				headBucket
//	@Tags			buckets
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket	path	string	true	"bucket name"
//	@Success		200		"the bucket exists"
//	@Failure		400		"InvalidBucketName"
//	@Failure		401		"Unauthorized"
//	@Failure		403		"AccessDenied"
//	@Failure		404		"NoSuchBucket"
//	@Failure		500		"InternalError"
//	@Failure		503		"BackendUnavailable"
//	@Failure		504		"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket} [head]
func (h *handler) headBucket(c echo.Context) error {
	if _, err := h.existingBucket(c); err != nil {
		return err
	}
	return c.NoContent(http.StatusOK)
}

// existingBucket returns the route's bucket, or NoSuchBucket.
func (h *handler) existingBucket(c echo.Context) (string, error) {
	bucket, err := bucketParam(c)
	if err != nil {
		return "", err
	}
	ok, err := h.svc.BucketExists(c.Request().Context(), bucket)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", errs.New(errs.NoSuchBucket, "bucket %q does not exist", bucket)
	}
	return bucket, nil
}

// deleteBucket godoc
//
//	@Summary		Delete a bucket
//	@Description	Deletes an empty bucket.
//	@ID				deleteBucket
//	@Tags			buckets
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket	path	string	true	"bucket name"
//	@Success		204		"deleted"
//	@Failure		400		{object}	errorResponse	"InvalidBucketName"
//	@Failure		401		{object}	errorResponse	"Unauthorized"
//	@Failure		403		{object}	errorResponse	"AccessDenied"
//	@Failure		404		{object}	errorResponse	"NoSuchBucket"
//	@Failure		409		{object}	errorResponse	"BucketNotEmpty"
//	@Failure		500		{object}	errorResponse	"InternalError"
//	@Failure		503		{object}	errorResponse	"BackendUnavailable"
//	@Failure		504		{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket} [delete]
func (h *handler) deleteBucket(c echo.Context) error {
	bucket, err := bucketParam(c)
	if err != nil {
		return err
	}
	if err := h.svc.RemoveBucket(c.Request().Context(), bucket); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
