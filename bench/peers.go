package bench

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// nginxConfig is the whole configuration of the nginx peer: a plain
// reverse proxy to MinIO that streams uploads through (no request
// buffering), holds answers in memory buffers only (never temporary
// files), keeps its connections to MinIO alive, and writes an access log
// line per request as the gateway does (buffered). One process, no
// master, so that its CPU time is one /proc entry. %[1]s is its directory,
// %[2]s its listen address, %[3]s MinIO's.
const nginxConfig = `daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 4096; }
http {
    access_log %[1]s/access.log combined buffer=64k flush=1s;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    upstream minio {
        server %[3]s;
        keepalive 256;
    }
    server {
        listen %[2]s;
        client_max_body_size 0;
        proxy_request_buffering off;
        proxy_buffer_size 64k;
        proxy_buffers 8 64k;
        proxy_busy_buffers_size 128k;
        proxy_max_temp_file_size 0;
        location / {
            proxy_pass http://minio;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
        }
    }
}
`

// NginxConfigExample is nginxConfig as the report shows it.
func NginxConfigExample() string {
	return fmt.Sprintf(nginxConfig, "$DIR", "127.0.0.1:$PORT", "127.0.0.1:$MINIO_PORT")
}

// consoleBin is MinIO Console, installed next to MinIO by make bench-deps.
func consoleBin() string {
	if bin := os.Getenv("CONSOLE_BIN"); bin != "" {
		return bin
	}
	return filepath.Join(filepath.Dir(minioBin()), "console")
}

func minioBin() string {
	if bin := os.Getenv("MINIO_BIN"); bin != "" {
		return bin
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "s3gateway", "bin", "minio")
}

// startPeers starts nginx and Console in front of MinIO when they are
// installed; a missing one is left out of the report, with a note.
func (e *env) startPeers(ctx context.Context) error {
	bin, err := exec.LookPath("nginx")
	if err != nil && fileExists("/usr/sbin/nginx") {
		bin, err = "/usr/sbin/nginx", nil
	}
	if err == nil {
		if err := e.startNginx(ctx, bin); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(e.cfg.Log, "nginx not installed (make bench-deps): left out")
	}
	if bin := consoleBin(); fileExists(bin) {
		if err := e.startConsole(ctx, bin); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.cfg.Log, "Console not at %s (make bench-deps): left out\n", bin)
	}
	return nil
}

func (e *env) startNginx(ctx context.Context, bin string) error {
	dir := filepath.Join(e.dir, "nginx")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(nginxConfig, dir, addr, e.minioHost)), 0o644); err != nil {
		return err
	}
	if e.nginx, err = startProc(pathNginx, e.dir, nil, bin, "-e", filepath.Join(dir, "error.log"), "-p", dir, "-c", conf); err != nil {
		return err
	}
	e.nginxURL = "http://" + addr
	// MinIO answers an anonymous request to its health path.
	if err := e.nginx.waitHTTP(ctx, e.nginxURL+"/minio/health/live", http.StatusOK, 30*time.Second); err != nil {
		return err
	}
	e.nginxClient, err = minio.New(addr, &minio.Options{
		Creds: credentials.NewStaticV4(e.tenant.AccessKey, e.tenant.SecretKey, ""),
	})
	return err
}

func (e *env) startConsole(ctx context.Context, bin string) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	host, port, _ := strings.Cut(addr, ":")
	env := []string{
		"CONSOLE_MINIO_SERVER=http://" + e.minioHost,
		"CONSOLE_PBKDF_PASSPHRASE=" + randomHex(16),
		"CONSOLE_PBKDF_SALT=" + randomHex(16),
	}
	if e.console, err = startProc(pathConsole, e.dir, env, bin, "server", "--host", host, "--port", port); err != nil {
		return err
	}
	e.consoleURL = "http://" + addr
	if err := e.console.waitHTTP(ctx, e.consoleURL+"/api/v1/login", http.StatusOK, 60*time.Second); err != nil {
		return err
	}
	return e.consoleLogin(ctx)
}

// consoleLogin logs in to Console with the tenant's store credentials;
// the session cookie goes in e.consoleHTTP's jar.
func (e *env) consoleLogin(ctx context.Context) error {
	jar, _ := cookiejar.New(nil)
	e.consoleHTTP = &http.Client{Jar: jar, Transport: e.http.Transport}
	body := fmt.Sprintf(`{"accessKey":%q,"secretKey":%q}`, e.tenant.AccessKey, e.tenant.SecretKey)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.consoleURL+"/api/v1/login", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.consoleHTTP.Do(req)
	if err != nil {
		return err
	}
	return expect(resp, http.StatusNoContent, nil)
}

// consolePath is Console's REST API with a session of the tenant's store
// credentials: its object download and upload endpoints, and, for stat,
// the object listing with metadata its object page uses. It has no way to
// list one page of 1,000.
type consolePath struct{ e *env }

func (consolePath) name() string            { return pathConsole }
func (c consolePath) proxyPID() int         { return c.e.console.pid() }
func (consolePath) supports(op string) bool { return op != "list" }

func (c consolePath) objectsURL(suffix, key string, q url.Values) string {
	if q == nil {
		q = url.Values{}
	}
	q.Set("prefix", key)
	return c.e.consoleURL + "/api/v1/buckets/" + c.e.phys + "/objects" + suffix + "?" + q.Encode()
}

func (c consolePath) get(ctx context.Context, key string, buf []byte) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.objectsURL("/download", key, nil), nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.e.consoleHTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, expect(resp, http.StatusOK, nil)
	}
	return drain(resp.Body, buf)
}

// put sends one multipart/form-data file, streamed; Console wants the
// size as the form field's name.
func (c consolePath) put(ctx context.Context, key string, body io.Reader, size int64) error {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, err := mw.CreateFormFile(strconv.FormatInt(size, 10), filepath.Base(key))
		if err == nil {
			_, err = io.Copy(part, body)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.objectsURL("/upload", key, nil), pr)
	if err != nil {
		pr.Close()
		return err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.e.consoleHTTP.Do(req)
	if err != nil {
		return err
	}
	return expect(resp, http.StatusOK, nil)
}

func (c consolePath) stat(ctx context.Context, key string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		c.objectsURL("", key, url.Values{"with_metadata": {"true"}}), nil)
	if err != nil {
		return err
	}
	resp, err := c.e.consoleHTTP.Do(req)
	if err != nil {
		return err
	}
	var page struct {
		Objects []struct {
			Name string `json:"name"`
			Size int64  `json:"size"`
		} `json:"objects"`
	}
	if err := expect(resp, http.StatusOK, &page); err != nil {
		return err
	}
	for _, o := range page.Objects {
		if o.Name == key {
			return nil
		}
	}
	return fmt.Errorf("console stat %s: not in the %d objects listed", key, len(page.Objects))
}

func (consolePath) list(context.Context, string) (int, error) {
	return 0, fmt.Errorf("console: no paged listing")
}

// peerPaths are the paths of a run: direct, then every peer that runs.
func (e *env) peerPaths() []path {
	out := []path{e.directPath()}
	if e.nginx != nil {
		out = append(out, directPath{label: pathNginx, client: e.nginxClient, phys: e.phys, pid: e.nginx.pid()})
	}
	if e.console != nil {
		out = append(out, consolePath{e})
	}
	return append(out, gatewayPath{e: e, gw: e.gateway}, gatewayPath{e: e, gw: e.gatewayStd})
}
