package miniostore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/notification"

	"s3gateway/errs"
	"s3gateway/service"
)

// GetBucketNotification implements service.StoreClient.
func (c *client) GetBucketNotification(ctx context.Context, bucket string) (service.NotificationConfig, error) {
	cctx, cancel := c.callContext(ctx)
	defer cancel()
	cfg, err := c.mc.GetBucketNotification(cctx, bucket)
	if err != nil {
		return service.NotificationConfig{}, c.translate(err, bucket, "")
	}
	return fromStoreNotification(cfg), nil
}

// SetBucketNotification implements service.StoreClient.
func (c *client) SetBucketNotification(ctx context.Context, bucket string, cfg service.NotificationConfig) error {
	storeCfg, err := toStoreNotification(cfg)
	if err != nil {
		return err
	}
	cctx, cancel := c.callContext(ctx)
	defer cancel()
	if err := c.mc.SetBucketNotification(cctx, bucket, storeCfg); err != nil {
		return notificationError(err, c.logical(bucket))
	}
	return nil
}

// RemoveBucketNotification implements service.StoreClient.
func (c *client) RemoveBucketNotification(ctx context.Context, bucket string) error {
	cctx, cancel := c.callContext(ctx)
	defer cancel()
	return c.translate(c.mc.RemoveAllBucketNotification(cctx, bucket), bucket, "")
}

// notificationError maps the store's refusal of a configuration of the
// tenant's bucket. The store checks what only it knows: whether each ARN is a target it has, and
// whether rules overlap. MinIO answers most refusals with the one code
// InvalidArgument; its message (never shown: it names the physical bucket)
// tells them apart.
func notificationError(err error, bucket string) error {
	var resp minio.ErrorResponse
	if !errors.As(err, &resp) || resp.StatusCode != http.StatusBadRequest || resp.Code == "NoSuchBucket" {
		return translate(err, bucket, "")
	}
	if resp.Code == "UnsupportedNotification" {
		return errs.Wrap(err, errs.InvalidArgument, "the object store supports queueConfigurations only, not topic or cloud-function configurations")
	}
	msg := strings.ToLower(resp.Message)
	switch {
	case strings.Contains(msg, "arn"):
		return errs.Wrap(fmt.Errorf("%w: %w", service.ErrUnknownTarget, err), errs.InvalidArgument, "the notification configuration names a destination ARN the object store does not know")
	case strings.Contains(msg, "overlap"):
		return errs.Wrap(err, errs.InvalidArgument, "the notification configuration has rules that overlap for the same events")
	case strings.Contains(msg, "filter"):
		return errs.Wrap(err, errs.InvalidArgument, "the notification configuration has an invalid filter")
	case strings.Contains(msg, "event"):
		return errs.Wrap(err, errs.InvalidArgument, "the notification configuration has an event the object store does not support")
	case strings.Contains(msg, "region"):
		return errs.Wrap(err, errs.InvalidArgument, "the notification configuration names a destination in another region")
	}
	return errs.Wrap(err, errs.InvalidArgument, "the object store refused the notification configuration of bucket %q as invalid", bucket)
}

// toStoreNotification builds the store's form of a checked configuration.
func toStoreNotification(cfg service.NotificationConfig) (notification.Configuration, error) {
	var out notification.Configuration
	build := func(t service.NotificationTarget) (notification.Config, error) {
		arn, err := notification.NewArnFromString(t.ARN)
		if err != nil {
			return notification.Config{}, errs.Wrap(err, errs.InvalidArgument, "arn must have the form arn:partition:service:region:account:resource")
		}
		c := notification.Config{ID: t.ID, Arn: arn}
		for _, e := range t.Events {
			c.AddEvents(notification.EventType(e))
		}
		if t.Prefix != "" {
			c.AddFilterPrefix(t.Prefix)
		}
		if t.Suffix != "" {
			c.AddFilterSuffix(t.Suffix)
		}
		return c, nil
	}
	for _, t := range cfg.Queues {
		c, err := build(t)
		if err != nil {
			return out, err
		}
		out.QueueConfigs = append(out.QueueConfigs, notification.QueueConfig{Config: c, Queue: c.Arn.String()})
	}
	for _, t := range cfg.Topics {
		c, err := build(t)
		if err != nil {
			return out, err
		}
		out.TopicConfigs = append(out.TopicConfigs, notification.TopicConfig{Config: c, Topic: c.Arn.String()})
	}
	for _, t := range cfg.CloudFunctions {
		c, err := build(t)
		if err != nil {
			return out, err
		}
		out.LambdaConfigs = append(out.LambdaConfigs, notification.LambdaConfig{Config: c, Lambda: c.Arn.String()})
	}
	return out, nil
}

// fromStoreNotification converts the store's configuration; every list is
// non-nil, empty when there are no entries.
func fromStoreNotification(cfg notification.Configuration) service.NotificationConfig {
	out := service.NotificationConfig{
		Queues:         make([]service.NotificationTarget, 0, len(cfg.QueueConfigs)),
		Topics:         make([]service.NotificationTarget, 0, len(cfg.TopicConfigs)),
		CloudFunctions: make([]service.NotificationTarget, 0, len(cfg.LambdaConfigs)),
	}
	for _, q := range cfg.QueueConfigs {
		out.Queues = append(out.Queues, fromStoreTarget(q.Config, q.Queue))
	}
	for _, t := range cfg.TopicConfigs {
		out.Topics = append(out.Topics, fromStoreTarget(t.Config, t.Topic))
	}
	for _, l := range cfg.LambdaConfigs {
		out.CloudFunctions = append(out.CloudFunctions, fromStoreTarget(l.Config, l.Lambda))
	}
	return out
}

func fromStoreTarget(c notification.Config, arn string) service.NotificationTarget {
	t := service.NotificationTarget{ID: c.ID, ARN: arn, Events: make([]string, 0, len(c.Events))}
	for _, e := range c.Events {
		t.Events = append(t.Events, string(e))
	}
	if c.Filter != nil {
		for _, r := range c.Filter.S3Key.FilterRules {
			switch strings.ToLower(r.Name) {
			case "prefix":
				t.Prefix = r.Value
			case "suffix":
				t.Suffix = r.Value
			}
		}
	}
	return t
}
