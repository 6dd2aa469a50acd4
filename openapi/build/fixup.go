package build

import (
	"fmt"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"

	"s3gateway/handlers"
)

// fixUp says in OpenAPI 3 what the Swagger 2.0 annotations cannot:
//
//   - a request body declared as an octet-stream string is binary
//     (format: binary) and application/octet-stream only, so generated
//     clients send raw bytes with that type by default (the operation's
//     description says that any other type is accepted too);
//   - binary responses (object downloads) are binary strings of any media
//     type too: the object's content type is what comes back;
//   - the event stream's 200 response is text/event-stream only;
//   - every response that renders the error body is application/json only,
//     whatever the operation produces on success;
//   - every operation that needs an API key may answer 429 SlowDown (the
//     per-tenant request rate), which is said once here rather than on
//     every handler;
//   - every operation that needs a credential states the scopes it needs
//     as x-required-scopes, from the one table in handlers (scopes.go).
func fixUp(doc *openapi3.T) error {
	if doc.Paths == nil {
		return fmt.Errorf("document has no paths")
	}
	errSchema := doc.Components.Schemas[errorSchemaName]
	if errSchema == nil || errSchema.Value == nil {
		return fmt.Errorf("document has no %s schema", errorSchemaName)
	}
	errorBody := openapi3.NewMediaType().WithSchemaRef(openapi3.NewSchemaRef(errorBodyRef, errSchema.Value))
	doc.Servers = openapi3.Servers{{URL: "/", Description: "the gateway itself"}}
	for _, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			fixRequestBody(op)
			fixResponses(op, errorBody)
			addThrottled(method, op, errorBody)
			if err := addRequiredScopes(op); err != nil {
				return err
			}
		}
	}
	return fixContract(doc, errorBody)
}

func fixRequestBody(op *openapi3.Operation) {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return
	}
	if media := op.RequestBody.Value.Content.Get("application/octet-stream"); media != nil {
		octets := *media
		octets.Schema = openapi3.NewSchemaRef("", openapi3.NewStringSchema().WithFormat("binary"))
		op.RequestBody.Value.Content = openapi3.Content{"application/octet-stream": &octets}
	}
}

// binaryContent is a body of raw bytes: octet-stream for generated clients,
// and any other media type, since objects keep their own.
func binaryContent(media *openapi3.MediaType) openapi3.Content {
	binary := openapi3.NewSchemaRef("", openapi3.NewStringSchema().WithFormat("binary"))
	octets := *media
	octets.Schema = binary
	return openapi3.Content{
		"application/octet-stream": &octets,
		"*/*":                      &openapi3.MediaType{Schema: binary},
	}
}

func fixResponses(op *openapi3.Operation, errorBody *openapi3.MediaType) {
	if op.Responses == nil {
		return
	}
	for code, ref := range op.Responses.Map() {
		if ref.Value == nil {
			continue
		}
		content := ref.Value.Content
		if isErrorResponse(content) {
			// Errors are always JSON, whatever the success type is.
			ref.Value.Content = openapi3.Content{"application/json": errorBody}
			continue
		}
		if media := content.Get("text/event-stream"); media != nil && code == "200" {
			ref.Value.Content = openapi3.Content{"text/event-stream": media}
			continue
		}
		if media := content["application/octet-stream"]; media != nil {
			ref.Value.Content = binaryContent(media)
		}
	}
}

// addThrottled documents the 429 of the per-tenant request rate on an
// operation that needs a key and does not document a 429 of its own.
func addThrottled(method string, op *openapi3.Operation, errorBody *openapi3.MediaType) {
	if op.Security == nil || len(*op.Security) == 0 || op.Responses == nil || op.Responses.Value("429") != nil {
		return
	}
	res := openapi3.NewResponse().WithDescription("SlowDown: the tenant is over its request rate (see Retry-After)")
	if method != http.MethodHead {
		res.Content = openapi3.Content{"application/json": errorBody}
	}
	op.Responses.Set("429", &openapi3.ResponseRef{Value: res})
}

// isErrorResponse tells whether a response renders the error body, under
// whatever media type the operation's annotations listed.
func isErrorResponse(content openapi3.Content) bool {
	for _, media := range content {
		if media != nil && media.Schema != nil && media.Schema.Ref == errorBodyRef {
			return true
		}
	}
	return false
}

// The error body's schema, as handlers name it.
const (
	errorSchemaName = "ErrorResponse"
	errorBodyRef    = "#/components/schemas/" + errorSchemaName
)

// addRequiredScopes states the scopes an operation needs (API.md,
// "Access"); an empty list: any valid credential.
func addRequiredScopes(op *openapi3.Operation) error {
	scopes, authenticated := handlers.OperationScopes(op.OperationID)
	if !authenticated {
		return nil
	}
	if scopes == nil {
		return fmt.Errorf("operation %s needs a credential but has no line in handlers' operationScopes", op.OperationID)
	}
	if op.Extensions == nil {
		op.Extensions = map[string]any{}
	}
	op.Extensions["x-required-scopes"] = scopes
	return nil
}
