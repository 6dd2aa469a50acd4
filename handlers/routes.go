package handlers

import "github.com/labstack/echo/v4"

// eventsRoute is the live event stream's route. It is the one route that
// also takes the API key as a query parameter, for browsers' EventSource,
// which cannot send headers.
const eventsRoute = "/api/v1/buckets/:bucket/events"

// routes registers every route of the contract (API.md). Object
// names are the wildcard rest of the path; handlers read them from the
// escaped path (see objectParams), never from Echo's decoded parameter.
func (h *handler) routes(e *echo.Echo) {
	e.GET("/healthz", h.healthz)
	e.GET("/readyz", h.readyz)
	if h.metrics != nil {
		e.GET("/metrics", h.metricsPage)
	}
	if h.openAPI != nil {
		e.GET("/openapi.json", h.openAPIDocument)
		e.GET("/swagger/*", h.swaggerUI())
	}

	v1 := e.Group("/api/v1")

	v1.GET("/whoami", h.whoami)

	v1.GET("/buckets", h.listBuckets)
	v1.POST("/buckets", h.createBucket)
	v1.GET("/buckets/:bucket", h.getBucket)
	v1.HEAD("/buckets/:bucket", h.headBucket)
	v1.DELETE("/buckets/:bucket", h.deleteBucket)

	v1.GET("/buckets/:bucket/objects", h.listObjects)
	v1.POST("/buckets/:bucket/objects", h.uploadObjectForm, h.uploadLimit)
	v1.PUT("/buckets/:bucket/objects/*", h.putObject, h.uploadLimit)
	v1.GET("/buckets/:bucket/objects/*", h.getObject)
	v1.HEAD("/buckets/:bucket/objects/*", h.headObject)
	v1.DELETE("/buckets/:bucket/objects/*", h.deleteObject)
	v1.GET("/buckets/:bucket/stat/*", h.statObject)
	v1.POST("/buckets/:bucket/delete", h.deleteObjects)
	v1.POST("/buckets/:bucket/copy", h.copyObject)

	v1.GET("/buckets/:bucket/uploads", h.listIncompleteUploads)
	v1.DELETE("/buckets/:bucket/uploads/*", h.deleteIncompleteUpload)

	v1.POST("/buckets/:bucket/multipart", h.createMultipartUpload)
	v1.POST("/buckets/:bucket/multipart/:uploadId/parts", h.signUploadParts)
	v1.GET("/buckets/:bucket/multipart/:uploadId", h.listUploadParts)
	v1.POST("/buckets/:bucket/multipart/:uploadId/complete", h.completeMultipartUpload)
	v1.DELETE("/buckets/:bucket/multipart/:uploadId", h.abortMultipartUpload)

	v1.GET("/buckets/:bucket/policy", h.getBucketPolicy)
	v1.PUT("/buckets/:bucket/policy", h.putBucketPolicy)
	v1.DELETE("/buckets/:bucket/policy", h.deleteBucketPolicy)

	v1.GET("/buckets/:bucket/notifications", h.getBucketNotifications)
	v1.PUT("/buckets/:bucket/notifications", h.putBucketNotifications)
	v1.DELETE("/buckets/:bucket/notifications", h.deleteBucketNotifications)
	e.GET(eventsRoute, h.streamBucketEvents, h.streamLimit)

	v1.POST("/buckets/:bucket/presign", h.presignObject)
	v1.POST("/buckets/:bucket/presign-post", h.presignPost)
}
