package integration

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// artifactsDir is where browser tests leave screenshots: test-artifacts at
// the repository root.
const artifactsDir = "../test-artifacts"

// chromiumPath finds Chromium: $CHROMIUM_BIN, Debian's /usr/bin/chromium,
// then PATH. Its absence fails the test unless GATEWAY_ALLOW_NO_BROWSER=1
// (then it is skipped).
func chromiumPath(t *testing.T) string {
	t.Helper()
	executable := func(p string) bool {
		info, err := os.Stat(p)
		return err == nil && !info.IsDir() && info.Mode()&0o111 != 0
	}
	if p := os.Getenv("CHROMIUM_BIN"); p != "" {
		if !executable(p) {
			t.Fatalf("CHROMIUM_BIN=%s is not an executable file", p)
		}
		return p
	}
	if executable("/usr/bin/chromium") {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("GATEWAY_ALLOW_NO_BROWSER") == "1" {
		t.Skip("Chromium not found and GATEWAY_ALLOW_NO_BROWSER=1")
	}
	t.Fatal("Chromium not found: set CHROMIUM_BIN, run 'make browser-deps', or set GATEWAY_ALLOW_NO_BROWSER=1")
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile and returns a
// tab's context, limited to timeout and ended with the test. The page's
// console messages and uncaught exceptions go to the test log.
func newBrowser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	// Browser messages may still arrive while the test ends: they are
	// dropped once it has.
	var mu sync.Mutex
	ended := false
	logf := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if !ended {
			t.Logf(format, args...)
		}
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithLogf(logf))
	t.Cleanup(func() {
		mu.Lock()
		ended = true
		mu.Unlock()
		cancelTab()
		cancelAlloc()
	})
	// The first run starts the browser, which lives as long as tab: the
	// timeout applies to what the test does with it afterwards.
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	messages := chromedp.Console(tab)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			logf("page: %s", m)
		}
	}()
	ctx, cancel := context.WithTimeout(tab, timeout)
	t.Cleanup(cancel)
	return ctx
}

// saveScreenshot writes a PNG of the whole page to test-artifacts/name.
func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.MkdirAll(artifactsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(artifactsDir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// evaluate runs a script in the page and returns its value.
func evaluate[T any](t *testing.T, ctx context.Context, script string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script))
	if err != nil {
		t.Fatalf("evaluate %s: %v", script, err)
	}
	return v
}

// documentOperations are the operation ids of the document the gateway serves.
func documentOperations(t *testing.T) []string {
	t.Helper()
	resp, err := http.Get(suite.gateway.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, item := range doc.Paths {
		for method, raw := range item {
			if !slices.Contains([]string{"get", "put", "post", "delete", "head", "patch", "options"}, method) {
				continue
			}
			var op struct {
				OperationID string `json:"operationId"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, op.OperationID)
		}
	}
	slices.Sort(ids)
	return ids
}

// Swagger UI, in a real browser, renders every operation of the document
// it loads from /openapi.json.
func TestSwaggerUIInBrowser(t *testing.T) {
	ctx := newBrowser(t, 60*time.Second)
	want := documentOperations(t)
	if len(want) < 27 {
		t.Fatalf("the document has %d operations, want at least 27", len(want))
	}

	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(suite.gateway.URL+"/swagger/index.html"),
		// Operation blocks have the id "operations-<tag>-<operationId>".
		chromedp.WaitVisible(chromedp.CSS(`.opblock[id$="-listBuckets"]`)),
	)
	if err != nil {
		t.Fatalf("swagger ui: %v", err)
	}
	shown := evaluate[[]string](t, ctx, `[...document.querySelectorAll('.opblock')].map(e => e.id.replace(/^operations-[^-]+-/, ''))`)
	paths := evaluate[[]string](t, ctx, `[...document.querySelectorAll('.opblock-summary-path')].map(e => e.getAttribute('data-path'))`)
	loaded := evaluate[[]string](t, ctx, `performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)`)
	saveScreenshot(t, ctx, "swagger-ui.png")

	if !slices.Contains(loaded, "/openapi.json") {
		t.Errorf("the page did not load /openapi.json; it loaded %q", loaded)
	}
	slices.Sort(shown)
	if !slices.Equal(shown, want) {
		t.Errorf("operations shown:\n%q\nin the document:\n%q", shown, want)
	}
	for _, p := range []string{"/api/v1/buckets", "/api/v1/buckets/{bucket}/objects/{name}", "/api/v1/buckets/{bucket}/presign-post", "/api/v1/buckets/{bucket}/events"} {
		if !slices.Contains(paths, p) {
			t.Errorf("path %s not shown (shown: %q)", p, paths)
		}
	}
}
