// Package build turns the swag annotations of package handlers into the
// gateway's OpenAPI 3 document.
//
// swag emits Swagger 2.0; kin-openapi's openapi2conv converts it, and a few
// fix-ups state in OpenAPI 3 what Swagger 2.0 cannot say (a binary request
// body, an event stream). The result is validated before it is returned, and
// its bytes are stable (sorted keys, fixed indentation), so the committed
// document can be compared with a fresh build.
package build

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/swaggo/swag"
)

// Document builds the OpenAPI 3 document from the module rooted at root.
func Document(root string) ([]byte, error) {
	v2, err := swagger2(root)
	if err != nil {
		return nil, err
	}
	var doc2 openapi2.T
	if err := json.Unmarshal(v2, &doc2); err != nil {
		return nil, fmt.Errorf("read swagger 2.0: %w", err)
	}
	doc3, err := openapi2conv.ToV3(&doc2)
	if err != nil {
		return nil, fmt.Errorf("convert to openapi 3: %w", err)
	}
	if err := fixUp(doc3); err != nil {
		return nil, err
	}
	if err := doc3.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("generated document is not valid: %w", err)
	}
	return encode(doc3)
}

// swagger2 runs swag's parser over package handlers.
func swagger2(root string) ([]byte, error) {
	p := swag.New(
		swag.SetParseDependency(1),
		swag.SetStrict(true),
		swag.SetDebugger(quiet{}),
	)
	p.PropNamingStrategy = swag.CamelCase
	dir := filepath.Join(root, "handlers")
	if err := p.ParseAPI(dir, "doc.go", 2); err != nil {
		return nil, fmt.Errorf("parse annotations in %s: %w", dir, err)
	}
	b, err := json.Marshal(p.GetSwagger())
	if err != nil {
		return nil, fmt.Errorf("encode swagger 2.0: %w", err)
	}
	return b, nil
}

// encode writes the document with sorted keys and two-space indentation.
func encode(doc *openapi3.T) ([]byte, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	// A round trip through a generic value sorts every object's keys.
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		return nil, fmt.Errorf("re-read: %w", err)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(generic); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return out.Bytes(), nil
}

// quiet drops swag's progress messages.
type quiet struct{}

func (quiet) Printf(string, ...any) {}
