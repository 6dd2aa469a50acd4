package integration

import (
	"net/http"
	"testing"
	"time"

	"s3gateway/config"
)

type notificationTarget struct {
	ID     string   `json:"id,omitempty"`
	ARN    string   `json:"arn"`
	Events []string `json:"events"`
	Filter struct {
		Prefix string `json:"prefix,omitempty"`
		Suffix string `json:"suffix,omitempty"`
	} `json:"filter"`
}

type notificationConfig struct {
	QueueConfigurations         []notificationTarget `json:"queueConfigurations"`
	TopicConfigurations         []notificationTarget `json:"topicConfigurations"`
	CloudFunctionConfigurations []notificationTarget `json:"cloudFunctionConfigurations"`
}

// The store delivers matching events to its webhook target, and only those.
func TestNotifications(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	path := "/api/v1/buckets/" + bucket + "/notifications"

	var cfg notificationConfig
	c.call(http.MethodGet, path, nil, http.StatusOK, &cfg)
	if cfg.QueueConfigurations == nil || len(cfg.QueueConfigurations) != 0 || cfg.TopicConfigurations == nil || cfg.CloudFunctionConfigurations == nil {
		t.Fatalf("empty configuration must have empty lists: %+v", cfg)
	}

	target := notificationTarget{ID: "jpgs", ARN: webhookARN, Events: []string{"s3:ObjectCreated:*"}}
	target.Filter.Prefix, target.Filter.Suffix = "in/", ".jpg"
	want := notificationConfig{QueueConfigurations: []notificationTarget{target}, TopicConfigurations: []notificationTarget{}, CloudFunctionConfigurations: []notificationTarget{}}
	c.call(http.MethodPut, path, want, http.StatusOK, &cfg)
	if len(cfg.QueueConfigurations) != 1 || cfg.QueueConfigurations[0].ARN != webhookARN || cfg.QueueConfigurations[0].Filter.Suffix != ".jpg" {
		t.Fatalf("stored configuration: %+v", cfg)
	}

	// The store matches an event against the configuration when the event
	// happens, and hands what matches to the webhook through one queue in
	// order. So the non-matching uploads go first and two matching ones
	// after them: once both matching ones have arrived, a non-matching one
	// that had matched would have been handed over before them.
	marker := randomHex(4)
	c.put(bucket, "out/"+marker+".jpg", []byte("no"), nil)
	c.put(bucket, "in/"+marker+".txt", []byte("no"), nil)
	for _, last := range []string{marker + ".jpg", marker + "-last.jpg"} {
		c.put(bucket, "in/"+last, []byte("yes"), nil)
		if !suite.hooks.waitFor(15*time.Second, "in%2F"+last) && !suite.hooks.waitFor(time.Second, "in/"+last) {
			t.Fatalf("matching upload in/%s not delivered to the webhook", last)
		}
	}
	if suite.hooks.has(marker+".txt") || suite.hooks.has("out%2F"+marker) || suite.hooks.has("out/"+marker) {
		t.Fatal("non-matching upload delivered")
	}

	bad := notificationConfig{QueueConfigurations: []notificationTarget{{ARN: "arn:minio:sqs::NOPE:webhook", Events: []string{"s3:ObjectCreated:*"}}}}
	c.wantError(http.MethodPut, path, bad, http.StatusBadRequest, "InvalidArgument")
	c.wantError(http.MethodPut, path, notificationConfig{}, http.StatusBadRequest, "InvalidArgument")

	c.call(http.MethodDelete, path, nil, http.StatusNoContent, nil)
	c.call(http.MethodGet, path, nil, http.StatusOK, &cfg)
	if len(cfg.QueueConfigurations) != 0 {
		t.Fatalf("after delete: %+v", cfg)
	}
}

// The gateway's own entry (its event targets) is invisible to the tenant,
// kept through the tenant's PUT and DELETE, and not the tenant's to name.
func TestNotificationsKeepGatewayTarget(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	path := "/api/v1/buckets/" + bucket + "/notifications"
	s := openStream(t, suite.gateway.URL, alphaKey, bucket, "events=s3:ObjectCreated:*", "")

	var cfg notificationConfig
	c.call(http.MethodGet, path, nil, http.StatusOK, &cfg)
	if len(cfg.QueueConfigurations) != 0 {
		t.Fatalf("the tenant sees %+v", cfg)
	}
	for _, arn := range []string{config.DefaultStoreEventsARN, config.DefaultStoreEventsFastARN, "arn:minio:sqs:us-east-1:GATEWAY:nats"} {
		own := queues(notificationTarget{ARN: arn, Events: []string{"s3:ObjectCreated:*"}})
		c.wantError(http.MethodPut, path, own, http.StatusBadRequest, "InvalidArgument")
	}

	hook := notificationTarget{ID: "hook", ARN: webhookARN, Events: []string{"s3:ObjectRemoved:*"}}
	c.call(http.MethodPut, path, queues(hook), http.StatusOK, &cfg)
	if len(cfg.QueueConfigurations) != 1 || cfg.QueueConfigurations[0].ARN != webhookARN {
		t.Fatalf("after PUT the tenant sees %+v", cfg)
	}
	c.put(bucket, "after-put", []byte("x"), nil)
	if _, data := s.nextEvent(15 * time.Second); data.Name != "after-put" {
		t.Fatalf("after the tenant's PUT: %+v", data)
	}

	c.call(http.MethodDelete, path, nil, http.StatusNoContent, nil)
	c.call(http.MethodGet, path, nil, http.StatusOK, &cfg)
	if len(cfg.QueueConfigurations) != 0 {
		t.Fatalf("after DELETE the tenant sees %+v", cfg)
	}
	c.put(bucket, "after-delete", []byte("x"), nil)
	if _, data := s.nextEvent(15 * time.Second); data.Name != "after-delete" {
		t.Fatalf("after the tenant's DELETE: %+v", data)
	}
}

// queues is a configuration of queue entries only.
func queues(entries ...notificationTarget) notificationConfig {
	return notificationConfig{QueueConfigurations: entries, TopicConfigurations: []notificationTarget{}, CloudFunctionConfigurations: []notificationTarget{}}
}

// A tenant may name only its own notification targets. Another tenant's
// target, which the store has, and a target the store does not have get
// the same answer, so a tenant learns nothing about the store's targets.
func TestNotificationTargetsPerTenant(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	path := "/api/v1/buckets/" + bucket + "/notifications"
	config := func(arn string) notificationConfig {
		return notificationConfig{
			QueueConfigurations: []notificationTarget{{ID: "t", ARN: arn, Events: []string{"s3:ObjectCreated:*"}}},
			TopicConfigurations: []notificationTarget{}, CloudFunctionConfigurations: []notificationTarget{},
		}
	}
	others := c.wantError(http.MethodPut, path, config(betaWebhookARN), http.StatusBadRequest, "InvalidArgument")
	unknown := c.wantError(http.MethodPut, path, config("arn:minio:sqs::NOPE:webhook"), http.StatusBadRequest, "InvalidArgument")
	if others.Error.Message != unknown.Error.Message {
		t.Fatalf("another tenant's target: %q; an unknown one: %q", others.Error.Message, unknown.Error.Message)
	}
	var cfg notificationConfig
	c.call(http.MethodGet, path, nil, http.StatusOK, &cfg)
	if len(cfg.QueueConfigurations) != 0 {
		t.Fatalf("a refused configuration was stored: %+v", cfg)
	}
	c.call(http.MethodPut, path, config(webhookARN), http.StatusOK, &cfg)
	if len(cfg.QueueConfigurations) != 1 || cfg.QueueConfigurations[0].ARN != webhookARN {
		t.Fatalf("own target: %+v", cfg)
	}
}
