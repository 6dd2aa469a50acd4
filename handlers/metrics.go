package handlers

import (
	"github.com/labstack/echo/v4"
)

// metricsPage godoc
//
//	@Summary		Prometheus metrics
//	@Description	The gateway's metrics in the Prometheus text format: requests, latency and bytes by route template, method, status and tenant; requests in flight; open event streams; object store failures by error code; Go runtime and process metrics. Needs no API key.
//	@ID				metrics
//	@Tags			health
//	@Produce		plain
//	@Success		200	{string}	string	"metrics in the Prometheus text exposition format"
//	@Router			/metrics [get]
func (h *handler) metricsPage(c echo.Context) error {
	h.metrics.Handler().ServeHTTP(c.Response(), c.Request())
	return nil
}
