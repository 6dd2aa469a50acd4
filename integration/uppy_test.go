package integration

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// uppyExampleDir is the Uppy example, relative to this package.
const uppyExampleDir = "../examples/browser/uppy"

// buildUppyExample installs the example's pinned packages and bundles it,
// as `make examples` does.
func buildUppyExample(t *testing.T) {
	t.Helper()
	needNode(t)
	if _, err := os.Stat(filepath.Join(uppyExampleDir, "node_modules", ".package-lock.json")); err != nil {
		runIn(t, uppyExampleDir, nil, "npm", "ci", "--no-audit", "--no-fund")
	}
	runIn(t, uppyExampleDir, nil, "npm", "run", "--silent", "build")
}

// openUppyExample opens the Uppy example as alpha, uploading to bucket, and
// adds file to its dashboard.
func openUppyExample(t *testing.T, ctx context.Context, bucket, file string) {
	t.Helper()
	page := suite.pages.URL + "/uppy/index.html?" + url.Values{
		"gateway": {suite.gateway.URL}, "key": {alphaKey}, "bucket": {bucket},
	}.Encode()
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1200, 900),
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`#status[data-state="ready"]`)),
		chromedp.SetUploadFiles(chromedp.CSS(`.uppy-Dashboard-input`), []string{file}, chromedp.NodeReady),
	)
	if err != nil {
		t.Fatalf("open the page and add the file: %v; status %q", err, pageText(t, ctx, "#status"))
	}
}

// The Uppy example uploads a 30 MiB file in parts, each S3 request
// presigned by the gateway, straight to the store. The store is cut off
// from the browser mid-upload and reachable again later: the upload
// resumes and the object arrives whole.
func TestUppyExampleResumableUpload(t *testing.T) {
	buildUppyExample(t)
	ctx := newBrowser(t, 3*time.Minute)
	c := as(t, alphaKey)
	bucket := c.newBucket()

	name := "big-" + randomHex(4) + ".bin"
	content := randomBytes(t, 30<<20)
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, content, 0o644); err != nil {
		t.Fatal(err)
	}
	openUppyExample(t, ctx, bucket, file)
	evaluate[bool](t, ctx, `window.uppy.upload(), true`)

	// Two parts in, the store becomes unreachable for the browser.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`Number(document.getElementById("status").dataset.parts || 0) >= 2`,
		chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		t.Fatalf("no parts uploaded: %v; status %q", err, pageText(t, ctx, "#status"))
	}
	block := func(on bool) {
		t.Helper()
		patterns := []*network.BlockPattern{}
		if on {
			patterns = append(patterns, &network.BlockPattern{URLPattern: suite.store.Endpoint + "/*", Block: true})
		}
		if _, err := chromedp.Call(ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: patterns}); err != nil {
			t.Fatalf("block the store: %v", err)
		}
	}
	block(true)
	time.Sleep(3 * time.Second)
	partsWhileCut := evaluate[string](t, ctx, `document.getElementById("status").dataset.parts`)
	block(false)
	// An upload that gave up while the store was away is retried, as the
	// dashboard's retry button does; Uppy lists the parts the store has and
	// sends the rest.
	evaluate[bool](t, ctx, `(window.uppy.getFiles().some(f => f.error) && window.uppy.retryAll(), true)`)

	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("status").dataset.state === "done"`,
		chromedp.WithPollingTimeout(120*time.Second))); err != nil {
		t.Fatalf("the upload did not finish: %v; status %q", err, pageText(t, ctx, "#status"))
	}
	saveScreenshot(t, ctx, "uppy-example.png")
	t.Logf("parts uploaded when the store was cut off: %s", partsWhileCut)

	resp, got := c.get(bucket, "uploads/"+name, nil)
	if resp.StatusCode != http.StatusOK || sha256.Sum256(got) != sha256.Sum256(content) {
		t.Fatalf("object: status %d, %d bytes of %d, checksum differs", resp.StatusCode, len(got), len(content))
	}
}
