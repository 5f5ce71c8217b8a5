package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// Text no row can hold (a NUL byte, invalid UTF-8), typed where the store
// looks something up, finds nothing, as an unknown value does, and is no
// error: PostgreSQL refuses such text as a query parameter, so the store
// answers without asking.
func TestLookupsOfTextNoRowHolds(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	member := demoMember(t, s)
	admin, err := s.UserByEmail(ctx, "admin@demo.local")
	if err != nil {
		t.Fatal(err)
	}
	auditor, err := s.UserByEmail(ctx, "auditor@demo.local")
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateAssessment(ctx, member, []*checklist.Checklist{testChecklist()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, typed := range []string{"firm@demo.local\x00", "\x00", "firm@demo.local\xff", "t-1\x00"} {
		if _, err := s.Authenticate(ctx, typed, DemoPassword); !errors.Is(err, auth.ErrBadCredentials) {
			t.Errorf("Authenticate(%q): %v", typed, err)
		}
		if _, err := s.UserByEmail(ctx, typed); !errors.Is(err, ErrNotFound) {
			t.Errorf("UserByEmail(%q): %v", typed, err)
		}
		if _, err := s.FirmByCreditCode(ctx, typed); !errors.Is(err, ErrNotFound) {
			t.Errorf("FirmByCreditCode(%q): %v", typed, err)
		}
		if _, err := s.SessionUser(ctx, typed); !errors.Is(err, ErrNotFound) {
			t.Errorf("SessionUser(%q): %v", typed, err)
		}
		if _, err := s.TokenUser(ctx, typed); !errors.Is(err, ErrNotFound) {
			t.Errorf("TokenUser(%q): %v", typed, err)
		}
		if _, err := s.VerifyReport(ctx, typed); !errors.Is(err, ErrNotFound) {
			t.Errorf("VerifyReport(%q): %v", typed, err)
		}
		if err := s.DeleteCustomChecklist(ctx, admin, typed); !errors.Is(err, ErrNotFound) {
			t.Errorf("DeleteCustomChecklist(%q): %v", typed, err)
		}
		if a, err := s.StoredAnswer(ctx, member, id, typed); err != nil || a != (assessment.Answer{}) {
			t.Errorf("StoredAnswer(%q): %+v, %v", typed, a, err)
		}
		for _, f := range []AuditFilter{{Action: typed}, {Actor: typed}} {
			if rows, n, err := s.AuditLog(ctx, admin, f); err != nil || n != 0 || len(rows) != 0 {
				t.Errorf("AuditLog(%+v): %d rows, %d, %v", f, len(rows), n, err)
			}
		}
		for _, f := range []QueueFilter{{Firm: typed}, {Theme: typed}, {Grade: scoring.Grade(typed)}} {
			if q, err := s.ReviewQueue(ctx, auditor, f); err != nil || q.Total != 0 || len(q.Rows) != 0 {
				t.Errorf("ReviewQueue(%+v): %+v, %v", f, q, err)
			}
		}
		// The throttle keeps typed text cleaned (audit.Clip), so it counts
		// such attempts like any other.
		if _, _, ok, err := s.BeginLogin(ctx, typed, "198.51.100.7", time.Now()); err != nil || !ok {
			t.Errorf("BeginLogin(%q): %v, %v", typed, ok, err)
		}
	}
	verifyOK(t, s)
}
