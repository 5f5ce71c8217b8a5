// Package selfcheck holds the files embedded in the binary. It lives at the
// module root because go:embed cannot reach parent directories.
package selfcheck

import "embed"

// Templates holds templates/layouts, templates/partials and templates/pages.
//
//go:embed templates
var Templates embed.FS

// Static holds CSS, scripts and fonts served under /static/ and used by the PDF report.
//
//go:embed static
var Static embed.FS

// Checklists holds the built-in checklist catalog, one YAML file per theme.
//
//go:embed checklists
var Checklists embed.FS
