// Package integration drives the whole gateway over HTTP, as its users do,
// against a real MinIO that TestMain starts: two tenants provisioned as
// MinIO users whose policies only allow their own bucket prefix, a webhook
// listener for bucket notifications, and the gateway built by server.New.
package integration

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"go.uber.org/zap"

	"s3gateway/access"
	"s3gateway/config"
	"s3gateway/internal/minitest"
	"s3gateway/provision"
	"s3gateway/server"
)

// tenantsYAML is the tenants file every test sees. The store users exist
// in MinIO with policies limited to their prefixes.
func tenantsYAML() string {
	return `
tenants:
  - id: alpha
    bucketPrefix: alpha-
    apiKeys: ["` + alphaKey + `", "` + access.HashKey(alphaHashedKey) + `"]
    s3: {accessKey: alpha-svc, secretKey: alpha-secret-value}
    notificationTargets: ["` + webhookARN + `"]
  - id: beta
    bucketPrefix: beta-
    apiKeys: ["` + betaKey + `"]
    s3: {accessKey: beta-svc, secretKey: beta-secret-value}
    notificationTargets: ["` + betaWebhookARN + `"]
`
}

// Credentials and keys the tests use.
const (
	alphaKey       = "alpha-key-0123456789abcdefghijklmn"
	alphaHashedKey = "alpha-hashed-key" // configured only as its sha256
	betaKey        = "beta-key-0123456789abcdefghijklmno"
	webhookARN     = "arn:minio:sqs::PRIMARY:webhook" // alpha's notification target
	betaWebhookARN = "arn:minio:sqs::BETA:webhook"    // beta's
	testPartSize   = 5 << 20                          // S3's smallest part: multipart paths run with small objects
)

// env is what TestMain set up.
type env struct {
	store   *minitest.Server
	gateway *httptest.Server
	hooks   *webhookRecorder
	pages   *httptest.Server // examples/browser, on an origin of its own
}

var suite env

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	hooks := newWebhookRecorder()
	defer hooks.Close()

	dir, err := os.MkdirTemp("", "gateway-integration-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)

	store, err := minitest.StartIn(dir, minitest.Options{Env: map[string]string{
		"MINIO_NOTIFY_WEBHOOK_ENABLE_PRIMARY":   "on",
		"MINIO_NOTIFY_WEBHOOK_ENDPOINT_PRIMARY": hooks.URL,
		"MINIO_NOTIFY_WEBHOOK_ENABLE_BETA":      "on",
		"MINIO_NOTIFY_WEBHOOK_ENDPOINT_BETA":    hooks.URL,
	}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start minio:", err)
		return 1
	}
	defer store.Stop()

	reg, err := access.Parse([]byte(tenantsYAML()))
	if err != nil {
		fmt.Fprintln(os.Stderr, "tenants:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := provision.All(ctx, store.Admin, reg); err != nil {
		fmt.Fprintln(os.Stderr, "provision:", err, store.Logs())
		return 1
	}

	// The browser example is served from another origin, which the
	// gateway's CORS configuration allows.
	pages := httptest.NewServer(http.FileServer(http.Dir("../examples/browser")))
	defer pages.Close()

	gw, err := newGateway(store, reg, pages.URL)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		return 1
	}
	defer gw.Close()

	suite = env{store: store, gateway: gw, hooks: hooks, pages: pages}
	return m.Run()
}

// newGateway builds the gateway the way main does, with test-sized parts;
// pagesOrigin is allowed by CORS besides http://app.example.
func newGateway(store *minitest.Server, reg *access.Registry, pagesOrigin string) (*httptest.Server, error) {
	cfg, err := config.FromEnv(func(k string) string {
		switch k {
		case "GATEWAY_S3_ENDPOINT":
			return store.Endpoint
		case "GATEWAY_CORS_ORIGINS":
			return "http://app.example," + pagesOrigin
		}
		return ""
	})
	if err != nil {
		return nil, err
	}
	cfg.PartSize = testPartSize
	logger := zap.NewNop()
	if os.Getenv("GATEWAY_TEST_LOG") != "" {
		logger, _ = zap.NewDevelopment()
	}
	srv, err := server.New(server.Options{Config: cfg, Tenants: reg, Logger: logger})
	if err != nil {
		return nil, err
	}
	return httptest.NewServer(srv.Handler()), nil
}

// storeURL is the store's address, for requests that bypass the gateway.
func storeURL() *url.URL {
	u, _ := url.Parse(suite.store.Endpoint)
	return u
}
