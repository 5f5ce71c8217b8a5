package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/checklist"
	"selfcheck/app/fault"
	"selfcheck/app/workflow"
)

// uploadChecklist adds or replaces an uploaded theme from the YAML file
// sent in the multipart field "file", checked with the built-in files by
// the same loader as the admin page's upload: refused, nothing is stored
// and 422 lists every problem as file:line: message.
func (a *API) uploadChecklist(c echo.Context, p access.Principal) error {
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return badRequest("send the file as multipart/form-data in the field \"file\"")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return invalid("file", "file is required: send the YAML in the multipart field \"file\"")
		}
		if err != nil {
			return multipartError(err)
		}
		if part.FormName() != "file" || part.FileName() == "" {
			if _, err := io.Copy(io.Discard, part); err != nil {
				return multipartError(err)
			}
			continue
		}
		content, err := io.ReadAll(io.LimitReader(part, workflow.MaxChecklistBytes+1))
		if err != nil {
			return multipartError(err)
		}
		cl, err := a.Work.UploadChecklist(c.Request().Context(), p, part.FileName(), content)
		var probs checklist.Problems
		switch {
		case errors.As(err, &probs):
			lines := make([]string, len(probs))
			for i, pr := range probs {
				lines[i] = pr.String()
			}
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_checklist", Field: "file", Problems: lines,
				Message: "the checklist was refused; problems lists each one as file:line: message"}
		case isFault(err):
			fe, _ := fault.AsField(err)
			msg := fe.Error()
			if a.Messages != nil {
				msg = a.Messages.Fault(messageLang(c), fe)
			}
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_checklist", Field: "file", Rule: fe.Code, Problems: []string{msg}, Message: msg}
		case err != nil:
			return err
		}
		return c.JSON(http.StatusCreated, checklistView{ID: cl.ID, Version: cl.Version, Title: textOf(cl.Title), ItemCount: len(cl.Items())})
	}
}

// deleteChecklist removes an uploaded theme; assessments already started
// keep their copy. A built-in or unknown id is a 404.
func (a *API) deleteChecklist(c echo.Context, p access.Principal) error {
	if err := a.Work.DeleteChecklist(c.Request().Context(), p, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
