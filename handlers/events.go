package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"s3gateway/service"
)

// streamBucketEvents godoc
//
//	@Summary		Stream a bucket's events
//	@Description	Server-Sent Events of the bucket's store events as they happen, until the client disconnects (the store listener is then stopped). The stream starts with the comment ": connected". Each event is one message: "event:" the event name (such as s3:ObjectCreated:Put) and "data:" a JSON object {type, bucket, name, size, etag, time} with the tenant's bucket name. When the store's stream drops and resumes, a comment (": reconnecting", ": reconnected") and a message "event: notice" with data {"notice": "reconnecting"|"reconnected"} are sent; events in between may be lost. When the gateway shuts down, the message "event: shutdown" with data {"notice": "shutdown"} is sent and the stream ends; reconnect then (to another instance, or later). A comment ": ping" is sent every 15 s, so proxies keep the connection and clients notice a dead one. events is repeatable or comma-separated (default: created, removed and accessed). Errors found before the stream starts (such as NoSuchBucket) are ordinary JSON errors. A tenant may have at most GATEWAY_MAX_STREAMS_PER_TENANT streams open (default 100); one more is 429 SlowDown with Retry-After. Besides the key headers, this route also accepts the key as the apiKey query parameter, for browsers' EventSource, which cannot send headers (a key header wins when both are sent).
//	@ID				streamBucketEvents
//	@Tags			notifications
//	@Produce		text/event-stream
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Security		QueryKeyAuth
//	@Param			bucket	path		string		true	"bucket name"
//	@Param			prefix	query		string		false	"only names that start with this"
//	@Param			suffix	query		string		false	"only names that end with this"
//	@Param			events	query		[]string	false	"event names such as s3:ObjectCreated:*; repeatable or comma-separated"	collectionFormat(multi)
//	@Success		200		{object}	eventMessage	"a stream of events; each data line is this object"
//	@Failure		400		{object}	errorResponse	"InvalidBucketName, InvalidArgument"
//	@Failure		401		{object}	errorResponse	"Unauthorized"
//	@Failure		403		{object}	errorResponse	"AccessDenied"
//	@Failure		404		{object}	errorResponse	"NoSuchBucket"
//	@Failure		429		{object}	errorResponse	"SlowDown: the tenant is over its request rate or its open streams (see Retry-After)"
//	@Failure		500		{object}	errorResponse	"InternalError"
//	@Failure		503		{object}	errorResponse	"BackendUnavailable"
//	@Failure		504		{object}	errorResponse	"BackendTimeout"
//	@Router			/api/v1/buckets/{bucket}/events [get]
func (h *handler) streamBucketEvents(c echo.Context) error {
	bucket, err := bucketParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	items, err := h.svc.ListenBucket(ctx, bucket, service.EventFilter{
		Prefix: c.QueryParam("prefix"),
		Suffix: c.QueryParam("suffix"),
		Events: queryList(c, "events"),
	})
	if err != nil {
		return err
	}

	res := c.Response()
	hdr := res.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Accel-Buffering", "no")
	res.WriteHeader(http.StatusOK)
	// Counted before the client hears it is connected, so that a client
	// that then reads the metrics sees its stream.
	defer h.metrics.StreamOpened()()
	sse := &sseWriter{res: res}
	sse.comment("connected")

	heartbeat := time.NewTicker(h.eventHeartbeat)
	defer heartbeat.Stop()
	for sse.err == nil {
		select {
		case <-ctx.Done():
			return nil
		case item, ok := <-items:
			if !ok {
				return nil
			}
			switch {
			case item.Event != nil:
				sse.event(item.Event.Type, toEventMessage(*item.Event))
			case item.Notice != "":
				sse.comment(item.Notice)
				sse.event("notice", noticeMessage{Notice: item.Notice})
			}
		case <-heartbeat.C:
			sse.comment("ping")
		case <-h.shutdown:
			// The server is going down: say so, so the client reconnects
			// elsewhere or later, and end the stream.
			sse.event("shutdown", noticeMessage{Notice: "shutdown"})
			return nil
		}
	}
	// The client is gone: the write failed. The request context ends with
	// the handler, which stops the store listener.
	return nil
}

// noticeMessage is the data of a notice message in an event stream.
type noticeMessage struct {
	Notice string `json:"notice"`
}

// sseWriter writes Server-Sent Events and flushes each one. After a failed
// write it writes nothing more; err says why.
type sseWriter struct {
	res *echo.Response
	err error
}

func (w *sseWriter) comment(text string) {
	w.write(": " + singleLine(text) + "\n\n")
}

func (w *sseWriter) event(name string, data any) {
	b, err := json.Marshal(data)
	if err != nil {
		w.err = fmt.Errorf("encode event: %w", err)
		return
	}
	w.write("event: " + singleLine(name) + "\ndata: " + string(b) + "\n\n")
}

func (w *sseWriter) write(s string) {
	if w.err != nil {
		return
	}
	if _, w.err = w.res.Write([]byte(s)); w.err == nil {
		w.res.Flush()
	}
}

// singleLine keeps a field on its line: a line break would end it early.
func singleLine(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}
