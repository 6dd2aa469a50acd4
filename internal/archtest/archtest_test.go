// Package archtest checks the shape of the module's imports.
package archtest

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// minioAllowed are the only packages whose non-test files may import
// minio-go: the store adapter, and the benchmark that compares the
// gateway with direct store access.
var minioAllowed = map[string]bool{
	"store/minio": true,
	"bench":       true,
}

// Nothing above the store adapter speaks minio-go.
func TestMinioGoOnlyInTheStoreAdapter(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			return nil // no Go files here
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		checked++
		for _, imp := range pkg.Imports {
			if strings.HasPrefix(imp, "github.com/minio/minio-go/") && !minioAllowed[rel] {
				t.Errorf("%s imports %s: only the store adapter (store/minio) may", rel, imp)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 10 {
		t.Fatalf("only %d packages checked", checked)
	}
}
