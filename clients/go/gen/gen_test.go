package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The committed client is what the committed document generates now: CI
// fails when someone changes the document and forgets "make clients".
func TestCommittedClientIsCurrent(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	fresh, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join(root, clientPath))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh, committed) {
		t.Fatalf("%s is stale: run 'make clients' and commit the result", clientPath)
	}
}
