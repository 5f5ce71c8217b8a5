// Package api is Selfcheck's JSON API under /api/v1: the same assessments,
// answers, plans, evidence and reports as the web pages, for programs.
//
// Callers authenticate with a personal token (Authorization: Bearer TOKEN,
// see workflow.CreateToken) and nothing else: the session cookie is ignored, so
// no CSRF token is needed. Every route declares who may call it in one table
// (routes.go); every error is answered as {"error": {"code", "message"}} by
// this package itself, so the web app's HTML error handler never sees an API
// request. The OpenAPI description is openapi.json, served at
// /api/v1/openapi.json.
package api

import (
	"log/slog"
	"time"

	"selfcheck/app/i18n"
	"selfcheck/app/workflow"
)

// Prefix is where the API lives.
const Prefix = "/api/v1"

// Config is what the API needs to know of its deployment.
type Config struct {
	// MaxJSONBytes bounds a JSON request body (default 1 MiB).
	MaxJSONBytes int64
	// MaxEvidenceBytes bounds one evidence file (default 20 MiB); an upload's
	// body may be 1 MiB larger, for the multipart framing.
	MaxEvidenceBytes int64
	// Location is the time zone reports print dates in; UTC when nil.
	Location *time.Location
}

// Deps are the API's collaborators, built by cmd/selfcheck.
type Deps struct {
	Work     *workflow.Service // the use cases every handler calls
	Messages *i18n.Catalog     // error messages in the caller's language
	Log      *slog.Logger
	Config   Config
}

// API is the JSON API. Register adds its routes to a router.
type API struct {
	Deps
	routes []route
}

// New builds the API and its route table.
func New(d Deps) *API {
	if d.Config.MaxJSONBytes == 0 {
		d.Config.MaxJSONBytes = 1 << 20
	}
	if d.Config.MaxEvidenceBytes == 0 {
		d.Config.MaxEvidenceBytes = 20 << 20
	}
	if d.Config.Location == nil {
		d.Config.Location = time.UTC
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	a := &API{Deps: d}
	a.routes = a.table()
	return a
}
