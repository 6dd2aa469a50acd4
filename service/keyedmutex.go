package service

import (
	"context"
	"sync"
)

// keyedMutex is a set of mutexes by key: callers with the same key take
// turns, callers with different keys do not wait for each other. A key's
// entry exists only while someone holds or waits for it, so the set does not
// grow with the keys ever used. The zero value is ready to use.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*keyedLock
}

type keyedLock struct {
	held chan struct{} // holds one token while the key is locked
	refs int           // holder and waiters; guarded by keyedMutex.mu
}

// lock waits until key is free or ctx ends, whichever comes first. On
// success the caller holds key until it calls unlock, exactly once.
func (k *keyedMutex) lock(ctx context.Context, key string) (unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyedLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyedLock{held: make(chan struct{}, 1)}
		k.locks[key] = l
	}
	l.refs++
	k.mu.Unlock()

	select {
	case l.held <- struct{}{}:
		return func() {
			<-l.held
			k.release(key, l)
		}, nil
	case <-ctx.Done():
		k.release(key, l)
		return nil, ctx.Err()
	}
}

// release drops one reference to l, and l itself with the last one.
func (k *keyedMutex) release(key string, l *keyedLock) {
	k.mu.Lock()
	defer k.mu.Unlock()
	l.refs--
	if l.refs == 0 {
		delete(k.locks, key)
	}
}
