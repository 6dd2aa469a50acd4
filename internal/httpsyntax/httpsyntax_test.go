package httpsyntax

import "testing"

func TestIsToken(t *testing.T) {
	for s, want := range map[string]bool{
		"X-Meta-Color": true, "a!#$%&'*+-.^_`|~9": true,
		"": false, "has space": false, "colon:": false, "quote\"": false, "é": false, "tab\t": false,
	} {
		if got := IsToken(s); got != want {
			t.Errorf("IsToken(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestQuoteETag(t *testing.T) {
	for in, want := range map[string]string{
		"abc": `"abc"`, `"abc"`: `"abc"`, `W/"abc"`: `W/"abc"`, "*": "*", " abc ": `"abc"`,
	} {
		if got := QuoteETag(in); got != want {
			t.Errorf("QuoteETag(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestTrimETag(t *testing.T) {
	for in, want := range map[string]string{
		`"abc"`: "abc", "abc": "abc", `W/"abc"`: "abc", ` "abc" `: "abc", `""`: "",
	} {
		if got := TrimETag(in); got != want {
			t.Errorf("TrimETag(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMatchesAny(t *testing.T) {
	cases := []struct {
		name, header, etag string
		want               bool
	}{
		{"quoted", `"abc"`, "abc", true},
		{"storeQuoted", `"abc"`, `"abc"`, true},
		{"weak", `W/"abc"`, "abc", true},
		{"list", `"x", "abc"`, "abc", true},
		{"star", "*", "abc", true},
		{"other", `"x"`, "abc", false},
		{"emptyTag", `""`, "", false},
		{"empty", "", "abc", false},
	}
	for _, tc := range cases {
		if got := MatchesAny(tc.header, tc.etag); got != tc.want {
			t.Errorf("%s: MatchesAny(%q, %q) = %v, want %v", tc.name, tc.header, tc.etag, got, tc.want)
		}
	}
}

func TestMatchesAnyStrong(t *testing.T) {
	for _, c := range []struct {
		header, etag string
		want         bool
	}{
		{`"a"`, "a", true},
		{`"b", "a"`, "a", true},
		{`*`, "a", true},
		{`W/"a"`, "a", false},
		{`"a"`, `W/"a"`, false},
		{`"b"`, "a", false},
	} {
		if got := MatchesAnyStrong(c.header, c.etag); got != c.want {
			t.Errorf("MatchesAnyStrong(%q, %q) = %v", c.header, c.etag, got)
		}
	}
}
