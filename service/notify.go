package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"s3gateway/access"
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

// GetBucketNotification implements Notifications. The gateway's own
// entries (its event targets) are not shown.
func (g *Gateway) GetBucketNotification(ctx context.Context, bucket string) (NotificationConfig, error) {
	c, physical, err := g.bucketTarget(ctx, bucket)
	if err != nil {
		return NotificationConfig{}, err
	}
	cfg, err := c.GetBucketNotification(ctx, physical)
	if err != nil {
		return NotificationConfig{}, err
	}
	return g.tenantView(cfg), nil
}

// SetBucketNotification implements Notifications. It replaces the tenant's
// entries, keeps the gateway's, and returns the tenant's view as the store
// then reports it.
//
// Every target must be one of the tenant's NotificationTargets, checked
// before anything reaches the store: a target the store has but another
// tenant owns, and one the store does not have, get the same answer, so a
// tenant learns nothing about the store's targets.
func (g *Gateway) SetBucketNotification(ctx context.Context, bucket string, cfg NotificationConfig) (NotificationConfig, error) {
	t, c, err := g.tenantFor(ctx)
	if err != nil {
		return NotificationConfig{}, err
	}
	physical, err := physicalBucket(t, bucket)
	if err != nil {
		return NotificationConfig{}, err
	}
	if err := validateNotification(cfg); err != nil {
		return NotificationConfig{}, err
	}
	if err := g.refuseGatewayTargets(cfg); err != nil {
		return NotificationConfig{}, err
	}
	if err := checkAllowedTargets(t, cfg); err != nil {
		return NotificationConfig{}, err
	}
	err = g.withNotificationLock(ctx, physical, func() error {
		current, err := c.GetBucketNotification(ctx, physical)
		if err != nil {
			return err
		}
		return c.SetBucketNotification(ctx, physical, withEntries(cfg, g.gatewayEntries(current)))
	})
	if err != nil {
		return NotificationConfig{}, err
	}
	return g.GetBucketNotification(ctx, bucket)
}

// RemoveBucketNotification implements Notifications: it removes the
// tenant's entries only.
func (g *Gateway) RemoveBucketNotification(ctx context.Context, bucket string) error {
	c, physical, err := g.bucketTarget(ctx, bucket)
	if err != nil {
		return err
	}
	return g.withNotificationLock(ctx, physical, func() error {
		current, err := c.GetBucketNotification(ctx, physical)
		if err != nil {
			return err
		}
		own := g.gatewayEntries(current)
		if len(own) == 0 {
			return c.RemoveBucketNotification(ctx, physical)
		}
		return c.SetBucketNotification(ctx, physical, NotificationConfig{Queues: own})
	})
}

// withNotificationLock runs f holding the bucket's notification lock, so
// that a tenant's write and the gateway's own do not undo each other.
func (g *Gateway) withNotificationLock(ctx context.Context, physical string, f func() error) error {
	unlock, err := g.eventTargets.locks.lock(ctx, physical)
	if err != nil {
		return errs.Wrap(err, errs.BackendTimeout, "timed out waiting for the bucket's notification configuration")
	}
	defer unlock()
	return f()
}

// refuseGatewayTargets refuses tenant entries that name the gateway's own
// event targets: they are the gateway's, and hidden.
func (g *Gateway) refuseGatewayTargets(cfg NotificationConfig) error {
	for _, list := range [][]NotificationTarget{cfg.Queues, cfg.Topics, cfg.CloudFunctions} {
		for _, t := range list {
			if g.hiddenTarget(t.ARN) {
				return errs.New(errs.InvalidArgument, "arn %q is reserved for the gateway's event streams", t.ARN)
			}
		}
	}
	return nil
}

// checkAllowedTargets refuses any target arn the tenant may not use. The
// message names the entry, not the arn, and is the same for every arn.
func checkAllowedTargets(t *access.Tenant, cfg NotificationConfig) error {
	for _, list := range notificationLists(cfg) {
		for i, target := range list.targets {
			if !t.AllowsTarget(target.ARN) {
				return errs.New(errs.InvalidArgument,
					"%s[%d]: arn is not a notification target this tenant may use", list.name, i)
			}
		}
	}
	return nil
}

// namedTargets is one list of a configuration, with its field name.
type namedTargets struct {
	name    string
	targets []NotificationTarget
}

func notificationLists(cfg NotificationConfig) []namedTargets {
	return []namedTargets{
		{"queueConfigurations", cfg.Queues},
		{"topicConfigurations", cfg.Topics},
		{"cloudFunctionConfigurations", cfg.CloudFunctions},
	}
}

// validateNotification checks a configuration. The store checks what only
// it knows: whether each ARN is a target it has, and whether rules overlap.
func validateNotification(cfg NotificationConfig) error {
	if len(cfg.Queues)+len(cfg.Topics)+len(cfg.CloudFunctions) == 0 {
		return errs.New(errs.InvalidArgument, "the notification configuration must have at least one entry; to remove all, delete the configuration")
	}
	for _, list := range notificationLists(cfg) {
		for i, t := range list.targets {
			if err := validateTarget(fmt.Sprintf("%s[%d]", list.name, i), t); err != nil {
				return err
			}
		}
	}
	return nil
}

// validateTarget checks one entry of a configuration; where names it.
func validateTarget(where string, t NotificationTarget) error {
	if !validARN(t.ARN) {
		return errs.New(errs.InvalidArgument, "%s: arn must have the form arn:partition:service:region:account:resource", where)
	}
	if len(t.ID) > 255 || !utf8.ValidString(t.ID) {
		return errs.New(errs.InvalidArgument, "%s: id must be valid UTF-8 of at most 255 bytes", where)
	}
	if len(t.Events) == 0 {
		return errs.New(errs.InvalidArgument, "%s: events must list at least one event", where)
	}
	for _, e := range t.Events {
		if problem := eventNameProblem(e); problem != "" {
			return errs.New(errs.InvalidArgument, "%s: %s", where, problem)
		}
	}
	if err := validateKeyFilter(where+": filter prefix", t.Prefix); err != nil {
		return err
	}
	return validateKeyFilter(where+": filter suffix", t.Suffix)
}

// validARN reports whether arn has the form
// arn:partition:service:region:account:resource (parts may be empty).
func validARN(arn string) bool {
	parts := strings.Split(arn, ":")
	return len(parts) == 6 && parts[0] == "arn"
}
