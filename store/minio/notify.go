package miniostore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/notification"

	"s3gateway/errs"
)

// knownEventNames lists, per event family, the event names a bucket can be
// notified of or listened to ("*" stands for the whole family).
var knownEventNames = map[string][]string{
	"ObjectCreated": {"*", "Put", "Post", "Copy", "CompleteMultipartUpload",
		"PutRetention", "PutLegalHold", "PutTagging", "DeleteTagging"},
	"ObjectRemoved":                {"*", "Delete", "DeleteMarkerCreated", "DeleteAllVersions", "NoOP"},
	"ObjectAccessed":               {"*", "Get", "Head", "GetRetention", "GetLegalHold", "Attributes"},
	"ObjectRestore":                {"*", "Post", "Completed"},
	"ObjectTransition":             {"*", "Failed", "Complete"},
	"Replication":                  {"*", "OperationFailedReplication", "OperationCompletedReplication", "OperationMissedThreshold", "OperationReplicatedAfterThreshold", "OperationNotTracked"},
	"Scanner":                      {"*", "ManyVersions", "LargeVersions", "BigPrefix"},
	"LifecycleDelMarkerExpiration": {"Delete"},
}

// ValidateEventName checks that name is a bucket event the store knows,
// such as "s3:ObjectCreated:*" or "s3:ObjectRemoved:Delete".
func ValidateEventName(name string) error {
	if problem := eventNameProblem(name); problem != "" {
		return errs.New(errs.InvalidArgument, "%s", problem)
	}
	return nil
}

// eventNameProblem says what is wrong with an event name, "" when nothing.
func eventNameProblem(name string) string {
	rest, ok := strings.CutPrefix(name, "s3:")
	family, kind, ok2 := strings.Cut(rest, ":")
	if ok && ok2 && slices.Contains(knownEventNames[family], kind) {
		return ""
	}
	if len(name) > 100 {
		name = name[:100] + "..."
	}
	return fmt.Sprintf("%q is not a known event name (for example s3:ObjectCreated:*, s3:ObjectRemoved:Delete)", name)
}

// validateKeyFilter checks a key prefix or suffix filter.
func validateKeyFilter(what, v string) error {
	if len(v) > MaxObjectNameBytes || !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
		return errs.New(errs.InvalidArgument, "%s must be valid UTF-8 of at most %d bytes", what, MaxObjectNameBytes)
	}
	return nil
}

// GetBucketNotification implements Notifications.
func (m *MinIO) GetBucketNotification(ctx context.Context, bucket string) (NotificationConfig, error) {
	tc, physical, err := m.notificationTarget(ctx, bucket)
	if err != nil {
		return NotificationConfig{}, err
	}
	cctx, cancel := m.callContext(ctx)
	defer cancel()
	cfg, err := tc.client.GetBucketNotification(cctx, physical)
	if err != nil {
		return NotificationConfig{}, translate(err, bucket, "")
	}
	return fromStoreNotification(cfg), nil
}

// SetBucketNotification implements Notifications. It replaces the whole
// configuration and returns it as the store then reports it.
func (m *MinIO) SetBucketNotification(ctx context.Context, bucket string, cfg NotificationConfig) (NotificationConfig, error) {
	tc, physical, err := m.notificationTarget(ctx, bucket)
	if err != nil {
		return NotificationConfig{}, err
	}
	storeCfg, err := toStoreNotification(cfg)
	if err != nil {
		return NotificationConfig{}, err
	}
	cctx, cancel := m.callContext(ctx)
	defer cancel()
	if err := tc.client.SetBucketNotification(cctx, physical, storeCfg); err != nil {
		return NotificationConfig{}, notificationError(err, bucket)
	}
	return m.GetBucketNotification(ctx, bucket)
}

// RemoveBucketNotification implements Notifications.
func (m *MinIO) RemoveBucketNotification(ctx context.Context, bucket string) error {
	tc, physical, err := m.notificationTarget(ctx, bucket)
	if err != nil {
		return err
	}
	cctx, cancel := m.callContext(ctx)
	defer cancel()
	if err := tc.client.RemoveAllBucketNotification(cctx, physical); err != nil {
		return translate(err, bucket, "")
	}
	return nil
}

func (m *MinIO) notificationTarget(ctx context.Context, bucket string) (*tenantClient, string, error) {
	tc, err := m.tenantFor(ctx)
	if err != nil {
		return nil, "", err
	}
	physical, err := physicalBucket(tc.tenant, bucket)
	if err != nil {
		return nil, "", err
	}
	return tc, physical, nil
}

// notificationError maps the store's refusal of a configuration. The store
// checks what only it knows: whether each ARN is a target it has, and
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
		return errs.Wrap(err, errs.InvalidArgument, "the notification configuration names a destination ARN the object store does not know")
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

// toStoreNotification checks a configuration and builds the store's form.
func toStoreNotification(cfg NotificationConfig) (notification.Configuration, error) {
	var out notification.Configuration
	if len(cfg.Queues)+len(cfg.Topics)+len(cfg.CloudFunctions) == 0 {
		return out, errs.New(errs.InvalidArgument, "the notification configuration must have at least one entry; to remove all, delete the configuration")
	}
	build := func(list string, i int, t NotificationTarget) (notification.Config, error) {
		where := fmt.Sprintf("%s[%d]", list, i)
		arn, err := notification.NewArnFromString(t.ARN)
		if err != nil {
			return notification.Config{}, errs.New(errs.InvalidArgument, "%s: arn must have the form arn:partition:service:region:account:resource", where)
		}
		if len(t.ID) > 255 || !utf8.ValidString(t.ID) {
			return notification.Config{}, errs.New(errs.InvalidArgument, "%s: id must be valid UTF-8 of at most 255 bytes", where)
		}
		if len(t.Events) == 0 {
			return notification.Config{}, errs.New(errs.InvalidArgument, "%s: events must list at least one event", where)
		}
		c := notification.Config{ID: t.ID, Arn: arn}
		for _, e := range t.Events {
			if problem := eventNameProblem(e); problem != "" {
				return notification.Config{}, errs.New(errs.InvalidArgument, "%s: %s", where, problem)
			}
			c.AddEvents(notification.EventType(e))
		}
		if err := validateKeyFilter(where+": filter prefix", t.Prefix); err != nil {
			return notification.Config{}, err
		}
		if err := validateKeyFilter(where+": filter suffix", t.Suffix); err != nil {
			return notification.Config{}, err
		}
		if t.Prefix != "" {
			c.AddFilterPrefix(t.Prefix)
		}
		if t.Suffix != "" {
			c.AddFilterSuffix(t.Suffix)
		}
		return c, nil
	}
	for i, t := range cfg.Queues {
		c, err := build("queueConfigurations", i, t)
		if err != nil {
			return out, err
		}
		out.QueueConfigs = append(out.QueueConfigs, notification.QueueConfig{Config: c, Queue: c.Arn.String()})
	}
	for i, t := range cfg.Topics {
		c, err := build("topicConfigurations", i, t)
		if err != nil {
			return out, err
		}
		out.TopicConfigs = append(out.TopicConfigs, notification.TopicConfig{Config: c, Topic: c.Arn.String()})
	}
	for i, t := range cfg.CloudFunctions {
		c, err := build("cloudFunctionConfigurations", i, t)
		if err != nil {
			return out, err
		}
		out.LambdaConfigs = append(out.LambdaConfigs, notification.LambdaConfig{Config: c, Lambda: c.Arn.String()})
	}
	return out, nil
}

// fromStoreNotification converts the store's configuration; every list is
// non-nil, empty when there are no entries.
func fromStoreNotification(cfg notification.Configuration) NotificationConfig {
	out := NotificationConfig{
		Queues:         make([]NotificationTarget, 0, len(cfg.QueueConfigs)),
		Topics:         make([]NotificationTarget, 0, len(cfg.TopicConfigs)),
		CloudFunctions: make([]NotificationTarget, 0, len(cfg.LambdaConfigs)),
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

func fromStoreTarget(c notification.Config, arn string) NotificationTarget {
	t := NotificationTarget{ID: c.ID, ARN: arn, Events: make([]string, 0, len(c.Events))}
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
