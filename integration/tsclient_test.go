package integration

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// tsClientDir is the TypeScript client, relative to this package.
const tsClientDir = "../clients/ts"

// needNode returns the paths of node and npm. Their absence fails the
// test unless GATEWAY_ALLOW_NO_NODE=1 (then it is skipped).
func needNode(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("GATEWAY_ALLOW_NO_NODE") == "1" {
				t.Skipf("%s not found and GATEWAY_ALLOW_NO_NODE=1", tool)
			}
			t.Fatalf("%s not found (install Node.js and npm, or set GATEWAY_ALLOW_NO_NODE=1): %v", tool, err)
		}
	}
}

// runIn runs a command in dir with extra environment variables and fails
// the test, showing its output, when it fails.
func runIn(t *testing.T, dir string, env []string, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q in %s: %v\n%s", name, args, dir, err, out)
	}
	return out
}

// The TypeScript client: its generated types are those of the committed
// document, the smoke test typechecks against them, and it runs against
// the gateway (openapi-fetch, raw upload, listing, a presigned GET fetched
// from the store, cleanup).
func TestTypeScriptClient(t *testing.T) {
	needNode(t)
	if _, err := os.Stat(filepath.Join(tsClientDir, "node_modules")); os.IsNotExist(err) {
		runIn(t, tsClientDir, nil, "npm", "ci", "--no-audit", "--no-fund")
	}

	// The committed schema is what openapi-typescript makes of the
	// committed document now.
	fresh := filepath.Join(t.TempDir(), "schema.d.ts")
	runIn(t, tsClientDir, nil, filepath.Join("node_modules", ".bin", "openapi-typescript"),
		"../../openapi/openapi.json", "--output", fresh)
	want, err := os.ReadFile(fresh)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(tsClientDir, "src", "schema.d.ts"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("clients/ts/src/schema.d.ts is stale: run 'make clients' and commit the result")
	}

	runIn(t, tsClientDir, nil, "npm", "run", "--silent", "typecheck")
	out := runIn(t, tsClientDir, []string{"GATEWAY_URL=" + suite.gateway.URL, "GATEWAY_API_KEY=" + alphaKey},
		"npm", "run", "--silent", "smoke")
	t.Logf("%s", out)
}
