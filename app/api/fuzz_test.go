package api

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"selfcheck/app/assessment"
)

// decodeBody runs decodeJSON, as a handler does, on data sent as a body.
func decodeBody(data []byte, v any) error {
	req := httptest.NewRequest(http.MethodPut, "/", bytes.NewReader(data))
	return decodeJSON(echo.New().NewContext(req, httptest.NewRecorder()), v)
}

// statusOf is the status an error would be answered with.
func statusOf(err error) int { return classify(err, nil, "en").Status }

// FuzzAnswerJSON sends arbitrary bodies to the answer endpoint's parsing:
// decodeJSON and answerRequest.input never panic, refuse with 400 (not
// JSON, or not the request's shape) or 422 (a wrong value), and an answer
// they accept has a valid response and the note and version sent.
//
// Seeds: testdata/fuzz/FuzzAnswerJSON.
func FuzzAnswerJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var req answerRequest
		if err := decodeBody(data, &req); err != nil {
			if s := statusOf(err); s != http.StatusBadRequest {
				t.Fatalf("decode error answered %d: %v", s, err)
			}
			return
		}
		in, err := req.input("item-1")
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.Status != http.StatusUnprocessableEntity || ae.Field != "response" {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		if !in.Value.Valid() || in.ItemID != "item-1" {
			t.Errorf("accepted %+v", in)
		}
		if (req.Note == nil && in.Note != "") || (req.Note != nil && in.Note != *req.Note) {
			t.Errorf("note %q from %v", in.Note, req.Note)
		}
		if in.Version != req.Version {
			t.Errorf("version %v from %v", in.Version, req.Version)
		}
	})
}

// FuzzPlanJSON sends arbitrary bodies to the plan endpoint's parsing: no
// panic, 400 or 422 refusals only, and a plan accepted (a draft may lack
// fields) has something in it, a due date YYYY-MM-DD if any, a valid
// status (open unless sent), and holds what was sent.
//
// Seeds: testdata/fuzz/FuzzPlanJSON.
func FuzzPlanJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var req planRequest
		if err := decodeBody(data, &req); err != nil {
			if s := statusOf(err); s != http.StatusBadRequest {
				t.Fatalf("decode error answered %d: %v", s, err)
			}
			return
		}
		in, err := req.input()
		if err != nil {
			if s := statusOf(err); s != http.StatusUnprocessableEntity {
				t.Fatalf("refused with %d: %v", s, err)
			}
			return
		}
		if strings.TrimSpace(in.Measure+in.Owner+in.Due) == "" || !in.Status.Valid() {
			t.Errorf("accepted an empty plan or a bad status %+v", in)
		}
		if due := strings.TrimSpace(in.Due); due != "" {
			if _, err := time.Parse(assessment.DateLayout, due); err != nil {
				t.Errorf("accepted the due date %q", in.Due)
			}
		}
		if req.Status == nil && in.Status != assessment.PlanOpen {
			t.Errorf("status %q without one sent", in.Status)
		}
		if in.Measure != req.Measure || in.Owner != req.Owner || in.Due != req.Due || in.Version != req.Version {
			t.Errorf("got %+v from %+v", in, req)
		}
	})
}
