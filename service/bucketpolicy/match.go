package bucketpolicy

import "strings"

// The policy language's patterns: '*' stands for any run of characters and
// '?' for one. Actions compare without regard to case, resources and
// condition values exactly.

// wildcardMatch matches s against pattern, where '*' stands for any run of
// characters and '?' for one; every other character of s, '*' included, is
// literal.
func wildcardMatch(pattern, s string) bool {
	p, str := []rune(pattern), []rune(s)
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(str) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == str[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// patternsOverlap reports whether some string matches both patterns.
func patternsOverlap(a, b string) bool {
	p, q := []rune(a), []rune(b)
	// seen[i][j]: the pair of positions was tried and led nowhere.
	seen := make([][]bool, len(p)+1)
	for i := range seen {
		seen[i] = make([]bool, len(q)+1)
	}
	var overlap func(i, j int) bool
	overlap = func(i, j int) bool {
		if seen[i][j] {
			return false
		}
		seen[i][j] = true
		switch {
		case i == len(p) && j == len(q):
			return true
		case i < len(p) && p[i] == '*':
			// The star matches nothing more, or one more character of
			// what q stands for (a '*' of q then matches nothing).
			return overlap(i+1, j) || j < len(q) && overlap(i, j+1)
		case j < len(q) && q[j] == '*':
			return overlap(i, j+1) || i < len(p) && overlap(i+1, j)
		case i == len(p) || j == len(q):
			return false
		case p[i] == '?' || q[j] == '?' || p[i] == q[j]:
			return overlap(i+1, j+1)
		}
		return false
	}
	return overlap(0, 0)
}

// coversPrefix reports, conservatively, whether pattern matches every
// string that starts with the literal head: true only when pattern ends in
// '*' and matches head itself (what comes before the final '*' then matches
// a prefix of head, and the '*' anything after). A false answer may be
// wrong, so callers use it only where "not covered" is the safe reading.
func coversPrefix(pattern, head string) bool {
	return strings.HasSuffix(pattern, "*") && !strings.Contains(pattern, "${") && wildcardMatch(pattern, head)
}

// literalHead is the part of pattern before its first wildcard or policy
// variable: every string the pattern matches starts with it.
func literalHead(pattern string) string {
	if i := strings.IndexAny(pattern, "*?$"); i >= 0 {
		return pattern[:i]
	}
	return pattern
}

// widenVariables reads each policy variable (${...}) of pattern as '*': the
// store fills them in per request, so any text may stand there.
func widenVariables(pattern string) string {
	for {
		start := strings.Index(pattern, "${")
		if start < 0 {
			return pattern
		}
		end := strings.Index(pattern[start:], "}")
		if end < 0 {
			return pattern[:start] + "*"
		}
		pattern = pattern[:start] + "*" + pattern[start+end+1:]
	}
}
