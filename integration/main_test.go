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
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"

	"s3gateway/access"
	"s3gateway/config"
	"s3gateway/internal/devidp"
	"s3gateway/internal/minioproc"
	"s3gateway/internal/minitest"
	"s3gateway/provision"
	"s3gateway/server"
)

// tenantsYAML is the tenants file every test sees. The store users exist
// in MinIO with policies limited to their prefixes. Alpha accepts the
// suite's identity provider's user tokens for its bucket user-files under
// users/<sub>/.
func tenantsYAML() string {
	var userTokens string
	if suite.idp != nil {
		userTokens = `
    jwt:
      issuer: ` + suite.idp.URL() + `
      audience: ` + suite.idp.Audience() + `
      jwksUrl: ` + suite.idp.JWKSURL() + `
      scopes: [objects:read, objects:list, objects:write, objects:delete, events:read]
      buckets: [` + userFilesBucket + `]
      prefixTemplate: "users/{sub}/"`
	}
	return `
tenants:
  - id: alpha
    bucketPrefix: alpha-
    apiKeys: ["` + alphaKey + `", "` + access.HashKey(alphaHashedKey) + `"]
    s3: {accessKey: alpha-svc, secretKey: alpha-secret-value}
    scopedKeys:
      - {id: share-reader, key: "` + alphaShareKey + `", scopes: [objects:read, objects:list], prefix: share/, expires: ` + time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `}
    notificationTargets: ["` + webhookARN + `"]` + userTokens + `
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
	// alphaShareKey is a scoped key of alpha: read and list under share/,
	// expiring an hour after the suite starts.
	alphaShareKey  = "alpha-share-key-0123456789abcdefghij"
	betaKey        = "beta-key-0123456789abcdefghijklmno"
	webhookARN     = "arn:minio:sqs::PRIMARY:webhook" // alpha's notification target
	betaWebhookARN = "arn:minio:sqs::BETA:webhook"    // beta's
	testPartSize   = 5 << 20                          // S3's smallest part: multipart paths run with small objects
)

// userFilesBucket is the one bucket of alpha that user tokens reach.
const userFilesBucket = "user-files"

// env is what TestMain set up.
type env struct {
	store   *minitest.Server
	gateway *httptest.Server
	hooks   *webhookRecorder
	pages   *httptest.Server // examples/browser, on an origin of its own
	// idp is the identity provider whose user tokens alpha accepts: a key
	// generated per run, its key set served over HTTP.
	idp *devidp.Provider
	// natsAddr is where the gateway's embedded NATS listens and the
	// store publishes events.
	natsAddr string
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

	// The browser examples are served from another origin, which the
	// gateway's and the store's CORS configurations allow.
	pages := httptest.NewServer(http.FileServer(http.Dir("../examples/browser")))
	defer pages.Close()

	// The example page signs in with tokens of this provider.
	idp, err := devidp.Start(devidp.Options{Addr: "127.0.0.1:0", Audience: "browser-example", Origins: []string{pages.URL}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "identity provider:", err)
		return 1
	}
	defer idp.Close()
	suite.idp = idp // tenantsYAML names it

	// The store publishes events to the gateway's NATS, which starts
	// after it: its address is chosen first.
	natsAddr, err := minioproc.FreeAddr()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	store, err := minitest.StartIn(filepath.Join(dir, "store"), minitest.Options{
		Env: map[string]string{
			"MINIO_NOTIFY_WEBHOOK_ENABLE_PRIMARY":   "on",
			"MINIO_NOTIFY_WEBHOOK_ENDPOINT_PRIMARY": hooks.URL,
			"MINIO_NOTIFY_WEBHOOK_ENABLE_BETA":      "on",
			"MINIO_NOTIFY_WEBHOOK_ENDPOINT_BETA":    hooks.URL,
			"MINIO_API_CORS_ALLOW_ORIGIN":           "http://app.example," + pages.URL,
		},
		NATS:           natsAddr,
		EventsQueueDir: filepath.Join(dir, "events-queue"),
	})
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

	gw, srv, err := newGateway(store, reg, pages.URL, natsAddr, filepath.Join(dir, "gateway-data"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		return 1
	}
	defer srv.Close()
	defer gw.Close()

	suite = env{store: store, gateway: gw, hooks: hooks, pages: pages, idp: idp, natsAddr: natsAddr}
	return m.Run()
}

// newGateway builds the gateway the way main does, with test-sized parts,
// its embedded NATS on natsAddr with its data in dataDir; pagesOrigin is
// allowed by CORS besides http://app.example.
func newGateway(store *minitest.Server, reg *access.Registry, pagesOrigin, natsAddr, dataDir string) (*httptest.Server, *server.Server, error) {
	cfg, err := config.FromEnv(func(k string) string {
		switch k {
		case "GATEWAY_S3_ENDPOINT":
			return store.Endpoint
		case "GATEWAY_CORS_ORIGINS":
			return "http://app.example," + pagesOrigin
		case "GATEWAY_NATS_LISTEN":
			return natsAddr
		case "GATEWAY_DATA_DIR":
			return dataDir
		}
		return ""
	})
	if err != nil {
		return nil, nil, err
	}
	cfg.PartSize = testPartSize
	logger := zap.NewNop()
	if os.Getenv("GATEWAY_TEST_LOG") != "" {
		logger, _ = zap.NewDevelopment()
	}
	srv, err := server.New(server.Options{Config: cfg, Tenants: reg, Logger: logger})
	if err != nil {
		return nil, nil, err
	}
	return httptest.NewServer(srv.Handler()), srv, nil
}

// storeURL is the store's address, for requests that bypass the gateway.
func storeURL() *url.URL {
	u, _ := url.Parse(suite.store.Endpoint)
	return u
}
