package handlers

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"s3gateway/errs"
	"s3gateway/service"
)

// healthz godoc
//
//	@Summary		Liveness
//	@Description	200 while the process serves requests. Needs no API key.
//	@ID				healthz
//	@Tags			health
//	@Produce		json
//	@Success		200	{object}	statusResponse
//	@Router			/healthz [get]
func (h *handler) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, statusResponse{Status: "ok"})
}

// readyz godoc
//
//	@Summary		Readiness
//	@Description	200 when the object store answers within a few seconds (3 s by default) and the event engine is ready (connected to NATS, its streams there); else 503 BackendUnavailable whose message says which part is not ready, or 504 BackendTimeout when the store did not answer in time. Needs no API key. An identity provider whose key set cannot be fetched is listed in identityProviders but does not make the gateway unready: tenant keys, scoped keys and tokens whose keys are cached keep working.
//	@ID				readyz
//	@Tags			health
//	@Produce		json
//	@Success		200	{object}	statusResponse
//	@Failure		503	{object}	errorResponse	"BackendUnavailable"
//	@Failure		504	{object}	errorResponse	"BackendTimeout"
//	@Router			/readyz [get]
func (h *handler) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.readyTimeout)
	defer cancel()
	if err := h.svc.Ready(ctx); err != nil {
		if errors.Is(err, service.ErrEventsNotReady) {
			return errs.Wrap(err, errs.BackendUnavailable, "%v", err) // names the part that is not ready
		}
		if errs.Is(err, errs.BackendTimeout) || errors.Is(err, context.DeadlineExceeded) {
			return errs.Wrap(err, errs.BackendTimeout, "the object store did not answer in time")
		}
		return errs.Wrap(err, errs.BackendUnavailable, "the object store is unavailable")
	}
	return c.JSON(http.StatusOK, statusResponse{Status: "ready", IdentityProviders: h.identityProviders()})
}

// identityProviders lists the identity providers whose key sets could not
// be fetched the last time.
func (h *handler) identityProviders() []providerStatusResponse {
	if h.providers == nil {
		return nil
	}
	var out []providerStatusResponse
	for _, p := range h.providers() {
		if !p.Reachable {
			out = append(out, providerStatusResponse{JWKSURL: p.JWKSURL, Reachable: false})
		}
	}
	return out
}
