package miniostore

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/notification"
	"go.uber.org/zap"

	"s3gateway/errs"
	"s3gateway/internal/logctx"
)

// Resuming a dropped event stream: the wait between attempts starts at
// listenBackoffMin and doubles up to listenBackoffMax; it starts from the
// minimum again once a resumed stream has lasted listenStable.
const (
	listenBackoffMin = 250 * time.Millisecond
	listenBackoffMax = 5 * time.Second
	listenStable     = 10 * time.Second
)

// defaultListenEvents are the events of a stream that names none.
var defaultListenEvents = []string{"s3:ObjectCreated:*", "s3:ObjectRemoved:*", "s3:ObjectAccessed:*"}

// errStreamEnded is the store client closing its stream without an error.
var errStreamEnded = errors.New("the store's event stream ended")

// ListenBucket implements Events.
//
// The store's stream is read by the store client's own goroutine. When it
// fails or ends while ctx is alive, the stream says NoticeReconnecting, waits
// (with backoff) until the store answers for the bucket again, says
// NoticeReconnected and listens anew; events that happen in between are not
// delivered. The stream ends for good, closing the channel, when ctx ends
// (after the store client's goroutine has ended) or when the bucket is gone
// or the store refuses the listen request as invalid.
func (m *MinIO) ListenBucket(ctx context.Context, bucket string, filter EventFilter) (<-chan StreamItem, error) {
	tc, err := m.tenantFor(ctx)
	if err != nil {
		return nil, err
	}
	physical, err := physicalBucket(tc.tenant, bucket)
	if err != nil {
		return nil, err
	}
	events := filter.Events
	if len(events) == 0 {
		events = defaultListenEvents
	}
	for _, e := range events {
		if err := ValidateEventName(e); err != nil {
			return nil, err
		}
	}
	if err := validateKeyFilter("prefix", filter.Prefix); err != nil {
		return nil, err
	}
	if err := validateKeyFilter("suffix", filter.Suffix); err != nil {
		return nil, err
	}
	l := &bucketListener{
		m: m, tc: tc, logical: bucket, physical: physical,
		prefix: filter.Prefix, suffix: filter.Suffix, events: append([]string(nil), events...),
		out: make(chan StreamItem),
		log: logctx.From(ctx).With(zap.String("bucket", bucket)),
	}
	exists, err := l.bucketExists(ctx)
	if err != nil {
		return nil, translate(err, bucket, "")
	}
	if !exists {
		return nil, errs.New(errs.NoSuchBucket, "bucket %q does not exist", bucket)
	}
	go l.run(ctx)
	return l.out, nil
}

// bucketListener is one live event stream.
type bucketListener struct {
	m              *MinIO
	tc             *tenantClient
	logical        string
	physical       string
	prefix, suffix string
	events         []string
	out            chan StreamItem
	log            *zap.Logger
}

func (l *bucketListener) run(ctx context.Context) {
	defer close(l.out)
	backoff := listenBackoffMin
	for {
		started := time.Now()
		err := l.stream(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(started) >= listenStable {
			backoff = listenBackoffMin
		}
		if refusedListen(err) {
			l.log.Warn("the object store refused the event stream; ending it", zap.Error(err))
			return
		}
		l.log.Info("the object store's event stream dropped; reconnecting", zap.Error(err))
		if !l.send(ctx, StreamItem{Notice: NoticeReconnecting}) {
			return
		}
		for {
			if !listenWait(ctx, backoff) {
				return
			}
			backoff = min(2*backoff, listenBackoffMax)
			exists, err := l.bucketExists(ctx)
			if ctx.Err() != nil {
				return
			}
			if err == nil && !exists {
				l.log.Info("the bucket is gone; ending its event stream")
				return
			}
			if err == nil {
				break
			}
			l.log.Debug("the object store does not answer yet", zap.Error(err))
		}
		if !l.send(ctx, StreamItem{Notice: NoticeReconnected}) {
			return
		}
	}
}

// stream listens once, forwarding events until the store's stream fails
// or ends (the error says why) or ctx ends. It returns only once the store
// client's goroutine has ended.
func (l *bucketListener) stream(ctx context.Context) error {
	sctx, cancel := context.WithCancel(ctx)
	infos := l.tc.client.ListenBucketNotification(sctx, l.physical, l.prefix, l.suffix, l.events)
	defer func() {
		cancel()
		for range infos { // the store client's goroutine closes infos as it ends
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case info, ok := <-infos:
			if !ok {
				return errStreamEnded
			}
			if info.Err != nil {
				return info.Err
			}
			for _, rec := range info.Records {
				ev, ok := l.toEvent(rec)
				if !ok {
					continue
				}
				if !l.send(ctx, StreamItem{Event: &ev}) {
					return ctx.Err()
				}
			}
		}
	}
}

// send delivers item unless ctx ends first, so a consumer that has gone
// away never holds the stream.
func (l *bucketListener) send(ctx context.Context, item StreamItem) bool {
	select {
	case l.out <- item:
		return true
	case <-ctx.Done():
		return false
	}
}

func (l *bucketListener) bucketExists(ctx context.Context) (bool, error) {
	cctx, cancel := l.m.callContext(ctx)
	defer cancel()
	return l.tc.client.BucketExists(cctx, l.physical)
}

// toEvent converts a store record to the tenant's view. The listen API
// sends object keys as they are; only the notifications the store sends to
// its targets (webhooks, queues) carry URL-encoded keys, so decoding here
// would corrupt names with '+' or '%'.
func (l *bucketListener) toEvent(rec notification.Event) (Event, bool) {
	if rec.S3.Bucket.Name != l.physical {
		return Event{}, false
	}
	ev := Event{
		Type:   rec.EventName,
		Bucket: l.logical,
		Name:   rec.S3.Object.Key,
		Size:   rec.S3.Object.Size,
		ETag:   strings.Trim(rec.S3.Object.ETag, `"`),
	}
	if t, err := time.Parse(time.RFC3339Nano, rec.EventTime); err == nil {
		ev.Time = t.UTC()
	}
	return ev, true
}

// refusedListen reports whether the store refused the listen request
// itself (bad request, no such bucket, not supported): asking again will
// not help.
func refusedListen(err error) bool {
	var resp minio.ErrorResponse
	if !errors.As(err, &resp) {
		return false
	}
	switch resp.StatusCode {
	case http.StatusBadRequest, http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return true
	case http.StatusNotFound:
		return resp.Code == "NoSuchBucket"
	}
	return false
}

// listenWait waits for d, or less when ctx ends; it reports whether ctx is alive.
func listenWait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
