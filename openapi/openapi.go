// Package openapi holds the gateway's OpenAPI 3 document, generated from the
// handlers' annotations by "make openapi" (see package build) and embedded
// so the binary serves exactly what was committed.
package openapi

import (
	"bytes"
	_ "embed"
)

//go:embed openapi.json
var document []byte

// Document returns the OpenAPI 3 document as JSON.
func Document() []byte { return bytes.Clone(document) }
