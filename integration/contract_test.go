package integration

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The contract test: every request this suite makes and every response it
// gets are checked against the committed OpenAPI document. A response the
// document does not describe (status, content type, body shape) fails the
// test that got it.

var loadContract = sync.OnceValues(func() (routers.Router, error) {
	raw, err := os.ReadFile("../openapi/openapi.json")
	if err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, err
	}
	// Requests go to the test server, not to the document's server list.
	doc.Servers = nil
	return gorillamux.NewRouter(doc)
})

// objectRoute finds the paths whose last parameter is an object name: the
// name may hold slashes, which the document's single-segment {name} cannot
// match, so they are re-encoded for the lookup.
var objectRoute = regexp.MustCompile(`^(/api/v1/buckets/[^/]+/(?:objects|stat|uploads)/)(.+)$`)

// checkContract validates one exchange against the document.
func checkContract(t *testing.T, r request, jsonBody []byte, resp *http.Response, body []byte) {
	t.Helper()
	if r.method == http.MethodOptions {
		return // CORS preflights are not API operations
	}
	router, err := loadContract()
	if err != nil {
		t.Fatalf("load openapi document: %v", err)
	}
	u, err := url.Parse(suite.gateway.URL + r.path)
	if err != nil {
		t.Fatalf("url: %v", err)
	}
	if m := objectRoute.FindStringSubmatch(u.EscapedPath()); m != nil {
		u.RawPath = m[1] + strings.ReplaceAll(m[2], "/", "%2F")
		u.Path, _ = url.PathUnescape(u.RawPath)
	}
	req, _ := http.NewRequest(r.method, u.String(), nil)
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		// Only the gateway's answers to paths or methods it does not have
		// are outside the document.
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed && resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("contract: %s %s answered %d but is not in the document: %v", r.method, r.path, resp.StatusCode, err)
		}
		return
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true,
		MultiError:            true,
	}
	reqInput := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if jsonBody != nil {
		req.Body = io.NopCloser(bytes.NewReader(jsonBody))
		req.Header.Set("Content-Type", "application/json")
	} else {
		// Raw and form bodies stream; their schema is "binary".
		opts.ExcludeRequestBody = true
	}
	ctx := context.Background()
	// Requests that the test sends wrong on purpose are not validated: the
	// gateway's 4xx answer to them still is.
	if resp.StatusCode < 400 {
		if err := openapi3filter.ValidateRequest(ctx, reqInput); err != nil {
			t.Errorf("contract: request %s %s: %v", r.method, r.path, err)
		}
	}
	respInput := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: reqInput,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                opts,
	}
	if r.method == http.MethodHead || resp.StatusCode == http.StatusNotModified || resp.StatusCode == http.StatusNoContent {
		respInput.Options = &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	}
	if err := openapi3filter.ValidateResponse(ctx, respInput); err != nil {
		t.Errorf("contract: response %d to %s %s: %v", resp.StatusCode, r.method, r.path, err)
	}
}
