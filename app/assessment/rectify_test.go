package assessment

import (
	"testing"

	"selfcheck/app/fault"
)

func TestPlanMove(t *testing.T) {
	all := append([]PlanStatus{""}, AllPlanStatuses...)
	// allowed[by][from] lists the statuses by may move a plan to from from.
	allowed := map[PlanActor]map[PlanStatus][]PlanStatus{
		PlanByFirm: {
			"":             {PlanOpen, PlanInProgress, PlanDone},
			PlanOpen:       {PlanOpen, PlanInProgress, PlanDone},
			PlanInProgress: {PlanOpen, PlanInProgress, PlanDone},
			PlanDone:       {PlanOpen, PlanInProgress, PlanDone},
			PlanVerified:   nil,
		},
		PlanByAuditor: {
			PlanDone: {PlanVerified, PlanInProgress},
		},
		"admin": {},
	}
	for by, froms := range allowed {
		for _, from := range all {
			for _, to := range all {
				want := false
				for _, ok := range froms[from] {
					want = want || ok == to
				}
				err := PlanMove(from, to, by)
				if (err == nil) != want {
					t.Errorf("%s moves %q → %q: err %v, want allowed %v", by, from, to, err, want)
				}
				if err != nil {
					fe, ok := fault.AsField(err)
					if !ok || fe.Field != "status" || fe.Code != CodeTransition {
						t.Errorf("%s moves %q → %q: %#v, want a status transition FieldError", by, from, to, err)
					}
				}
			}
		}
	}
}

func TestPlanProgressApply(t *testing.T) {
	const today = "2026-12-06"
	open := Plan{Measure: "m", Owner: "o", Due: "2026-12-31", Status: PlanOpen}
	done := open
	done.Status, done.DoneOn = PlanDone, "2026-12-01"
	verified := done
	verified.Status, verified.VerifiedOn = PlanVerified, "2026-12-02"
	for _, tc := range []struct {
		name        string
		plan        Plan
		in          PlanProgress
		status      PlanStatus
		doneOn      string
		field, rule string
	}{
		{"start", open, PlanProgress{Status: PlanInProgress}, PlanInProgress, "", "", ""},
		{"a note alone", open, PlanProgress{Note: " 已约谈供应商 \r\n"}, PlanOpen, "", "", ""},
		{"nothing", open, PlanProgress{Note: "  "}, PlanOpen, "", "note", fault.Required},
		{"done today", open, PlanProgress{Status: PlanDone}, PlanDone, today, "", ""},
		{"done earlier", open, PlanProgress{Status: PlanDone, DoneOn: "2026-11-30"}, PlanDone, "2026-11-30", "", ""},
		{"done in the future", open, PlanProgress{Status: PlanDone, DoneOn: "2026-12-07"}, open.Status, "", "done_on", fault.Order},
		{"done on a bad date", open, PlanProgress{Status: PlanDone, DoneOn: "2026-02-30"}, open.Status, "", "done_on", fault.Invalid},
		{"a date without done", open, PlanProgress{Status: PlanInProgress, DoneOn: "2026-12-01"}, open.Status, "", "done_on", fault.Invalid},
		{"done keeps its date", done, PlanProgress{Note: "补充说明"}, PlanDone, "2026-12-01", "", ""},
		{"back from done clears the date", done, PlanProgress{Status: PlanInProgress}, PlanInProgress, "", "", ""},
		{"verified is the auditor's", done, PlanProgress{Status: PlanVerified}, PlanDone, "2026-12-01", "status", CodeTransition},
		{"a verified plan is closed", verified, PlanProgress{Status: PlanInProgress}, PlanVerified, "2026-12-01", "status", CodeTransition},
		{"no note on a verified plan", verified, PlanProgress{Note: "x"}, PlanVerified, "2026-12-01", "status", CodeTransition},
		{"note too long", open, PlanProgress{Note: string(make([]rune, MaxProgressNote+1))}, PlanOpen, "", "note", fault.TooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			got, err := in.Apply(tc.plan, today)
			fe, _ := fault.AsField(err)
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.field != "" && (fe == nil || fe.Field != tc.field || fe.Code != tc.rule):
				t.Fatalf("err %v, want %s %s", err, tc.field, tc.rule)
			}
			if got.Status != tc.status || got.DoneOn != tc.doneOn {
				t.Errorf("plan %s done on %q, want %s done on %q", got.Status, got.DoneOn, tc.status, tc.doneOn)
			}
		})
	}
}

func TestVerificationApply(t *testing.T) {
	const today = "2026-12-06"
	done := Plan{Measure: "m", Owner: "o", Due: "2026-12-31", Status: PlanDone, DoneOn: "2026-12-01"}
	inProgress := done
	inProgress.Status, inProgress.DoneOn = PlanInProgress, ""
	for _, tc := range []struct {
		name        string
		plan        Plan
		in          Verification
		status      PlanStatus
		verifiedOn  string
		doneOn      string
		field, rule string
	}{
		{"accept", done, Verification{Decision: PlanAccept}, PlanVerified, today, "2026-12-01", "", ""},
		{"reopen", done, Verification{Decision: PlanReopen, Comment: "缺少培训记录"}, PlanInProgress, "", "", "", ""},
		{"reopen needs a comment", done, Verification{Decision: PlanReopen, Comment: " "}, PlanDone, "", "2026-12-01", "comment", CodeNeedsComment},
		{"unknown decision", done, Verification{Decision: "close"}, PlanDone, "", "2026-12-01", "decision", CodeDecision},
		{"not done yet", inProgress, Verification{Decision: PlanAccept}, PlanInProgress, "", "", "status", CodeTransition},
		{"comment too long", done, Verification{Decision: PlanAccept, Comment: string(make([]rune, MaxComment+1))}, PlanDone, "", "2026-12-01", "comment", fault.TooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			got, err := in.Apply(tc.plan, today)
			fe, _ := fault.AsField(err)
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.field != "" && (fe == nil || fe.Field != tc.field || fe.Code != tc.rule):
				t.Fatalf("err %v, want %s %s", err, tc.field, tc.rule)
			}
			if got.Status != tc.status || got.VerifiedOn != tc.verifiedOn || got.DoneOn != tc.doneOn {
				t.Errorf("plan %s verified %q done %q, want %s verified %q done %q", got.Status, got.VerifiedOn, got.DoneOn, tc.status, tc.verifiedOn, tc.doneOn)
			}
		})
	}
}

func TestRectificationClosed(t *testing.T) {
	v, d := Plan{Status: PlanVerified}, Plan{Status: PlanDone}
	for _, tc := range []struct {
		plans map[string]Plan
		want  bool
	}{
		{nil, false},
		{map[string]Plan{"a": v}, true},
		{map[string]Plan{"a": v, "b": d}, false},
	} {
		if got := RectificationClosed(tc.plans); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.plans, got, tc.want)
		}
	}
}

func TestOverdueEndsWhenFinished(t *testing.T) {
	for st, want := range map[PlanStatus]bool{PlanOpen: true, PlanInProgress: true, PlanDone: false, PlanVerified: false} {
		if got := (Plan{Status: st, Due: "2026-01-01"}).Overdue("2026-12-06"); got != want {
			t.Errorf("%s: overdue %v, want %v", st, got, want)
		}
	}
}
