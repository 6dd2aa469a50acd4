package miniostore

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"s3gateway/errs"
	"s3gateway/service"
)

// withoutToken is cursor as a gateway without store tokens wrote it.
func withoutToken(t *testing.T, cursor string) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	if c["t"] == nil {
		t.Fatalf("cursor %s carries no store token", raw)
	}
	delete(c, "t")
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// A cursor carries the store's token; a cursor without one still resumes
// after its name, and a token the store refuses is a client error.
func TestListCursorToken(t *testing.T) {
	t.Parallel()
	env := coreEnv(t)
	a := env.ctxA
	coreBucket(t, env, a, "tokens")
	for i := range 10 {
		corePut(t, env, a, "tokens", fmt.Sprintf("k%02d", i), []byte("x"), service.PutOptions{})
	}
	first, err := env.svc.ListObjects(a, "tokens", service.ListOptions{Limit: 4})
	if err != nil || !first.Truncated {
		t.Fatalf("%+v %v", first, err)
	}
	for name, cursor := range map[string]string{"token": first.NextCursor, "name": withoutToken(t, first.NextCursor)} {
		t.Run(name, func(t *testing.T) {
			var got []string
			opts := service.ListOptions{Limit: 4, Cursor: cursor}
			for {
				page, err := env.svc.ListObjects(a, "tokens", opts)
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range page.Objects {
					got = append(got, o.Name)
				}
				if !page.Truncated {
					break
				}
				opts.Cursor = page.NextCursor
			}
			if fmt.Sprint(got) != "[k04 k05 k06 k07 k08 k09]" {
				t.Fatalf("listed %v", got)
			}
		})
	}
	// MinIO refuses a token that is not base64, and takes one that is as
	// a position: either way, never a server error.
	for token, mustRefuse := range map[string]bool{
		"not-base64!": true,
		base64.StdEncoding.EncodeToString([]byte("\x00\xff junk")): false,
	} {
		cursor := base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, `{"v":1,"a":"k03","t":%q}`, token))
		page, err := env.svc.ListObjects(a, "tokens", service.ListOptions{Limit: 4, Cursor: cursor})
		if err != nil || mustRefuse {
			coreWantCode(t, err, errs.InvalidArgument)
			continue
		}
		for _, o := range page.Objects {
			if o.Name <= "k03" {
				t.Fatalf("a tampered token listed %s, before the cursor's name", o.Name)
			}
		}
	}
}

// Pages cost the same wherever they are in a bucket. Set
// GATEWAY_TEST_LIST_GROWTH=1 to run it: it stores 20,000 objects.
func TestListPagesFlat(t *testing.T) {
	if os.Getenv("GATEWAY_TEST_LIST_GROWTH") == "" {
		t.Skip("set GATEWAY_TEST_LIST_GROWTH=1 to measure listing pages")
	}
	const objects, pageSize = 20_000, 1000
	env := coreEnv(t)
	a := env.ctxA
	coreBucket(t, env, a, "big")
	raw := coreRaw(t, env, env.a)
	phys := env.a.BucketPrefix + "big"
	start := time.Now()
	names := make(chan string)
	var wg sync.WaitGroup
	var failed sync.Once
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range names {
				if _, err := raw.PutObject(t.Context(), phys, n, bytes.NewReader([]byte("x")), 1, "", "", minio.PutObjectOptions{}); err != nil {
					failed.Do(func() { t.Errorf("put %s: %v", n, err) })
				}
			}
		}()
	}
	for i := range objects {
		names <- fmt.Sprintf("dir%02d/obj-%06d", i%20, i)
	}
	close(names)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("stored %d objects in %v", objects, time.Since(start).Round(time.Millisecond))

	for _, mode := range []string{"token", "name"} {
		var times []time.Duration
		listed := 0
		opts := service.ListOptions{Recursive: true, Limit: pageSize}
		for {
			began := time.Now()
			page, err := env.svc.ListObjects(a, "big", opts)
			if err != nil {
				t.Fatal(err)
			}
			times = append(times, time.Since(began))
			listed += len(page.Objects)
			if !page.Truncated {
				break
			}
			opts.Cursor = page.NextCursor
			if mode == "name" {
				opts.Cursor = withoutToken(t, opts.Cursor)
			}
		}
		var total time.Duration
		for _, d := range times {
			total += d
		}
		firstPage, lastPage := times[0], times[len(times)-2] // the last full page
		t.Logf("resume by %s: %d entries in %d pages, %v in all; first page %v, last full page %v",
			mode, listed, len(times), total.Round(time.Millisecond), firstPage.Round(time.Millisecond), lastPage.Round(time.Millisecond))
		if listed != objects {
			t.Fatalf("listed %d, want %d", listed, objects)
		}
		if mode == "token" && lastPage > 3*firstPage+50*time.Millisecond {
			t.Errorf("the last page took %v, the first %v: pages are not flat", lastPage, firstPage)
		}
	}
}
