package service

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// size is the number of keys held or waited for.
func (k *keyedMutex) size() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.locks)
}

func TestKeyedMutex_excludesSameKey(t *testing.T) {
	var k keyedMutex
	const workers, rounds = 16, 200
	var counts [2]int // plain ints: the race detector checks the exclusion
	var inside [2]atomic.Int32
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			key, slot := "a", 0
			if w%2 == 1 {
				key, slot = "b", 1
			}
			for range rounds {
				unlock, err := k.lock(context.Background(), key)
				if err != nil {
					t.Error(err)
					return
				}
				if n := inside[slot].Add(1); n != 1 {
					t.Errorf("%d holders of key %q at once", n, key)
				}
				n := counts[slot] // read and write apart, so a lost update shows
				counts[slot] = n + 1
				inside[slot].Add(-1)
				unlock()
			}
		})
	}
	wg.Wait()
	for slot, n := range counts {
		if want := workers / 2 * rounds; n != want {
			t.Errorf("key %d: %d increments, want %d", slot, n, want)
		}
	}
	if n := k.size(); n != 0 {
		t.Errorf("%d keys left after every unlock, want 0", n)
	}
}

func TestKeyedMutex_otherKeysDoNotWait(t *testing.T) {
	var k keyedMutex
	unlockA, err := k.lock(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	defer unlockA()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	unlockB, err := k.lock(ctx, "b")
	if err != nil {
		t.Fatalf("key b waited for key a: %v", err)
	}
	unlockB()
	if n := k.size(); n != 1 {
		t.Errorf("%d keys while a is held, want 1", n)
	}
}

func TestKeyedMutex_waitEndsWithContext(t *testing.T) {
	var k keyedMutex
	unlock, err := k.lock(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := k.lock(ctx, "a"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting on a held key past the deadline: %v, want DeadlineExceeded", err)
	}
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := k.lock(cancelled, "b"); !errors.Is(err, context.Canceled) {
		t.Fatalf("lock with a cancelled context: %v, want Canceled", err)
	}
	if n := k.size(); n != 1 {
		t.Errorf("%d keys after the given-up waits, want 1 (the held one)", n)
	}
	unlock()
	// The key is free again for the next caller.
	unlock, err = k.lock(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if n := k.size(); n != 0 {
		t.Errorf("%d keys after every unlock, want 0", n)
	}
}

func TestKeyedMutex_everyWaiterGetsTheKey(t *testing.T) {
	var k keyedMutex
	unlock, err := k.lock(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	const waiters = 8
	var got int // guarded by the key itself
	var wg sync.WaitGroup
	for range waiters {
		wg.Go(func() {
			u, err := k.lock(context.Background(), "a")
			if err != nil {
				t.Error(err)
				return
			}
			got++
			u()
		})
	}
	// Every waiter is queued on the held key before it is let go.
	for deadline := time.Now().Add(5 * time.Second); ; {
		k.mu.Lock()
		refs := k.locks["a"].refs
		k.mu.Unlock()
		if refs == waiters+1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d waiters queued", refs-1, waiters)
		}
		time.Sleep(time.Millisecond)
	}
	unlock()
	wg.Wait()
	if got != waiters {
		t.Fatalf("%d of %d waiters got the key", got, waiters)
	}
	if n := k.size(); n != 0 {
		t.Errorf("%d keys after every unlock, want 0", n)
	}
}
