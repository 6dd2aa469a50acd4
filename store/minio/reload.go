package miniostore

import (
	"s3gateway/access"
)

// Update makes the store serve the tenants of reg: a tenant that kept its
// *access.Tenant across the reload (its store settings did not change, see
// access) keeps its client; new or changed tenants get a new entry, whose
// client is built on first use; removed tenants lose theirs. Requests in
// flight keep the client they hold.
func (s *Store) Update(reg *access.Registry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients = tenantClients(reg, s.clients)
	return nil
}
