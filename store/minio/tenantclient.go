package miniostore

import (
	"sync"
	"sync/atomic"

	"s3gateway/access"
)

// tenantClient is a tenant's entry in the store: small until the tenant's
// first request builds its client (store, presign-read and presign-upload
// minio-go clients and its circuit), once, however many requests race.
type tenantClient struct {
	tenant *access.Tenant
	once   sync.Once
	built  atomic.Pointer[client] // nil until built
}

// get returns the entry's client, building it on the first call.
func (e *tenantClient) get(s *Store) *client {
	e.once.Do(func() {
		// New built a trial client with the same options: this cannot fail.
		c, err := s.newClient(e.tenant)
		if err != nil {
			return
		}
		if s.cfg.onBuild != nil {
			s.cfg.onBuild(e.tenant)
		}
		e.built.Store(c)
	})
	return e.built.Load()
}

// tenantClients are the entries of the tenants of reg. A tenant that has an
// entry in old (it kept its *access.Tenant across a reload, so its store
// settings did not change) keeps it, and with it any client built.
func tenantClients(reg *access.Registry, old map[*access.Tenant]*tenantClient) map[*access.Tenant]*tenantClient {
	all := reg.All()
	next := make(map[*access.Tenant]*tenantClient, len(all))
	for _, t := range all {
		if e, ok := old[t]; ok {
			next[t] = e
			continue
		}
		next[t] = &tenantClient{tenant: t}
	}
	return next
}
