package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
	"selfcheck/app/verify"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// reportFixture is a submitted assessment of the demo firm in a campaign
// the demo auditor is assigned to.
type reportFixture struct {
	s                      *Store
	member, auditor, admin *User
	outsider, otherAuditor *User
	id                     uint
	firmID                 uint
}

func newReportFixture(t *testing.T) *reportFixture {
	t.Helper()
	s, _ := newTestStore(t)
	ctx := context.Background()
	u := demoMember(t, s)
	admin, _ := s.Authenticate(ctx, "admin@demo.local", DemoPassword)
	auditor, _ := s.Authenticate(ctx, "auditor@demo.local", DemoPassword)
	other, err := s.CreateUser(ctx, NewUser{Email: "other-auditor@x.cn", Name: "别的审核员", Password: "password1", Role: auth.Auditor})
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.CreateFirm(ctx, "别的公司", "91350100M000100Y43")
	if err != nil {
		t.Fatal(err)
	}
	outsider, err := s.CreateUser(ctx, NewUser{Email: "outsider@x.cn", Name: "外人", Password: "password1", Role: auth.FirmMember, FirmID: &f.ID})
	if err != nil {
		t.Fatal(err)
	}
	cid, err := s.CreateCampaign(ctx, admin, NewCampaign{NameZH: "2021 专项整治", NameEN: "2021 campaign", Themes: []string{"t"},
		StartsOn: "2021-07-01", Deadline: "2021-12-31", FirmIDs: []uint{*u.FirmID}, AuditorIDs: []uint{auditor.ID}})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{testChecklist()}, nil, &cid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant, Note: "内部备注不外传"}, {ItemID: "t-2", Value: scoring.Compliant}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Submit(ctx, u, id); err != nil {
		t.Fatal(err)
	}
	return &reportFixture{s: s, member: u, auditor: auditor, admin: admin, outsider: outsider, otherAuditor: other, id: id, firmID: *u.FirmID}
}

// report is an issue of the fixture's assessment with content c, generated
// at minute m of a fixed day.
func (f *reportFixture) report(content string, m int) IssuedReport {
	at := time.Date(2026, 3, 1, 9, m, 0, 123456789, time.UTC)
	score := 100.0
	h := sha(content)
	return IssuedReport{
		Code: verify.Code(h, at), AssessmentID: f.id, FirmName: DemoFirmName, CreditCode: DemoCreditCode,
		State: assessment.Submitted, Score: &score, Grade: scoring.Excellent, Lang: "zh",
		ContentHash: h, PDFSHA256: sha("pdf " + content + at.String()), GeneratedAt: at,
	}
}

func TestRecordReportScoping(t *testing.T) {
	f := newReportFixture(t)
	ctx := context.Background()
	before := len(auditEntries(t, f.s))
	for name, u := range map[string]*User{"member of another firm": f.outsider, "unassigned auditor": f.otherAuditor, "nobody": nil} {
		if err := f.s.RecordReport(ctx, u, f.report("a", 1)); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: RecordReport = %v, want ErrNotFound", name, err)
		}
	}
	var n int64
	f.s.db.Model(&IssuedReport{}).Count(&n)
	if n != 0 || len(auditEntries(t, f.s)) != before {
		t.Fatalf("a refused report left %d rows and %d audit entries", n, len(auditEntries(t, f.s))-before)
	}
	for i, u := range []*User{f.member, f.auditor, f.admin} {
		if err := f.s.RecordReport(ctx, u, f.report("a", 10+i)); err != nil {
			t.Errorf("%s: RecordReport = %v", u.Email, err)
		}
	}
	var got IssuedReport
	if err := f.s.db.First(&got, "code = ?", f.report("a", 11).Code).Error; err != nil {
		t.Fatal(err)
	}
	if got.IssuedByID != f.auditor.ID || got.CreditCode != DemoCreditCode || got.Lang != "zh" || got.CreatedAt.IsZero() {
		t.Errorf("recorded %+v", got)
	}
	if err := f.s.RecordReport(ctx, f.member, f.report("a", 10)); !errors.Is(err, ErrDuplicate) {
		t.Errorf("the same code twice: %v", err)
	}
}

func TestRecordReportRefusesInconsistentReports(t *testing.T) {
	f := newReportFixture(t)
	ctx := context.Background()
	for name, change := range map[string]func(*IssuedReport){
		"code of other content": func(r *IssuedReport) { r.Code = verify.Code(sha("b"), r.GeneratedAt) },
		"code of another time":  func(r *IssuedReport) { r.Code = verify.Code(r.ContentHash, r.GeneratedAt.Add(time.Second)) },
		"upper-case hash":       func(r *IssuedReport) { r.PDFSHA256 = strings.ToUpper(r.PDFSHA256) },
		"short content hash":    func(r *IssuedReport) { r.ContentHash = r.ContentHash[:63] },
		"no time":               func(r *IssuedReport) { r.GeneratedAt = time.Time{} },
		"language":              func(r *IssuedReport) { r.Lang = "fr" },
		"no firm":               func(r *IssuedReport) { r.FirmName = "" },
	} {
		r := f.report("a", 1)
		change(&r)
		if err := f.s.RecordReport(ctx, f.member, r); !errors.Is(err, ErrBadReport) {
			t.Errorf("%s: RecordReport = %v, want ErrBadReport", name, err)
		}
	}
}

func TestRecordReportIsAudited(t *testing.T) {
	f := newReportFixture(t)
	ctx := WithRequest(context.Background(), RequestInfo{IP: "192.0.2.7"})
	r := f.report("a", 1)
	if err := f.s.RecordReport(ctx, f.auditor, r); err != nil {
		t.Fatal(err)
	}
	entries := auditEntries(t, f.s)
	last := entries[len(entries)-1]
	if last.Action != AuditReportIssued || last.Actor != f.auditor.Email || last.ActorID == nil || *last.ActorID != f.auditor.ID ||
		last.FirmID == nil || *last.FirmID != f.firmID || last.IP != "192.0.2.7" ||
		!strings.Contains(last.Object, r.Code) || !strings.Contains(last.Detail, r.PDFSHA256) {
		t.Errorf("audit entry %+v", last)
	}
	verifyOK(t, f.s)
}

func TestVerifyReport(t *testing.T) {
	f := newReportFixture(t)
	ctx := context.Background()
	record := func(r IssuedReport) IssuedReport {
		t.Helper()
		if err := f.s.RecordReport(ctx, f.member, r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	check := func(r IssuedReport, supersededBy *IssuedReport) {
		t.Helper()
		v, err := f.s.VerifyReport(ctx, r.Code)
		if err != nil {
			t.Fatal(err)
		}
		if v.Code != r.Code || v.FirmName != DemoFirmName || v.AssessmentID != f.id || v.State != assessment.Submitted ||
			v.Score == nil || *v.Score != 100 || v.Grade != scoring.Excellent || v.PDFSHA256 != r.PDFSHA256 ||
			!v.GeneratedAt.Equal(r.GeneratedAt.Truncate(time.Microsecond)) {
			t.Errorf("VerifyReport(%s) = %+v, recorded %+v", r.Code, v, r)
		}
		switch {
		case supersededBy == nil && v.SupersededBy != nil:
			t.Errorf("%s: superseded at %v, want not superseded", r.Code, *v.SupersededBy)
		case supersededBy != nil && v.SupersededBy == nil:
			t.Errorf("%s: not superseded, want superseded by the report of %v", r.Code, supersededBy.GeneratedAt)
		case supersededBy != nil && !v.SupersededBy.Equal(supersededBy.GeneratedAt.Truncate(time.Microsecond)):
			t.Errorf("%s: superseded at %v, want %v", r.Code, *v.SupersededBy, supersededBy.GeneratedAt)
		}
	}
	first := record(f.report("a", 1))
	check(first, nil)
	// A later report of the same content does not supersede.
	again := record(f.report("a", 2))
	check(first, nil)
	check(again, nil)
	// A later report of different content does.
	changed := record(f.report("b", 3))
	check(first, &changed)
	check(again, &changed)
	check(changed, nil)
	// The newest decides: when the content comes back, the first reports
	// are current again and the one in between is out of date.
	back := record(f.report("a", 4))
	check(first, nil)
	check(changed, &back)
	// An earlier report of other content (a clock set back) does not count.
	record(f.report("c", 0))
	check(first, nil)

	// Reports of another assessment never supersede.
	other, err := f.s.CreateAssessment(ctx, f.member, []*checklist.Checklist{testChecklist()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := f.report("d", 5)
	r.AssessmentID, r.State, r.Score, r.Grade = other, assessment.Draft, nil, scoring.NoGrade
	record(r)
	check(back, nil)
	if v, err := f.s.VerifyReport(ctx, r.Code); err != nil || v.Score != nil || v.State != assessment.Draft || v.AssessmentID != other {
		t.Errorf("draft report: %+v %v", v, err)
	}

	for _, code := range []string{verify.Code(sha("never issued"), time.Now()), "", "not a code", strings.ToLower(first.Code), verify.Format(first.Code), "' OR 1=1 --"} {
		if _, err := f.s.VerifyReport(ctx, code); !errors.Is(err, ErrNotFound) {
			t.Errorf("VerifyReport(%q) = %v, want ErrNotFound", code, err)
		}
	}
}
