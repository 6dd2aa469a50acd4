package middleware

import (
	"math"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"s3gateway/access"
	"s3gateway/errs"
)

// RateLimit limits each tenant to perSecond requests per second on average,
// with bursts of up to burst requests (a token bucket per tenant). It goes
// after Auth: requests are counted against the authenticated tenant, never
// against a client address, and requests without a tenant (public paths,
// CORS preflights, and 401s) are not limited. A request over the limit is a
// 429 SlowDown whose Retry-After says in how many seconds a token is
// available. perSecond <= 0 turns the limit off; burst < 1 is 1.
//
// The limiters live in this function's closure, not in the one given next:
// Echo applies middleware anew to every request.
func RateLimit(perSecond float64, burst int) echo.MiddlewareFunc {
	limiters := &perTenant[*rate.Limiter]{make: func() *rate.Limiter {
		return rate.NewLimiter(rate.Limit(perSecond), max(burst, 1))
	}}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if perSecond <= 0 {
			return next
		}
		return func(c echo.Context) error {
			t, ok := access.FromContext(c.Request().Context())
			if !ok {
				return next(c)
			}
			lim := limiters.get(t.ID)
			if lim.Allow() {
				return next(c)
			}
			wait := (1 - lim.Tokens()) / perSecond
			c.Response().Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait)))))
			return errs.New(errs.SlowDown, "tenant %q is over its request rate of %g per second; retry later", t.ID, perSecond)
		}
	}
}

// UploadLimit bounds the uploads each tenant has in progress at once to n;
// one more is a 429 SlowDown (Retry-After: 1) rather than a wait, so a
// tenant cannot hold many connections and part buffers. It goes on the
// upload routes, which run after Auth. n <= 0 turns the limit off.
func UploadLimit(n int) echo.MiddlewareFunc {
	return concurrencyLimit(n, "uploads in progress")
}

// StreamLimit bounds the event streams each tenant has open at once to n;
// one more is a 429 SlowDown (Retry-After: 1). Each open stream holds a
// store listener, so without it one tenant could exhaust the store. It
// goes on the event stream route, after Auth. n <= 0 turns the limit off.
func StreamLimit(n int) echo.MiddlewareFunc {
	return concurrencyLimit(n, "event streams open")
}

// concurrencyLimit lets each tenant have at most n requests of the routes
// it is on in progress; what names them in the error.
func concurrencyLimit(n int, what string) echo.MiddlewareFunc {
	slots := &perTenant[chan struct{}]{make: func() chan struct{} { return make(chan struct{}, n) }}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if n <= 0 {
			return next
		}
		return func(c echo.Context) error {
			t, ok := access.FromContext(c.Request().Context())
			if !ok {
				return next(c)
			}
			tenantSlots := slots.get(t.ID)
			select {
			case tenantSlots <- struct{}{}:
			default:
				c.Response().Header().Set("Retry-After", "1")
				return errs.New(errs.SlowDown, "tenant %q already has %d %s; retry later", t.ID, n, what)
			}
			defer func() { <-tenantSlots }()
			return next(c)
		}
	}
}

// perTenant holds one value per tenant id, made on first use.
type perTenant[T any] struct {
	make func() T
	mu   sync.Mutex
	byID map[string]T
}

func (p *perTenant[T]) get(id string) T {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.byID[id]
	if !ok {
		if p.byID == nil {
			p.byID = map[string]T{}
		}
		v = p.make()
		p.byID[id] = v
	}
	return v
}
