package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
	"selfcheck/app/audit"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// auditEntries returns every entry of the log, oldest first.
func auditEntries(t *testing.T, s *Store) []AuditEvent {
	t.Helper()
	var out []AuditEvent
	if err := s.db.Order("seq").Find(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

func verifyOK(t *testing.T, s *Store) AuditReport {
	t.Helper()
	r, err := s.VerifyAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK {
		t.Fatalf("chain broken on an untouched log: %+v", r)
	}
	return r
}

// The actions of the workflow land in the log with who, what, from where,
// and the chain verifies.
func TestAuditRecordsEvents(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := WithRequest(context.Background(), RequestInfo{IP: "203.0.113.7", UserAgent: "audit-test/1.0"})
	if err := s.EnsureDemo(ctx, nil); err != nil {
		t.Fatal(err)
	}
	u, err := s.Authenticate(ctx, "firm@demo.local", DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	admin, _ := s.Authenticate(ctx, "admin@demo.local", DemoPassword)
	auditor, _ := s.Authenticate(ctx, "auditor@demo.local", DemoPassword)
	const secret = "not-the-password-Zq9"
	if _, err := s.Authenticate(ctx, "FIRM@demo.local", secret); !errors.Is(err, auth.ErrBadCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := s.Authenticate(ctx, "nobody@example.cn", secret); !errors.Is(err, auth.ErrBadCredentials) {
		t.Fatalf("unknown email: %v", err)
	}

	cid, err := s.CreateCampaign(ctx, admin, NewCampaign{NameZH: "专项", Themes: []string{"t"}, StartsOn: "2021-07-01", Deadline: "2031-12-31",
		FirmIDs: []uint{*u.FirmID}, AuditorIDs: []uint{auditor.ID}})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{testChecklist()}, nil, &cid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant}, {ItemID: "t-2", Value: scoring.NonCompliant}}); err != nil {
		t.Fatal(err)
	}
	// Saving the same answer again changes nothing and records nothing.
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Partial, Note: "部分页面缺少说明"}}); err != nil {
		t.Fatal(err)
	}
	// A refused submit is rolled back with its entry.
	before := len(auditEntries(t, s))
	var inc *IncompleteError
	if err := s.Submit(ctx, u, id); !errors.As(err, &inc) {
		t.Fatalf("submit with gaps and no plans: %v", err)
	}
	if n := len(auditEntries(t, s)); n != before {
		t.Errorf("a refused submit left %d entries", n-before)
	}
	for _, item := range []string{"t-1", "t-2"} {
		if _, err := s.SavePlan(ctx, u, id, item, PlanInput{Measure: "整改", Owner: "张三", Due: "2021-10-01", Status: assessment.PlanOpen}); err != nil {
			t.Fatal(err)
		}
	}
	e, err := s.AddEvidence(ctx, u, id, NewEvidence{ItemID: "t-1", Name: "截图.pdf", Kind: "pdf", Data: []byte("%PDF-1.4 x")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Submit(ctx, u, id); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.EvidenceFile(ctx, auditor, id, e.ID); err != nil {
		t.Fatal(err)
	}
	err = s.Review(ctx, auditor, id, Decision{Action: assessment.RequestChanges, Comment: "请补充",
		Items: []ItemVerdict{{ItemID: "t-1", Verdict: NeedsChange, Comment: "截图不清"}, {ItemID: "t-2", Verdict: Accepted}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveEvidence(ctx, u, id, e.ID); err != nil {
		t.Fatal(err)
	}
	token, err := s.CreateToken(ctx, u.ID, "ci")
	if err != nil {
		t.Fatal(err)
	}
	toks, _ := s.Tokens(ctx, u.ID)
	if err := s.RevokeToken(ctx, u.ID, toks[0].ID); err != nil {
		t.Fatal(err)
	}
	newbie, err := s.AddMember(ctx, admin, NewUser{Email: "new@demo.local", Name: "新人", Password: "password1", Role: auth.FirmMember, FirmID: u.FirmID})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DisableUser(ctx, admin, newbie.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCustomChecklist(ctx, admin, CustomChecklist{ChecklistID: "extra", FileName: "extra.yaml", Version: "1", Content: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCustomChecklist(ctx, admin, "extra"); err != nil {
		t.Fatal(err)
	}
	sess, err := s.CreateSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx, sess); err != nil { // already ended: nothing to record
		t.Fatal(err)
	}

	entries := auditEntries(t, s)
	assessmentObj := fmt.Sprintf("assessment:%d", id)
	tests := []struct {
		name, action, actor, object, detail string
		firm                                *uint // nil: no firm, except for the demo accounts
		count                               int
	}{
		{"demo accounts, by the system", AuditUserCreated, "", "user:", "@demo.local, role ", nil, len(DemoAccounts)},
		{"login", AuditLogin, "firm@demo.local", fmt.Sprintf("user:%d", u.ID), "audit-test/1.0", u.FirmID, 1},
		{"wrong password", AuditLoginFailed, "firm@demo.local", fmt.Sprintf("user:%d", u.ID), "wrong password", u.FirmID, 1},
		{"unknown email", AuditLoginFailed, "nobody@example.cn", "", "no active account", nil, 1},
		{"answers: one entry per changed item", AuditAnswerChanged, "firm@demo.local", assessmentObj + " item:t-", "answer: (none) → ", u.FirmID, 2},
		{"answer and note changed", AuditAnswerChanged, "firm@demo.local", assessmentObj + " item:t-1", "answer: compliant → partial; note changed", u.FirmID, 1},
		{"plans", AuditPlanChanged, "firm@demo.local", assessmentObj + " item:t-", "plan.status: (none) → open", u.FirmID, 2},
		{"upload", AuditEvidenceUploaded, "firm@demo.local", fmt.Sprintf("%s item:t-1 evidence:%d", assessmentObj, e.ID), "截图.pdf (10 bytes", u.FirmID, 1},
		{"submit", AuditSubmitted, "firm@demo.local", assessmentObj, "draft → submitted", u.FirmID, 1},
		{"download by the auditor, in the firm", AuditEvidenceDownloaded, "auditor@demo.local", fmt.Sprintf("evidence:%d", e.ID), "截图.pdf", u.FirmID, 1},
		{"review", AuditReviewed, "auditor@demo.local", assessmentObj, "decision request_changes (submitted → changes_requested); 1 of 2 items marked needs_change", u.FirmID, 1},
		{"remove", AuditEvidenceRemoved, "firm@demo.local", fmt.Sprintf("evidence:%d", e.ID), "截图.pdf", u.FirmID, 1},
		{"token created", AuditTokenCreated, "firm@demo.local", "token:", "ci", u.FirmID, 1},
		{"token revoked", AuditTokenRevoked, "firm@demo.local", fmt.Sprintf("token:%d", toks[0].ID), "ci", u.FirmID, 1},
		{"member added by the admin", AuditUserCreated, "admin@demo.local", fmt.Sprintf("user:%d", newbie.ID), "new@demo.local, role firm_member", u.FirmID, 1},
		{"member disabled", AuditUserDisabled, "admin@demo.local", fmt.Sprintf("user:%d", newbie.ID), "new@demo.local", u.FirmID, 1},
		{"checklist uploaded", AuditChecklistUploaded, "admin@demo.local", "checklist:extra", "extra.yaml, version 1", nil, 1},
		{"checklist deleted", AuditChecklistDeleted, "admin@demo.local", "checklist:extra", "", nil, 1},
		{"logout", AuditLogout, "firm@demo.local", fmt.Sprintf("user:%d", u.ID), "", u.FirmID, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			for _, ev := range entries {
				if ev.Action != tt.action || ev.Actor != tt.actor || !strings.Contains(ev.Object, tt.object) || !strings.Contains(ev.Detail, tt.detail) {
					continue
				}
				n++
				if tt.actor == "" {
					if ev.ActorID != nil || ev.Role != "" {
						t.Errorf("entry #%d by the system names an actor: %+v", ev.Seq, ev)
					}
				} else if (ev.FirmID == nil) != (tt.firm == nil) || (ev.FirmID != nil && *ev.FirmID != *tt.firm) {
					t.Errorf("entry #%d: firm %v, want %v", ev.Seq, ev.FirmID, tt.firm)
				}
				if tt.actor != "" && ev.Action != AuditLoginFailed && (ev.ActorID == nil || ev.Role == "") {
					t.Errorf("entry #%d has no actor id or role: %+v", ev.Seq, ev)
				}
				if ev.IP != "203.0.113.7" {
					t.Errorf("entry #%d: ip %q", ev.Seq, ev.IP)
				}
			}
			if n != tt.count {
				t.Errorf("%d entries %s by %q on %q with %q, want %d", n, tt.action, tt.actor, tt.object, tt.detail, tt.count)
			}
		})
	}
	for _, ev := range entries {
		if strings.Contains(ev.Detail+ev.Actor+ev.Object, secret) || strings.Contains(ev.Detail, token) {
			t.Errorf("entry #%d holds a secret: %+v", ev.Seq, ev)
		}
		if ev.Action == AuditLoginFailed && ev.ActorID != nil {
			t.Errorf("a failed login names an authenticated actor: %+v", ev)
		}
	}
	if r := verifyOK(t, s); r.Entries != int64(len(entries)) {
		t.Errorf("verified %d entries, the log has %d", r.Entries, len(entries))
	}
}

func TestAuditLogFilters(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	u := demoMember(t, s)
	admin, _ := s.Authenticate(ctx, "admin@demo.local", DemoPassword)
	for range 3 {
		s.Authenticate(ctx, "firm@demo.local", "wrong-password")
	}
	s.Authenticate(ctx, "50%_off@example.cn", "wrong-password")

	all, total, err := s.AuditLog(ctx, admin, AuditFilter{})
	if err != nil || total != int64(len(all)) || total != int64(len(auditEntries(t, s))) {
		t.Fatalf("whole log: %d of %d, %v", len(all), total, err)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Seq >= all[i-1].Seq {
			t.Fatalf("not newest first: #%d after #%d", all[i].Seq, all[i-1].Seq)
		}
	}
	day := all[0].At
	tests := []struct {
		name   string
		filter AuditFilter
		want   int64
	}{
		{"action", AuditFilter{Action: AuditLoginFailed}, 4},
		{"action and actor, any case", AuditFilter{Action: AuditLoginFailed, Actor: "FIRM@"}, 3},
		{"actor with LIKE characters taken literally", AuditFilter{Actor: "50%_"}, 1},
		{"percent alone matches no email", AuditFilter{Actor: "%"}, 1},
		{"firm", AuditFilter{Action: AuditLogin, FirmID: *u.FirmID}, 1},
		{"another firm", AuditFilter{FirmID: *u.FirmID + 99}, 0},
		{"today", AuditFilter{Action: AuditLogin, From: day.Add(-time.Hour), Until: day.Add(time.Hour)}, 2},
		{"before", AuditFilter{Until: day.Add(-24 * time.Hour)}, 0},
		{"after", AuditFilter{From: day.Add(time.Hour)}, 0},
		{"unknown action", AuditFilter{Action: "nope"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, n, err := s.AuditLog(ctx, admin, tt.filter)
			if err != nil || n != tt.want || int64(len(page)) != n {
				t.Errorf("%d entries (%d on the page), %v; want %d", n, len(page), err, tt.want)
			}
		})
	}

	p2, n, err := s.AuditLog(ctx, admin, AuditFilter{Page: 2, PerPage: 2})
	if err != nil || n != total || len(p2) != 2 || p2[0].Seq != all[2].Seq {
		t.Errorf("page 2 of 2: %v %d %v", p2, n, err)
	}
	if p, _, _ := s.AuditLog(ctx, admin, AuditFilter{Page: 1000}); len(p) != 0 {
		t.Errorf("a page past the end has %d entries", len(p))
	}
	auditor, _ := s.UserByEmail(ctx, "auditor@demo.local")
	for _, who := range []*User{u, auditor} {
		if _, _, err := s.AuditLog(ctx, who, AuditFilter{}); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s reads the audit log: %v", who.Role, err)
		}
	}
}

// Tampering with the stored log is found at the first entry it touched.
func TestVerifyAuditFindsTampering(t *testing.T) {
	rehash := func(s *Store, seq int64) error {
		var ev AuditEvent
		if err := s.db.First(&ev, "seq = ?", seq).Error; err != nil {
			return err
		}
		return s.db.Model(&ev).Update("hash", audit.Hash(audit.Entry(ev))).Error
	}
	tests := []struct {
		name    string
		tamper  func(s *Store) error
		seq     int64
		problem AuditProblem
	}{
		{"detail changed", func(s *Store) error {
			return s.db.Exec("UPDATE audit_events SET detail = 'nothing happened' WHERE seq = 4").Error
		}, 4, AuditAltered},
		{"actor changed", func(s *Store) error {
			return s.db.Exec("UPDATE audit_events SET actor = 'someone@else.cn' WHERE seq = 7").Error
		}, 7, AuditAltered},
		{"time changed", func(s *Store) error {
			return s.db.Exec("UPDATE audit_events SET at = ? WHERE seq = 2", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)).Error
		}, 2, AuditAltered},
		{"changed and rehashed: the next entry no longer links", func(s *Store) error {
			if err := s.db.Exec("UPDATE audit_events SET detail = 'nothing happened' WHERE seq = 5").Error; err != nil {
				return err
			}
			return rehash(s, 5)
		}, 6, AuditAltered},
		{"middle entry deleted", func(s *Store) error {
			return s.db.Exec("DELETE FROM audit_events WHERE seq = 5").Error
		}, 5, AuditRemoved},
		{"first entry deleted", func(s *Store) error {
			return s.db.Exec("DELETE FROM audit_events WHERE seq = 1").Error
		}, 1, AuditRemoved},
		{"last entry deleted, head untouched", func(s *Store) error {
			return s.db.Exec("DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)").Error
		}, 10, AuditRemoved},
		{"last two deleted, head untouched", func(s *Store) error {
			return s.db.Exec("DELETE FROM audit_events WHERE seq >= 9").Error
		}, 9, AuditRemoved},
		{"two entries swapped", func(s *Store) error {
			return s.db.Transaction(func(tx *gorm.DB) error {
				for _, q := range []string{
					"UPDATE audit_events SET seq = -1 WHERE seq = 3",
					"UPDATE audit_events SET seq = 3 WHERE seq = 4",
					"UPDATE audit_events SET seq = 4 WHERE seq = -1",
				} {
					if err := tx.Exec(q).Error; err != nil {
						return err
					}
				}
				return nil
			})
		}, 3, AuditOutOfOrder},
		{"deleted and renumbered", func(s *Store) error {
			if err := s.db.Exec("DELETE FROM audit_events WHERE seq = 6").Error; err != nil {
				return err
			}
			return s.db.Exec("UPDATE audit_events SET seq = seq - 1 WHERE seq > 6").Error
		}, 6, AuditOutOfOrder},
		{"head hash changed", func(s *Store) error {
			return s.db.Model(&auditHead{}).Where("id = 1").Update("hash", strings.Repeat("0", 64)).Error
		}, 10, AuditAltered},
		{"entry added beyond the head", func(s *Store) error {
			return s.db.Create(&AuditEvent{Seq: 12, At: time.Now().UTC(), Action: AuditLogin, Actor: "ghost@x.cn"}).Error
		}, 12, AuditAltered},
		{"head removed", func(s *Store) error {
			return s.db.Exec("DELETE FROM audit_heads").Error
		}, 0, AuditRemoved},
		{"entry added before the first", func(s *Store) error {
			return s.db.Create(&AuditEvent{Seq: 0, At: time.Now().UTC(), Action: AuditLogin, Actor: "ghost@x.cn"}).Error
		}, 0, AuditAltered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestStore(t)
			ctx := context.Background()
			for i := range 10 {
				if err := s.db.Transaction(func(tx *gorm.DB) error {
					return appendAudit(tx, ctx, AuditEvent{Action: AuditLoginFailed, Actor: fmt.Sprintf("user%d@x.cn", i), Detail: "wrong password"})
				}); err != nil {
					t.Fatal(err)
				}
			}
			if r := verifyOK(t, s); r.Entries != 10 {
				t.Fatalf("verified %d entries, want 10", r.Entries)
			}
			if err := tt.tamper(s); err != nil {
				t.Fatal(err)
			}
			r, err := s.VerifyAudit(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if r.OK || r.Seq != tt.seq || r.Problem != tt.problem || (tt.seq > 0 && !strings.Contains(r.Detail, fmt.Sprintf("#%d", tt.seq))) {
				t.Errorf("report %+v, want %s at #%d", r, tt.problem, tt.seq)
			}
		})
	}
}

func TestVerifyAuditEmptyLog(t *testing.T) {
	s, _ := newTestStore(t)
	if r := verifyOK(t, s); r.Entries != 0 {
		t.Errorf("empty log: %+v", r)
	}
}

// Concurrent appends are serialised by the head: sequence numbers stay
// contiguous and the chain verifies.
func TestAuditConcurrentAppends(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	const workers, each = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				errs <- s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
					return appendAudit(tx, ctx, AuditEvent{Action: AuditLogin, Actor: fmt.Sprintf("w%d@x.cn", w), Detail: fmt.Sprint(i)})
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	entries := auditEntries(t, s)
	if len(entries) != workers*each {
		t.Fatalf("%d entries, want %d", len(entries), workers*each)
	}
	for i, ev := range entries {
		if ev.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i, ev.Seq)
		}
	}
	if r := verifyOK(t, s); r.Entries != workers*each {
		t.Errorf("verified %d entries", r.Entries)
	}
}

// Verification reads in batches: a log longer than one batch verifies, and
// a break in a later batch is found.
func TestVerifyAuditAcrossBatches(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	n := audit.VerifyBatch*2 + 10
	err := s.db.Transaction(func(tx *gorm.DB) error {
		for i := range n {
			if err := appendAudit(tx, ctx, AuditEvent{Action: AuditLogin, Detail: fmt.Sprint(i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := verifyOK(t, s); r.Entries != int64(n) {
		t.Fatalf("verified %d of %d", r.Entries, n)
	}
	bad := int64(audit.VerifyBatch + 5)
	s.db.Exec("UPDATE audit_events SET ip = '10.0.0.1' WHERE seq = ?", bad)
	if r, _ := s.VerifyAudit(ctx); r.OK || r.Seq != bad || r.Problem != AuditAltered || r.Entries != bad-1 {
		t.Errorf("report %+v, want altered at #%d", r, bad)
	}
}

// Whatever bytes a failed login types are stored as bounded, valid text,
// and the chain still verifies.
func TestAuditStoresTypedTextSafely(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := WithRequest(context.Background(), RequestInfo{IP: "198.51.100.1", UserAgent: strings.Repeat("ü", 1000)})
	typed := "bad\xff\x00" + strings.Repeat("a", 5000) + "@x.cn"
	if _, err := s.Authenticate(ctx, typed, "x"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Fatal(err)
	}
	entries := auditEntries(t, s)
	ev := entries[len(entries)-1]
	if ev.Action != AuditLoginFailed || !utf8.ValidString(ev.Actor+ev.Detail) || strings.ContainsRune(ev.Actor, 0) ||
		utf8.RuneCountInString(ev.Actor) > maxAuditActor || utf8.RuneCountInString(ev.Detail) > audit.MaxDetail || !strings.HasPrefix(ev.Actor, "bad\uFFFD") {
		t.Errorf("stored %q / %q", ev.Actor[:20], ev.Detail[:40])
	}
	verifyOK(t, s)
}
