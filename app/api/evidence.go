package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/assessment"
	"selfcheck/app/evidence"
)

// uploadEvidence attaches the file sent in the multipart field "file" to an
// item. The file is checked by its content exactly as the web form's upload
// is (app/web attach): over the size limit, of a type not accepted, or
// unsafe, it is refused with 422, the reason code and the detail.
func (a *API) uploadEvidence(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	itemID := c.Param("item")
	name, validUntil, data, err := a.readFile(c)
	if err != nil {
		return err
	}
	e, err := a.Work.AttachEvidenceUntil(c.Request().Context(), p, id, itemID, name, validUntil, data)
	if err != nil {
		return err
	}
	v := evidenceOf(id, e, a.today())
	c.Response().Header().Set(echo.HeaderLocation, v.URL)
	return c.JSON(http.StatusCreated, v)
}

// readFile streams the multipart body: the part named "file", read up to
// one byte over the evidence limit so an oversize file is recognised
// without reading all of it, and the optional field "valid_until" (before
// or after the file). Other parts are skipped.
func (a *API) readFile(c echo.Context) (name, validUntil string, data []byte, err error) {
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return "", "", nil, badRequest("send the file as multipart/form-data in the field \"file\"")
	}
	found := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", "", nil, multipartError(err)
		}
		switch {
		case part.FormName() == "valid_until" && part.FileName() == "":
			b, err := io.ReadAll(io.LimitReader(part, 64))
			if err != nil {
				return "", "", nil, multipartError(err)
			}
			validUntil = string(b)
		case part.FormName() == "file" && part.FileName() != "" && !found:
			name = part.FileName()
			data, err = io.ReadAll(io.LimitReader(part, a.Config.MaxEvidenceBytes+1))
			if err != nil {
				return "", "", nil, multipartError(err)
			}
			if int64(len(data)) > a.Config.MaxEvidenceBytes {
				return "", "", nil, &evidence.RefusedError{Reason: "too_large", Detail: fmt.Sprintf("the file is larger than %d MiB", a.Config.MaxEvidenceBytes>>20)}
			}
			found = true
		default:
			if _, err := io.Copy(io.Discard, part); err != nil {
				return "", "", nil, multipartError(err)
			}
		}
	}
	if !found {
		return "", "", nil, invalid("file", "file is required: send it in the multipart field \"file\"")
	}
	return name, validUntil, data, nil
}

// setEvidenceValidity sets, changes or clears (null or "") the "valid
// until" date of an evidence file: PUT with {"valid_until": "YYYY-MM-DD"}.
func (a *API) setEvidenceValidity(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	eid, err := idParam(c, "evidenceID")
	if err != nil {
		return err
	}
	var in struct {
		ValidUntil *string `json:"valid_until"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	until := ""
	if in.ValidUntil != nil {
		until = *in.ValidUntil
	}
	ctx := c.Request().Context()
	// The file must be the item's of the path, as for a download.
	sh, err := a.Work.Sheet(ctx, p, id)
	if err != nil {
		return err
	}
	found := false
	for _, e := range sh.Evidence[c.Param("item")] {
		found = found || e.ID == eid
	}
	if !found {
		return errNotFound
	}
	e, err := a.Work.SetEvidenceValidUntil(ctx, p, id, eid, until)
	if err != nil {
		return err
	}
	a.Log.Info("evidence validity set", "via", "api", "assessment", id, "evidence", eid, "user", p.ID)
	return c.JSON(http.StatusOK, evidenceOf(id, e, a.today()))
}

// today is the date in the configured zone, what validity is judged on.
func (a *API) today() string {
	return time.Now().In(a.Config.Location).Format(assessment.DateLayout)
}

// multipartError keeps a body over the limit a 413; anything else is a
// malformed request.
func multipartError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return badRequest("malformed multipart body")
}

// downloadEvidence serves an evidence file to the firm's users and to the
// reviewers who may see the assessment, always as an attachment the browser
// must not sniff.
func (a *API) downloadEvidence(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	eid, err := idParam(c, "evidenceID")
	if err != nil {
		return err
	}
	e, data, err := a.Work.EvidenceFile(c.Request().Context(), p, id, eid)
	if err != nil {
		return err
	}
	if e.ItemID != c.Param("item") {
		return errNotFound
	}
	a.Log.Info("evidence downloaded", "via", "api", "assessment", id, "evidence", eid, "user", p.ID)
	evidence.SetDownloadHeaders(c.Response().Header(), e.Name)
	return c.Blob(http.StatusOK, evidence.Kind(e.Kind).ContentType(), data)
}
