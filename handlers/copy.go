package handlers

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"s3gateway/errs"
	"s3gateway/service"
)

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
