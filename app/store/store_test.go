package store

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/fault"
	"selfcheck/app/scoring"
	"selfcheck/app/store/postgres"
	"selfcheck/app/testdb"
)

func newTestStore(t testing.TB) (*Store, string) {
	t.Helper()
	path := testdb.URL(t, "store.db")
	s, err := Open(context.Background(), path, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func testChecklist() *checklist.Checklist {
	return &checklist.Checklist{
		ID: "t", Version: "1", Title: checklist.Text{ZH: "测试"},
		Sources: []checklist.Source{{ID: "pipl", Title: checklist.Text{ZH: "个人信息保护法"}}},
		Sections: []checklist.Section{{ID: "s", Title: checklist.Text{ZH: "节"}, Items: []checklist.Item{
			{ID: "t-1", Text: checklist.Text{ZH: "第一项"}, Weight: 2, Severity: checklist.High},
			{ID: "t-2", Text: checklist.Text{ZH: "第二项"}, Weight: 1, Severity: checklist.Critical},
		}}},
	}
}

func demoMember(t testing.TB, s *Store) *User {
	t.Helper()
	ctx := context.Background()
	if err := s.EnsureDemo(ctx, nil); err != nil {
		t.Fatal(err)
	}
	u, err := s.Authenticate(ctx, "firm@demo.local", DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestOpenSetsPragmasAndMigratesOnce(t *testing.T) {
	s, path := newTestStore(t)
	// On either engine a row pointing at no user is refused (SQLite only
	// checks foreign keys when the connection asks).
	orphan := s.db.Exec("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES ('orphan', 999999, ?, ?, ?)",
		t0, t0, t0).Error
	if orphan == nil {
		t.Error("a session of no user was stored: foreign keys are not enforced")
	}
	switch s.Engine() {
	case "postgres":
		// What the dialect sets: a pool bounded below the server's
		// max_connections, shared with other instances.
		sqlDB, err := s.db.DB()
		if err != nil {
			t.Fatal(err)
		}
		if n := sqlDB.Stats().MaxOpenConnections; n != postgres.MaxOpenConns {
			t.Errorf("the pool opens up to %d connections, want %d", n, postgres.MaxOpenConns)
		}
	default:
		var fk, timeout int
		s.db.Raw("PRAGMA foreign_keys").Scan(&fk)
		s.db.Raw("PRAGMA busy_timeout").Scan(&timeout)
		if fk != 1 || timeout < 1000 {
			t.Errorf("foreign_keys=%d busy_timeout=%d", fk, timeout)
		}
	}
	s.Close()
	// Re-opening the same database applies nothing twice and keeps the data.
	s2, err := Open(context.Background(), path, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	var n int64
	s2.db.Model(&schemaMigration{}).Count(&n)
	if n != int64(len(migrations)) {
		t.Errorf("schema_migrations has %d rows, want %d", n, len(migrations))
	}
}

func TestEnsureDemoIsIdempotent(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if err := s.EnsureDemo(ctx, nil); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	var users, firms int64
	s.db.Model(&User{}).Count(&users)
	s.db.Model(&Firm{}).Count(&firms)
	if users != int64(len(DemoAccounts)) || firms != 1 {
		t.Errorf("users=%d firms=%d, want %d and 1", users, firms, len(DemoAccounts))
	}
	u, err := s.Authenticate(ctx, "auditor@demo.local", DemoPassword)
	if err != nil || u.Role != auth.Auditor {
		t.Errorf("auditor login: %v %+v", err, u)
	}
}

func TestEnsureAdminOnlyOnEmptyDatabase(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	created, err := s.EnsureAdmin(ctx, "first-password")
	if err != nil || !created {
		t.Fatalf("first start: created=%v err=%v", created, err)
	}
	created, err = s.EnsureAdmin(ctx, "second-password")
	if err != nil || created {
		t.Fatalf("second start: created=%v err=%v", created, err)
	}
	if _, err := s.Authenticate(ctx, AdminEmail, "first-password"); err != nil {
		t.Errorf("admin keeps the first password: %v", err)
	}
}

func TestCreateFirmValidatesCreditCode(t *testing.T) {
	s, _ := newTestStore(t)
	if _, err := s.CreateFirm(context.Background(), "坏代码公司", "91350100M000100Y44"); err == nil {
		t.Fatal("a wrong check character was accepted")
	}
	if _, err := s.CreateFirm(context.Background(), "好公司", "91350100m000100y43"); err != nil {
		t.Fatalf("valid lower-case code refused: %v", err)
	}
	if _, err := s.CreateFirm(context.Background(), "重复", "91350100M000100Y43"); !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate code: %v", err)
	}
}

// An assessment keeps the checklist as it was when it started.
func TestSnapshotIsFrozen(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	u := demoMember(t, s)
	cl := testChecklist()
	id, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{cl}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant}, {ItemID: "t-2", Value: scoring.Partial}}); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Sheet(ctx, u, id)
	// The YAML is edited later: new text, new weights, an item removed.
	cl.Sections[0].Items[0].Text.ZH = "改过的文字"
	cl.Sections[0].Items[0].Weight = 5
	cl.Sections[0].Items = cl.Sections[0].Items[:1]
	after, err := s.Sheet(ctx, u, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := after.Checklists[0].Items(); len(got) != 2 || got[0].Text.ZH != "第一项" || got[0].Weight != 2 {
		t.Errorf("snapshot changed: %+v", got)
	}
	if *before.Result().Score != *after.Result().Score {
		t.Errorf("score changed from %v to %v", *before.Result().Score, *after.Result().Score)
	}
}

func TestScopingAndWorkflow(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	u := demoMember(t, s)
	other, _ := s.CreateFirm(ctx, "别家", "91350100M000100Y43")
	ou, err := s.CreateUser(ctx, NewUser{Email: "o@x.cn", Name: "O", Password: "password1", Role: auth.FirmMember, FirmID: &other.ID})
	if err != nil {
		t.Fatal(err)
	}
	auditor, _ := s.Authenticate(ctx, "auditor@demo.local", DemoPassword)
	id, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{testChecklist()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := s.Sheet(ctx, ou, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("other firm reads: %v", err)
	}
	if _, err := s.SaveAnswers(ctx, ou, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant}}); !errors.Is(err, ErrNotFound) {
		t.Errorf("other firm writes: %v", err)
	}
	if _, err := s.Sheet(ctx, auditor, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("auditor reads a draft: %v", err)
	}
	if list, _ := s.ListAssessments(ctx, ou); len(list) != 0 {
		t.Errorf("other firm lists %d assessments", len(list))
	}

	var inc *IncompleteError
	if err := s.Submit(ctx, u, id); !errors.As(err, &inc) || len(inc.Blockers) != 2 {
		t.Fatalf("submit of an empty assessment: %v", err)
	}
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: "bogus"}}); !isField(err, "response", fault.OneOf) {
		t.Errorf("bogus answer: %v", err)
	}
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant}, {ItemID: "nope", Value: scoring.Compliant}}); !errors.Is(err, ErrUnknownItem) {
		t.Errorf("unknown item: %v", err)
	}
	// That batch was refused whole: t-1 is still unanswered.
	if sh, _ := s.Sheet(ctx, u, id); sh.Answers["t-1"].Value != scoring.Unanswered {
		t.Error("a refused batch stored part of itself")
	}
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant}, {ItemID: "t-2", Value: scoring.NotApplicable, Note: "  无此功能 "}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Submit(ctx, u, id); err != nil {
		t.Fatalf("submit: %v", err)
	}
	// Outside a campaign, no auditor is assigned: only admins read it.
	if _, err := s.Sheet(ctx, auditor, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unassigned auditor reads a submitted assessment: %v", err)
	}
	admin, _ := s.Authenticate(ctx, "admin@demo.local", DemoPassword)
	sh, err := s.Sheet(ctx, admin, id)
	if err != nil {
		t.Fatalf("admin reads a submitted assessment: %v", err)
	}
	if sh.Answers["t-2"].Note != "无此功能" || sh.SubmittedAt == nil {
		t.Errorf("sheet: %+v", sh)
	}
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Partial}}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("save after submit: %v", err)
	}
	if err := s.Submit(ctx, u, id); !errors.Is(err, ErrReadOnly) {
		t.Errorf("second submit: %v", err)
	}
}

func TestSessions(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	u := demoMember(t, s)
	token, err := s.CreateSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	var stored Session
	s.db.First(&stored)
	if stored.TokenHash == token {
		t.Error("the raw token is stored")
	}
	got, err := s.SessionUser(ctx, token)
	if err != nil || got.ID != u.ID || got.Firm == nil {
		t.Fatalf("SessionUser: %v %+v", err, got)
	}
	// Idle too long: the session is over and gone.
	s.db.Model(&stored).Update("last_seen_at", stored.LastSeenAt.Add(-auth.IdleTimeout-1))
	if _, err := s.SessionUser(ctx, token); !errors.Is(err, ErrNotFound) {
		t.Errorf("idle session: %v", err)
	}
	token, _ = s.CreateSession(ctx, u.ID)
	if err := s.DeleteSession(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SessionUser(ctx, token); !errors.Is(err, ErrNotFound) {
		t.Errorf("after logout: %v", err)
	}
}

// The profile frozen at start decides which items an assessment asks.
func TestProfileDecidesItems(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	u := demoMember(t, s)
	cl := testChecklist()
	cl.Sections[0].Items[1].AppliesTo = []checklist.Tag{"minors"}

	if _, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{{ID: "x", Sections: []checklist.Section{{Items: []checklist.Item{{ID: "x-1", Weight: 1, AppliesTo: []checklist.Tag{"cloud"}}}}}}}, checklist.NewProfile("app"), nil); !errors.Is(err, ErrNothingApplies) {
		t.Errorf("nothing applies: %v", err)
	}
	id, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{cl}, checklist.NewProfile("app", "website"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := s.FirmProfile(ctx, u); !p["app"] || !p["website"] || p["minors"] {
		t.Errorf("firm profile not saved: %v", p)
	}
	sh, err := s.Sheet(ctx, u, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(sh.Checklists[0].Items()); got != 1 || len(sh.Excluded) != 1 || sh.Excluded[0].Item.ID != "t-2" {
		t.Fatalf("asked %d items, excluded %+v", got, sh.Excluded)
	}
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-2", Value: scoring.Compliant}}); !errors.Is(err, ErrUnknownItem) {
		t.Errorf("answering a left-out item: %v", err)
	}
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Submit(ctx, u, id); err != nil {
		t.Errorf("submit without the left-out item: %v", err)
	}
	// A later profile change does not touch the started assessment.
	if _, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{cl}, checklist.NewProfile("minors"), nil); err != nil {
		t.Fatal(err)
	}
	if sh, _ := s.Sheet(ctx, u, id); len(sh.Excluded) != 1 {
		t.Errorf("the frozen profile changed: excluded %d", len(sh.Excluded))
	}
}

// A campaign's assessment: the firm takes part once, its assigned auditor
// sees it once submitted, other auditors never; every step is recorded.
func TestCampaignWorkflow(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	u := demoMember(t, s)
	admin, _ := s.Authenticate(ctx, "admin@demo.local", DemoPassword)
	auditor, _ := s.Authenticate(ctx, "auditor@demo.local", DemoPassword)
	other, err := s.CreateUser(ctx, NewUser{Email: "other-auditor@x.cn", Name: "别的审核员", Password: "password1", Role: auth.Auditor})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []NewCampaign{
		{NameZH: "", Themes: []string{"t"}, StartsOn: "2021-07-01", Deadline: "2021-12-31"},
		{NameZH: "x", Themes: []string{"t"}, StartsOn: "2021-07-01", Deadline: "2021-06-30"},
		{NameZH: "x", Themes: []string{"t"}, StartsOn: "July", Deadline: "2021-06-30"},
		{NameZH: "x", Themes: []string{"t"}, StartsOn: "2021-07-01", Deadline: "2021-12-31", AuditorIDs: []uint{u.ID}},
	} {
		if _, err := s.CreateCampaign(ctx, admin, bad); !errors.Is(err, ErrBadCampaign) {
			t.Errorf("campaign %+v: %v", bad, err)
		}
	}
	if _, err := s.CreateCampaign(ctx, u, NewCampaign{NameZH: "x", Themes: []string{"t"}, StartsOn: "2021-07-01", Deadline: "2021-12-31"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("a firm member created a campaign: %v", err)
	}
	cid, err := s.CreateCampaign(ctx, admin, NewCampaign{NameZH: "2021 专项整治", NameEN: "2021 campaign", Themes: []string{"t"},
		StartsOn: "2021-07-01", Deadline: "2021-12-31", FirmIDs: []uint{*u.FirmID}, AuditorIDs: []uint{auditor.ID}})
	if err != nil {
		t.Fatal(err)
	}
	views, err := s.Campaigns(ctx, u)
	if err != nil || len(views) != 1 || views[0].AssessmentID != 0 || views[0].Name.EN != "2021 campaign" {
		t.Fatalf("firm campaigns: %+v %v", views, err)
	}
	if v, _ := s.Campaigns(ctx, other); len(v) != 0 {
		t.Error("an unassigned auditor lists the campaign")
	}
	// The light list the review queue and home page use says the same,
	// with the firms counted instead of loaded.
	for _, who := range []*User{u, auditor, admin} {
		full, err1 := s.Campaigns(ctx, who)
		light, err2 := s.CampaignList(ctx, who)
		if err1 != nil || err2 != nil || len(light) != len(full) {
			t.Fatalf("%s: campaigns %d (%v), list %d (%v)", who.Email, len(full), err1, len(light), err2)
		}
		for i := range full {
			if light[i].ID != full[i].ID || light[i].FirmCount != len(full[i].Firms) || light[i].FirmCount == 0 || light[i].Firms != nil {
				t.Errorf("%s: list %+v, campaigns %+v", who.Email, light[i], full[i])
			}
		}
	}
	if v, _ := s.CampaignList(ctx, other); len(v) != 0 {
		t.Error("an unassigned auditor lists the campaign")
	}
	id, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{testChecklist()}, nil, &cid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{testChecklist()}, nil, &cid); !errors.Is(err, ErrAlreadyStarted) {
		t.Errorf("second start: %v", err)
	}
	if views, _ := s.Campaigns(ctx, u); views[0].AssessmentID != id || views[0].State != assessment.Draft {
		t.Errorf("campaign view after start: %+v", views[0])
	}
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant}, {ItemID: "t-2", Value: scoring.Compliant}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sheet(ctx, auditor, id); !errors.Is(err, ErrNotFound) {
		t.Error("the auditor sees a draft")
	}
	if err := s.Submit(ctx, u, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sheet(ctx, auditor, id); err != nil {
		t.Errorf("the assigned auditor cannot see the submission: %v", err)
	}
	if _, err := s.Sheet(ctx, other, id); !errors.Is(err, ErrNotFound) {
		t.Error("an unassigned auditor sees the submission")
	}
	events, err := s.Timeline(ctx, u, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 3 || events[0].Field != "state" || events[0].NewValue != "submitted" || events[0].User != u.Name {
		t.Errorf("timeline: %+v", events)
	}
}

// A save made against an older version is refused with what is stored now;
// every change is kept with who, when, old and new.
func TestVersionsAndHistory(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	u := demoMember(t, s)
	colleague, err := s.CreateUser(ctx, NewUser{Email: "colleague@demo.local", Name: "同事", Password: "password1", Role: auth.FirmMember, FirmID: u.FirmID})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{testChecklist()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	v0 := 0
	saved, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Partial, Note: "初稿", Version: &v0}})
	if err != nil || saved["t-1"].Version != 1 {
		t.Fatalf("first save: %+v %v", saved, err)
	}
	v1 := 1
	if _, err := s.SaveAnswers(ctx, colleague, id, []AnswerInput{{ItemID: "t-1", Value: scoring.NonCompliant, Note: "同事的判断", Version: &v1}}); err != nil {
		t.Fatal(err)
	}
	// The first member saves again from their stale page (version 1).
	_, err = s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant, Version: &v1}})
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Current.Note != "同事的判断" || ce.Current.UpdatedBy != "同事" || ce.Current.Version != 2 {
		t.Fatalf("stale save: %v %+v", err, ce)
	}
	sh, _ := s.Sheet(ctx, u, id)
	if sh.Answers["t-1"].Value != scoring.NonCompliant {
		t.Error("the stale save overwrote the colleague's answer")
	}
	// The colleague's save sent again (its answer was lost, or a proxy
	// resent it to another instance): it is stored, so it is acknowledged
	// with the stored version, not refused as a conflict with itself.
	again, err := s.SaveAnswers(ctx, colleague, id, []AnswerInput{{ItemID: "t-1", Value: scoring.NonCompliant, Note: "同事的判断", Version: &v1}})
	if err != nil || again["t-1"].Version != 2 {
		t.Errorf("a resent save that is already stored: %+v %v, want version 2 and no error", again, err)
	}
	// Plans: required for gaps before submit, validated, versioned.
	var inc *IncompleteError
	if err := s.Submit(ctx, u, id); !errors.As(err, &inc) {
		t.Fatalf("submit: %v", err)
	}
	// A draft (no owner, no due date) is kept; submit names what it lacks.
	if d, err := s.SavePlan(ctx, u, id, "t-1", PlanInput{Measure: "增加关闭按钮", Status: assessment.PlanOpen}); err != nil || d.Version != 1 {
		t.Errorf("draft plan without owner: %+v %v, want it stored at version 1", d, err)
	}
	if err := s.Submit(ctx, u, id); !errors.As(err, &inc) || !slices.ContainsFunc(inc.Blockers, func(b assessment.Blocker) bool {
		return b.Item.ID == "t-1" && slices.Equal(b.PlanMissing, []string{"owner", "due"})
	}) {
		t.Errorf("submit with a draft plan: %v, want t-1 blocked by a plan lacking owner and due", err)
	}
	if _, err := s.SavePlan(ctx, u, id, "t-1", PlanInput{Measure: "增加关闭按钮", Owner: "张三", Due: "2021-13-01", Status: assessment.PlanOpen}); !isField(err, "due", fault.Invalid) {
		t.Errorf("plan with a bad date: %v", err)
	}
	p, err := s.SavePlan(ctx, u, id, "t-1", PlanInput{Measure: "增加关闭按钮", Owner: "张三", Due: "2021-12-01", Status: assessment.PlanInProgress})
	if err != nil || p.Version != 2 {
		t.Fatalf("plan: %+v %v", p, err)
	}
	stale := 1
	if again, err := s.SavePlan(ctx, u, id, "t-1", PlanInput{Measure: "增加关闭按钮", Owner: "张三", Due: "2021-12-01", Status: assessment.PlanInProgress, Version: &stale}); err != nil || again.Version != 2 {
		t.Errorf("a resent plan that is already stored: %+v %v, want version 2 and no error", again, err)
	}
	var pce *PlanConflictError
	if _, err := s.SavePlan(ctx, u, id, "t-1", PlanInput{Measure: "另一个措施", Owner: "张三", Due: "2021-12-01", Status: assessment.PlanInProgress, Version: &stale}); !errors.As(err, &pce) || pce.Current.Version != 2 {
		t.Errorf("a stale plan that changes something: %v, want a conflict at version 2", err)
	}
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-2", Value: scoring.Compliant}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Submit(ctx, u, id); err != nil {
		t.Fatalf("submit with a plan: %v", err)
	}
	plans, err := s.FirmPlans(ctx, u)
	if err != nil || len(plans) != 1 || plans[0].Owner != "张三" || plans[0].State != assessment.Submitted {
		t.Errorf("firm plans: %+v %v", plans, err)
	}
	events, _ := s.Timeline(ctx, u, id)
	fields := map[string]int{}
	for _, e := range events {
		fields[e.Field]++
	}
	if fields["answer"] != 3 || fields["note"] != 2 || fields["plan.measure"] != 1 || fields["plan.owner"] != 1 || fields["state"] != 1 {
		t.Errorf("history: %v", fields)
	}
	// Submitted: read-only, and the error says why.
	_, err = s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-2", Value: scoring.Partial}})
	var ro *ReadOnlyError
	if !errors.As(err, &ro) || ro.State != assessment.Submitted || !errors.Is(err, ErrReadOnly) {
		t.Errorf("save after submit: %v", err)
	}
}

// Evidence: stored once per content, only for the firm and the reviewers,
// required where the item says so.
func TestEvidence(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	u := demoMember(t, s)
	cl := testChecklist()
	cl.Sections[0].Items[0].EvidenceRequired = true
	id, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{cl}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant}, {ItemID: "t-2", Value: scoring.Compliant}}); err != nil {
		t.Fatal(err)
	}
	var inc *IncompleteError
	if err := s.Submit(ctx, u, id); !errors.As(err, &inc) || inc.Blockers[0].Reasons[0] != assessment.BlockEvidenceMissing {
		t.Fatalf("submit without required evidence: %v", err)
	}
	data := []byte("%PDF-1.4 隐私政策截图")
	e1, err := s.AddEvidence(ctx, u, id, NewEvidence{ItemID: "t-1", Name: "隐私政策.pdf", Kind: "pdf", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	e2, err := s.AddEvidence(ctx, u, id, NewEvidence{ItemID: "t-2", Name: "copy.pdf", Kind: "pdf", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	var blobs int64
	s.db.Model(&Blob{}).Count(&blobs)
	if blobs != 1 || e1.SHA256 != e2.SHA256 || len(e1.SHA256) != 64 {
		t.Errorf("identical content stored %d times", blobs)
	}
	if _, err := s.AddEvidence(ctx, u, id, NewEvidence{ItemID: "nope", Name: "x.pdf", Kind: "pdf", Data: data}); !errors.Is(err, ErrUnknownItem) {
		t.Errorf("evidence for an unknown item: %v", err)
	}
	other, _ := s.CreateFirm(ctx, "别家", "91350100M000100Y43")
	ou, _ := s.CreateUser(ctx, NewUser{Email: "o@x.cn", Name: "O", Password: "password1", Role: auth.FirmMember, FirmID: &other.ID})
	if _, _, err := s.EvidenceFile(ctx, ou, id, e1.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("another firm downloads evidence: %v", err)
	}
	if _, err := s.AddEvidence(ctx, ou, id, NewEvidence{ItemID: "t-1", Name: "x.pdf", Kind: "pdf", Data: data}); !errors.Is(err, ErrNotFound) {
		t.Errorf("another firm attaches evidence: %v", err)
	}
	got, content, err := s.EvidenceFile(ctx, u, id, e1.ID)
	if err != nil || string(content) != string(data) || got.Name != "隐私政策.pdf" {
		t.Fatalf("download: %v", err)
	}
	if err := s.RemoveEvidence(ctx, u, id, e2.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.EvidenceFile(ctx, u, id, e2.ID); !errors.Is(err, ErrNotFound) {
		t.Error("removed evidence still downloads")
	}
	if err := s.Submit(ctx, u, id); err != nil {
		t.Fatalf("submit with evidence: %v", err)
	}
}

// An auditor's decisions move the workflow: changes requested returns the
// assessment to the firm with the item comments, resubmitted goes back to
// the auditor, approved ends it. Every step is on the timeline.
func TestReviewWorkflow(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	u := demoMember(t, s)
	admin, _ := s.Authenticate(ctx, "admin@demo.local", DemoPassword)
	auditor, _ := s.Authenticate(ctx, "auditor@demo.local", DemoPassword)
	cid, err := s.CreateCampaign(ctx, admin, NewCampaign{NameZH: "专项", Themes: []string{"t"}, StartsOn: "2021-07-01", Deadline: "2031-12-31",
		FirmIDs: []uint{*u.FirmID}, AuditorIDs: []uint{auditor.ID}})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{testChecklist()}, nil, &cid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant}, {ItemID: "t-2", Value: scoring.Compliant}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Review(ctx, auditor, id, Decision{Action: assessment.Approve}); !errors.Is(err, ErrNotFound) {
		t.Errorf("reviewing a draft: %v", err)
	}
	if err := s.Submit(ctx, u, id); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		d           Decision
		field, code string
	}{
		{Decision{Action: "maybe"}, "decision", fault.OneOf},
		{Decision{Action: assessment.Reject}, "comment", fault.Required},
		{Decision{Action: assessment.RequestChanges, Comment: "  "}, "comment", fault.Required},
		{Decision{Action: assessment.RequestChanges, Comment: "见逐项意见", Items: []ItemVerdict{{ItemID: "t-1", Verdict: Accepted}}}, "verdict", fault.NoGap},
		{Decision{Action: assessment.Approve, Items: []ItemVerdict{{ItemID: "t-1", Verdict: "great"}}}, "verdict", fault.OneOf},
	} {
		if err := s.Review(ctx, auditor, id, bad.d); !isField(err, bad.field, bad.code) {
			t.Errorf("decision %+v: %v, want %s %s", bad.d, err, bad.field, bad.code)
		}
	}
	if err := s.Review(ctx, u, id, Decision{Action: assessment.Approve}); !errors.Is(err, ErrNotFound) {
		t.Errorf("a firm member reviewed: %v", err)
	}
	err = s.Review(ctx, auditor, id, Decision{Action: assessment.RequestChanges, Comment: "请补充证据",
		Items: []ItemVerdict{{ItemID: "t-1", Verdict: NeedsChange, Comment: "缺少弹窗截图"}, {ItemID: "t-2", Verdict: Accepted}}})
	if err != nil {
		t.Fatal(err)
	}
	last, err := s.LatestReview(ctx, u, id)
	v := last.Items
	if err != nil || last.Comment != "请补充证据" || last.Action != assessment.ChangesRequested || v["t-1"].Verdict != string(NeedsChange) ||
		v["t-1"].Comment != "缺少弹窗截图" || v["t-1"].Reviewer.Name != auditor.Name {
		t.Fatalf("review seen by the firm: %+v %v", last, err)
	}
	// Returned: the firm edits and resubmits.
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant, Note: "已补充截图"}}); err != nil {
		t.Fatalf("editing a returned assessment: %v", err)
	}
	if err := s.Submit(ctx, u, id); err != nil {
		t.Fatal(err)
	}
	sh, _ := s.Sheet(ctx, u, id)
	if sh.State != assessment.Resubmitted {
		t.Errorf("state after resubmit: %s", sh.State)
	}
	if err := s.Review(ctx, auditor, id, Decision{Action: assessment.Approve, Comment: "同意"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Review(ctx, auditor, id, Decision{Action: assessment.Reject, Comment: "x"}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("deciding twice: %v", err)
	}
	events, _ := s.Timeline(ctx, u, id)
	var states []string
	for _, e := range events {
		if e.Field == "state" {
			states = append([]string{e.NewValue}, states...)
		}
	}
	if strings.Join(states, ">") != "submitted>changes_requested>resubmitted>approved" {
		t.Errorf("transitions: %v", states)
	}
}

// isField reports whether err is a fault.FieldError about field with code.
func isField(err error, field, code string) bool {
	fe, ok := fault.AsField(err)
	return ok && fe.Field == field && fe.Code == code
}
