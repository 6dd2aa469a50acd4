package handlers

import (
	"bytes"
	"net/http"

	"github.com/labstack/echo/v4"

	"s3gateway/errs"
	"s3gateway/service"
	"s3gateway/service/bucketpolicy"
)

// getBucketPolicy godoc
//
//	@Summary		Get a bucket's anonymous access
//	@Description	What anonymous users may do under prefix (empty: the whole bucket), and the bucket's whole stored policy document, with resources naming the bucket as the tenant sees it; document is null when the bucket has no policy. policy is the canned policy (none, readonly, writeonly, readwrite) that says exactly what anonymous users may do there, or custom when none of them does: a document grants more or less (another action, a condition, NotResource, part of the prefix, a listing of its names). It is none only when nothing under the prefix is public.
//	@ID				getBucketPolicy
//	@Tags			policy
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket	path		string	true	"bucket name"
//	@Param			prefix	query		string	false	"object name prefix (default: the whole bucket)"
//	@Success		200		{object}	policyResponse
//	@Failure		400		{object}	errorResponse	"InvalidBucketName"
//	@Failure		401		{object}	errorResponse	"Unauthorized"
//	@Failure		403		{object}	errorResponse	"AccessDenied"
//	@Failure		404		{object}	errorResponse	"NoSuchBucket"
//	@Failure		500		{object}	errorResponse	"InternalError"
//	@Failure		503		{object}	errorResponse	"BackendUnavailable"
//	@Failure		504		{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/policy [get]
func (h *handler) getBucketPolicy(c echo.Context) error {
	bucket, err := bucketParam(c)
	if err != nil {
		return err
	}
	p, err := h.svc.GetBucketPolicy(c.Request().Context(), bucket, c.QueryParam("prefix"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPolicyResponse(p))
}

// putBucketPolicy godoc
//
//	@Summary		Set a bucket's anonymous access
//	@Description	Either {"prefix","policy"}: sets the canned policy (none, readonly, writeonly, readwrite) of one prefix (default: the whole bucket) and keeps the other prefixes' grants; or {"document":{...}}: stores a full IAM-style bucket policy whose resources name the bucket as the tenant sees it. Exactly one of the two forms, else 400 InvalidArgument; custom cannot be set. A statement that allows anonymous users (Principal "*", {"AWS":"*"} or {"AWS":["*"]}) may only name s3:GetObject, s3:PutObject, s3:DeleteObject, s3:AbortMultipartUpload, s3:ListMultipartUploadParts, s3:ListBucket, s3:ListBucketMultipartUploads and s3:GetBucketLocation; a wildcard action is judged by every action it matches (s3:Get* matches s3:GetBucketPolicy), and NotAction is refused there. A document that breaks this, that is not a JSON object, or that the store rejects, is 400 InvalidPolicyDocument, naming the statement and the action. Answers with the policy view of that prefix (of the whole bucket for a document).
//	@ID				putBucketPolicy
//	@Tags			policy
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			bucket	path		string				true	"bucket name"
//	@Param			body	body		putPolicyRequest	true	"a canned policy for a prefix, or a document"
//	@Success		200		{object}	policyResponse
//	@Failure		400		{object}	errorResponse	"InvalidBucketName, InvalidArgument, MalformedJSON, InvalidPolicyDocument"
//	@Failure		401		{object}	errorResponse	"Unauthorized"
//	@Failure		403		{object}	errorResponse	"AccessDenied"
//	@Failure		404		{object}	errorResponse	"NoSuchBucket"
//	@Failure		413		{object}	errorResponse	"EntityTooLarge"
//	@Failure		500		{object}	errorResponse	"InternalError"
//	@Failure		503		{object}	errorResponse	"BackendUnavailable"
//	@Failure		504		{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/policy [put]
func (h *handler) putBucketPolicy(c echo.Context) error {
	bucket, err := bucketParam(c)
	if err != nil {
		return err
	}
	var req putPolicyRequest
	if err := h.decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	hasDoc := len(req.Document) > 0 && !bytes.Equal(req.Document, []byte("null"))
	hasCanned := req.Policy != nil || req.Prefix != nil
	var p service.BucketPolicy
	switch {
	case hasDoc && hasCanned:
		return errs.New(errs.InvalidArgument, "give either document, or prefix and policy, not both")
	case hasDoc:
		if req.Document[0] != '{' {
			return errs.New(errs.InvalidPolicyDocument, "document: must be a JSON object")
		}
		p, err = h.svc.SetBucketPolicyDocument(ctx, bucket, req.Document)
	case req.Policy == nil:
		return errs.New(errs.InvalidArgument, "policy: required (or give a document)")
	default:
		var prefix string
		if req.Prefix != nil {
			prefix = *req.Prefix
		}
		// The service checks the policy is one that can be set.
		p, err = h.svc.SetBucketPolicy(ctx, bucket, prefix, bucketpolicy.Canned(*req.Policy))
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPolicyResponse(p))
}

// deleteBucketPolicy godoc
//
//	@Summary		Remove a bucket's policy
//	@Description	Removes the bucket's whole policy: the bucket is private again.
//	@ID				deleteBucketPolicy
//	@Tags			policy
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
//	@Router			/api/v1/buckets/{bucket}/policy [delete]
func (h *handler) deleteBucketPolicy(c echo.Context) error {
	bucket, err := bucketParam(c)
	if err != nil {
		return err
	}
	if err := h.svc.RemoveBucketPolicy(c.Request().Context(), bucket); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
