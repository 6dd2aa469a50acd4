package build

import (
	"fmt"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
)

// fixContract states what every operation shares and what Swagger 2.0
// cannot say, so that third-party generators can use the document as is:
//
//   - BearerAuth is HTTP bearer authentication (Swagger 2.0 knows only
//     API keys, so swag declares it as an Authorization header);
//   - operations without a credential say so with an empty security list;
//   - every response carries X-Request-ID, and 429 and 503 carry
//     Retry-After;
//   - every operation has a default response with the error body, so a
//     generator makes one error type rather than one per status;
//   - a form upload's body is required;
//   - a policy document is any JSON object (null in answers without one).
func fixContract(doc *openapi3.T, errorBody *openapi3.MediaType) error {
	if err := fixBearer(doc); err != nil {
		return err
	}
	if doc.Components.Headers == nil {
		doc.Components.Headers = openapi3.Headers{}
	}
	requestID := stringHeader("the request's id: the caller's when it is 1 to 128 characters of A-Z a-z 0-9 . _ : -, else a new one")
	retryAfter := integerHeader("seconds to wait before trying again")
	doc.Components.Headers[requestIDHeader] = &openapi3.HeaderRef{Value: requestID}
	doc.Components.Headers[retryAfterHeader] = &openapi3.HeaderRef{Value: retryAfter}
	shared := sharedHeaders{
		requestID:  &openapi3.HeaderRef{Ref: "#/components/headers/" + requestIDHeader, Value: requestID},
		retryAfter: &openapi3.HeaderRef{Ref: "#/components/headers/" + retryAfterHeader, Value: retryAfter},
	}
	for _, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Security == nil || len(*op.Security) == 0 {
				op.Security = &openapi3.SecurityRequirements{}
			}
			addDefaultError(method, op, errorBody)
			addCommonHeaders(op, shared)
			requireFormBody(op)
		}
	}
	return fixPolicyDocuments(doc)
}

// sharedHeaders are references to the headers in components.
type sharedHeaders struct{ requestID, retryAfter *openapi3.HeaderRef }

// The shared response headers, as components.
const (
	requestIDHeader  = "X-Request-ID"
	retryAfterHeader = "Retry-After"
)

func fixBearer(doc *openapi3.T) error {
	schemes := doc.Components.SecuritySchemes
	if schemes == nil || schemes["BearerAuth"] == nil {
		return fmt.Errorf("document has no BearerAuth security scheme")
	}
	schemes["BearerAuth"] = &openapi3.SecuritySchemeRef{Value: &openapi3.SecurityScheme{
		Type:        "http",
		Scheme:      "bearer",
		Description: "Authorization: Bearer <credential>: a tenant API key, a scoped API key or a JWT of the tenant's identity provider",
	}}
	return nil
}

func addDefaultError(method string, op *openapi3.Operation, errorBody *openapi3.MediaType) {
	if op.Responses == nil || op.Responses.Default() != nil {
		return
	}
	res := openapi3.NewResponse().WithDescription("any other error, with the error body (none for HEAD)")
	if method != http.MethodHead {
		res.Content = openapi3.Content{"application/json": errorBody}
	}
	op.Responses.Set("default", &openapi3.ResponseRef{Value: res})
}

// addCommonHeaders declares X-Request-ID on every response, and
// Retry-After on 429 and 503.
func addCommonHeaders(op *openapi3.Operation, shared sharedHeaders) {
	if op.Responses == nil {
		return
	}
	for code, ref := range op.Responses.Map() {
		if ref.Value == nil {
			continue
		}
		if ref.Value.Headers == nil {
			ref.Value.Headers = openapi3.Headers{}
		}
		ref.Value.Headers[requestIDHeader] = shared.requestID
		if code == "429" || code == "503" {
			ref.Value.Headers[retryAfterHeader] = shared.retryAfter
		}
	}
}

// requireFormBody marks a form body required: the form upload has no
// meaning without its file.
func requireFormBody(op *openapi3.Operation) {
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return
	}
	if op.RequestBody.Value.Content.Get("multipart/form-data") != nil {
		op.RequestBody.Value.Required = true
	}
}

// fixPolicyDocuments makes every policy document field an open object: a
// generator must be able to hold any document in it (and null where the
// answer says there is none).
func fixPolicyDocuments(doc *openapi3.T) error {
	for _, name := range []string{"BucketPolicy", "PutBucketPolicyRequest"} {
		s := doc.Components.Schemas[name]
		if s == nil || s.Value == nil || s.Value.Properties["document"] == nil {
			return fmt.Errorf("document has no %s.document", name)
		}
		old := s.Value.Properties["document"].Value
		open := true
		field := openapi3.NewObjectSchema()
		field.Description = old.Description
		field.Nullable = old.Nullable
		field.AdditionalProperties = openapi3.AdditionalProperties{Has: &open}
		s.Value.Properties["document"] = openapi3.NewSchemaRef("", field)
	}
	return nil
}

func stringHeader(description string) *openapi3.Header {
	return &openapi3.Header{Parameter: openapi3.Parameter{
		Description: description,
		Schema:      openapi3.NewSchemaRef("", openapi3.NewStringSchema()),
	}}
}

func integerHeader(description string) *openapi3.Header {
	return &openapi3.Header{Parameter: openapi3.Parameter{
		Description: description,
		Schema:      openapi3.NewSchemaRef("", openapi3.NewIntegerSchema()),
	}}
}
