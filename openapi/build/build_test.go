package build

import (
	"bytes"
	"os"
	"testing"
)

// The committed document is what the annotations say now: CI fails when
// someone changes a handler and forgets "make openapi".
func TestCommittedDocumentIsCurrent(t *testing.T) {
	fresh, err := Document("../..")
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("../openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh, committed) {
		t.Fatal("openapi/openapi.json is stale: run 'make openapi' and commit the result")
	}
}
