package bucketpolicy

import "testing"

func TestPatternsOverlap(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"a/*", "a/b/*", true}, {"a/b/*", "a/*", true}, {"a/*", "b/*", false},
		{"a", "a", true}, {"a", "b", false}, {"a", "a*", true}, {"a", "*", true}, {"", "*", true}, {"", "?", false},
		{"v?/*", "v12/*", false}, {"v?/*", "v1/*", true}, {"*x", "y*", true}, {"x*", "y*", false},
		{"a*b", "a*c", false}, {"a*b*", "a*c", true}, {"?", "é", true}, {"a?c", "a*", true},
		{"arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/p*", false}, // variables are widened by the caller
		{"arn:aws:s3:::b/*/*", "arn:aws:s3:::b/p*", true},
	} {
		if got := patternsOverlap(c.a, c.b); got != c.want {
			t.Errorf("patternsOverlap(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := patternsOverlap(c.b, c.a); got != c.want {
			t.Errorf("patternsOverlap(%q, %q) = %v, want %v", c.b, c.a, got, c.want)
		}
	}
}

func TestCoversPrefix(t *testing.T) {
	for _, c := range []struct {
		pattern, head string
		want          bool
	}{
		{"a/*", "a/b/", true}, {"a/*", "a/", true}, {"a*", "a/", true}, {"*", "", true}, {"*", "x", true},
		{"a/b/*", "a/", false}, {"a/*", "b/", false}, {"a/?", "a/b", false}, {"a/", "a/", false},
		{"?/*", "ab/", false}, {"??/*", "ab/c", true}, {"a/${x}*", "a/", false},
	} {
		if got := coversPrefix(c.pattern, c.head); got != c.want {
			t.Errorf("coversPrefix(%q, %q) = %v, want %v", c.pattern, c.head, got, c.want)
		}
	}
}

func TestWidenVariables(t *testing.T) {
	for in, want := range map[string]string{
		"a/${aws:username}/*": "a/*/*", "a/${x}${y}": "a/**", "a/${open": "a/*", "plain": "plain", "a/$x": "a/$x",
	} {
		if got := widenVariables(in); got != want {
			t.Errorf("widenVariables(%q) = %q, want %q", in, got, want)
		}
	}
}
