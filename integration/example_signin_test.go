package integration

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser example signed in as a user: "Sign in as alice" gets a token
// from the suite's identity provider (CORS from the page's origin), the page
// shows what whoami says the token may do, lists and uploads within
// users/alice/ with the token as its credential, and an upload outside the
// prefix shows the gateway's 403 AccessDenied.
func TestExamplePageSignsInAsUser(t *testing.T) {
	ctx := newBrowser(t, 90*time.Second)
	tenant := as(t, alphaKey)
	tenant.call(http.MethodPost, "/api/v1/buckets", map[string]string{"name": userFilesBucket}, http.StatusCreated, nil)
	t.Cleanup(func() { tenant.emptyAndRemove(userFilesBucket) })
	tenant.put(userFilesBucket, "users/alice/listed.txt", []byte("alice's"), nil)
	tenant.put(userFilesBucket, "users/bob/hidden.txt", []byte("bob's"), nil)

	page := suite.pages.URL + "/index.html?" + url.Values{
		"gateway": {suite.gateway.URL}, "idp": {suite.idp.URL()},
	}.Encode()
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1200, 1000),
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`#signin`)),
	)
	if err != nil {
		t.Fatalf("open the page: %v", err)
	}
	if label := pageText(t, ctx, "#signin"); label != "Sign in as alice" {
		t.Errorf("sign-in button %q", label)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#signin`)),
		chromedp.WaitVisible(chromedp.CSS(`#whoami[data-state="jwt"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#objects tr[data-name="users/alice/listed.txt"]`)),
	)
	if err != nil {
		t.Fatalf("sign in: %v; error shown: %q", err, pageText(t, ctx, "#error"))
	}

	// What whoami allows, as the page shows it; the bucket comes from the
	// token and the upload folder is its prefix.
	shown := func(field string) string { return pageText(t, ctx, `#whoami dd[data-field="`+field+`"]`) }
	for field, want := range map[string]string{
		"kind": "jwt (user token)", "id": "alice", "tenant": "alpha", "buckets": userFilesBucket, "prefix": "users/alice/",
		"scopes": "objects:read, objects:list, objects:write, objects:delete, events:read",
	} {
		if got := shown(field); got != want {
			t.Errorf("whoami %s shown as %q, want %q", field, got, want)
		}
	}
	if expires := shown("expires"); !strings.Contains(expires, "(in 10 min)") && !strings.Contains(expires, "(in 9 min)") {
		t.Errorf("expiry shown as %q, want the token's, about 10 minutes away", expires)
	}
	if got := evaluate[string](t, ctx, `document.getElementById("bucket").value`); got != userFilesBucket {
		t.Errorf("bucket field %q", got)
	}
	if got := evaluate[string](t, ctx, `document.getElementById("prefix").value`); got != "users/alice/" {
		t.Errorf("upload folder %q", got)
	}
	if rows := evaluate[[]string](t, ctx, `[...document.querySelectorAll("#objects tr")].map(tr => tr.dataset.name)`); len(rows) != 1 {
		t.Errorf("listing shows %q, want only alice's object", rows)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#stream-status[data-state="live"]`))); err != nil {
		t.Errorf("the event stream with the token: %v; status %q", err, pageText(t, ctx, "#stream-status"))
	}

	// An upload in the token's folder lands under users/alice/.
	name := "note-" + randomHex(4) + ".txt"
	content := []byte("uploaded by alice, " + randomHex(8) + "\n")
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, content, 0o644); err != nil {
		t.Fatal(err)
	}
	if state := uploadThroughPage(t, ctx, file); state != "done" {
		t.Fatalf("upload state %q; error shown: %q", state, pageText(t, ctx, "#error"))
	}
	object := "users/alice/" + name
	if resp, body := tenant.get(userFilesBucket, object, nil); resp.StatusCode != http.StatusOK || string(body) != string(content) {
		t.Fatalf("uploaded object %s: %d %q", object, resp.StatusCode, body)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#objects tr[data-name="`+object+`"]`))); err != nil {
		t.Fatalf("listing after the upload: %v", err)
	}

	// Outside the prefix: the gateway refuses to sign the upload, and the
	// page shows its 403.
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#prefix`), "users/bob/"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if state := uploadThroughPage(t, ctx, file); state != "error" {
		t.Fatalf("upload outside the prefix: state %q", state)
	}
	if msg := pageText(t, ctx, "#error"); !strings.HasPrefix(msg, "AccessDenied: ") || !strings.Contains(msg, "users/alice/") {
		t.Errorf("error shown for an upload outside the prefix: %q", msg)
	}
	if resp, _ := tenant.get(userFilesBucket, "users/bob/"+name, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("users/bob/%s: %d, want nothing stored", name, resp.StatusCode)
	}
	saveScreenshot(t, ctx, "browser-example-signed-in.png")
}

// uploadThroughPage picks file in the page's file input, clicks Upload and
// returns the upload's final state ("done" or "error").
func uploadThroughPage(t *testing.T, ctx context.Context, file string) string {
	t.Helper()
	evaluate[string](t, ctx, `document.getElementById("upload-status").dataset.state = "idle"`)
	err := chromedp.Do(ctx,
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
	return evaluate[string](t, ctx, `document.getElementById("upload-status").dataset.state`)
}
