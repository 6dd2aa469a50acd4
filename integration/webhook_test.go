package integration

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"s3gateway/internal/testwait"
)

// webhookRecorder is the endpoint of the store's webhook notification
// target: it keeps every body the store delivers.
type webhookRecorder struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
}

func newWebhookRecorder() *webhookRecorder {
	w := &webhookRecorder{}
	w.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		w.bodies = append(w.bodies, string(body))
		w.mu.Unlock()
	}))
	return w
}

// waitFor reports whether a delivery containing every one of parts arrives
// within limit.
func (w *webhookRecorder) waitFor(limit time.Duration, parts ...string) bool {
	return testwait.Within(limit, func() bool { return w.has(parts...) })
}

func (w *webhookRecorder) has(parts ...string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
next:
	for _, b := range w.bodies {
		for _, p := range parts {
			if !strings.Contains(b, p) {
				continue next
			}
		}
		return true
	}
	return false
}
