package main

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// healthcheck polls a URL until it answers 2xx or the wait is over. The
// container image has no shell tools, and make run needs nothing but Go, so
// the gateway binary checks health itself.
func healthcheck(ctx context.Context, args []string) error {
	wait := time.Duration(0)
	if len(args) == 2 {
		d, err := time.ParseDuration(args[1])
		if err != nil {
			return fmt.Errorf("healthcheck: wait %q: %w", args[1], err)
		}
		wait = d
	}
	ctx, cancel := context.WithTimeout(ctx, wait+2*time.Second)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	var last error
	for {
		if last = probe(ctx, client, args[0]); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("healthcheck %s: %w", args[0], last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func probe(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}
