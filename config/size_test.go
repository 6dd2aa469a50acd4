package config

import "testing"

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1": 1, "1048576": 1 << 20, "5TiB": 5 << 40, "100 MiB": 100 << 20, "2GiB": 2 << 30, "3KiB": 3 << 10} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1", "5TB", "x", "1.5GiB", "99999999999TiB"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) accepted", in)
		}
	}
}

func TestMaxUploadSize(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "GATEWAY_MAX_UPLOAD_SIZE" {
				return v
			}
			return ""
		}
	}
	cfg, err := FromEnv(env(""))
	if err != nil || cfg.MaxUploadSize != 5<<40 {
		t.Fatalf("default: %d, %v", cfg.MaxUploadSize, err)
	}
	if cfg, err = FromEnv(env("64MiB")); err != nil || cfg.MaxUploadSize != 64<<20 {
		t.Fatalf("64MiB: %d, %v", cfg.MaxUploadSize, err)
	}
	for _, bad := range []string{"6TiB", "0", "lots"} {
		if _, err := FromEnv(env(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
