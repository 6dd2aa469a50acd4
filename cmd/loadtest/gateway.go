package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// gateway is an HTTP client of the gateway as the load tenant.
type gateway struct {
	base string
	http *http.Client
}

func (g *gateway) request(ctx context.Context, method, path string, body io.Reader, size int64, hdr map[string]string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, g.base+path, body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.ContentLength = size // -1: chunked
	}
	req.Header.Set("Authorization", "Bearer "+tenantKey)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return g.http.Do(req)
}

func (g *gateway) createBucket(ctx context.Context) error {
	resp, err := g.request(ctx, http.MethodPost, "/api/v1/buckets", strings.NewReader(`{"name":"`+bucket+`"}`), -1, nil)
	if err != nil {
		return fmt.Errorf("create bucket: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("create bucket: %d %s", resp.StatusCode, b)
	}
	return nil
}

func (g *gateway) waitReady(ctx context.Context, limit time.Duration) error {
	end := time.Now().Add(limit)
	for time.Now().Before(end) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, g.base+"/readyz", nil)
		if resp, err := g.http.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("gateway not ready after %s", limit)
}
