package integration

import (
	"os"
	"path/filepath"
	"testing"
)

// heyAPIDir is the third-party client check, relative to this package.
const heyAPIDir = "../clients/heyapi"

// A client the project does not otherwise use, @hey-api/openapi-ts with its
// fetch runtime, generated from the committed document as is, runs a whole
// scenario against the gateway with no request written by hand (see
// clients/heyapi/scenario.ts).
func TestThirdPartyTypeScriptClient(t *testing.T) {
	needNode(t)
	if _, err := os.Stat(filepath.Join(heyAPIDir, "node_modules")); os.IsNotExist(err) {
		runIn(t, heyAPIDir, nil, "npm", "ci", "--no-audit", "--no-fund")
	}
	out := runIn(t, heyAPIDir, []string{"GATEWAY_URL=" + suite.gateway.URL, "GATEWAY_API_KEY=" + alphaKey},
		"npm", "run", "--silent", "scenario")
	t.Logf("%s", out)
}
