package store

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

func newTestStore(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "store.db")
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

func demoMember(t *testing.T, s *Store) *User {
	t.Helper()
	ctx := context.Background()
	if err := s.EnsureDemo(ctx); err != nil {
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
	var fk, timeout int
	s.db.Raw("PRAGMA foreign_keys").Scan(&fk)
	s.db.Raw("PRAGMA busy_timeout").Scan(&timeout)
	if fk != 1 || timeout < 1000 {
		t.Errorf("foreign_keys=%d busy_timeout=%d", fk, timeout)
	}
	s.Close()
	// Re-opening the same file applies nothing twice and keeps the data.
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
		if err := s.EnsureDemo(ctx); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	var users, firms int64
	s.db.Model(&User{}).Count(&users)
	s.db.Model(&Firm{}).Count(&firms)
	if users != 3 || firms != 1 {
		t.Errorf("users=%d firms=%d, want 3 and 1", users, firms)
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
	id, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{cl}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant}, {ItemID: "t-2", Value: scoring.Partial}}); err != nil {
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
	id, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{testChecklist()}, nil)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := s.Sheet(ctx, ou, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("other firm reads: %v", err)
	}
	if err := s.SaveAnswers(ctx, ou, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant}}); !errors.Is(err, ErrNotFound) {
		t.Errorf("other firm writes: %v", err)
	}
	if _, err := s.Sheet(ctx, auditor, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("auditor reads a draft: %v", err)
	}
	if list, _ := s.ListAssessments(ctx, ou); len(list) != 0 {
		t.Errorf("other firm lists %d assessments", len(list))
	}

	var inc *IncompleteError
	if err := s.Submit(ctx, u, id); !errors.As(err, &inc) || len(inc.Missing) != 2 {
		t.Fatalf("submit of an empty assessment: %v", err)
	}
	if err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: "bogus"}}); !errors.Is(err, ErrBadAnswer) {
		t.Errorf("bogus answer: %v", err)
	}
	if err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant}, {ItemID: "nope", Value: scoring.Compliant}}); !errors.Is(err, ErrUnknownItem) {
		t.Errorf("unknown item: %v", err)
	}
	// That batch was refused whole: t-1 is still unanswered.
	if sh, _ := s.Sheet(ctx, u, id); sh.Answers["t-1"].Value != scoring.Unanswered {
		t.Error("a refused batch stored part of itself")
	}
	if err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant}, {ItemID: "t-2", Value: scoring.NotApplicable, Note: "  无此功能 "}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Submit(ctx, u, id); err != nil {
		t.Fatalf("submit: %v", err)
	}
	sh, err := s.Sheet(ctx, auditor, id)
	if err != nil {
		t.Fatalf("auditor reads a submitted assessment: %v", err)
	}
	if sh.Answers["t-2"].Note != "无此功能" || sh.SubmittedAt == nil {
		t.Errorf("sheet: %+v", sh)
	}
	if err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Partial}}); !errors.Is(err, ErrReadOnly) {
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
	s.db.Model(&stored).Update("last_seen_at", stored.LastSeenAt.Add(-IdleTimeout-1))
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

	if _, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{{ID: "x", Sections: []checklist.Section{{Items: []checklist.Item{{ID: "x-1", Weight: 1, AppliesTo: []checklist.Tag{"cloud"}}}}}}}, checklist.NewProfile("app")); !errors.Is(err, ErrNothingApplies) {
		t.Errorf("nothing applies: %v", err)
	}
	id, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{cl}, checklist.NewProfile("app", "website"))
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
	if err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-2", Value: scoring.Compliant}}); !errors.Is(err, ErrUnknownItem) {
		t.Errorf("answering a left-out item: %v", err)
	}
	if err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Submit(ctx, u, id); err != nil {
		t.Errorf("submit without the left-out item: %v", err)
	}
	// A later profile change does not touch the started assessment.
	if _, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{cl}, checklist.NewProfile("minors")); err != nil {
		t.Fatal(err)
	}
	if sh, _ := s.Sheet(ctx, u, id); len(sh.Excluded) != 1 {
		t.Errorf("the frozen profile changed: excluded %d", len(sh.Excluded))
	}
}
