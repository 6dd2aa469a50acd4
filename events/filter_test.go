package events

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestFilter_match(t *testing.T) {
	put := Event{Type: "s3:ObjectCreated:Put", Name: "u1/photos/a.jpg"}
	del := Event{Type: "s3:ObjectRemoved:Delete", Name: "u1/photos/a.jpg"}
	for _, tc := range []struct {
		name string
		f    Filter
		ev   Event
		want bool
	}{
		{"zero_takes_all", Filter{}, put, true},
		{"scope_in", Filter{Scope: "u1/"}, put, true},
		{"scope_out", Filter{Scope: "u2/"}, put, false},
		{"scope_and_prefix_both_needed", Filter{Scope: "u2/", Prefix: "u1/"}, put, false},
		{"prefix_out", Filter{Prefix: "u1/docs/"}, put, false},
		{"suffix_in", Filter{Suffix: ".jpg"}, put, true},
		{"suffix_out", Filter{Suffix: ".png"}, put, false},
		{"type_pattern_in", Filter{Types: []string{"s3:ObjectCreated:*"}}, put, true},
		{"type_pattern_out", Filter{Types: []string{"s3:ObjectCreated:*"}}, del, false},
		{"type_exact_in", Filter{Types: []string{"s3:ObjectRemoved:Delete"}}, del, true},
		{"type_exact_is_not_a_prefix", Filter{Types: []string{"s3:ObjectRemoved:Del"}}, del, false},
		{"any_of_types", Filter{Types: []string{"s3:ObjectAccessed:*", "s3:ObjectRemoved:*"}}, del, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f.Match(tc.ev); got != tc.want {
				t.Fatalf("%+v.Match(%+v) = %v, want %v", tc.f, tc.ev, got, tc.want)
			}
		})
	}
}

func TestLogSubject(t *testing.T) {
	got, err := LogSubject("t1-photos.2026")
	if err != nil || got != "gateway.log.t1-photos_2026" {
		t.Fatalf("LogSubject = %q, %v", got, err)
	}
	for _, bad := range []string{"", "a b", "a*", "a>", "a_b"} {
		if _, err := LogSubject(bad); err == nil {
			t.Errorf("LogSubject(%q) accepted", bad)
		}
	}
}

func TestToEvent_decodesKeyAndDerivesID(t *testing.T) {
	var rec storeRecord
	rec.EventName = "s3:ObjectAccessed:Get"
	rec.EventTime = "2026-02-20T10:00:00.123Z"
	rec.S3.Bucket.Name = "b"
	rec.S3.Object.Key = "dir%2Fa+b%25c"
	rec.S3.Object.ETag = `"abc"`
	rec.ResponseElements = map[string]string{"x-amz-request-id": "R1"}
	ev, id, err := toEvent(rec)
	if err != nil || ev.Name != "dir/a b%c" || ev.ETag != "abc" || !ev.Time.Equal(time.Date(2026, 2, 20, 10, 0, 0, 123e6, time.UTC)) {
		t.Fatalf("toEvent = %+v, %v", ev, err)
	}
	// A second read of the same object shares the sequencer; only the
	// request tells them apart.
	rec.ResponseElements["x-amz-request-id"] = "R2"
	if _, id2, _ := toEvent(rec); id2 == id {
		t.Fatal("two requests got one id")
	}
	rec.S3.Object.Key = "%zz"
	if _, _, err := toEvent(rec); err == nil {
		t.Fatal("a key that does not decode was accepted")
	}
}

func TestStart_badConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no_data_dir", Config{}, "data directory is required"},
		{"relative_data_dir", Config{DataDir: "data"}, "must be absolute"},
		{"window_beyond_retention", Config{DataDir: "/x", Retention: time.Minute, DuplicateWindow: time.Hour}, "duplicate window"},
		{"subject_overlaps_log", Config{DataDir: "/x", Subject: "gateway.log.x"}, "overlaps"},
		{"wildcard_subject", Config{DataDir: "/x", Subject: "a.*"}, "not a valid"},
		{"bad_listen", Config{DataDir: "/x", Listen: "nowhere"}, "listen address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Start(context.Background(), tc.cfg, testLogger(t))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Start: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestReady_failsWhileExternalNATSIsAway(t *testing.T) {
	n := startNATS(t)
	e := startEngine(t, Config{NATSURL: n.url()})
	waitReady(t, e)
	n.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := e.Ready(ctx); err == nil {
		t.Fatal("ready without NATS")
	}
	n.restart(t)
	waitReady(t, e)
}
