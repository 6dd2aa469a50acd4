package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/minio/minio-go/v7"
)

// path is one way to the objects: minio-go straight to the store or
// through nginx, Console's REST API, or plain HTTP through the gateway. All
// act on the same bucket, with the same names.
type path interface {
	name() string
	// proxyPID is the process between the client and the store, 0 for none.
	proxyPID() int
	// supports reports whether the path has a way to do op.
	supports(op string) bool
	put(ctx context.Context, key string, body io.Reader, size int64) error
	get(ctx context.Context, key string, buf []byte) (int64, error)
	stat(ctx context.Context, key string) error
	// list reads one page of at most 1000 entries under prefix.
	list(ctx context.Context, prefix string) (int, error)
}

// The paths, in the order of the report.
const (
	pathDirect     = "direct"
	pathNginx      = "nginx"
	pathConsole    = "console"
	pathGateway    = "gateway"
	pathGatewayStd = "gateway_std" // the standard transport for object reads
)

// drain reads r to its end through buf and returns the byte count.
func drain(r io.Reader, buf []byte) (int64, error) {
	var n int64
	for {
		k, err := r.Read(buf)
		n += int64(k)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// directPath is minio-go with the tenant's credentials on the physical
// bucket: PutObject (which uploads a large io.ReaderAt in parallel parts),
// Core.GetObject, StatObject and one ListObjectsV2 request per page.
// minio-go's default over plain HTTP signs every 64 KiB of an upload
// (SHA-256 in client and store); unsigned sends UNSIGNED-PAYLOAD instead,
// as the gateway does. The nginx path is the same client pointed at nginx.
type directPath struct {
	label    string
	client   *minio.Client
	phys     string
	pid      int
	unsigned bool
}

func (e *env) directPath() directPath {
	return directPath{label: pathDirect, client: e.direct, phys: e.phys}
}

func (d directPath) name() string         { return d.label }
func (d directPath) proxyPID() int        { return d.pid }
func (d directPath) supports(string) bool { return true }

func (d directPath) put(ctx context.Context, key string, body io.Reader, size int64) error {
	_, err := d.client.PutObject(ctx, d.phys, key, body, size, minio.PutObjectOptions{
		ContentType: "application/octet-stream", DisableContentSha256: d.unsigned,
	})
	return err
}

func (d directPath) get(ctx context.Context, key string, buf []byte) (int64, error) {
	body, _, _, err := minio.Core{Client: d.client}.GetObject(ctx, d.phys, key, minio.GetObjectOptions{})
	if err != nil {
		return 0, err
	}
	defer body.Close()
	return drain(body, buf)
}

func (d directPath) stat(ctx context.Context, key string) error {
	_, err := d.client.StatObject(ctx, d.phys, key, minio.StatObjectOptions{})
	return err
}

func (d directPath) list(_ context.Context, prefix string) (int, error) {
	res, err := minio.Core{Client: d.client}.ListObjectsV2(d.phys, prefix, "", "", "", 1000)
	return len(res.Contents), err
}

// gatewayPath is net/http against a gateway's REST API.
type gatewayPath struct {
	e      *env
	gw     *gatewayProc
	digest string // a Repr-Digest to send with uploads, "" for none
}

func (g gatewayPath) name() string       { return g.gw.name }
func (g gatewayPath) proxyPID() int      { return g.gw.pid() }
func (gatewayPath) supports(string) bool { return true }

// put sends body with its Content-Length, or chunked when size is -1.
func (g gatewayPath) put(ctx context.Context, key string, body io.Reader, size int64) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, objectURL(g.gw.url, key), io.NopCloser(body))
	if err != nil {
		return err
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	if g.digest != "" {
		req.Header.Set("Repr-Digest", g.digest)
	}
	resp, err := g.e.do(req)
	if err != nil {
		return err
	}
	return expect(resp, http.StatusCreated, nil)
}

func (g gatewayPath) get(ctx context.Context, key string, buf []byte) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, objectURL(g.gw.url, key), nil)
	if err != nil {
		return 0, err
	}
	resp, err := g.e.do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, expect(resp, http.StatusOK, nil)
	}
	return drain(resp.Body, buf)
}

func (g gatewayPath) stat(ctx context.Context, key string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		g.gw.url+"/api/v1/buckets/"+bucketName+"/stat/"+key, nil)
	if err != nil {
		return err
	}
	resp, err := g.e.do(req)
	if err != nil {
		return err
	}
	var st struct {
		Size int64  `json:"size"`
		ETag string `json:"etag"`
	}
	return expect(resp, http.StatusOK, &st)
}

func (g gatewayPath) list(ctx context.Context, prefix string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		g.gw.url+"/api/v1/buckets/"+bucketName+"/objects?recursive=true&limit=1000&prefix="+prefix, nil)
	if err != nil {
		return 0, err
	}
	resp, err := g.e.do(req)
	if err != nil {
		return 0, err
	}
	var page struct {
		Objects []struct {
			Name         string `json:"name"`
			Size         int64  `json:"size"`
			ETag         string `json:"etag"`
			LastModified string `json:"lastModified"`
		} `json:"objects"`
		Truncated bool `json:"truncated"`
	}
	err = expect(resp, http.StatusOK, &page)
	return len(page.Objects), err
}

// expect checks the status of resp, decodes its JSON body into v (when not
// nil), and closes it.
func expect(resp *http.Response, status int, v any) error {
	defer resp.Body.Close()
	if resp.StatusCode != status {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("%s %s: %s: %s", resp.Request.Method, resp.Request.URL.Path, resp.Status, bytes.TrimSpace(b))
	}
	if v != nil {
		return json.NewDecoder(resp.Body).Decode(v)
	}
	_, err := io.Copy(io.Discard, resp.Body)
	return err
}

// listPage reads one page (1,000 at most) of every object under prefix,
// from cursor ("" for the first); next is "" on the last page.
func (g gatewayPath) listPage(ctx context.Context, prefix, cursor string) (n int, next string, _ error) {
	u := g.gw.url + "/api/v1/buckets/" + bucketName + "/objects?recursive=true&limit=1000&prefix=" + url.QueryEscape(prefix)
	if cursor != "" {
		u += "&cursor=" + url.QueryEscape(cursor)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := g.e.do(req)
	if err != nil {
		return 0, "", err
	}
	var page struct {
		Objects    []json.RawMessage `json:"objects"`
		NextCursor string            `json:"nextCursor"`
		Truncated  bool              `json:"truncated"`
	}
	if err := expect(resp, http.StatusOK, &page); err != nil {
		return 0, "", err
	}
	if page.Truncated && page.NextCursor == "" {
		return 0, "", fmt.Errorf("list: truncated page without nextCursor")
	}
	return len(page.Objects), page.NextCursor, nil
}
