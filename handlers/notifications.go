package handlers

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"s3gateway/errs"
)

// getBucketNotifications godoc
//
//	@Summary		Get a bucket's notification configuration
//	@Description	The queue, topic and cloud function configurations of the bucket; empty lists when none is set. An entry's filter is always present, with empty prefix and suffix when it matches every name.
//	@ID				getBucketNotifications
//	@Tags			notifications
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket	path		string	true	"bucket name"
//	@Success		200		{object}	notificationConfigBody
//	@Failure		400		{object}	errorResponse	"InvalidBucketName"
//	@Failure		401		{object}	errorResponse	"Unauthorized"
//	@Failure		403		{object}	errorResponse	"AccessDenied"
//	@Failure		404		{object}	errorResponse	"NoSuchBucket"
//	@Failure		500		{object}	errorResponse	"InternalError"
//	@Failure		503		{object}	errorResponse	"BackendUnavailable"
//	@Failure		504		{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/notifications [get]
func (h *handler) getBucketNotifications(c echo.Context) error {
	bucket, err := bucketParam(c)
	if err != nil {
		return err
	}
	cfg, err := h.svc.GetBucketNotification(c.Request().Context(), bucket)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toNotificationConfigBody(cfg))
}

// putBucketNotifications godoc
//
//	@Summary		Set a bucket's notification configuration
//	@Description	Replaces the bucket's notification configuration. At least one entry is required (use DELETE to remove them all); every entry needs an arn the store knows and at least one event; filter and id are optional (the store assigns ids). Lists may be omitted. Answers with the configuration as stored.
//	@ID				putBucketNotifications
//	@Tags			notifications
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket	path		string					true	"bucket name"
//	@Param			body	body		notificationConfigBody	true	"the configuration"
//	@Success		200		{object}	notificationConfigBody
//	@Failure		400		{object}	errorResponse	"InvalidBucketName, InvalidArgument, MalformedJSON"
//	@Failure		401		{object}	errorResponse	"Unauthorized"
//	@Failure		403		{object}	errorResponse	"AccessDenied"
//	@Failure		404		{object}	errorResponse	"NoSuchBucket"
//	@Failure		413		{object}	errorResponse	"EntityTooLarge"
//	@Failure		500		{object}	errorResponse	"InternalError"
//	@Failure		503		{object}	errorResponse	"BackendUnavailable"
//	@Failure		504		{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/notifications [put]
func (h *handler) putBucketNotifications(c echo.Context) error {
	bucket, err := bucketParam(c)
	if err != nil {
		return err
	}
	var req notificationConfigBody
	if err := h.decodeJSON(c, &req); err != nil {
		return err
	}
	if err := validateNotificationConfig(req); err != nil {
		return err
	}
	cfg, err := h.svc.SetBucketNotification(c.Request().Context(), bucket, toNotificationConfig(req))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toNotificationConfigBody(cfg))
}

func validateNotificationConfig(b notificationConfigBody) error {
	lists := []struct {
		field   string
		entries []notificationTargetBody
	}{
		{"queueConfigurations", b.QueueConfigurations},
		{"topicConfigurations", b.TopicConfigurations},
		{"cloudFunctionConfigurations", b.CloudFunctionConfigurations},
	}
	total := 0
	for _, l := range lists {
		for i, e := range l.entries {
			field := fmt.Sprintf("%s[%d]", l.field, i)
			if e.ARN == "" {
				return invalid(field+".arn", "required")
			}
			if len(e.Events) == 0 {
				return invalid(field+".events", "at least one event is required")
			}
		}
		total += len(l.entries)
	}
	if total == 0 {
		return errs.New(errs.InvalidArgument, "the configuration has no entries; give at least one, or DELETE to remove them all")
	}
	return nil
}

// deleteBucketNotifications godoc
//
//	@Summary		Remove a bucket's notification configuration
//	@Description	Removes every notification configuration of the bucket.
//	@ID				deleteBucketNotifications
//	@Tags			notifications
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket	path	string	true	"bucket name"
//	@Success		204		"removed"
//	@Failure		400		{object}	errorResponse	"InvalidBucketName"
//	@Failure		401		{object}	errorResponse	"Unauthorized"
//	@Failure		403		{object}	errorResponse	"AccessDenied"
//	@Failure		404		{object}	errorResponse	"NoSuchBucket"
//	@Failure		500		{object}	errorResponse	"InternalError"
//	@Failure		503		{object}	errorResponse	"BackendUnavailable"
//	@Failure		504		{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/notifications [delete]
func (h *handler) deleteBucketNotifications(c echo.Context) error {
	bucket, err := bucketParam(c)
	if err != nil {
		return err
	}
	if err := h.svc.RemoveBucketNotification(c.Request().Context(), bucket); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
