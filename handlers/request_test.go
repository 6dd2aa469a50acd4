package handlers

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDecodeJSON(t *testing.T) {
	big := `{"name":"` + strings.Repeat("a", 2000) + `"}`
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantCode   string
		wantMsg    string // substring of the message
	}{
		{"json_ok", `{"name":"photos"}`, 201, "", ""},
		{"json_okTrailingSpace", "{\"name\":\"photos\"}  \n", 201, "", ""},
		{"json_tooLarge", big, 413, "EntityTooLarge", "1024 bytes"},
		{"json_empty", ``, 400, "MalformedJSON", "empty"},
		{"json_truncated", `{"name":`, 400, "MalformedJSON", "ends"},
		{"json_syntax", `{"name" "x"}`, 400, "MalformedJSON", "malformed JSON at byte"},
		{"json_trailingGarbage", `{"name":"photos"} x`, 400, "MalformedJSON", "after the JSON value"},
		{"json_trailingValue", `{"name":"photos"}{}`, 400, "MalformedJSON", "after the JSON value"},
		{"json_unknownField", `{"name":"photos","acl":"public"}`, 400, "MalformedJSON", `unknown field "acl"`},
		{"json_wrongType", `{"name":5}`, 400, "MalformedJSON", "name: must be a string"},
		{"json_notObject", `["photos"]`, 400, "MalformedJSON", "must be a JSON object"},
		// Ambiguous keys: encoding/json would keep the last, or match in
		// any letter case.
		{"json_duplicateKey", `{"name":"a","name":"b"}`, 400, "MalformedJSON", "name: given more than once"},
		{"json_caseVariantKey", `{"NAME":"x"}`, 400, "MalformedJSON", `unknown field "NAME" (field names are case-sensitive: "name")`},
		{"json_caseVariantAndKey", `{"name":"a","Name":"b"}`, 400, "MalformedJSON", `unknown field "Name"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t)
			rec := env.do(t, request{method: "POST", target: "/api/v1/buckets", body: tt.body})
			if tt.wantCode == "" {
				wantStatus(t, rec, tt.wantStatus)
				return
			}
			e := wantError(t, rec, tt.wantStatus, tt.wantCode)
			if !strings.Contains(e.Message, tt.wantMsg) {
				t.Errorf("message %q, want it to contain %q", e.Message, tt.wantMsg)
			}
			if len(env.svc.Calls()) != 0 {
				t.Error("service called")
			}
		})
	}

	t.Run("json_tooLargeChunked", func(t *testing.T) {
		env := newEnv(t)
		req := httptest.NewRequest("POST", "/api/v1/buckets", io.MultiReader(strings.NewReader(big)))
		req.Header.Set("Authorization", "Bearer "+acmeKey)
		rec := httptest.NewRecorder()
		env.e.ServeHTTP(rec, req)
		wantError(t, rec, 413, "EntityTooLarge")
	})
	t.Run("json_nestedWrongType", func(t *testing.T) {
		env := newEnv(t)
		rec := env.do(t, request{method: "POST", target: "/api/v1/buckets/photos/copy", body: `{"name":"b","source":{"name":5}}`})
		if e := wantError(t, rec, 400, "MalformedJSON"); e.Message != "source.name: must be a string" {
			t.Errorf("message %q", e.Message)
		}
	})
	t.Run("json_ambiguousNestedKeys", func(t *testing.T) {
		for body, want := range map[string]string{
			`{"name":"b","source":{"name":"x","name":"y"}}`:                     "source.name: given more than once",
			`{"name":"b","source":{"Name":"x"}}`:                                `unknown field "source.Name"`,
			`{"name":"b","source":{"name":"x"},"metadata":{"k":"1","k":"2"}}`:   "metadata.k: given more than once",
			`{"name":"b","source":{"name":"x"},"conditions":{"MatchETag":"e"}}`: `unknown field "conditions.MatchETag"`,
		} {
			env := newEnv(t)
			rec := env.do(t, request{method: "POST", target: "/api/v1/buckets/photos/copy", body: body})
			if e := wantError(t, rec, 400, "MalformedJSON"); !strings.Contains(e.Message, want) {
				t.Errorf("%s: message %q, want %q", body, e.Message, want)
			}
			if len(env.svc.Calls()) != 0 {
				t.Errorf("%s: service called", body)
			}
		}
		// Metadata keys are the caller's: other letter case is another key.
		env := newEnv(t)
		rec := env.do(t, request{method: "POST", target: "/api/v1/buckets/photos/copy",
			body: `{"name":"b","source":{"name":"x"},"metadata":{"k":"1","K":"2"}}`})
		if rec.Code == 400 {
			t.Errorf("metadata keys in two cases refused: %s", rec.Body.String())
		}
	})
	t.Run("json_duplicateInsidePolicyDocument", func(t *testing.T) {
		env := newEnv(t)
		rec := env.do(t, request{method: "PUT", target: "/api/v1/buckets/photos/policy",
			body: `{"document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny"}]}}`})
		if e := wantError(t, rec, 400, "MalformedJSON"); !strings.Contains(e.Message, "document.Statement[0].Effect: given more than once") {
			t.Errorf("message %q", e.Message)
		}
	})
	t.Run("json_wrongNumberType", func(t *testing.T) {
		env := newEnv(t)
		rec := env.do(t, request{method: "POST", target: "/api/v1/buckets/photos/presign", body: `{"method":"GET","name":"a","expiresIn":1.5}`})
		if e := wantError(t, rec, 400, "MalformedJSON"); e.Message != "expiresIn: must be a whole number" {
			t.Errorf("message %q", e.Message)
		}
	})
}
