// Package events is the gateway's event engine: it turns the object store's
// bucket notifications into one ordered, deduplicated, replayable log per
// physical bucket, which any number of subscribers read without costing the
// store anything.
//
// # How events flow
//
// MinIO publishes every notification of a bucket whose notification
// configuration names the gateway's target (ARN TargetARN) to a NATS subject
// (Config.Subject, "gateway.events") with JetStream. The engine keeps two
// JetStream streams:
//
//   - the ingest stream (IngestStream) holds the store's raw messages, as
//     published, on Config.Subject, until they are moved to the log (a work
//     queue: it keeps only what is not moved yet). One engine per cluster
//     moves them, the holder of a lease (a key in the KV bucket
//     GATEWAY_EVENTS_LEASE that expires 5 s after its last renewal; Close
//     gives it up at once), so the log keeps the stream's order whichever
//     replica moves. It moves them as a pipeline: it takes raw messages
//     from a durable consumer (IngestConsumer, up to 512 outstanding),
//     publishes their records to the log without waiting for each answer
//     (one connection keeps them in order), and acknowledges each raw
//     message once NATS confirmed its records, in order. A crash before the
//     acknowledgement repeats the publish rather than losing the record;
//     any failure restarts the pipeline with a fresh consumer, which starts
//     again at the first raw message not acknowledged, and so does a new
//     holder of the lease;
//   - the log stream (LogStream) holds one message per event, as the
//     engine's own Event JSON, on the subject of its physical bucket
//     (LogSubject). Each carries a Nats-Msg-Id derived from the record, so a
//     record the store delivers twice (MinIO delivers at least once) is
//     dropped by NATS within Config.DuplicateWindow. Messages live for
//     Config.Retention.
//
// A message's sequence number in the log stream is its event id: it increases
// within a bucket (and across buckets), and every engine on the same NATS sees
// the same ids. Subscribe reads a bucket's subject with an ordered consumer
// from a given id on: first the events after it that are still kept, then live
// ones, nothing missed, nothing twice. An id older than the retention (or
// unknown to the log) yields a Reset message first, then live events.
//
// # Where NATS runs
//
// Without Config.NATSURL the engine runs NATS in-process (nats-server, its
// JetStream file store under Config.DataDir) listening on Config.Listen, the
// address MinIO publishes to. With Config.NATSURL it uses that server or
// cluster instead; replicas of the gateway share it and nothing else.
//
// # What MinIO needs
//
// The store's NATS target with JetStream and a queue directory (MinIO keeps
// events there while NATS is away and sends them later):
//
//	MINIO_NOTIFY_NATS_ENABLE_GATEWAY=on
//	MINIO_NOTIFY_NATS_ADDRESS_GATEWAY=<host:port of NATS>
//	MINIO_NOTIFY_NATS_SUBJECT_GATEWAY=gateway.events
//	MINIO_NOTIFY_NATS_JETSTREAM_GATEWAY=on
//	MINIO_NOTIFY_NATS_QUEUE_DIR_GATEWAY=<absolute dir>
//	MINIO_NOTIFY_NATS_TOKEN_GATEWAY=<Config.Token, when set>
//
// and a queue entry with TargetARN in each bucket's notification
// configuration. With JetStream on, MinIO's publish needs a stream covering
// the subject: Start creates it, and MinIO's queue directory holds what the
// store could not publish before that. MinIO registers its targets in the
// background after it reports ready: until then it refuses TargetARN in a
// notification configuration, so whoever sets it must retry.
//
// With a queue directory MinIO sends every event from that directory on a
// 3-second tick, so events reach the log up to about 3 s after the store
// answered the request. A second target on the same subject without a queue
// directory (e.g. MINIO_NOTIFY_NATS_*_GATEWAYFAST, named next to TargetARN
// in each bucket's configuration) publishes as the request ends; the log
// keeps the first copy of each record and drops the other as a duplicate,
// so events are both prompt and kept while NATS is away.
package events
