package handlers

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"s3gateway/errs"
	"s3gateway/service"
)

// Presigned expiry bounds, in seconds.
const (
	maxPresignExpiry     = 7 * 24 * 60 * 60
	defaultPresignExpiry = maxPresignExpiry
)

// presignObject godoc
//
//	@Summary		Presign one S3 request: a GET or PUT of an object, or a step of a multipart upload
//	@Description	A URL of the store that any plain HTTP client can use until expiresAt, without the gateway. It is signed by a store identity of the tenant that can do only that kind of action (GET: read objects; every other method: upload them), so a PUT URL cannot be used to copy or read another object (x-amz-copy-source is refused by the store). method is GET, PUT, POST or DELETE (case-insensitive; answered in upper case). GET and PUT without uploadId: the object's GET or PUT. The steps of a multipart upload, for uploaders that speak S3 themselves (the answer is what Uppy's signRequest returns): POST without uploadId starts one (the store answers with the upload id in XML); PUT with uploadId and partNumber (1 to 10000) uploads one part; GET with uploadId lists the parts; POST with uploadId completes (body: the S3 CompleteMultipartUpload XML); DELETE with uploadId aborts. Each URL is that one operation on that one key. contentType, for a PUT or a POST without uploadId, is signed into the request: send the headers of the answer as they are. expiresIn is in seconds, 1 to 604800 (7 days); default 604800 for an object's GET or PUT, 3600 for the steps of a multipart upload. responseHeaders override the headers of a GET's response and are refused otherwise.
//	@ID				presignObject
//	@Tags			presign
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket	path		string			true	"bucket name"
//	@Param			body	body		presignRequest	true	"what to presign"
//	@Success		200		{object}	presignResponse
//	@Failure		400		{object}	errorResponse	"InvalidBucketName, InvalidObjectName, InvalidArgument, MalformedJSON"
//	@Failure		401		{object}	errorResponse	"Unauthorized"
//	@Failure		403		{object}	errorResponse	"AccessDenied"
//	@Failure		404		{object}	errorResponse	"NoSuchBucket"
//	@Failure		413		{object}	errorResponse	"EntityTooLarge"
//	@Failure		500		{object}	errorResponse	"InternalError"
//	@Failure		503		{object}	errorResponse	"BackendUnavailable"
//	@Failure		504		{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/presign [post]
func (h *handler) presignObject(c echo.Context) error {
	bucket, err := bucketParam(c)
	if err != nil {
		return err
	}
	var req presignRequest
	if err := h.decodeJSON(c, &req); err != nil {
		return err
	}
	method := strings.ToUpper(req.Method)
	switch method {
	case http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete:
	case "":
		return required("method")
	default:
		return invalid("method", "must be GET, PUT, POST or DELETE")
	}
	if req.Name == "" {
		return errs.New(errs.InvalidObjectName, "name: required")
	}
	if req.ExpiresIn == nil {
		secs := presignDefaultExpiry(method, req)
		req.ExpiresIn = &secs
	}
	expires, err := presignExpiry(req.ExpiresIn)
	if err != nil {
		return err
	}
	var partNumber int
	if req.PartNumber != nil {
		if partNumber = *req.PartNumber; partNumber < 1 || partNumber > service.MaxUploadParts {
			return invalid("partNumber", "must be from 1 to %d", service.MaxUploadParts)
		}
	}
	var rh service.ResponseHeaders
	if req.ResponseHeaders != nil {
		rh = service.ResponseHeaders{
			ContentType:        req.ResponseHeaders.ContentType,
			ContentDisposition: req.ResponseHeaders.ContentDisposition,
			CacheControl:       req.ResponseHeaders.CacheControl,
		}
		if method != http.MethodGet && rh != (service.ResponseHeaders{}) {
			return invalid("responseHeaders", "only for GET")
		}
	}
	p, err := h.svc.PresignObject(c.Request().Context(), service.PresignRequest{
		Bucket:          bucket,
		Name:            req.Name,
		Method:          method,
		Expires:         expires,
		ResponseHeaders: rh,
		UploadID:        req.UploadID,
		PartNumber:      partNumber,
		ContentType:     req.ContentType,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPresignResponse(p))
}

// presignPost godoc
//
//	@Summary		Presign a browser form upload
//	@Description	A form that uploads straight to the store: POST formData plus a field "file" (last) to url as multipart/form-data. Exactly one of name (that exact object name) and namePrefix (any name starting with it; non-empty) is required. expiresIn is in seconds, 1 to 604800, default 604800. contentType, when given, is the only content type the form accepts. contentLengthRange bounds the file's size in bytes: 0 ≤ min ≤ max, max ≥ 1, and max at most the gateway's upload limit (GATEWAY_MAX_UPLOAD_SIZE, 5 TiB by default; above it 400 InvalidArgument). Without contentLengthRange the form accepts files up to that limit; the store refuses larger ones. The form is signed by a store identity of the tenant that can only upload.
//	@ID				presignPost
//	@Tags			presign
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket	path		string				true	"bucket name"
//	@Param			body	body		presignPostRequest	true	"the form's conditions"
//	@Success		200		{object}	presignPostResponse
//	@Failure		400		{object}	errorResponse	"InvalidBucketName, InvalidObjectName, InvalidArgument, MalformedJSON"
//	@Failure		401		{object}	errorResponse	"Unauthorized"
//	@Failure		403		{object}	errorResponse	"AccessDenied"
//	@Failure		404		{object}	errorResponse	"NoSuchBucket"
//	@Failure		413		{object}	errorResponse	"EntityTooLarge"
//	@Failure		500		{object}	errorResponse	"InternalError"
//	@Failure		503		{object}	errorResponse	"BackendUnavailable"
//	@Failure		504		{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/presign-post [post]
func (h *handler) presignPost(c echo.Context) error {
	bucket, err := bucketParam(c)
	if err != nil {
		return err
	}
	var req presignPostRequest
	if err := h.decodeJSON(c, &req); err != nil {
		return err
	}
	preq := service.PostPolicyRequest{Bucket: bucket, ContentType: req.ContentType}
	switch {
	case req.Name != nil && req.NamePrefix != nil:
		return errs.New(errs.InvalidArgument, "give either name or namePrefix, not both")
	case req.Name != nil:
		if preq.Name = *req.Name; preq.Name == "" {
			return errs.New(errs.InvalidObjectName, "name: must not be empty")
		}
	case req.NamePrefix != nil:
		if preq.NamePrefix = *req.NamePrefix; preq.NamePrefix == "" {
			return invalid("namePrefix", "must not be empty")
		}
	default:
		return errs.New(errs.InvalidArgument, "name or namePrefix: one is required")
	}
	if preq.Expires, err = presignExpiry(req.ExpiresIn); err != nil {
		return err
	}
	if r := req.ContentLengthRange; r != nil {
		switch {
		case r.Max == nil:
			return required("contentLengthRange.max")
		case r.Min < 0:
			return invalid("contentLengthRange.min", "must be at least 0")
		case *r.Max < 1:
			return invalid("contentLengthRange.max", "must be at least 1")
		case *r.Max < r.Min:
			return invalid("contentLengthRange.max", "must be at least min")
		}
		preq.MinSize, preq.MaxSize = r.Min, *r.Max
	}
	p, err := h.svc.PresignPost(c.Request().Context(), preq)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPresignPostResponse(p))
}

// presignExpiry checks expiresIn (seconds) and applies its default.
func presignExpiry(v *int64) (time.Duration, error) {
	secs := int64(defaultPresignExpiry)
	if v != nil {
		secs = *v
	}
	if secs < 1 || secs > maxPresignExpiry {
		return 0, invalid("expiresIn", "must be from 1 to %d seconds", maxPresignExpiry)
	}
	return time.Duration(secs) * time.Second, nil
}
