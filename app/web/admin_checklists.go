package web

import (
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"selfcheck/app/catalog"
	"selfcheck/app/checklist"
	"selfcheck/app/workflow"
)

type checklistsPage struct {
	Checklists []*checklist.Checklist
	Origin     map[string]catalog.Origin
	Problems   []string // of a refused upload, file:line: message
	Error      string
	MaxKiB     int
	Broken     []string                   // why the uploads are not offered, when they clash
	Uploads    []workflow.CustomChecklist // listed when Broken, so they can be deleted
}

func (s *Server) adminChecklists(c echo.Context) error {
	return s.renderChecklists(c, http.StatusOK, nil, "")
}

func (s *Server) renderChecklists(c echo.Context, status int, problems []string, errMsg string) error {
	cat, origin, err := s.Work.Catalog(c.Request().Context())
	if err != nil {
		return err
	}
	data := checklistsPage{
		Checklists: cat.Checklists, Origin: origin, Problems: problems, Error: errMsg, MaxKiB: workflow.MaxChecklistBytes >> 10,
	}
	if err := s.Work.CatalogProblem(); err != nil {
		data.Broken = problemLines(err)
		if data.Uploads, err = s.Work.CustomChecklists(c.Request().Context(), who(c)); err != nil {
			return err
		}
	}
	return s.render(c, status, "admin_checklists", s.T(c, "admin.checklists.title"), data)
}

// uploadChecklist adds or replaces a theme from an uploaded YAML file,
// checked by the same loader as the built-in ones.
func (s *Server) uploadChecklist(c echo.Context) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return s.renderChecklists(c, http.StatusUnprocessableEntity, nil, s.T(c, "admin.checklists.no_file"))
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	content, err := io.ReadAll(io.LimitReader(f, workflow.MaxChecklistBytes+1))
	if err != nil {
		return err
	}
	_, err = s.Work.UploadChecklist(c.Request().Context(), who(c), fh.Filename, content)
	var probs checklist.Problems
	switch {
	case errors.As(err, &probs):
		return s.renderChecklists(c, http.StatusUnprocessableEntity, problemLines(err), s.T(c, "admin.checklists.invalid", len(probs)))
	case isFault(err):
		return s.renderChecklists(c, http.StatusUnprocessableEntity, []string{s.faultMessage(c, err)}, s.T(c, "admin.checklists.bad_file"))
	case err != nil:
		return err
	}
	flash(c, "admin.checklists.uploaded")
	return c.Redirect(http.StatusSeeOther, "/admin/checklists")
}

func (s *Server) deleteChecklist(c echo.Context) error {
	err := s.Work.DeleteChecklist(c.Request().Context(), who(c), c.Param("id"))
	if errors.Is(err, workflow.ErrNotFound) {
		return fail(http.StatusNotFound, "error.not_found")
	}
	if err != nil {
		return err
	}
	flash(c, "admin.checklists.deleted")
	return c.Redirect(http.StatusSeeOther, "/admin/checklists")
}

// problemLines lists a loader error as file:line: message lines.
func problemLines(err error) []string {
	var probs checklist.Problems
	if !errors.As(err, &probs) {
		return []string{err.Error()}
	}
	lines := make([]string, len(probs))
	for i, p := range probs {
		lines[i] = p.String()
	}
	return lines
}
