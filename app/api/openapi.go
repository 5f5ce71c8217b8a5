package api

import (
	_ "embed"
	"net/http"

	"selfcheck/app/access"

	"github.com/labstack/echo/v4"
)

// openAPIDoc describes every route of the table; a test keeps the two equal.
//
//go:embed openapi.json
var openAPIDoc []byte

// openAPI serves the OpenAPI 3.0 description of the API.
func (a *API) openAPI(c echo.Context, _ access.Principal) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIDoc)
}
