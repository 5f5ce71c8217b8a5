package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"selfcheck/app/assessment"
	"selfcheck/app/outbox"
)

// DeadlineTarget is a firm of a campaign with a deadline that has not
// submitted its assessment (AssessmentID 0: it has not started one).
type DeadlineTarget struct {
	CampaignID   uint
	FirmID       uint
	AssessmentID uint
	Deadline     string // YYYY-MM-DD
	Days         string // the campaign's reminder days, e.g. "7,3,1"
}

// PlanTarget is an unfinished rectification plan with a due date. OwnerID
// is the account its owner names (0: none; the firm admins are told).
type PlanTarget struct {
	ID           uint
	AssessmentID uint
	ItemID       string
	Due          string // YYYY-MM-DD
	OwnerID      uint
}

// EvidenceTarget is an evidence file whose "valid until" date is near or
// passed.
type EvidenceTarget struct {
	ID           uint
	AssessmentID uint
	ItemID       string
	FileName     string
	ValidUntil   string // YYYY-MM-DD
}

// ScheduleStore is what the Scheduler reads and writes.
type ScheduleStore interface {
	// Lease takes or renews the lease name for holder (outbox.Store).
	Lease(ctx context.Context, name, holder string, now, until time.Time) (bool, error)
	// DeadlineTargets are the firms of campaigns whose deadline is on or
	// after since that have not submitted.
	DeadlineTargets(ctx context.Context, since string) ([]DeadlineTarget, error)
	// PlanTargets are the unfinished plans due from since to until.
	PlanTargets(ctx context.Context, since, until string) ([]PlanTarget, error)
	// EvidenceTargets are the evidence files, not removed, valid until a
	// day from since to until.
	EvidenceTargets(ctx context.Context, since, until string) ([]EvidenceTarget, error)
	// EmitScheduled records e in the outbox unless key was recorded
	// before, both in one transaction, and reports whether it did.
	EmitScheduled(ctx context.Context, key string, e outbox.Event) (bool, error)
	// GatherDigests makes day's digests once (store.GatherDigests).
	GatherDigests(ctx context.Context, day string, now time.Time) (int, error)
}

// The scheduler's defaults.
const (
	DefaultReminderDays = "7,3,1"
	// PlanDueDays is how long before its due date a plan's owner is told.
	PlanDueDays = 7
	// CatchUpDays bounds a catch-up: a deadline passed or a plan overdue
	// longer ago than this when the scheduler first sees it is not
	// announced (a first start on an old database would otherwise send
	// a flood about things everyone knows).
	CatchUpDays = 7
	// DefaultDigestHour is the hour of the day (in the server's zone) from
	// which the day's digest goes.
	DefaultDigestHour = 8
	// SchedulerLease is the scheduler's lease name.
	SchedulerLease = "scheduler"
)

// ParseReminderDays reads a campaign's reminder days: whole numbers of
// days before the deadline, 1 to 90, at most 5, separated by commas.
// They come back sorted, largest first, without repeats.
func ParseReminderDays(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 90 {
			return nil, fmt.Errorf("notify: reminder day %q: want a whole number from 1 to 90", f)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	if len(out) > 5 {
		return nil, fmt.Errorf("notify: %d reminder days: at most 5", len(out))
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out, nil
}

// Scheduler emits the events that time makes, not a person: a campaign's
// deadline near or passed, a plan due soon or overdue, and the day's
// digest. One instance at a time runs it (a lease in the database). Each
// event is emitted once whatever the instance, and a scheduler that was
// down catches up: a mark per (event, subject, days left) records what was
// emitted, and of several reminders whose time came while it was down
// only the latest goes.
type Scheduler struct {
	Store    ScheduleStore
	Log      *slog.Logger
	Location *time.Location // whose days count; UTC when nil
	// DigestHour is the hour from which the day's digest goes.
	DigestHour int
	Every      time.Duration // how often it looks; a minute by default
	Lease      time.Duration // its lease; 3×Every by default
	Now        func() time.Time
	// Digested, when set, is called after digests were made (the
	// Sender's Wake). It must not block.
	Digested func()
	holder   string
}

// Run looks every Every while it holds the lease, until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	if s.Every <= 0 {
		s.Every = time.Minute
	}
	if s.Lease <= 0 {
		s.Lease = 3 * s.Every
	}
	host, _ := os.Hostname()
	s.holder = fmt.Sprintf("%s/%d/%p", host, os.Getpid(), s)
	for {
		now := s.now()
		if held, err := s.Store.Lease(ctx, SchedulerLease, s.holder, now, now.Add(s.Lease)); err != nil {
			if ctx.Err() == nil {
				s.log().Error("notify: scheduler lease", "err", err)
			}
		} else if held {
			if err := s.Tick(ctx, now); err != nil && ctx.Err() == nil {
				s.log().Error("notify: scheduler", "err", err)
			}
		}
		t := time.NewTimer(s.Every)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

const day = "2006-01-02"

// daysBetween is how many days from today until date (negative: past).
func daysBetween(today, date string) (int, bool) {
	a, err1 := time.Parse(day, today)
	b, err2 := time.Parse(day, date)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return int(math.Round(b.Sub(a).Hours() / 24)), true
}

// Tick emits what is due at now. Safe to run again: what was emitted is
// marked.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) error {
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	local := now.In(loc)
	today := local.Format(day)
	since := local.AddDate(0, 0, -CatchUpDays).Format(day)
	targets, err := s.Store.DeadlineTargets(ctx, since)
	if err != nil {
		return err
	}
	for _, t := range targets {
		left, ok := daysBetween(today, t.Deadline)
		if !ok {
			continue
		}
		ev := outbox.Event{FirmID: t.FirmID, CampaignID: t.CampaignID, AssessmentID: t.AssessmentID}
		var key string
		switch {
		case left < 0:
			ev.Kind, key = outbox.DeadlinePassed, fmt.Sprintf("deadline_passed:%d:%d:%s", t.CampaignID, t.FirmID, t.Deadline)
			ev.Detail = detail(map[string]any{"deadline": t.Deadline})
		default:
			days, err := ParseReminderDays(t.Days)
			if err != nil {
				days, _ = ParseReminderDays(DefaultReminderDays)
			}
			// The nearest reminder whose time has come: after downtime
			// the ones before it are skipped, not sent late together.
			due := -1
			for _, d := range days {
				if left <= d {
					due = d
				}
			}
			if due < 0 {
				continue
			}
			ev.Kind, key = outbox.DeadlineSoon, fmt.Sprintf("deadline_soon:%d:%d:%s:%d", t.CampaignID, t.FirmID, t.Deadline, due)
			ev.Detail = detail(map[string]any{"deadline": t.Deadline, "days": left})
		}
		if _, err := s.Store.EmitScheduled(ctx, key, ev); err != nil {
			return err
		}
	}
	plans, err := s.Store.PlanTargets(ctx, since, local.AddDate(0, 0, PlanDueDays).Format(day))
	if err != nil {
		return err
	}
	for _, p := range plans {
		left, ok := daysBetween(today, p.Due)
		if !ok {
			continue
		}
		ev := outbox.Event{AssessmentID: p.AssessmentID, ItemID: p.ItemID}
		d := map[string]any{"plan": p.ID, "due": p.Due}
		if p.OwnerID != 0 {
			d["user"] = p.OwnerID
		}
		ev.Detail = detail(d)
		kind, name := outbox.PlanDue, "plan_due"
		if left < 0 {
			kind, name = outbox.PlanOverdue, "plan_overdue"
		}
		ev.Kind = kind
		if _, err := s.Store.EmitScheduled(ctx, fmt.Sprintf("%s:%d:%s", name, p.ID, p.Due), ev); err != nil {
			return err
		}
	}
	// Evidence about to lapse (a licence, a filing): once per file and date,
	// as it enters the window the pages flag (assessment.ExpiringDays); a
	// new date is a new reminder.
	files, err := s.Store.EvidenceTargets(ctx, since, local.AddDate(0, 0, assessment.ExpiringDays).Format(day))
	if err != nil {
		return err
	}
	for _, f := range files {
		ev := outbox.Event{Kind: outbox.EvidenceExpiring, AssessmentID: f.AssessmentID, ItemID: f.ItemID,
			Detail: detail(map[string]any{"evidence": f.ID, "name": f.FileName, "valid_until": f.ValidUntil})}
		if _, err := s.Store.EmitScheduled(ctx, fmt.Sprintf("evidence_expiring:%d:%s", f.ID, f.ValidUntil), ev); err != nil {
			return err
		}
	}
	if local.Hour() >= s.DigestHour {
		n, err := s.Store.GatherDigests(ctx, today, now)
		if err != nil {
			return err
		}
		if n > 0 && s.Digested != nil {
			s.Digested()
		}
	}
	return nil
}

func detail(m map[string]any) string {
	b, _ := json.Marshal(m)
	return string(b)
}
