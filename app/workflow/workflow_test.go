package workflow_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"selfcheck/app/access"
	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/evidence"
	"selfcheck/app/fault"
	"selfcheck/app/scoring"
	"selfcheck/app/store"
	"selfcheck/app/testenv"
	"selfcheck/app/workflow"
)

// flow is one test's use cases over a fresh SQLite file with the demo data.
type flow struct {
	*workflow.Service
	env *testenv.Env
	t   *testing.T
}

func newFlow(t *testing.T) *flow {
	t.Helper()
	env := testenv.New(t)
	env.Work.MaxEvidenceBytes = 1 << 20
	return &flow{Service: env.Work, env: env, t: t}
}

// who is the principal of a demo (or created) account.
func (f *flow) who(email string) access.Principal {
	f.t.Helper()
	u, err := f.Store.UserByEmail(context.Background(), email)
	if err != nil {
		f.t.Fatal(err)
	}
	return workflow.PrincipalOf(u, "zh")
}

// campaign is the demo campaign's id.
func (f *flow) campaign(p access.Principal) uint {
	f.t.Helper()
	list, err := f.Store.CampaignList(context.Background(), workflow.ActorOf(p))
	if err != nil || len(list) == 0 {
		f.t.Fatalf("demo campaign: %v", err)
	}
	return list[0].ID
}

func wantField(t *testing.T, err error, field, code string) {
	t.Helper()
	fe, ok := fault.AsField(err)
	if !ok || fe.Field != field || fe.Code != code {
		t.Fatalf("got %v, want a refusal of %s (%s)", err, field, code)
	}
}

func TestStartAssessment(t *testing.T) {
	f := newFlow(t)
	ctx := context.Background()
	member, auditor := f.who("firm@demo.local"), f.who("auditor@demo.local")
	camp := f.campaign(member)
	cat, _, err := f.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	theme := cat.Checklists[0].ID
	profile := func(tags ...string) *[]string { return &tags }

	for _, tt := range []struct {
		name        string
		p           access.Principal
		in          workflow.StartInput
		field, code string
		is          error
	}{
		{"an auditor starts nothing", auditor, workflow.StartInput{Themes: []string{theme}}, "", "", fault.ErrForbidden},
		{"no theme", member, workflow.StartInput{}, "themes", fault.Required, nil},
		{"an unknown theme", member, workflow.StartInput{Themes: []string{"nope"}}, "themes", fault.Unknown, nil},
		{"an unknown service", member, workflow.StartInput{Themes: []string{theme}, Profile: profile("tv")}, "profile", fault.Unknown, nil},
		{"an unknown campaign", member, workflow.StartInput{Campaign: 9999}, "", "", store.ErrNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.StartAssessment(ctx, tt.p, tt.in)
			if tt.is != nil {
				if !errors.Is(err, tt.is) {
					t.Fatalf("got %v, want %v", err, tt.is)
				}
				return
			}
			wantField(t, err, tt.field, tt.code)
		})
	}

	// A profile given is saved for the firm; the next start without one
	// uses it, whichever front end starts it.
	id, err := f.StartAssessment(ctx, member, workflow.StartInput{Themes: []string{theme}, Profile: profile("website")})
	if err != nil {
		t.Fatal(err)
	}
	saved, err := f.FirmProfile(ctx, member)
	if err != nil || !saved["website"] || saved["app"] {
		t.Fatalf("saved profile %v (%v)", saved, err)
	}
	id2, err := f.StartAssessment(ctx, member, workflow.StartInput{Campaign: camp})
	if err != nil {
		t.Fatal(err)
	}
	sh, err := f.Sheet(ctx, member, id2)
	if err != nil {
		t.Fatal(err)
	}
	if !sh.Profile["website"] || sh.Profile["app"] {
		t.Errorf("a start without a profile froze %v, want the saved one", sh.Profile)
	}
	if _, err := f.StartAssessment(ctx, member, workflow.StartInput{Campaign: camp}); !errors.Is(err, workflow.ErrAlreadyStarted) {
		t.Errorf("second start of a campaign: %v", err)
	}
	if id == id2 {
		t.Error("two starts gave one assessment")
	}
}

// started is a new assessment of the demo campaign, and its first item.
func (f *flow) started(p access.Principal) (uint, string) {
	f.t.Helper()
	id, err := f.StartAssessment(context.Background(), p, workflow.StartInput{Campaign: f.campaign(p)})
	if err != nil {
		f.t.Fatal(err)
	}
	sh, err := f.Sheet(context.Background(), p, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return id, sh.Checklists[0].Items()[0].ID
}

func TestSaveAnswersAndPlans(t *testing.T) {
	f := newFlow(t)
	ctx := context.Background()
	member := f.who("firm@demo.local")
	id, item := f.started(member)

	_, err := f.SaveAnswers(ctx, member, id, []workflow.AnswerInput{{ItemID: item, Value: "maybe"}})
	wantField(t, err, "response", fault.OneOf)
	if fe, _ := fault.AsField(err); fe.Item != item {
		t.Errorf("the refusal names item %q, want %q", fe.Item, item)
	}
	_, err = f.SaveAnswers(ctx, member, id, []workflow.AnswerInput{{ItemID: item, Value: scoring.Partial, Note: strings.Repeat("注", assessment.MaxNoteLen+1)}})
	wantField(t, err, "note", fault.TooLong)

	saved, err := f.SaveAnswers(ctx, member, id, []workflow.AnswerInput{{ItemID: item, Value: scoring.Partial, Note: "缺少关闭按钮"}})
	if err != nil || saved[item].Version != 1 {
		t.Fatalf("save: %v %+v", err, saved)
	}
	// A save against the version before is someone else's conflict.
	zero := 0
	var ce *workflow.ConflictError
	if _, err := f.SaveAnswers(ctx, member, id, []workflow.AnswerInput{{ItemID: item, Value: scoring.Compliant, Version: &zero}}); !errors.As(err, &ce) || ce.Current.Value != scoring.Partial {
		t.Fatalf("stale save: %v", err)
	}

	_, err = f.SavePlan(ctx, member, id, item, workflow.PlanInput{Measure: "增加关闭按钮", Owner: "张三", Due: "2030-02-30", Status: assessment.PlanOpen})
	wantField(t, err, "due", fault.Invalid)
	plan, err := f.SavePlan(ctx, member, id, item, workflow.PlanInput{Measure: "增加关闭按钮", Owner: "张三", Due: "2030-01-31", Status: assessment.PlanOpen})
	if err != nil || plan.Version != 1 {
		t.Fatalf("plan: %v %+v", err, plan)
	}

	// Another firm's user sees nothing of it.
	other := f.otherFirmMember()
	if _, err := f.SaveAnswers(ctx, other, id, []workflow.AnswerInput{{ItemID: item, Value: scoring.Compliant}}); !errors.Is(err, workflow.ErrNotFound) {
		t.Errorf("another firm saved: %v", err)
	}
}

// otherFirmMember creates a second firm with one member.
func (f *flow) otherFirmMember() access.Principal {
	f.t.Helper()
	ctx := context.Background()
	firm, err := f.Store.CreateFirm(ctx, "另一家公司", "91350100M000100Y43")
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.Store.CreateUser(ctx, store.NewUser{Email: "other@x.cn", Name: "别家", Password: "password1", Role: auth.FirmMember, FirmID: &firm.ID}); err != nil {
		f.t.Fatal(err)
	}
	return f.who("other@x.cn")
}

func TestAttachEvidence(t *testing.T) {
	f := newFlow(t)
	ctx := context.Background()
	member := f.who("firm@demo.local")
	id, item := f.started(member)
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)

	var re *evidence.RefusedError
	if _, err := f.AttachEvidence(ctx, member, id, item, "x.png", []byte("<html><script>alert(1)</script></html>")); !errors.As(err, &re) {
		t.Fatalf("HTML named .png: %v", err)
	}
	if _, err := f.AttachEvidence(ctx, member, id, item, "big.png", make([]byte, f.MaxEvidenceBytes+1)); !errors.As(err, &re) || re.Reason != "too_large" {
		t.Fatalf("a file over the limit: %v", err)
	}
	e, err := f.AttachEvidence(ctx, member, id, item, "截图.png", png)
	if err != nil || e.Kind != "png" || e.Size != int64(len(png)) {
		t.Fatalf("attach: %v %+v", err, e)
	}
	if _, data, err := f.EvidenceFile(ctx, member, id, e.ID); err != nil || len(data) != len(png) {
		t.Fatalf("read back: %v", err)
	}
	if _, _, err := f.EvidenceFile(ctx, f.otherFirmMember(), id, e.ID); !errors.Is(err, workflow.ErrNotFound) {
		t.Errorf("another firm read the file: %v", err)
	}
	if err := f.RemoveEvidence(ctx, member, id, e.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.EvidenceFile(ctx, member, id, e.ID); !errors.Is(err, workflow.ErrNotFound) {
		t.Errorf("a removed file is still served: %v", err)
	}
}

func TestSubmitAndReview(t *testing.T) {
	f := newFlow(t)
	ctx := context.Background()
	member, auditor := f.who("firm@demo.local"), f.who("auditor@demo.local")
	id, _ := f.started(member)

	var inc *workflow.IncompleteError
	if err := f.Submit(ctx, member, id); !errors.As(err, &inc) || len(inc.Blockers) == 0 {
		t.Fatalf("submit of an empty assessment: %v", err)
	}
	sh, err := f.Sheet(ctx, member, id)
	if err != nil {
		t.Fatal(err)
	}
	var all []workflow.AnswerInput
	for _, cl := range sh.Checklists {
		for _, it := range cl.Items() {
			all = append(all, workflow.AnswerInput{ItemID: it.ID, Value: scoring.Compliant})
			if it.EvidenceRequired {
				if _, err := f.AttachEvidence(ctx, member, id, it.ID, "证明.txt", []byte("证明材料")); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if _, err := f.SaveAnswers(ctx, member, id, all); err != nil {
		t.Fatal(err)
	}
	if err := f.Submit(ctx, member, id); err != nil {
		t.Fatal(err)
	}
	wantField(t, f.Review(ctx, auditor, id, assessment.Decision{Action: assessment.Reject}), "comment", fault.Required)
	if err := f.Review(ctx, member, id, assessment.Decision{Action: assessment.Approve}); !errors.Is(err, workflow.ErrNotFound) {
		t.Errorf("a firm member reviewed: %v", err)
	}
	first := all[0].ItemID
	err = f.Review(ctx, auditor, id, assessment.Decision{Action: assessment.RequestChanges, Comment: "请补充证据",
		Items: []assessment.ItemVerdict{{ItemID: first, Verdict: assessment.NeedsChange, Comment: "缺截图"}}})
	if err != nil {
		t.Fatal(err)
	}
	last, err := f.LatestReview(ctx, member, id)
	if err != nil || last.Action != assessment.ChangesRequested || last.Items[first].Comment != "缺截图" {
		t.Fatalf("the firm sees %+v (%v)", last, err)
	}
	if err := f.Review(ctx, auditor, id, assessment.Decision{Action: assessment.Approve}); !errors.Is(err, workflow.ErrReadOnly) {
		t.Errorf("a decision on a returned assessment: %v", err)
	}
}

func TestLoginAndTokens(t *testing.T) {
	f := newFlow(t)
	ctx := context.Background()
	if _, _, err := f.Login(ctx, "firm@demo.local", "wrong-password", "192.0.2.1", ""); !errors.Is(err, workflow.ErrBadCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	p, token, err := f.Login(ctx, "firm@demo.local", store.DemoPassword, "192.0.2.1", "")
	if err != nil || token == "" || p.Email != "firm@demo.local" || p.Firm == nil {
		t.Fatalf("login: %v %+v", err, p)
	}
	got, err := f.SessionPrincipal(ctx, token, "en")
	if err != nil || got.ID != p.ID || got.Lang != "en" || got.FirmID() != p.FirmID() {
		t.Fatalf("session: %v %+v", err, got)
	}
	// A second login ends the session the browser held.
	_, token2, err := f.Login(ctx, "firm@demo.local", store.DemoPassword, "192.0.2.1", token)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.SessionPrincipal(ctx, token, "zh"); !errors.Is(err, workflow.ErrNotFound) {
		t.Errorf("the session before login lives on: %v", err)
	}
	if err := f.Logout(ctx, token2); err != nil {
		t.Fatal(err)
	}

	// Five wrong passwords lock the account, even for the right one.
	for range auth.MaxPairFailures {
		f.Login(ctx, "auditor@demo.local", "nope-nope", "198.51.100.7", "")
	}
	var te *workflow.ThrottledError
	if _, _, err := f.Login(ctx, "auditor@demo.local", store.DemoPassword, "198.51.100.7", ""); !errors.As(err, &te) || te.RetryAfter(f.Now()) <= 0 {
		t.Fatalf("locked account: %v", err)
	}

	api, err := f.CreateToken(ctx, p, "ci")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := f.TokenPrincipal(ctx, api, "192.0.2.9", "en"); err != nil || got.ID != p.ID {
		t.Fatalf("token: %v %+v", err, got)
	}
	if _, err := f.TokenPrincipal(ctx, "not-a-token", "192.0.2.9", "en"); !errors.Is(err, workflow.ErrBadToken) {
		t.Errorf("a made-up token: %v", err)
	}
}

// TestAdminUseCasesRefuseOthers: the use cases that the route tables give
// to admins refuse everyone else themselves, whichever front end (or
// command) calls them.
func TestAdminUseCasesRefuseOthers(t *testing.T) {
	f := newFlow(t)
	ctx := context.Background()
	admin := f.who("admin@demo.local")
	for _, email := range []string{"firm@demo.local", "firmadmin@demo.local", "auditor@demo.local"} {
		p := f.who(email)
		t.Run(email, func(t *testing.T) {
			if _, err := f.CreateFirm(ctx, p, "新公司", "91350100M000100Y43"); !errors.Is(err, fault.ErrForbidden) {
				t.Errorf("create firm: %v", err)
			}
			if _, err := f.CreateAccount(ctx, p, store.NewUser{Email: "x@y.cn", Name: "x", Password: "password1", Role: auth.Admin}); !errors.Is(err, fault.ErrForbidden) {
				t.Errorf("create account: %v", err)
			}
			if _, err := f.CustomChecklists(ctx, p); !errors.Is(err, fault.ErrForbidden) {
				t.Errorf("custom checklists: %v", err)
			}
			if _, err := f.VerifyAudit(ctx, p); !errors.Is(err, workflow.ErrNotFound) {
				t.Errorf("verify audit: %v", err)
			}
		})
	}
	firm, err := f.CreateFirm(ctx, admin, "新公司", "91350100M000100Y43")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.CreateFirm(ctx, admin, "同码公司", "91350100M000100Y43"); !errors.Is(err, workflow.ErrDuplicate) {
		t.Errorf("a second firm with the credit code: %v", err)
	}
	u, err := f.CreateAccount(ctx, admin, store.NewUser{Email: "New@Firm.cn ", Name: "新人", Password: "password1", Role: auth.FirmMember, FirmID: &firm.ID})
	if err != nil || u.Email != "new@firm.cn" {
		t.Fatalf("create account: %v %+v", err, u)
	}
	if rep, err := f.VerifyAudit(ctx, admin); err != nil || !rep.OK || rep.Entries == 0 {
		t.Errorf("the audit chain after these changes: %v %+v", err, rep)
	}
}
