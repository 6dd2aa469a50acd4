package provision

import (
	"context"
	"fmt"
	"strings"

	"github.com/minio/madmin-go/v3"
)

// EventTarget is a store NATS target the gateway's event engine needs.
type EventTarget struct {
	ID      string // e.g. GATEWAY, from the ARN arn:minio:sqs::GATEWAY:nats
	Subject string // the subject it must publish to
	// Queue says whether the target must have a queue directory (the
	// durable one); the prompt one has none.
	Queue bool
}

// TargetID is the target id of a store ARN (its fifth part), "" when arn
// does not have the form arn:minio:sqs:region:ID:nats.
func TargetID(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[5] != "nats" {
		return ""
	}
	return parts[4]
}

// CheckEventTarget reads the store's NATS target settings (from its
// configuration and its environment) and lists what target lacks for the
// gateway's event engine; none when it is ready.
func CheckEventTarget(ctx context.Context, admin *madmin.AdminClient, target EventTarget) ([]string, error) {
	raw, err := admin.GetConfigKV(ctx, "notify_nats")
	if err != nil {
		return nil, fmt.Errorf("read the store's notify_nats settings: %w", err)
	}
	return eventTargetProblems(natsSettings(string(raw), target.ID), target), nil
}

// natsSettings gathers the settings of target id from the store's answer:
// "notify_nats:ID key=value ..." lines and, for settings made in the
// environment, "# MINIO_NOTIFY_NATS_KEY_ID=value" lines (which win).
func natsSettings(raw, id string) map[string]string {
	kv := map[string]string{}
	for _, line := range strings.Split(raw, "\n") {
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(line, "notify_nats:"+id+" "); ok {
			for _, f := range strings.Fields(rest) {
				if k, v, ok := strings.Cut(f, "="); ok {
					kv[k] = strings.Trim(v, `"`)
				}
			}
		}
	}
	for _, line := range strings.Split(raw, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "# MINIO_NOTIFY_NATS_")
		if !ok {
			continue
		}
		name, v, ok := strings.Cut(rest, "=")
		if key, ok2 := strings.CutSuffix(name, "_"+id); ok && ok2 {
			kv[strings.ToLower(key)] = v
		}
	}
	return kv
}

func eventTargetProblems(kv map[string]string, t EventTarget) []string {
	env := func(key string) string { return "MINIO_NOTIFY_NATS_" + key + "_" + t.ID }
	var out []string
	if kv["enable"] != "on" {
		out = append(out, env("ENABLE")+"=on is not set")
	}
	if kv["address"] == "" {
		out = append(out, env("ADDRESS")+" (host:port of the gateway's NATS) is not set")
	}
	if kv["subject"] != t.Subject {
		out = append(out, fmt.Sprintf("%s is %q, want %q", env("SUBJECT"), kv["subject"], t.Subject))
	}
	if kv["jetstream"] != "on" {
		out = append(out, env("JETSTREAM")+"=on is not set")
	}
	if t.Queue && kv["queue_dir"] == "" {
		out = append(out, env("QUEUE_DIR")+" (an absolute directory, where the store keeps events while NATS is away) is not set")
	}
	return out
}
