package miniostore

import (
	"fmt"

	"s3gateway/access"
)

// Update makes the store serve the tenants of reg: a tenant that kept its
// *access.Tenant across the reload (its store settings did not change, see
// access) keeps its client; new or changed tenants get a new one; removed
// tenants lose theirs. Requests in flight keep the client they hold.
func (s *Store) Update(reg *access.Registry) error {
	s.mu.RLock()
	old := s.clients
	s.mu.RUnlock()
	next := make(map[*access.Tenant]*client, len(old))
	for _, t := range reg.All() {
		if c, ok := old[t]; ok {
			next[t] = c
			continue
		}
		c, err := s.newClient(t)
		if err != nil {
			return fmt.Errorf("tenant %s: %w", t.ID, err)
		}
		next[t] = c
	}
	s.mu.Lock()
	s.clients = next
	s.mu.Unlock()
	return nil
}
