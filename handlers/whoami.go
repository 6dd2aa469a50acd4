package handlers

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"s3gateway/access"
	"s3gateway/errs"
)

// whoamiResponse describes the credential of the request.
type whoamiResponse struct {
	Tenant  string     `json:"tenant" validate:"required" example:"acme"`
	Kind    string     `json:"kind" validate:"required" enums:"tenant,scoped,jwt" example:"scoped"`
	ID      string     `json:"id" validate:"required" example:"web-gallery"`
	Scopes  []string   `json:"scopes" validate:"required" example:"objects:read,objects:list"`
	Buckets []string   `json:"buckets,omitempty" example:"photos"`
	Prefix  string     `json:"prefix,omitempty" example:"public/"`
	Expires *time.Time `json:"expires,omitempty" example:"2027-06-30T00:00:00Z"`
} // @name Whoami

func toWhoamiResponse(p *access.Principal) whoamiResponse {
	r := whoamiResponse{Tenant: p.Tenant.ID, Kind: string(p.Kind), ID: p.ID, Scopes: []string{}, Buckets: p.Buckets, Prefix: p.Prefix}
	for _, s := range p.Scopes {
		r.Scopes = append(r.Scopes, string(s))
	}
	if !p.Expires.IsZero() {
		exp := p.Expires.UTC()
		r.Expires = &exp
	}
	return r
}

// whoami godoc
//
//	@Summary		Describe the credential
//	@Description	The tenant, the kind of credential (tenant key, scoped key or user token) and its id, its scopes, and the buckets, object name prefix and expiry it is limited to. Any valid credential may ask; apps use it to show what they may do.
//	@ID				whoami
//	@Tags			access
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Success		200	{object}	whoamiResponse
//	@Failure		401	{object}	errorResponse	"Unauthorized"
//	@Failure		503	{object}	errorResponse	"BackendUnavailable"
//	@Router			/api/v1/whoami [get]
func (h *handler) whoami(c echo.Context) error {
	p, ok := access.PrincipalFromContext(c.Request().Context())
	if !ok {
		return errs.New(errs.Unauthorized, "no credential for this request")
	}
	return c.JSON(http.StatusOK, toWhoamiResponse(p))
}
