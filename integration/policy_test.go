package integration

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// anonymous sends a request straight to the store with no credentials and
// returns the status: what the store's policy decides.
func anonymous(t *testing.T, method, bucket, key, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, storeURL().String()+"/alpha-"+bucket+"/"+key, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == "" {
		req.Body = nil
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

type policyResponse struct {
	Prefix   string          `json:"prefix"`
	Policy   string          `json:"policy"`
	Document json.RawMessage `json:"document"`
}

func TestCannedPolicies(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	path := "/api/v1/buckets/" + bucket + "/policy"
	c.put(bucket, "public/a.txt", []byte("a"), nil)
	c.put(bucket, "private/b.txt", []byte("b"), nil)

	var p policyResponse
	c.call(http.MethodGet, path, nil, http.StatusOK, &p)
	if p.Policy != "none" || string(p.Document) != "null" {
		t.Fatalf("fresh bucket: %+v %s", p, p.Document)
	}
	if got := anonymous(t, "GET", bucket, "public/a.txt", ""); got != http.StatusForbidden {
		t.Fatalf("private bucket readable anonymously: %d", got)
	}

	c.call(http.MethodPut, path, map[string]string{"prefix": "public/", "policy": "readonly"}, http.StatusOK, &p)
	if p.Prefix != "public/" || p.Policy != "readonly" || !strings.Contains(string(p.Document), "arn:aws:s3:::"+bucket+"/public/") {
		t.Fatalf("set readonly: %+v %s", p, p.Document)
	}
	if strings.Contains(string(p.Document), "alpha-") {
		t.Fatalf("document shows the physical bucket: %s", p.Document)
	}
	if got := anonymous(t, "GET", bucket, "public/a.txt", ""); got != http.StatusOK {
		t.Fatalf("readonly prefix: anonymous GET %d", got)
	}
	if got := anonymous(t, "GET", bucket, "private/b.txt", ""); got != http.StatusForbidden {
		t.Fatalf("other prefix: anonymous GET %d", got)
	}
	if got := anonymous(t, "PUT", bucket, "public/new.txt", "x"); got != http.StatusForbidden {
		t.Fatalf("readonly prefix: anonymous PUT %d", got)
	}

	c.call(http.MethodPut, path, map[string]string{"prefix": "drop/", "policy": "writeonly"}, http.StatusOK, &p)
	if got := anonymous(t, "PUT", bucket, "drop/in.txt", "dropped"); got != http.StatusOK {
		t.Fatalf("writeonly prefix: anonymous PUT %d", got)
	}
	if got := anonymous(t, "GET", bucket, "drop/in.txt", ""); got != http.StatusForbidden {
		t.Fatalf("writeonly prefix: anonymous GET %d", got)
	}
	// Setting one prefix kept the other's grant.
	c.call(http.MethodGet, path+"?prefix=public/", nil, http.StatusOK, &p)
	if p.Policy != "readonly" {
		t.Fatalf("public/ after setting drop/: %+v", p)
	}
	c.call(http.MethodGet, path+"?prefix=drop/", nil, http.StatusOK, &p)
	if p.Policy != "writeonly" {
		t.Fatalf("drop/: %+v", p)
	}
	c.call(http.MethodGet, path+"?prefix=private/", nil, http.StatusOK, &p)
	if p.Policy != "none" {
		t.Fatalf("private/: %+v", p)
	}
	c.call(http.MethodPut, path, map[string]string{"prefix": "public/", "policy": "none"}, http.StatusOK, &p)
	if got := anonymous(t, "GET", bucket, "public/a.txt", ""); got != http.StatusForbidden {
		t.Fatalf("after none: anonymous GET %d", got)
	}

	c.call(http.MethodDelete, path, nil, http.StatusNoContent, nil)
	if got := anonymous(t, "PUT", bucket, "drop/again.txt", "x"); got != http.StatusForbidden {
		t.Fatalf("after delete: anonymous PUT %d", got)
	}
	c.wantError(http.MethodPut, path, map[string]string{"prefix": "x/", "policy": "public"}, http.StatusBadRequest, "InvalidArgument")
}

func TestPolicyDocuments(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	path := "/api/v1/buckets/" + bucket + "/policy"
	c.put(bucket, "docs/readme.txt", []byte("r"), nil)

	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Effect":    "Allow",
			"Principal": map[string]any{"AWS": []string{"*"}},
			"Action":    []string{"s3:GetObject"},
			"Resource":  []string{"arn:aws:s3:::" + bucket + "/docs/*"},
		}},
	}
	var p policyResponse
	c.call(http.MethodPut, path, map[string]any{"document": doc}, http.StatusOK, &p)
	if !strings.Contains(string(p.Document), "arn:aws:s3:::"+bucket+"/docs/*") || strings.Contains(string(p.Document), "alpha-") {
		t.Fatalf("document not in the tenant's view: %s", p.Document)
	}
	if got := anonymous(t, "GET", bucket, "docs/readme.txt", ""); got != http.StatusOK {
		t.Fatalf("document grant: anonymous GET %d", got)
	}
	// Public, but no canned policy: no GetBucketLocation, no listing.
	c.call(http.MethodGet, path+"?prefix=docs/", nil, http.StatusOK, &p)
	if p.Policy != "custom" {
		t.Fatalf("canned view of a raw document: %+v", p)
	}

	other := c.newBucket()
	doc["Statement"].([]map[string]any)[0]["Resource"] = []string{"arn:aws:s3:::" + other + "/*"}
	c.wantError(http.MethodPut, path, map[string]any{"document": doc}, http.StatusBadRequest, "InvalidPolicyDocument")
	c.wantError(http.MethodPut, path, map[string]any{"document": map[string]any{"Statement": "nonsense"}}, http.StatusBadRequest, "InvalidPolicyDocument")
	c.wantError(http.MethodPut, path, map[string]any{"document": doc, "policy": "readonly"}, http.StatusBadRequest, "InvalidArgument")
}

// anonymousAllowAll is a document that would hand the bucket to anyone.
func anonymousAllowAll(bucket string, principal any) map[string]any {
	return map[string]any{"Statement": []map[string]any{{
		"Effect": "Allow", "Principal": principal, "Action": []string{"s3:*"},
		"Resource": []string{"arn:aws:s3:::" + bucket, "arn:aws:s3:::" + bucket + "/*"},
	}}}
}

func TestPolicyAnonymousManagementRefused(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	path := "/api/v1/buckets/" + bucket + "/policy"

	for _, principal := range []any{"*", map[string]any{"AWS": "*"}, map[string]any{"AWS": []string{"*"}}} {
		e := c.wantError(http.MethodPut, path, map[string]any{"document": anonymousAllowAll(bucket, principal)}, http.StatusBadRequest, "InvalidPolicyDocument")
		if !strings.Contains(e.Error.Message, `"s3:*"`) {
			t.Errorf("principal %v: message %q does not name the action", principal, e.Error.Message)
		}
	}
	for name, statement := range map[string]map[string]any{
		"s3:Get*":   {"Effect": "Allow", "Principal": "*", "Action": "s3:Get*", "Resource": "arn:aws:s3:::" + bucket + "/*"},
		"policy":    {"Effect": "Allow", "Principal": "*", "Action": "s3:PutBucketPolicy", "Resource": "arn:aws:s3:::" + bucket},
		"NotAction": {"Effect": "Allow", "Principal": "*", "NotAction": "s3:GetObject", "Resource": "arn:aws:s3:::" + bucket + "/*"},
	} {
		e := c.wantError(http.MethodPut, path, map[string]any{"document": map[string]any{"Statement": []any{statement}}}, http.StatusBadRequest, "InvalidPolicyDocument")
		if !strings.Contains(e.Error.Message, "anonymous users") {
			t.Errorf("%s: message %q", name, e.Error.Message)
		}
	}

	// Nothing was stored: the gateway sees no policy, and the store lets no
	// anonymous caller write one.
	var p policyResponse
	c.call(http.MethodGet, path, nil, http.StatusOK, &p)
	if p.Policy != "none" || string(p.Document) != "null" {
		t.Fatalf("after refusals: %+v %s", p, p.Document)
	}
	doc, err := json.Marshal(anonymousAllowAll("alpha-"+bucket, "*"))
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPut, storeURL().String()+"/alpha-"+bucket+"?policy=", bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("anonymous write of the bucket policy: %d, want 403", resp.StatusCode)
	}

	// The canned grants are still allowed, and custom is only reported.
	c.call(http.MethodPut, path, map[string]string{"prefix": "pub/", "policy": "readwrite"}, http.StatusOK, &p)
	if p.Policy != "readwrite" {
		t.Fatalf("readwrite: %+v", p)
	}
	c.wantError(http.MethodPut, path, map[string]string{"prefix": "pub/", "policy": "custom"}, http.StatusBadRequest, "InvalidArgument")
}

func TestPolicyCustomDocument(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	path := "/api/v1/buckets/" + bucket + "/policy"
	c.put(bucket, "photos/cat.jpg", []byte("meow"), nil)
	c.put(bucket, "private/diary.txt", []byte("secret"), nil)

	for _, tc := range []struct {
		name      string
		statement map[string]any
	}{
		{"Resource", map[string]any{
			"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + bucket + "/photos/*",
		}},
		{"NotResource", map[string]any{
			"Effect": "Allow", "Principal": map[string]any{"AWS": "*"}, "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::" + bucket + "/private/*",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p policyResponse
			c.call(http.MethodPut, path, map[string]any{"document": map[string]any{"Statement": []any{tc.statement}}}, http.StatusOK, &p)
			if p.Policy != "custom" {
				t.Errorf("whole bucket after the document: %+v", p)
			}
			c.call(http.MethodGet, path+"?prefix=photos/", nil, http.StatusOK, &p)
			if p.Policy != "custom" {
				t.Errorf("photos/: %q, want custom", p.Policy)
			}
			// It is public indeed.
			if got := anonymous(t, "GET", bucket, "photos/cat.jpg", ""); got != http.StatusOK {
				t.Errorf("anonymous GET photos/cat.jpg: %d, want 200", got)
			}
			c.call(http.MethodGet, path+"?prefix=private/", nil, http.StatusOK, &p)
			if p.Policy != "none" {
				t.Errorf("private/: %q, want none", p.Policy)
			}
			if got := anonymous(t, "GET", bucket, "private/diary.txt", ""); got != http.StatusForbidden {
				t.Errorf("anonymous GET private/diary.txt: %d, want 403", got)
			}
		})
	}
}
