package integration

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

// Client mistakes in names are the client's: every name-like input with a
// "." or ".." segment (between "/" or "\"), is a 400 naming the field,
// never a 500 from the store refusing it.
func TestSecurityBadNamesAre400(t *testing.T) {
	c := as(t, alphaKey)
	bucket := c.newBucket()
	c.put(bucket, "x", []byte("x"), nil)
	base := "/api/v1/buckets/" + bucket
	cursor := base64.RawURLEncoding.EncodeToString([]byte(`{"v":1,"a":"../x"}`))
	cases := []struct {
		name   string
		req    request
		status int
		code   string
	}{
		{"object name with backslashes", request{method: http.MethodGet, path: base + "/objects/a%5C..%5C..%5Cb"}, 400, "InvalidObjectName"},
		{"put with backslashes", rawRequest(http.MethodPut, base+"/objects/a%5C..%5Cb", "x"), 400, "InvalidObjectName"},
		{"stat with a dot segment", request{method: http.MethodGet, path: base + "/stat/a/%2E/b"}, 400, "InvalidObjectName"},
		{"prefix ../", request{method: http.MethodGet, path: base + "/objects?prefix=" + url.QueryEscape("../")}, 400, "InvalidArgument"},
		{"prefix with backslashed dots", request{method: http.MethodGet, path: base + "/objects?prefix=" + url.QueryEscape(`a\..\`)}, 400, "InvalidArgument"},
		{"startAfter ../x", request{method: http.MethodGet, path: base + "/objects?startAfter=" + url.QueryEscape("../x")}, 400, "InvalidArgument"},
		{"cursor holding ../x", request{method: http.MethodGet, path: base + "/objects?cursor=" + cursor}, 400, "InvalidArgument"},
		{"uploads prefix ..", request{method: http.MethodGet, path: base + "/uploads?prefix=.."}, 400, "InvalidArgument"},
		{"copy source with backslashes", jsonRequest(http.MethodPost, base+"/copy", map[string]any{
			"source": map[string]string{"name": `x\..\y`}, "name": "dst",
		}), 400, "InvalidObjectName"},
		{"policy with only NotAction", jsonRequest(http.MethodPut, base+"/policy", map[string]any{"document": map[string]any{
			"Version": "2012-10-17",
			"Statement": []map[string]any{{
				"Effect": "Allow", "Principal": map[string]any{"AWS": []string{"arn:aws:iam::123456789012:user/someone"}},
				"NotAction": []string{"s3:DeleteObject"}, "Resource": []string{"arn:aws:s3:::" + bucket + "/*"},
			}},
		}}), 400, "InvalidPolicyDocument"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := as(t, alphaKey).do(tc.req)
			var e errorBody
			_ = json.Unmarshal(body, &e)
			if resp.StatusCode != tc.status || e.Error.Code != tc.code {
				t.Fatalf("status %d code %q, want %d %s; body %s", resp.StatusCode, e.Error.Code, tc.status, tc.code, body)
			}
		})
	}
}
