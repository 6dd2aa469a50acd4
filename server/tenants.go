package server

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"s3gateway/access"
)

// tenantsPollInterval is how often the tenants file is checked for a
// change: a removed key stops working within about this long.
const tenantsPollInterval = time.Second

// ReloadTenants reads the tenants file again (on SIGHUP). A file with a
// problem is refused and the tenants in force stay.
func (s *Server) ReloadTenants() error {
	if s.watchFile == "" {
		return nil
	}
	err := s.auth.ReloadFile(s.watchFile)
	s.logReload(err)
	return err
}

func (s *Server) logReload(err error) {
	if err != nil {
		s.logger.Error("tenants file refused, the previous tenants stay in force", zap.String("file", s.watchFile), zap.Error(err))
		return
	}
	s.logger.Info("tenants file reloaded", zap.String("file", s.watchFile))
}

// registerTenantsMetrics exports when the tenants were last loaded and
// whether the last attempt failed.
func registerTenantsMetrics(reg prometheus.Registerer, auth *access.Authenticator) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "gateway_tenants_last_load_timestamp_seconds",
			Help: "When the tenants in force were loaded (Unix time).",
		}, func() float64 {
			at, _ := auth.LoadStatus()
			return float64(at.UnixNano()) / 1e9
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "gateway_tenants_last_load_failed",
			Help: "1 when the last attempt to load the tenants file failed (the previous tenants stay in force), else 0.",
		}, func() float64 {
			if _, failed := auth.LoadStatus(); failed {
				return 1
			}
			return 0
		}),
	)
}
