package integration

import (
	"context"
	"crypto/sha256"
	"encoding/xml"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// uppyPartSize is the example's part size (getChunkSize in its main.ts).
const uppyPartSize = 5 << 20

// storeRequest is one request the page sent to the store.
type storeRequest struct {
	method string
	query  url.Values
	body   []byte // small bodies only, such as CompleteMultipartUpload's
}

// storeTraffic records what the page sends to the store once start is
// called: requests sent before, by a page that has gone since, are not
// counted.
type storeTraffic struct {
	mu        sync.Mutex
	recording bool
	requests  []storeRequest
}

// watchStore records the tab's requests to the store, for as long as ctx.
func watchStore(t *testing.T, ctx context.Context) *storeTraffic {
	t.Helper()
	s := &storeTraffic{}
	err := chromedp.Listen(ctx, func(ev any) {
		sent, ok := ev.(*network.EventRequestWillBeSent)
		if !ok || !strings.HasPrefix(sent.Request.URL, suite.store.Endpoint+"/") {
			return
		}
		u, err := url.Parse(sent.Request.URL)
		if err != nil {
			return
		}
		var body []byte
		for _, e := range sent.Request.PostDataEntries {
			body = append(body, e.Bytes...)
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.recording {
			s.requests = append(s.requests, storeRequest{method: sent.Request.Method, query: u.Query(), body: body})
		}
	})
	if err != nil {
		t.Fatalf("watch the network: %v", err)
	}
	return s
}

func (s *storeTraffic) start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recording = true
}

func (s *storeTraffic) recorded() []storeRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]storeRequest(nil), s.requests...)
}

// throttleStore limits what the tab sends to the store to bytesPerSecond;
// 0 lifts the limit. Other origins (the gateway, the page) are not slowed.
func throttleStore(t *testing.T, ctx context.Context, bytesPerSecond float64) {
	t.Helper()
	rules := []*network.Conditions{}
	if bytesPerSecond > 0 {
		rules = append(rules, &network.Conditions{
			URLPattern: suite.store.Endpoint + "/*", UploadThroughput: bytesPerSecond, DownloadThroughput: -1,
		})
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule,
		network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: rules}); err != nil {
		t.Fatalf("throttle the store: %v", err)
	}
}

// storedParts waits until the store has a multipart upload of object with
// at least one part, and returns its id and parts (number to ETag).
func storedParts(t *testing.T, c *apiClient, bucket, object string) (string, map[int]string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var ups uploadsResponse
		c.call(http.MethodGet, "/api/v1/buckets/"+bucket+"/uploads?recursive=true", nil, http.StatusOK, &ups)
		if len(ups.Uploads) > 1 {
			t.Fatalf("more than one upload: %+v", ups.Uploads)
		}
		if len(ups.Uploads) == 1 && ups.Uploads[0].Name == object {
			if parts := partETags(c.listParts(bucket, object, ups.Uploads[0].UploadID)); len(parts) > 0 {
				return ups.Uploads[0].UploadID, parts
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no part of %s stored within a minute", object)
	return "", nil
}

func partETags(parts []storedPart) map[int]string {
	etags := map[int]string{}
	for _, p := range parts {
		etags[p.PartNumber] = strings.Trim(p.ETag, `"`)
	}
	return etags
}

// The Uppy example survives a reload mid-upload: a file of four parts is
// sent to the store at 2 MiB/s; once the store lists a part, the page is
// reloaded. Golden Retriever brings the file back with its multipart
// upload's id; the dashboard's Upload button resumes it, Uppy lists the parts
// the store has and sends only the others, and completes the upload with the
// parts sent before the reload. The object arrives whole, and no incomplete
// upload is left. A file whose bytes the browser did not keep (over the
// example's limit, or evicted) comes back without them: added again, it
// resumes the same way.
func TestUppyExampleResumesAfterReload(t *testing.T) {
	buildUppyExample(t)
	t.Run("kept in the browser", func(t *testing.T) { testUppyReload(t, false) })
	t.Run("added again", func(t *testing.T) { testUppyReload(t, true) })
}

// uppyReloadParts is how many parts the file of the reload test has: more
// than the 10 MiB Golden Retriever keeps by default.
const uppyReloadParts = 4

func testUppyReload(t *testing.T, forget bool) {
	ctx := newBrowser(t, 3*time.Minute)
	c := as(t, alphaKey)
	bucket := c.newBucket()
	name := "reload-" + randomHex(4) + ".bin"
	object := "uploads/" + name
	content := randomBytes(t, (uppyReloadParts-1)*uppyPartSize+12345)
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, content, 0o644); err != nil {
		t.Fatal(err)
	}
	traffic := watchStore(t, ctx)
	openUppyExample(t, ctx, bucket, file)
	uploadID := uploadUntilReload(t, ctx, c, bucket, object, forget)
	// The page that sent those parts is gone: from here on, every request
	// to the store is the reloaded page's.
	traffic.start()
	throttleStore(t, ctx, 0)

	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#status[data-state="restored"]`))); err != nil {
		t.Fatalf("nothing restored: %v; status %q", err, pageText(t, ctx, "#status"))
	}
	want := uploadID
	if forget {
		want = "ghost:" + uploadID
	}
	if got := restoredFiles(t, ctx); got != want {
		t.Fatalf("restored files %q, want %q", got, want)
	}
	if forget {
		if !evaluate[bool](t, ctx, `document.querySelector(".uppy-StatusBar-actionBtn--upload").disabled`) {
			t.Fatal("the Upload button is enabled while the file's bytes are missing")
		}
		// As a person would: "Add more", then the same file.
		err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`.uppy-DashboardContent-addMore`), chromedp.NodeVisible),
			chromedp.SetUploadFiles(chromedp.CSS(`.uppy-Dashboard-AddFilesPanel .uppy-Dashboard-input`), []string{file}, chromedp.NodeReady),
		)
		if got := restoredFiles(t, ctx); err != nil || got != uploadID {
			t.Fatalf("add the file again: %v; files %q, want %q", err, got, uploadID)
		}
	}
	// A part in flight at the reload may have been stored as the page went:
	// what the store has now is what Uppy must not send again.
	kept := partETags(c.listParts(bucket, object, uploadID))
	if len(kept) >= uppyReloadParts {
		t.Fatalf("all %d parts were stored before the reload: nothing left to resume", uppyReloadParts)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.uppy-StatusBar-actionBtn--upload`), chromedp.NodeVisible)); err != nil {
		t.Fatalf("resume: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("status").dataset.state === "done"`,
		chromedp.WithPollingTimeout(120*time.Second))); err != nil {
		t.Fatalf("the upload did not finish: %v; status %q", err, pageText(t, ctx, "#status"))
	}
	saveScreenshot(t, ctx, "uppy-example-reload-"+path.Base(t.Name())+".png")

	checkResumedUpload(t, traffic.recorded(), uploadID, kept, uppyReloadParts)
	if sent := evaluate[string](t, ctx, `document.getElementById("status").dataset.parts ?? "0"`); sent != strconv.Itoa(uppyReloadParts-len(kept)) {
		t.Errorf("the reloaded page reports %s parts uploaded, want %d", sent, uppyReloadParts-len(kept))
	}
	resp, got := c.get(bucket, object, nil)
	if resp.StatusCode != http.StatusOK || sha256.Sum256(got) != sha256.Sum256(content) {
		t.Fatalf("object: status %d, %d bytes of %d, checksum differs", resp.StatusCode, len(got), len(content))
	}
	var ups uploadsResponse
	c.call(http.MethodGet, "/api/v1/buckets/"+bucket+"/uploads?recursive=true", nil, http.StatusOK, &ups)
	if len(ups.Uploads) != 0 {
		t.Fatalf("incomplete uploads left: %+v", ups.Uploads)
	}
}

// uploadUntilReload starts the upload of the page's file at 2 MiB/s to the
// store, and reloads the page once the store lists a part of it; with
// forget, the copies of files Golden Retriever keeps are dropped first. It
// returns the multipart upload's id.
func uploadUntilReload(t *testing.T, ctx context.Context, c *apiClient, bucket, object string, forget bool) string {
	t.Helper()
	throttleStore(t, ctx, 2<<20)
	started := time.Now()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.uppy-StatusBar-actionBtn--upload`), chromedp.NodeVisible)); err != nil {
		t.Fatalf("start the upload: %v", err)
	}
	uploadID, stored := storedParts(t, c, bucket, object)
	if forget {
		forgetKeptFiles(t, ctx)
	}
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		t.Fatalf("reload: %v", err)
	}
	t.Logf("reloaded %.1fs after the upload started, with %d of %d parts stored",
		time.Since(started).Seconds(), len(stored), uppyReloadParts)
	return uploadID
}

// restoredFiles is the page's files, each as its multipart upload's id,
// "ghost:" first for one whose bytes were not restored.
func restoredFiles(t *testing.T, ctx context.Context) string {
	t.Helper()
	return evaluate[string](t, ctx, `window.uppy.getFiles().map(f => (f.isGhost ? "ghost:" : "") + (f.s3Multipart?.uploadId ?? "")).join(",")`)
}

// forgetKeptFiles waits until Golden Retriever has kept a copy of a file in
// IndexedDB, then deletes every copy, as when a file is over the limit of
// what it keeps or the browser evicted it.
func forgetKeptFiles(t *testing.T, ctx context.Context) {
	t.Helper()
	const script = `new Promise((resolve, reject) => {
		const open = indexedDB.open("uppy-blobs");
		open.onerror = () => reject(open.error);
		open.onsuccess = () => {
			const tx = open.result.transaction("files", "readwrite");
			const files = tx.objectStore("files");
			const count = files.count();
			count.onsuccess = () => { if (count.result > 0) files.clear(); };
			tx.oncomplete = () => { open.result.close(); resolve(count.result); };
			tx.onerror = () => reject(tx.error);
		};
	})`
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](script, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("drop the kept files: %v", err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("Golden Retriever kept no copy of the file")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkResumedUpload checks what the reloaded page sent to the store: no
// new multipart upload, one list of the parts of uploadID, each part that
// was not kept once and no kept part, and a completion that names the kept
// parts with the ETags the store listed for them.
func checkResumedUpload(t *testing.T, sent []storeRequest, uploadID string, kept map[int]string, parts int) {
	t.Helper()
	puts := map[int]int{}
	lists := 0
	var completion []byte
	for _, r := range sent {
		if id := r.query.Get("uploadId"); id != uploadID {
			t.Errorf("%s to the store with upload id %q, want %s (query %v)", r.method, id, uploadID, r.query)
			continue
		}
		switch r.method {
		case http.MethodPut:
			n, _ := strconv.Atoi(r.query.Get("partNumber"))
			puts[n]++
		case http.MethodGet:
			lists++
		case http.MethodPost:
			completion = r.body
		}
	}
	if lists != 1 {
		t.Errorf("the parts were listed %d times, want once", lists)
	}
	for n := 1; n <= parts; n++ {
		_, stored := kept[n]
		switch {
		case stored && puts[n] > 0:
			t.Errorf("part %d was stored before the reload and sent again %d times", n, puts[n])
		case !stored && puts[n] != 1:
			t.Errorf("part %d was sent %d times after the reload, want once", n, puts[n])
		}
	}
	var complete struct {
		Parts []struct {
			PartNumber int
			ETag       string
		} `xml:"Part"`
	}
	if err := xml.Unmarshal(completion, &complete); err != nil || len(complete.Parts) != parts {
		t.Fatalf("completion %q: %d parts, %v", completion, len(complete.Parts), err)
	}
	for _, p := range complete.Parts {
		if etag, ok := kept[p.PartNumber]; ok && strings.Trim(p.ETag, `"`) != etag {
			t.Errorf("part %d completed with ETag %s, the store listed %s", p.PartNumber, p.ETag, etag)
		}
	}
}
