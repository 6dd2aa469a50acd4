package provision

import (
	"reflect"
	"testing"
)

// The store reports settings made in its environment as comments, and
// those made with mc admin config set as key=value pairs.
func TestEventTargetSettings(t *testing.T) {
	raw := `notify_nats enable=off address= subject= jetstream=off queue_dir=
# MINIO_NOTIFY_NATS_ENABLE_GATEWAY=on
# MINIO_NOTIFY_NATS_ADDRESS_GATEWAY=127.0.0.1:4222
# MINIO_NOTIFY_NATS_SUBJECT_GATEWAY=gateway.events
# MINIO_NOTIFY_NATS_JETSTREAM_GATEWAY=on
# MINIO_NOTIFY_NATS_QUEUE_DIR_GATEWAY=/queue
notify_nats:GATEWAY 
notify_nats:GATEWAYFAST enable=on address=nats:4222 subject=other jetstream=off queue_dir=
`
	durable := EventTarget{ID: "GATEWAY", Subject: "gateway.events", Queue: true}
	if got := eventTargetProblems(natsSettings(raw, "GATEWAY"), durable); len(got) != 0 {
		t.Errorf("GATEWAY: %v", got)
	}
	fast := EventTarget{ID: "GATEWAYFAST", Subject: "gateway.events"}
	want := []string{
		`MINIO_NOTIFY_NATS_SUBJECT_GATEWAYFAST is "other", want "gateway.events"`,
		"MINIO_NOTIFY_NATS_JETSTREAM_GATEWAYFAST=on is not set",
	}
	if got := eventTargetProblems(natsSettings(raw, "GATEWAYFAST"), fast); !reflect.DeepEqual(got, want) {
		t.Errorf("GATEWAYFAST: %q", got)
	}
	if got := eventTargetProblems(natsSettings(raw, "NOPE"), durable); len(got) != 5 {
		t.Errorf("a missing target: %q", got)
	}
	if TargetID("arn:minio:sqs::GATEWAY:nats") != "GATEWAY" || TargetID("arn:minio:sqs::X:webhook") != "" {
		t.Error("TargetID")
	}
}
