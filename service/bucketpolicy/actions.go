package bucketpolicy

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Actions, and what anonymous users may be allowed.
//
// The store's policy language knows a fixed set of S3 actions; a wildcard
// action grants the ones it matches. They are listed here so that a
// wildcard can be judged by what it would grant, and so that what a stored
// document grants anonymous users can be told per prefix.

// objectActionNames are the actions on objects (resource bucket/key).
var objectActionNames = []string{
	"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
	"s3:GetObjectAttributes", "s3:GetObjectVersion", "s3:GetObjectVersionAttributes", "s3:DeleteObjectVersion",
	"s3:GetObjectTagging", "s3:PutObjectTagging", "s3:DeleteObjectTagging",
	"s3:GetObjectVersionTagging", "s3:PutObjectVersionTagging", "s3:DeleteObjectVersionTagging",
	"s3:GetObjectRetention", "s3:PutObjectRetention", "s3:BypassGovernanceRetention",
	"s3:GetObjectLegalHold", "s3:PutObjectLegalHold",
	"s3:GetObjectAcl", "s3:PutObjectAcl", "s3:RestoreObject", "s3:PutObjectFanOut",
	"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags", "s3:GetObjectVersionForReplication",
}

// bucketActionNames are the actions on the bucket, management first, so
// that a refusal names the worst of what a wildcard would grant.
var bucketActionNames = []string{
	"s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:GetBucketPolicy", "s3:GetBucketPolicyStatus",
	"s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration",
	"s3:PutBucketVersioning", "s3:GetBucketVersioning",
	"s3:PutBucketNotification", "s3:GetBucketNotification", "s3:ListenBucketNotification", "s3:ListenNotification",
	"s3:DeleteBucket", "s3:ForceDeleteBucket", "s3:CreateBucket",
	"s3:PutBucketTagging", "s3:GetBucketTagging",
	"s3:PutBucketObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration",
	"s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration",
	"s3:PutReplicationConfiguration", "s3:GetReplicationConfiguration", "s3:ResetBucketReplicationState",
	"s3:PutBucketCors", "s3:GetBucketCors", "s3:DeleteBucketCors",
	"s3:PutBucketAcl", "s3:GetBucketAcl",
	"s3:HeadBucket", "s3:ListAllMyBuckets", "s3:ListBucketVersions",
	actionListBucket, actionListBucketMultipartUploads, actionGetBucketLocation,
}

// AnonymousActions are the only actions an Allow for anonymous users may
// name: those of the canned policies, that is reading, writing and
// deleting objects, multipart uploads, listing, and the bucket's location.
// Everything else would let anyone manage the bucket (its policy,
// lifecycle, versioning, notifications, tags, locks, replication) or the
// objects' versions, tags and retention.
var AnonymousActions = []string{
	actionGetObject, "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
	actionListBucket, actionListBucketMultipartUploads, actionGetBucketLocation,
}

// actionMatch matches an action against an action pattern, without regard
// to case.
func actionMatch(pattern, action string) bool {
	if !isPattern(pattern) {
		return strings.EqualFold(pattern, action)
	}
	return wildcardMatch(strings.ToLower(pattern), strings.ToLower(action))
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}

func isPattern(s string) bool { return strings.ContainsAny(s, "*?") }

// checkAnonymous refuses an Allow for anonymous users that could grant an
// action outside AnonymousActions. A wildcard is judged by every action it
// matches; one that matches none of AnonymousActions grants nothing they
// may have and is refused too, as a NotAction is.
func (s Statement) checkAnonymous() error {
	if s.Effect != "Allow" || !s.coversAnonymous() {
		return nil
	}
	if len(s.NotAction) > 0 {
		return errors.New("an Allow for anonymous users must not use NotAction: it grants every action it does not name, the bucket's management included")
	}
	allowed := "anonymous users may only be allowed " + strings.Join(AnonymousActions, ", ")
	for _, a := range s.Action {
		if !isPattern(a) {
			if !containsFold(AnonymousActions, a) {
				return fmt.Errorf("%s; not %q", allowed, shorten(a))
			}
			continue
		}
		for _, x := range slices.Concat(bucketActionNames, objectActionNames) {
			if actionMatch(a, x) && !containsFold(AnonymousActions, x) {
				return fmt.Errorf("%s; %q would also allow %s", allowed, shorten(a), x)
			}
		}
		if !slices.ContainsFunc(AnonymousActions, func(x string) bool { return actionMatch(a, x) }) {
			return fmt.Errorf("%s; %q matches none of them", allowed, shorten(a))
		}
	}
	return nil
}

// shorten cuts client text that goes into an error message.
func shorten(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// coversAnonymous reports whether the statement's principal takes in
// anonymous callers. A NotPrincipal takes in everyone it does not name.
func (s Statement) coversAnonymous() bool {
	return len(s.NotPrincipal) > 0 || isAnonymousPrincipal(s.Principal)
}

// isAnonymousPrincipal reports whether p takes in anonymous callers: "*",
// or an AWS element (its name in any case, as the store reads it) with a
// value that matches the empty account name of an anonymous caller: "*",
// or any run of '*', or "".
func isAnonymousPrincipal(p json.RawMessage) bool {
	var star string
	if json.Unmarshal(p, &star) == nil {
		return star == "*"
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(p, &obj) != nil {
		return false
	}
	for key, raw := range obj {
		var values StringList
		if !strings.EqualFold(key, "AWS") || json.Unmarshal(raw, &values) != nil {
			continue
		}
		if slices.ContainsFunc(values, func(v string) bool { return strings.Trim(v, "*") == "" }) {
			return true
		}
	}
	return false
}
