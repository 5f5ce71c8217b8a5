package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
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
	name, data, err := a.readFile(c)
	if err != nil {
		return err
	}
	e, err := a.Work.AttachEvidence(c.Request().Context(), p, id, itemID, name, data)
	if err != nil {
		return err
	}
	v := evidenceOf(id, e)
	c.Response().Header().Set(echo.HeaderLocation, v.URL)
	return c.JSON(http.StatusCreated, v)
}

// readFile streams the multipart body to the part named "file" and reads it,
// up to one byte over the evidence limit so an oversize file is recognised
// without reading all of it. Other parts are skipped.
func (a *API) readFile(c echo.Context) (string, []byte, error) {
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return "", nil, badRequest("send the file as multipart/form-data in the field \"file\"")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return "", nil, invalid("file", "file is required: send it in the multipart field \"file\"")
		}
		if err != nil {
			return "", nil, multipartError(err)
		}
		if part.FormName() != "file" || part.FileName() == "" {
			if _, err := io.Copy(io.Discard, part); err != nil {
				return "", nil, multipartError(err)
			}
			continue
		}
		name := part.FileName()
		data, err := io.ReadAll(io.LimitReader(part, a.Config.MaxEvidenceBytes+1))
		if err != nil {
			return "", nil, multipartError(err)
		}
		if int64(len(data)) > a.Config.MaxEvidenceBytes {
			return "", nil, &evidence.RefusedError{Reason: "too_large", Detail: fmt.Sprintf("the file is larger than %d MiB", a.Config.MaxEvidenceBytes>>20)}
		}
		return name, data, nil
	}
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
