package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"selfcheck/app/assessment"
	"selfcheck/app/evidence"
	"selfcheck/app/fault"
	"selfcheck/app/i18n"
	"selfcheck/app/workflow"
)

// apiError is an error whose status, code and message are safe to show.
// The optional fields add what a client needs to act on it.
type apiError struct {
	Status   int
	Code     string
	Message  string
	Field    string           // the request field that is wrong (422)
	State    assessment.State // the state that makes an assessment read-only (409)
	Current  any              // what someone else saved meanwhile (409)
	Items    []blockerView    // what blocks a submit (422)
	Reason   string           // why an evidence file was refused (422)
	Item     string           // the checklist item a refused field belongs to (422)
	Rule     string           // which rule refused the field: a fault code (422)
	Problems []string         // every problem of a refused checklist file (422)
	// RetryAfter is when to try again, in seconds (503): sent as the
	// Retry-After header, and in the body for clients that read only it.
	RetryAfter int
}

func (e *apiError) Error() string { return fmt.Sprintf("api: %d %s: %s", e.Status, e.Code, e.Message) }

// errorBody is the "error" object of every error answer.
type errorBody struct {
	Code     string           `json:"code"`
	Message  string           `json:"message"`
	Field    string           `json:"field,omitempty"`
	State    assessment.State `json:"state,omitempty"`
	Current  any              `json:"current,omitempty"`
	Items    []blockerView    `json:"items,omitempty"`
	Reason   string           `json:"reason,omitempty"`
	Detail   string           `json:"detail,omitempty"`
	Item     string           `json:"item,omitempty"`
	Rule     string           `json:"rule,omitempty"`
	Problems []string         `json:"problems,omitempty"`
	// RetryAfter is how many seconds to wait before trying again (busy).
	RetryAfter int `json:"retry_after,omitempty"`
}

// blockerView is one item that blocks a submit, with every reason.
type blockerView struct {
	Item    string             `json:"item"`
	Theme   string             `json:"theme"`
	Reasons []assessment.Block `json:"reasons"`
	// PlanMissing names what the item's draft plan lacks (plan_missing).
	PlanMissing []string `json:"plan_missing,omitempty"`
}

var (
	errUnauthorized = &apiError{Status: http.StatusUnauthorized, Code: "unauthorized",
		Message: "a valid API token is required: send Authorization: Bearer TOKEN"}
	errForbidden = &apiError{Status: http.StatusForbidden, Code: "forbidden",
		Message: "your role may not call this endpoint"}
	errNotFound = &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "not found"}
	errInternal = &apiError{Status: http.StatusInternalServerError, Code: "internal",
		Message: "internal error; it has been logged"}
)

func badRequest(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "bad_request", Message: fmt.Sprintf(format, args...)}
}

// invalid refuses a well-formed request whose field has a wrong value.
func invalid(field, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Field: field, Message: fmt.Sprintf(format, args...)}
}

func errTooLarge(limit int64) *apiError {
	return &apiError{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
		Message: fmt.Sprintf("the request body is larger than %d bytes", limit)}
}

// fieldError is a domain refusal answered under another request field
// than the domain's own name for it (a verdict is inside "items").
type fieldError struct {
	*fault.FieldError
	field string
}

func (e *fieldError) Unwrap() error { return e.FieldError }

// isFault reports whether err refuses a field's value.
func isFault(err error) bool {
	_, ok := fault.AsField(err)
	return ok
}

// classify turns any error into the answer to give, its message in lang.
// Errors of the domain, the store and evidence checking map to their
// statuses; anything else is internal.
func classify(err error, msgs *i18n.Catalog, lang string) *apiError {
	var (
		ae  *apiError
		mbe *http.MaxBytesError
		ro  *workflow.ReadOnlyError
		ce  *workflow.ConflictError
		pe  *workflow.PlanConflictError
		inc *workflow.IncompleteError
		re  *evidence.RefusedError
		fe  *fault.FieldError
		be  *fault.BusyError
	)
	switch {
	case errors.As(err, &be):
		msg := be.Error()
		if msgs != nil {
			msg = msgs.T(lang, "error.busy", be.RetryAfterSeconds())
		}
		return &apiError{Status: http.StatusServiceUnavailable, Code: "busy", Message: msg, RetryAfter: be.RetryAfterSeconds()}
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &fe):
		field := fe.Field
		var renamed *fieldError
		if errors.As(err, &renamed) {
			field = renamed.field
		}
		msg := fe.Error()
		if msgs != nil {
			msg = msgs.Fault(lang, fe)
		}
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid", Field: field, Item: fe.Item, Rule: fe.Code, Message: msg}
	case errors.Is(err, fault.ErrNotFound):
		return errNotFound
	case errors.Is(err, fault.ErrForbidden):
		return errForbidden
	case errors.As(err, &mbe):
		return errTooLarge(mbe.Limit)
	case errors.Is(err, workflow.ErrNotFound), errors.Is(err, workflow.ErrUnknownItem), errors.Is(err, workflow.ErrNotInCampaign):
		return errNotFound
	case errors.As(err, &ro):
		return &apiError{Status: http.StatusConflict, Code: "read_only", State: ro.State,
			Message: fmt.Sprintf("the assessment is %s: only a draft or one returned for changes can be edited or submitted", ro.State)}
	case errors.As(err, &ce):
		cur := answerOf(ce.Current)
		return &apiError{Status: http.StatusConflict, Code: "conflict", Current: savedAnswerView{Item: ce.ItemID, answerView: cur},
			Message: fmt.Sprintf("item %s was changed by someone else since the version you sent; it is now at version %d", ce.ItemID, ce.Current.Version)}
	case errors.As(err, &pe):
		return &apiError{Status: http.StatusConflict, Code: "conflict", Current: planOf(pe.ItemID, pe.Current),
			Message: fmt.Sprintf("the plan of item %s was changed by someone else since the version you sent; it is now at version %d", pe.ItemID, pe.Current.Version)}
	case errors.Is(err, workflow.ErrCommentFinal):
		return &apiError{Status: http.StatusConflict, Code: "final",
			Message: "a comment can be edited or deleted by its author within 5 minutes only; it is now part of the record"}
	case errors.Is(err, workflow.ErrAlreadyStarted):
		return &apiError{Status: http.StatusConflict, Code: "already_started",
			Message: "your firm has already started this campaign's assessment"}
	case errors.As(err, &inc):
		items := make([]blockerView, len(inc.Blockers))
		for i, b := range inc.Blockers {
			items[i] = blockerView{Item: b.Item.ID, Theme: b.Checklist.ID, Reasons: b.Reasons, PlanMissing: b.PlanMissing}
		}
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "incomplete", Items: items,
			Message: fmt.Sprintf("%d items block submission: answer every item, give each gap a complete rectification plan, attach the evidence required and confirm each answer carried over from the last cycle (save it, changed or not)", len(items))}
	case errors.As(err, &re):
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "evidence_refused", Field: "file", Reason: re.Reason,
			Message: "the file was refused: " + re.Detail}
	case errors.Is(err, workflow.ErrNothingApplies):
		return invalid("profile", "no item of the chosen themes applies to this profile")
	case errors.Is(err, workflow.ErrNoThemes):
		return invalid("themes", "themes must name at least one checklist, each once")
	}
	return errInternal
}

// writeError answers with the error as JSON and logs what the caller must
// not see. Nothing is written once a response has started.
func (a *API) writeError(c echo.Context, err error) {
	ae := classify(err, a.Messages, messageLang(c))
	req := c.Request()
	if ae.Status >= http.StatusInternalServerError && ae.RetryAfter == 0 {
		a.Log.Error("api request failed", "method", req.Method, "path", req.URL.Path, "err", err)
	}
	if c.Response().Committed {
		return
	}
	body := errorBody{Code: ae.Code, Message: ae.Message, Field: ae.Field, State: ae.State, Current: ae.Current, Items: ae.Items, Reason: ae.Reason,
		Item: ae.Item, Rule: ae.Rule, Problems: ae.Problems, RetryAfter: ae.RetryAfter}
	if ae.RetryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(ae.RetryAfter))
	}
	var re *evidence.RefusedError
	if errors.As(err, &re) {
		body.Detail = re.Detail
	}
	if ae.Status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="selfcheck"`)
	}
	if werr := c.JSON(ae.Status, map[string]errorBody{"error": body}); werr != nil {
		a.Log.Error("api: write error answer", "err", werr)
	}
}

// messageLang is the language of error messages: the one the caller's
// Accept-Language asks for, English when it sends none (programs read the
// code and field; the message is for the person debugging them).
func messageLang(c echo.Context) string {
	if h := c.Request().Header.Get("Accept-Language"); h != "" {
		return i18n.Match(h)
	}
	return "en"
}
