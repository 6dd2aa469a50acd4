package config

import (
	"strings"
	"testing"
	"time"
)

func TestLimitDefaults(t *testing.T) {
	cfg, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RateLimit != 0 || cfg.RateBurst != 100 || cfg.MaxUploads != 64 || cfg.BackendCooldown != 5*time.Second {
		t.Errorf("rate %v, burst %d, uploads %d, cooldown %v", cfg.RateLimit, cfg.RateBurst, cfg.MaxUploads, cfg.BackendCooldown)
	}
}

func TestLimitBadValues(t *testing.T) {
	for _, tc := range []struct{ variable, value string }{
		{"GATEWAY_RATE_LIMIT", "-1"},
		{"GATEWAY_RATE_LIMIT", "NaN"},
		{"GATEWAY_RATE_LIMIT", "fast"},
		{"GATEWAY_RATE_BURST", "0"},
		{"GATEWAY_MAX_UPLOADS_PER_TENANT", "-3"},
		{"GATEWAY_BACKEND_COOLDOWN", "5"},
		{"GATEWAY_MAX_STREAMS_PER_TENANT", "-1"},
		{"GATEWAY_BODY_IDLE_TIMEOUT", "0s"},
		{"GATEWAY_METRICS_TENANT_LABELS", "yes"},
	} {
		t.Run(tc.variable+"="+tc.value, func(t *testing.T) {
			_, err := FromEnv(env(map[string]string{tc.variable: tc.value}))
			if err == nil || !strings.Contains(err.Error(), tc.variable) {
				t.Fatalf("error %v does not name %s", err, tc.variable)
			}
		})
	}
}
