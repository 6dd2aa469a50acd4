package events

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
)

// Event is one change to an object, in the engine's own terms.
type Event struct {
	Type   string    `json:"type"`   // the store's event name, e.g. s3:ObjectCreated:Put
	Bucket string    `json:"bucket"` // the physical bucket
	Name   string    `json:"name"`   // the object key, decoded
	Size   int64     `json:"size"`
	ETag   string    `json:"etag"` // without quotes
	Time   time.Time `json:"time"` // when the store saw it
}

// storeLog is the message MinIO's NATS target publishes: one record per
// message (its Key is bucket/object, the object decoded).
type storeLog struct {
	EventName string        `json:"EventName"`
	Key       string        `json:"Key"`
	Records   []storeRecord `json:"Records"`
}

// storeRecord is the part of an S3 event record the engine uses.
type storeRecord struct {
	EventName        string            `json:"eventName"`
	EventTime        string            `json:"eventTime"`
	ResponseElements map[string]string `json:"responseElements"`
	S3               struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object struct {
			Key       string `json:"key"` // URL-encoded (query escaping)
			Size      int64  `json:"size"`
			ETag      string `json:"eTag"`
			VersionID string `json:"versionId"`
			Sequencer string `json:"sequencer"`
		} `json:"object"`
	} `json:"s3"`
}

// publishTimeout bounds the wait for NATS's answer to a publish to the log.
const publishTimeout = 5 * time.Second

// retryDelay is how long moving waits before it starts again after a
// failure (NATS away, the log refusing).
const retryDelay = time.Second

// publish sends the records of one raw message to the log without waiting
// for NATS's answers. A message that cannot be parsed is dropped for good,
// as is a record that cannot be read.
func (e *Engine) publish(msg jetstream.Msg) (moved, error) {
	m := moved{msg: msg}
	var raw storeLog
	if err := json.Unmarshal(msg.Data(), &raw); err != nil {
		e.log.Warn("events: dropping a store notification that is not JSON", zap.Error(err))
		e.metrics.Malformed()
		m.drop = true
		return m, nil
	}
	for _, rec := range raw.Records {
		ev, id, err := toEvent(rec)
		var subject string
		if err == nil {
			subject, err = LogSubject(ev.Bucket)
		}
		if err != nil {
			e.log.Warn("events: dropping a store record", zap.Error(err), zap.String("key", raw.Key))
			e.metrics.Malformed()
			continue
		}
		data, err := json.Marshal(ev)
		if err != nil {
			return m, fmt.Errorf("encode event: %w", err)
		}
		f, err := e.publishAsync(subject, data, id)
		if err != nil {
			return m, fmt.Errorf("publish to %s: %w", subject, err)
		}
		m.futures = append(m.futures, f)
	}
	return m, nil
}

// publishAsync publishes one event to the log without waiting for the
// answer. No retries by the client: a retried publish could land after the
// next ones; a failure starts the pipeline again instead. Only a publish
// the client refused to send, because too many of the connection's
// publishes await answers, is tried again: it was not sent, and those
// answers come within publishTimeout.
func (e *Engine) publishAsync(subject string, data []byte, id string) (jetstream.PubAckFuture, error) {
	for deadline := time.Now().Add(publishTimeout); ; {
		f, err := e.js.PublishAsync(subject, data, jetstream.WithMsgID(id),
			jetstream.WithExpectStream(LogStream), jetstream.WithRetryAttempts(0))
		if !errors.Is(err, jetstream.ErrTooManyStalledMsgs) || time.Now().After(deadline) {
			return f, err
		}
	}
}

// toEvent converts a store record and derives its deduplication id.
func toEvent(rec storeRecord) (Event, string, error) {
	key, err := url.QueryUnescape(rec.S3.Object.Key)
	if err != nil {
		return Event{}, "", fmt.Errorf("object key %q: %w", rec.S3.Object.Key, err)
	}
	if rec.S3.Bucket.Name == "" || rec.EventName == "" {
		return Event{}, "", errors.New("record without bucket or event name")
	}
	ev := Event{
		Type:   rec.EventName,
		Bucket: rec.S3.Bucket.Name,
		Name:   key,
		Size:   rec.S3.Object.Size,
		ETag:   strings.Trim(rec.S3.Object.ETag, `"`),
	}
	if t, err := time.Parse(time.RFC3339Nano, rec.EventTime); err == nil {
		ev.Time = t.UTC()
	}
	return ev, recordID(rec), nil
}

// recordID identifies a record across the store's repeated deliveries. The
// sequencer alone is not enough: MinIO derives it from the object's
// modification time, which two reads of one object share, so the request id
// and the event time take part too.
func recordID(rec storeRecord) string {
	h := sha256.New()
	for _, part := range []string{
		rec.S3.Bucket.Name, rec.S3.Object.Key, rec.EventName, rec.S3.Object.Sequencer,
		rec.S3.Object.VersionID, rec.S3.Object.ETag, rec.EventTime,
		rec.ResponseElements["x-amz-request-id"],
	} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// LogSubject is the log subject of a physical bucket. Bucket names may hold
// dots, which separate NATS subject tokens; they become underscores, which
// bucket names never hold.
func LogSubject(bucket string) (string, error) {
	if bucket == "" || strings.ContainsAny(bucket, " \t\r\n*>_") {
		return "", fmt.Errorf("bucket name %q cannot name a subject", bucket)
	}
	return logSubjectRoot + "." + strings.ReplaceAll(bucket, ".", "_"), nil
}

// validSubject checks a subject MinIO publishes to.
func validSubject(s string) error {
	if s == "" || strings.ContainsAny(s, " \t\r\n*>") || strings.HasPrefix(s, ".") ||
		strings.HasSuffix(s, ".") || strings.Contains(s, "..") {
		return fmt.Errorf("%q is not a valid NATS subject", s)
	}
	if s == logSubjectRoot || strings.HasPrefix(s, logSubjectRoot+".") {
		return fmt.Errorf("%q overlaps the log's subjects %s.>", s, logSubjectRoot)
	}
	return nil
}
