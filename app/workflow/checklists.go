package workflow

import (
	"context"

	"selfcheck/app/access"
	"selfcheck/app/auth"
	"selfcheck/app/catalog"
	"selfcheck/app/checklist"
	"selfcheck/app/fault"
)

// Catalog is the catalog offered for new assessments (built-in files and
// admin uploads) and where each checklist comes from.
func (s *Service) Catalog(ctx context.Context) (*checklist.Catalog, map[string]catalog.Origin, error) {
	return s.Deps.Catalog.Catalog(ctx)
}

// CatalogProblem is why the uploaded checklists no longer load with the
// built-in ones, or nil.
func (s *Service) CatalogProblem() error { return s.Deps.Catalog.Problem() }

// CustomChecklists lists the checklists admins uploaded.
func (s *Service) CustomChecklists(ctx context.Context, p access.Principal) ([]CustomChecklist, error) {
	if p.Role != auth.Admin {
		return nil, fault.Forbidden("custom checklists: %s", p.Role)
	}
	return s.Store.CustomChecklists(ctx)
}

// UploadChecklist validates an uploaded checklist YAML with the built-in
// files (every problem listed, nothing stored when one is found) and keeps
// it, replacing an upload of the same id.
func (s *Service) UploadChecklist(ctx context.Context, p access.Principal, fileName string, content []byte) (*checklist.Checklist, error) {
	cl, err := s.Deps.Catalog.Upload(ctx, actor(p), fileName, content)
	if err == nil {
		s.Log.Info("checklist uploaded", "id", cl.ID, "version", cl.Version, "user", p.ID)
	}
	return cl, err
}

// DeleteChecklist removes an uploaded checklist; assessments already
// started keep their snapshot.
func (s *Service) DeleteChecklist(ctx context.Context, p access.Principal, id string) error {
	return s.Store.DeleteCustomChecklist(ctx, actor(p), id)
}

// MaxChecklistBytes bounds an uploaded checklist file.
const MaxChecklistBytes = catalog.MaxFileBytes

// ErrBadChecklistFile refuses an upload that is no checklist file at all
// (its name, size or encoding); a fault.FieldError on "file" says which.
var ErrBadChecklistFile = catalog.ErrBadFile
