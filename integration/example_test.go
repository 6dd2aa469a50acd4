package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"s3gateway/internal/testwait"
)

// The browser example (examples/browser), in a real browser on an origin of
// its own: it lists the bucket through the gateway (CORS), uploads a file
// straight to the store with a presigned POST (the browser accepts the
// store's answer only if the store allows any origin, as MinIO does by
// default), and shows
// the upload's event from the live stream, read with fetch and the key in a
// header.
func TestExamplePageUploadsAndShowsEvents(t *testing.T) {
	ctx := newBrowser(t, 90*time.Second)
	c := as(t, alphaKey)
	bucket := c.newBucket()
	c.put(bucket, "existing/listed.txt", []byte("already here"), nil)

	page := suite.pages.URL + "/index.html?" + url.Values{
		"gateway": {suite.gateway.URL}, "key": {alphaKey}, "bucket": {bucket},
	}.Encode()
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1200, 900),
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`#objects tr[data-name="existing/listed.txt"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#stream-status[data-state="live"]`)),
	)
	if err != nil {
		t.Fatalf("open the page: %v; error shown: %q", err, pageText(t, ctx, "#error"))
	}
	if kind := pageText(t, ctx, `#whoami dd[data-field="kind"]`); kind != "tenant (tenant key: everything)" {
		t.Errorf("the page shows the key's kind as %q", kind)
	}
	if query := evaluate[string](t, ctx, `location.search`); query != "" {
		t.Errorf("the key stays in the address bar: %s", query)
	}

	// The store registers the stream's listener shortly after the gateway
	// says "connected": objects put through the API until one of them shows
	// prove that the stream is live end to end.
	probes := 0
	if !testwait.Within(20*time.Second, func() bool {
		probe := fmt.Sprintf("probe/%d.txt", probes)
		probes++
		c.put(bucket, probe, []byte("probe"), nil)
		return waitForEvent(t, ctx, probe, time.Second)
	}) {
		t.Fatalf("no event shown for probe objects; page status %q", pageText(t, ctx, "#stream-status"))
	}

	// Upload a file through the page's file input.
	name := "photo-" + randomHex(4) + ".txt"
	content := []byte("uploaded by the browser example, " + randomHex(8) + "\n")
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, content, 0o644); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{file}),
		chromedp.Click(chromedp.CSS(`#upload`)),
	)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`["done", "error"].includes(document.getElementById("upload-status").dataset.state)`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("upload did not finish: %v", err)
	}
	if state := evaluate[string](t, ctx, `document.getElementById("upload-status").dataset.state`); state != "done" {
		t.Fatalf("upload state %q; error shown: %q", state, pageText(t, ctx, "#error"))
	}

	// The store has the object, as the gateway sees it.
	object := "uploads/" + name
	resp, body := c.get(bucket, object, nil)
	if resp.StatusCode != http.StatusOK || string(body) != string(content) {
		t.Fatalf("uploaded object: %d %q", resp.StatusCode, body)
	}
	var stat statResponse
	c.call(http.MethodGet, objectPath("stat", bucket, object), nil, http.StatusOK, &stat)
	if stat.ContentType != "text/plain" || stat.Size != int64(len(content)) {
		t.Fatalf("uploaded object: %+v", stat)
	}

	// The page shows it: the listing and the live event.
	if !waitForEvent(t, ctx, object, 15*time.Second) {
		t.Fatalf("no event shown for %s; events: %q", object, pageText(t, ctx, "#events"))
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#objects tr[data-name="`+object+`"]`))); err != nil {
		t.Fatalf("listing: %v", err)
	}
	saveScreenshot(t, ctx, "browser-example.png")
}

// waitForEvent waits until the page lists an ObjectCreated event for name.
func waitForEvent(t *testing.T, ctx context.Context, name string, limit time.Duration) bool {
	t.Helper()
	quoted, _ := json.Marshal(name)
	script := `[...document.querySelectorAll("#events li")].some(li =>
		li.dataset.name === ` + string(quoted) + ` && li.dataset.type.startsWith("s3:ObjectCreated:"))`
	return testwait.Within(limit, func() bool { return evaluate[bool](t, ctx, script) })
}

// pageText is the text of the first element matching a CSS selector, for
// failure messages.
func pageText(t *testing.T, ctx context.Context, selector string) string {
	t.Helper()
	quoted, _ := json.Marshal(selector)
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(`+string(quoted)+`) || {}).textContent || ""`))
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return text
}
