package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"s3gateway/errs"
	"s3gateway/service"
)

// streamBucketEvents godoc
//
//	@Summary		Stream a bucket's events
//	@Description	Server-Sent Events of the bucket's store events, until the client disconnects. The stream starts with the comment ": connected". Each event is one message: "id:" its position in the bucket's event log (increasing within the bucket), "event:" the event name (such as s3:ObjectCreated:Put) and "data:" a JSON object {type, bucket, name, size, etag, time} with the tenant's bucket name. A client that reconnects with the Last-Event-ID header (or the lastEventId query parameter, for clients that cannot set headers; the header wins) first gets every matching event after that id, then live ones: nothing missed, nothing twice, in order. When that id is older than the retention (GATEWAY_EVENTS_RETENTION, 24 h by default), the first message is "event: reset" with data {"reason": "expired"}: resynchronise by listing the bucket; live events follow. When the gateway shuts down, the message "event: shutdown" with data {"notice": "shutdown"} is sent and the stream ends; reconnect then with the last id (to another instance, or later). A comment ": ping" is sent every 15 s, so proxies keep the connection and clients notice a dead one. events is repeatable or comma-separated (default: created, removed and accessed). Errors found before the stream starts (such as NoSuchBucket) are ordinary JSON errors; when the object store lacks the gateway's notification target, 503 BackendUnavailable names the missing setting. A tenant may have at most GATEWAY_MAX_STREAMS_PER_TENANT streams open (default 100); one more is 429 SlowDown with Retry-After. Besides the key headers, this route also accepts the key as the apiKey query parameter, for browsers' EventSource, which cannot send headers (a key header wins when both are sent).
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
//	@Param			Last-Event-ID	header	integer	false	"resume after this event id (a positive integer)"
//	@Param			lastEventId	query		integer	false	"resume after this event id, for clients that cannot set headers"
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
	after, err := lastEventID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	items, err := h.svc.ListenBucket(ctx, bucket, service.EventFilter{
		Prefix: c.QueryParam("prefix"),
		Suffix: c.QueryParam("suffix"),
		Events: queryList(c, "events"),
		After:  after,
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
			case item.Reset != "":
				sse.event("reset", resetMessage{Reason: item.Reset})
			case item.Event != nil:
				sse.eventWithID(item.ID, item.Event.Type, toEventMessage(*item.Event))
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
	// the handler, which ends the subscription.
	return nil
}

// lastEventID reads the id a client resumes after: the Last-Event-ID
// header, else the lastEventId query parameter; 0 when neither is set.
func lastEventID(c echo.Context) (uint64, error) {
	raw, from := c.Request().Header.Get("Last-Event-ID"), "the Last-Event-ID header"
	if raw == "" {
		raw, from = c.QueryParam("lastEventId"), "lastEventId"
	}
	if raw == "" {
		return 0, nil
	}
	id, err := strconv.ParseUint(raw, 10, 64)
	if err != nil || id == 0 {
		return 0, errs.New(errs.InvalidArgument, "%s must be a positive whole number (the id of an event of this stream)", from)
	}
	return id, nil
}

// resetMessage is the data of a reset message: the events after the
// requested id are no longer kept.
type resetMessage struct {
	Reason string `json:"reason"`
}

// noticeMessage is the data of the shutdown message in an event stream.
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

// eventWithID writes an event with its id, for Last-Event-ID.
func (w *sseWriter) eventWithID(id uint64, name string, data any) {
	b, err := json.Marshal(data)
	if err != nil {
		w.err = fmt.Errorf("encode event: %w", err)
		return
	}
	w.write("id: " + strconv.FormatUint(id, 10) + "\nevent: " + singleLine(name) + "\ndata: " + string(b) + "\n\n")
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
