package handlers

import "s3gateway/access"

// operationScopes is the scope each operation needs, by its OpenAPI
// operation id: what the service's checks enforce (service.Authorize),
// stated for readers and generated clients. openapi/build writes it into
// the document as x-required-scopes on every operation; an operation that
// needs a credential but no particular scope (whoami) has an empty list,
// and the public ones (health, metrics) none. A new route adds its line
// here; building the OpenAPI document fails until it does.
var operationScopes = map[string][]access.Scope{
	"whoami": {},

	"listBuckets":  {access.BucketsRead},
	"getBucket":    {access.BucketsRead},
	"headBucket":   {access.BucketsRead},
	"createBucket": {access.BucketsManage},
	"deleteBucket": {access.BucketsManage},

	"listObjects":      {access.ObjectsList},
	"getObject":        {access.ObjectsRead},
	"headObject":       {access.ObjectsRead},
	"statObject":       {access.ObjectsRead},
	"putObject":        {access.ObjectsWrite},
	"uploadObjectForm": {access.ObjectsWrite},
	"copyObject":       {access.ObjectsRead, access.ObjectsWrite}, // read on the source, write on the target
	"deleteObject":     {access.ObjectsDelete},
	"deleteObjects":    {access.ObjectsDelete},

	"listIncompleteUploads":  {access.ObjectsList},
	"deleteIncompleteUpload": {access.ObjectsDelete},

	"getBucketPolicy":           {access.BucketsManage},
	"putBucketPolicy":           {access.BucketsManage},
	"deleteBucketPolicy":        {access.BucketsManage},
	"getBucketNotifications":    {access.BucketsManage},
	"putBucketNotifications":    {access.BucketsManage},
	"deleteBucketNotifications": {access.BucketsManage},
	"streamBucketEvents":        {access.EventsRead},

	// objects:read to presign a GET of an object, objects:write for every
	// other method (uploads, and the steps of a resumable upload).
	"presignObject": {access.ObjectsRead, access.ObjectsWrite},

	"createMultipartUpload":   {access.ObjectsWrite},
	"signUploadParts":         {access.ObjectsWrite},
	"listUploadParts":         {access.ObjectsWrite},
	"completeMultipartUpload": {access.ObjectsWrite},
	"abortMultipartUpload":    {access.ObjectsWrite},
	"presignPost":             {access.ObjectsWrite},
}

// publicOperations need no credential.
var publicOperations = map[string]bool{"healthz": true, "readyz": true, "metrics": true}

// OperationScopes returns the scopes each operation needs, by operation id
// (see operationScopes), and whether the operation needs a credential at all.
func OperationScopes(operationID string) (scopes []string, authenticated bool) {
	if publicOperations[operationID] {
		return nil, false
	}
	ss, ok := operationScopes[operationID]
	if !ok {
		return nil, true
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out, true
}
