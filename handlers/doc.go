// Package handlers is the gateway's HTTP layer: it decodes and validates
// requests, makes one service call, and encodes the response. The contract
// it implements is API.md (the gateway's HTTP contract); the swag annotations on the handlers
// are the source of the OpenAPI document.
//
//	@title			S3 Gateway API
//	@version		1.0
//	@description	Tenant-scoped REST/JSON gateway over S3-compatible object storage.
//	@description
//	@description	Authentication: every route under /api/v1 needs an API key, sent as
//	@description	"Authorization: Bearer <api-key>" or "X-API-Key: <api-key>"; when an
//	@description	Authorization header is present it is the one used. A missing or unknown
//	@description	key is 401 Unauthorized with "WWW-Authenticate: Bearer". Any path that is
//	@description	not public needs a key, including paths that are not routes, so an
//	@description	unauthenticated 404 is never returned for them. OPTIONS requests (CORS
//	@description	preflights) need no key.
//	@description
//	@description	Errors always have the body {"error":{"code","message","requestId"}};
//	@description	HEAD requests get the status without a body. Every response carries
//	@description	X-Request-ID: the caller's when it is 1 to 128 characters of
//	@description	A-Z a-z 0-9 . _ : -, else a new one.
//	@description
//	@description	JSON request bodies are decoded strictly: unknown fields, values of the
//	@description	wrong type and data after the value are 400 MalformedJSON naming the
//	@description	field; a body over the configured limit (1 MiB by default) is 413
//	@description	EntityTooLarge. The Content-Type of a JSON body is not checked.
//	@description	Boolean query parameters accept true, false, 1 and 0 only. Query values
//	@description	are URL query encoded: "+" is a space, so a literal "+" is sent as %2B.
//	@description	Times are RFC 3339 in UTC with milliseconds (2024-05-01T12:00:00.000Z).
//	@description
//	@description	Limits: a tenant over its request rate, or with as many uploads in progress
//	@description	as it may have, gets 429 SlowDown with Retry-After (seconds). While the object
//	@description	store does not answer, calls fail at once with 503 BackendUnavailable and
//	@description	Retry-After, until it answers again.
//	@BasePath		/
//
//	@tag.name			buckets
//	@tag.description	Create, list, inspect and delete the tenant's buckets.
//	@tag.name			objects
//	@tag.description	Upload, download, describe, copy and delete objects; conditional requests and checksums.
//	@tag.name			uploads
//	@tag.description	Incomplete multipart uploads: list and abort them.
//	@tag.name			presign
//	@tag.description	Presigned URLs and forms that reach the store directly, without the gateway.
//	@tag.name			policy
//	@tag.description	Bucket policies: what anonymous users may do, canned per prefix or as a full document.
//	@tag.name			notifications
//	@tag.description	Bucket notification configuration and the live event stream.
//	@tag.name			health
//	@tag.description	Liveness, readiness and metrics; no credential needed.
//
//	@securityDefinitions.apikey	BearerAuth
//	@in							header
//	@name						Authorization
//	@description				Bearer <credential> (declared as HTTP bearer authentication in the OpenAPI 3 document)
//
//	@securityDefinitions.apikey	ApiKeyAuth
//	@in							header
//	@name						X-API-Key
//	@description				<api-key>
//
//	@securityDefinitions.apikey	QueryKeyAuth
//	@in							query
//	@name						apiKey
//	@description				<api-key>, on the event stream only, for browsers' EventSource (which cannot send headers); header keys win when both are sent
package handlers
