package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"selfcheck/app/assessment"
	"selfcheck/app/workflow"
)

// setEvidenceValidUntil sets, changes or clears the "valid until" date of
// an evidence file, from the small form beside the file on the fill-in page.
func (s *Server) setEvidenceValidUntil(c echo.Context) error {
	id, err := assessmentID(c)
	if err != nil {
		return err
	}
	eid, err := idParam(c, "eid")
	if err != nil {
		return err
	}
	e, err := s.Work.SetEvidenceValidUntil(c.Request().Context(), who(c), id, eid, c.FormValue("valid_until"))
	switch {
	case errors.Is(err, workflow.ErrReadOnly):
		return &userError{Status: http.StatusConflict, Key: "error.read_only_message", Args: []any{s.readOnlyMessage(c, err)}}
	case isFault(err):
		return &userError{Status: http.StatusUnprocessableEntity, Key: "error.read_only_message", Args: []any{s.faultMessage(c, err)}}
	case err != nil:
		return err
	}
	flash(c, "validity.saved")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/assessments/%d#item-%s", id, e.ItemID))
}

// validityLabels are the fixed texts of an evidence file's validity on the
// fill-in page.
type validityLabels struct {
	Until    string // beside a file's date field
	UntilNew string // beside the date field of the next upload
	Save     string
}

// validityMark is what the "validity" partial shows of an evidence file:
// nothing when it has no date (State ""), else its standing in words.
type validityMark struct {
	State assessment.Validity
	Text  string
}

// validityMark words e's standing on today in lang: the date alone while
// valid, a warning when expired or expiring.
func (s *Server) validityMark(lang string, e assessment.Evidence, today string) validityMark {
	st := e.Validity(today)
	if st == assessment.ValidityNone {
		return validityMark{}
	}
	return validityMark{State: st, Text: s.Messages.T(lang, "validity.state."+string(st), e.ValidUntil)}
}

// fillFile is an evidence file as the fill-in page lists it.
type fillFile struct {
	assessment.Evidence
	Mark validityMark
}

func (s *Server) fillFiles(lang string, files []assessment.Evidence, today string) []fillFile {
	out := make([]fillFile, len(files))
	for i, e := range files {
		out[i] = fillFile{Evidence: e, Mark: s.validityMark(lang, e, today)}
	}
	return out
}
