// Package minitest starts a real MinIO server for a test (internal/minioproc
// runs it) and stops it when the test ends.
//
// When no MinIO binary is found, Start fails, unless GATEWAY_ALLOW_NO_MINIO=1
// asks for a skip; CI never sets that, so the integration tests cannot be
// skipped there.
package minitest

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"s3gateway/access"
	"s3gateway/internal/minioproc"
)

// Root credentials of every test server.
const (
	RootUser     = minioproc.RootUser
	RootPassword = minioproc.RootPassword
)

// Options configure a server.
type Options = minioproc.Options

// Server is a running MinIO, with the helpers tests use.
type Server struct {
	*minioproc.Server
}

// Binary finds the MinIO binary.
func Binary() (string, error) { return minioproc.Binary() }

// Start starts a server for t and stops it when t ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.NATS != "" && opts.EventsQueueDir == "" {
		opts.EventsQueueDir = t.TempDir()
	}
	s, err := StartIn(t.TempDir(), opts)
	if err != nil {
		if os.Getenv("GATEWAY_ALLOW_NO_MINIO") == "1" && errors.Is(err, minioproc.ErrNoBinary) {
			t.Skipf("skipping integration test: %v", err)
		}
		t.Fatalf("start minio: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

// StartIn starts a server with its data in dir; the caller must Stop it.
// It is for TestMain, where there is no testing.TB.
func StartIn(dir string, opts Options) (*Server, error) {
	s, err := minioproc.Start(dir, opts)
	if err != nil {
		return nil, err
	}
	return &Server{s}, nil
}

// Tenants parses a tenants file given as YAML and provisions every tenant.
func (s *Server) Tenants(t testing.TB, yaml string) *access.Registry {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	reg, err := s.Provision(ctx, yaml)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}
