package miniostore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/notification"

	"s3gateway/internal/httpsyntax"
	"s3gateway/service"
)

// ListenBucket implements service.StoreClient. The store's stream is read
// by the store client's own goroutine; the channel closes after it ended.
func (c *client) ListenBucket(ctx context.Context, bucket string, filter service.EventFilter) <-chan service.StoreEvents {
	out := make(chan service.StoreEvents)
	infos := c.mc.ListenBucketNotification(ctx, bucket, filter.Prefix, filter.Suffix, filter.Events)
	go func() {
		defer close(out)
		for info := range infos {
			var batch service.StoreEvents
			switch {
			case info.Err != nil && refusedListen(info.Err):
				batch.Err = fmt.Errorf("%w: %w", service.ErrStreamRefused, c.translate(info.Err, bucket, ""))
			case info.Err != nil:
				batch.Err = c.translate(info.Err, bucket, "")
			}
			for _, rec := range info.Records {
				if ev, ok := toEvent(rec, bucket); ok {
					batch.Events = append(batch.Events, ev)
				}
			}
			select {
			case out <- batch:
			case <-ctx.Done():
				for range infos { // the store client's goroutine closes infos as it ends
				}
				return
			}
		}
	}()
	return out
}

// toEvent converts a store record of bucket (Bucket left empty). The listen API
// sends object keys as they are; only the notifications the store sends to
// its targets (webhooks, queues) carry URL-encoded keys, so decoding here
// would corrupt names with '+' or '%'.
func toEvent(rec notification.Event, bucket string) (service.Event, bool) {
	if rec.S3.Bucket.Name != bucket {
		return service.Event{}, false
	}
	ev := service.Event{
		Type: rec.EventName,
		Name: rec.S3.Object.Key,
		Size: rec.S3.Object.Size,
		ETag: httpsyntax.TrimETag(rec.S3.Object.ETag),
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
