package handlers

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	echoSwagger "github.com/swaggo/echo-swagger"
	swaggerFiles "github.com/swaggo/files/v2"

	"s3gateway/errs"
)

// openAPIDocument serves the OpenAPI document given in Config.OpenAPI.
func (h *handler) openAPIDocument(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, h.openAPI)
}

// swaggerUI serves the Swagger UI at /swagger/index.html, loading
// /openapi.json. Unknown files are JSON 404s, like every other error; the
// UI's own doc.json and doc.yaml are not served (the document is
// /openapi.json).
func (h *handler) swaggerUI() echo.HandlerFunc {
	ui := echoSwagger.EchoWrapHandler(func(cfg *echoSwagger.Config) {
		cfg.URLs = []string{"/openapi.json"}
	})
	return func(c echo.Context) error {
		file := strings.TrimPrefix(c.Request().URL.Path, "/swagger/")
		switch file {
		case "", "index.html":
			return ui(c)
		case "doc.json", "doc.yaml":
			return errs.New(errs.NotFound, "no such route")
		}
		if _, err := fs.Stat(swaggerFiles.FS, file); err != nil {
			return errs.New(errs.NotFound, "no such route")
		}
		return ui(c)
	}
}
