package assessment

import (
	"strings"
	"testing"

	"selfcheck/app/fault"
	"selfcheck/app/scoring"
)

func TestPlanValidate(t *testing.T) {
	ok := NewPlan(" 增加关闭按钮\r\n第二步 ", " 张三 ", " 2030-01-31 ", PlanOpen)
	if ok.Measure != "增加关闭按钮\n第二步" || ok.Owner != "张三" || ok.Due != "2030-01-31" {
		t.Fatalf("NewPlan normalized to %+v", ok)
	}
	for _, tt := range []struct {
		name        string
		plan        Plan
		field, code string
	}{
		{"complete", ok, "", ""},
		{"no measure", NewPlan("  ", "张三", "2030-01-31", PlanOpen), "measure", fault.Required},
		{"measure too long", NewPlan(strings.Repeat("措", MaxPlanMeasure+1), "张三", "2030-01-31", PlanOpen), "measure", fault.TooLong},
		{"measure at the limit", NewPlan(strings.Repeat("措", MaxPlanMeasure), "张三", "2030-01-31", PlanOpen), "", ""},
		{"no owner", NewPlan("m", "", "2030-01-31", PlanOpen), "owner", fault.Required},
		{"owner too long", NewPlan("m", strings.Repeat("张", MaxPlanOwner+1), "2030-01-31", PlanOpen), "owner", fault.TooLong},
		{"no due date", NewPlan("m", "o", "", PlanOpen), "due", fault.Required},
		{"impossible date", NewPlan("m", "o", "2030-02-30", PlanOpen), "due", fault.Invalid},
		{"date in another format", NewPlan("m", "o", "31/01/2030", PlanOpen), "due", fault.Invalid},
		{"unknown status", NewPlan("m", "o", "2030-01-31", "closed"), "status", fault.OneOf},
		{"no status is open", NewPlan("m", "o", "2030-01-31", ""), "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.plan.Validate()
			checkField(t, err, tt.field, tt.code)
			if got := tt.plan.Problem(); got != tt.field {
				t.Errorf("Problem() = %q, want %q", got, tt.field)
			}
		})
	}
}

// A draft is saved with what it has: only what is malformed or too long is
// refused, and Missing says what submission still needs.
func TestPlanDraft(t *testing.T) {
	for _, tt := range []struct {
		name        string
		plan        Plan
		field, code string
		missing     string
	}{
		{"only the measure", NewPlan("增加关闭按钮", "", "", ""), "", "", "owner due"},
		{"only the owner", NewPlan("", "张三", "", PlanOpen), "", "", "measure due"},
		{"complete", NewPlan("m", "o", "2030-01-31", PlanDone), "", "", ""},
		{"nothing", NewPlan(" ", "", "", PlanOpen), "measure", fault.Required, "measure owner due"},
		{"measure too long", NewPlan(strings.Repeat("措", MaxPlanMeasure+1), "", "", PlanOpen), "measure", fault.TooLong, "owner due"},
		{"owner too long", NewPlan("m", strings.Repeat("张", MaxPlanOwner+1), "", PlanOpen), "owner", fault.TooLong, "due"},
		{"impossible date", NewPlan("m", "", "2030-02-30", PlanOpen), "due", fault.Invalid, "owner"},
		{"unknown status", NewPlan("m", "", "", "closed"), "status", fault.OneOf, "owner due"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkField(t, tt.plan.ValidateDraft(), tt.field, tt.code)
			if got := strings.Join(tt.plan.Missing(), " "); got != tt.missing {
				t.Errorf("Missing() = %q, want %q", got, tt.missing)
			}
		})
	}
}

func TestValidateAnswer(t *testing.T) {
	for _, tt := range []struct {
		name        string
		value       scoring.Answer
		note        string
		field, code string
	}{
		{"compliant", scoring.Compliant, "有截图", "", ""},
		{"cleared", scoring.Unanswered, "", "", ""},
		{"unknown answer", "maybe", "", "response", fault.OneOf},
		{"note at the limit", scoring.Partial, strings.Repeat("注", MaxNoteLen), "", ""},
		{"note too long", scoring.Partial, strings.Repeat("注", MaxNoteLen+1), "note", fault.TooLong},
		{"space does not count", scoring.Partial, "  " + strings.Repeat("注", MaxNoteLen) + "\r\n", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) { checkField(t, ValidateAnswer(tt.value, tt.note), tt.field, tt.code) })
	}
}

func TestDecisionValidate(t *testing.T) {
	long := strings.Repeat("意", MaxComment+1)
	for _, tt := range []struct {
		name              string
		d                 Decision
		field, code, item string
	}{
		{"approve without comment", Decision{Action: Approve}, "", "", ""},
		{"unknown decision", Decision{Action: "maybe"}, "decision", fault.OneOf, ""},
		{"reject without comment", Decision{Action: Reject, Comment: " \n"}, "comment", fault.Required, ""},
		{"request changes without comment", Decision{Action: RequestChanges}, "comment", fault.Required, ""},
		{"comment too long", Decision{Action: Reject, Comment: long}, "comment", fault.TooLong, ""},
		{"request changes, all accepted", Decision{Action: RequestChanges, Comment: "c", Items: []ItemVerdict{{ItemID: "a", Verdict: Accepted}}}, "verdict", fault.NoGap, ""},
		{"request changes, one to change", Decision{Action: RequestChanges, Comment: "c", Items: []ItemVerdict{{ItemID: "a", Verdict: Accepted}, {ItemID: "b", Verdict: NeedsChange}}}, "", "", ""},
		{"request changes with no verdicts", Decision{Action: RequestChanges, Comment: "c"}, "", "", ""},
		{"unknown verdict", Decision{Action: Approve, Items: []ItemVerdict{{ItemID: "a", Verdict: "fine"}}}, "verdict", fault.OneOf, "a"},
		{"item comment too long", Decision{Action: Approve, Items: []ItemVerdict{{ItemID: "a", Verdict: Accepted, Comment: long}}}, "comment", fault.TooLong, "a"},
		{"verdict without item", Decision{Action: Approve, Items: []ItemVerdict{{ItemID: " ", Verdict: Accepted}}}, "item", fault.Required, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.d.Validate()
			checkField(t, err, tt.field, tt.code)
			if fe, ok := fault.AsField(err); ok && fe.Item != tt.item {
				t.Errorf("item %q, want %q", fe.Item, tt.item)
			}
		})
	}
}

// checkField fails unless err is nil (field "") or a *fault.FieldError
// about field with code.
func checkField(t *testing.T, err error, field, code string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Fatalf("refused: %v", err)
		}
		return
	}
	fe, ok := fault.AsField(err)
	if !ok || fe.Field != field || fe.Code != code {
		t.Fatalf("got %v, want %s %s", err, field, code)
	}
}
