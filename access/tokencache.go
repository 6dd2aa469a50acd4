package access

import (
	"crypto/sha256"
	"sync"
	"time"
)

// tokenCacheSize bounds the verified tokens kept; when full the cache is
// emptied (apps re-send the same token for its whole life, so it refills
// with the live ones).
const tokenCacheSize = 10000

// tokenCacheTTL is the longest a verified token is trusted without being
// verified again, whatever its exp.
const tokenCacheTTL = time.Minute

// tokenCache holds the principals of tokens verified recently, by the
// token's SHA-256: an app sends the same token on every request, and a
// signature check costs 50 to 500 µs of CPU where a lookup costs one. A
// token's entry ends at its exp, or tokenCacheTTL after it was verified.
type tokenCache struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte]cachedToken
}

type cachedToken struct {
	principal *Principal
	until     time.Time
}

func newTokenCache() *tokenCache {
	return &tokenCache{entries: map[[sha256.Size]byte]cachedToken{}}
}

func (c *tokenCache) get(sum [sha256.Size]byte, now time.Time) (*Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[sum]
	if !ok || !now.Before(e.until) {
		return nil, false
	}
	return e.principal, true
}

func (c *tokenCache) put(sum [sha256.Size]byte, p *Principal, now time.Time) {
	until := now.Add(tokenCacheTTL)
	if p.Expires.Before(until) {
		until = p.Expires
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= tokenCacheSize {
		clear(c.entries)
	}
	c.entries[sum] = cachedToken{principal: p, until: until}
}
