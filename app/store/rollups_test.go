package store

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
	"selfcheck/app/scoring"
)

// rollupRows is every rollup row of a campaign.
type rollupRows struct {
	Firms  []CampaignRollup
	States []CampaignStateCount
	Grades []CampaignGradeCount
	Themes []CampaignThemeStat
	Items  []CampaignItemGap
	Plans  []CampaignOpenPlan
	// The rectification panel's: planned gaps by status and due date, and
	// each assessment's next due date.
	PlanStatuses []CampaignPlanStatus
	NextDue      []Assessment
}

// readRollups reads a campaign's rollups, leaving out rows whose counters
// are all zero: a running total keeps a row its recomputation would not.
func readRollups(t *testing.T, db *gorm.DB, campaignID uint) rollupRows {
	t.Helper()
	var r rollupRows
	w := "campaign_id = ?"
	for _, err := range []error{
		db.Where(w, campaignID).Find(&r.Firms).Error,
		db.Where(w+" AND n <> 0", campaignID).Order("state").Find(&r.States).Error,
		db.Where(w+" AND (n <> 0 OR scored <> 0)", campaignID).Order("grade").Find(&r.Grades).Error,
		db.Where(w+" AND (n <> 0 OR scored <> 0)", campaignID).Order("checklist_id").Find(&r.Themes).Error,
		db.Where(w+" AND (non_compliant <> 0 OR partial <> 0)", campaignID).Order("item_id").Find(&r.Items).Error,
		db.Where(w+" AND n <> 0", campaignID).Order("plan_due").Find(&r.Plans).Error,
		db.Where(w+" AND n <> 0", campaignID).Order("plan_status, plan_due").Find(&r.PlanStatuses).Error,
		db.Select("id", "rect_next_due").Where(w, campaignID).Order("id").Find(&r.NextDue).Error,
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Sums of floats added and taken away in another order differ in the
	// last bits: compare them rounded.
	for i := range r.Themes {
		r.Themes[i].ScoreSum = math.Round(r.Themes[i].ScoreSum*1e6) / 1e6
	}
	return r
}

// checkRollups compares a campaign's running totals with their
// recomputation from the raw rows (in a transaction rolled back), and the
// dashboard they give with the one the aggregate queries of v10 gave.
// errRollback rolls back a transaction that only recomputed what to compare.
var errRollback = errors.New("rollback")

func checkRollups(t *testing.T, fx *dashFixture, step string) {
	t.Helper()
	got := readRollups(t, fx.s.db, fx.campaign)
	err := fx.s.db.Transaction(func(tx *gorm.DB) error {
		if err := rebuildRollups(tx, fx.campaign); err != nil {
			return err
		}
		if want := readRollups(t, tx, fx.campaign); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: rollups\n%+v\nrecomputed\n%+v", step, got, want)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	// A stored gap's plan status follows its plan, except in a returned
	// assessment, whose changes count from its next submission.
	var stale []struct {
		AssessmentID     uint
		ItemID, Gap, Now string
	}
	err = fx.s.db.Raw(`SELECT g.assessment_id, g.item_id, g.plan_status AS gap, COALESCE(p.status, '') AS now
		FROM assessment_gaps g JOIN assessments a ON a.id = g.assessment_id
		LEFT JOIN plans p ON p.assessment_id = g.assessment_id AND p.item_id = g.item_id
		WHERE g.campaign_id = ? AND a.state <> ? AND g.plan_status <> COALESCE(p.status, '')`, fx.campaign, string(assessment.ChangesRequested)).Scan(&stale).Error
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Errorf("%s: gaps whose plan status is not their plan's: %+v", step, stale)
	}
	d, err := fx.s.CampaignDashboard(context.Background(), fx.auditor, fx.campaign, DashboardOptions{Today: dashToday})
	if err != nil {
		t.Fatal(err)
	}
	if want := legacyDashboard(t, fx); !sameDashboard(d, want) {
		t.Errorf("%s: dashboard\n%+v\nv10 computed\n%+v", step, d, want)
	}
}

// legacyDashboard computes the dashboard's figures as v10 did.
func legacyDashboard(t *testing.T, fx *dashFixture) *Dashboard {
	t.Helper()
	db := fx.s.db
	c, err := reviewedCampaign(db, fx.auditor, fx.campaign)
	if err != nil {
		t.Fatal(err)
	}
	d := &Dashboard{Campaign: c}
	if err := legacyDashboardFirms(db, d); err != nil {
		t.Fatal(err)
	}
	if _, err := legacyDashboardStates(db, d); err != nil {
		t.Fatal(err)
	}
	if err := legacyDashboardThemes(db, d); err != nil {
		t.Fatal(err)
	}
	if err := legacyDashboardItems(db, d); err != nil {
		t.Fatal(err)
	}
	if err := legacyDashboardOverdue(db, fx.auditor, d, dashToday); err != nil {
		t.Fatal(err)
	}
	return d
}

// sameDashboard compares the figures the rollups give; averages to 1e-9.
func sameDashboard(a, b *Dashboard) bool {
	if a.Firms != b.Firms || a.NotStarted != b.NotStarted || a.Submitted != b.Submitted ||
		!reflect.DeepEqual(a.States, b.States) || !reflect.DeepEqual(a.Grades, b.Grades) ||
		!reflect.DeepEqual(a.TopItems, b.TopItems) || !reflect.DeepEqual(a.Overdue, b.Overdue) || len(a.Themes) != len(b.Themes) {
		return false
	}
	for i := range a.Themes {
		x, y := a.Themes[i], b.Themes[i]
		if x.ChecklistID != y.ChecklistID || x.Scored != y.Scored || x.Assessments != y.Assessments || (x.Average == nil) != (y.Average == nil) {
			return false
		}
		if x.Average != nil && math.Abs(*x.Average-*y.Average) > 1e-9 {
			return false
		}
	}
	return true
}

// TestRollupsFollowEveryChange runs a campaign through every change that
// moves a dashboard figure and checks the rollups after each.
func TestRollupsFollowEveryChange(t *testing.T) {
	fx := seedDashboard(t)
	ctx := context.Background()
	checkRollups(t, fx, "seeded")
	s := fx.s
	answer := func(i int, item string, v scoring.Answer) func() error {
		return func() error {
			_, err := s.SaveAnswers(ctx, fx.members[i], fx.ids[i], []AnswerInput{{ItemID: item, Value: v, Note: "改了 " + item}})
			return err
		}
	}
	plan := func(i int, item, due string, st assessment.PlanStatus) func() error {
		return func() error {
			_, err := s.SavePlan(ctx, fx.members[i], fx.ids[i], item, PlanInput{Measure: "整改", Owner: "李四", Due: due, Status: st})
			return err
		}
	}
	review := func(i int, a assessment.Action) func() error {
		return func() error {
			d := Decision{Action: a}
			if a != assessment.Approve {
				d.Comment = "请补充"
			}
			return s.Review(ctx, fx.auditor, fx.ids[i], d)
		}
	}
	submit := func(i int) func() error { return func() error { return s.Submit(ctx, fx.members[i], fx.ids[i]) } }
	for _, step := range []struct {
		name string
		do   []func() error
	}{
		{"changes requested of the first firm", []func() error{review(0, assessment.RequestChanges)}},
		{"the first firm fixes a gap, opens another and resubmits", []func() error{
			answer(0, "a-3", scoring.Compliant), answer(0, "a-2", scoring.NonCompliant),
			plan(0, "a-2", "2021-04-01", assessment.PlanOpen), submit(0)}},
		{"the resubmission approved", []func() error{review(0, assessment.Approve)}},
		{"the second firm rejected", []func() error{review(1, assessment.Reject)}},
		{"the draft submitted", []func() error{submit(4)}},
		{"the draft returned, a plan done, resubmitted", []func() error{
			review(4, assessment.RequestChanges), plan(4, "a-1", "2020-01-01", assessment.PlanDone), submit(4)}},
		{"the unscored firm returned and scored", []func() error{
			review(3, assessment.RequestChanges), answer(3, "b-2", scoring.Partial), plan(3, "b-2", "2021-02-02", assessment.PlanOpen), submit(3)}},
		{"the last firm starts", []func() error{func() error {
			id, err := s.CreateAssessment(ctx, fx.members[5], dashChecklists(), nil, &fx.campaign)
			fx.ids[5] = id
			return err
		}}},
		{"the last firm leaves the campaign", []func() error{func() error {
			var firms []uint
			if err := s.db.Table("campaign_firms").Where("campaign_id = ?", fx.campaign).Order("firm_id").Pluck("firm_id", &firms).Error; err != nil {
				return err
			}
			return s.db.Transaction(func(tx *gorm.DB) error {
				return setCampaignMembers(tx, fx.campaign, firms[:len(firms)-1], []uint{fx.auditor.ID})
			})
		}}},
	} {
		for _, do := range step.do {
			if err := do(); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
		}
		checkRollups(t, fx, step.name)
	}
}

// TestUpgradeFromV10ShowsTheSameDashboard takes a campaign's database back
// to what v10 had (no rollups, no name index, v10's indexes, no outbox, no
// two-factor tables), upgrades it,
// and checks that the dashboard shows what v10's queries computed.
func TestUpgradeFromV10ShowsTheSameDashboard(t *testing.T) {
	fx := seedDashboard(t)
	ctx := context.Background()
	if err := fx.s.Review(ctx, fx.auditor, fx.ids[0], Decision{Action: assessment.RequestChanges, Comment: "请补充"}); err != nil {
		t.Fatal(err)
	}
	before := readRollups(t, fx.s.db, fx.campaign)
	for _, q := range []string{
		"DROP TABLE campaign_rollups", "DROP TABLE campaign_state_counts", "DROP TABLE campaign_grade_counts",
		"DROP TABLE campaign_theme_stats", "DROP TABLE campaign_item_gaps", "DROP TABLE campaign_open_plans",
		"DROP TABLE firm_name_grams", "DROP TABLE events", "DROP TABLE event_cursors", "DROP TABLE activities", "DROP TABLE leases", "DROP TABLE readiness_probes",
		"DROP TABLE login_challenges", "DROP TABLE recovery_codes", "DROP TABLE second_factors", "DROP TABLE server_keys",
		"DROP TABLE campaign_plan_statuses", "DROP INDEX idx_assessments_rect", "DROP INDEX idx_evidence_campaign_valid",
		"ALTER TABLE assessments DROP COLUMN rect_next_due", "ALTER TABLE assessment_gaps DROP COLUMN plan_status",
		"ALTER TABLE evidences DROP COLUMN campaign_id",
		"DROP INDEX idx_assessment_campaign_score_id", "CREATE INDEX idx_assessment_campaign_score ON assessments (campaign_id, score)",
		"DROP TABLE assignments", "DROP TABLE comments",
		"DROP TABLE notifications", "DROP TABLE deliveries", "ALTER TABLE users DROP COLUMN lang",
		"DROP TABLE notify_prefs", "DROP TABLE webhooks", "DROP TABLE schedule_marks", "ALTER TABLE campaigns DROP COLUMN reminder_days",
		"DROP INDEX idx_evidence_valid_until", "ALTER TABLE evidences DROP COLUMN valid_until",
		"ALTER TABLE campaigns DROP COLUMN follows_id", "ALTER TABLE assessments DROP COLUMN carried_from_id",
		"ALTER TABLE answers DROP COLUMN carried", "ALTER TABLE answers DROP COLUMN confirmed",
		"ALTER TABLE plans DROP COLUMN origin_assessment_id", "ALTER TABLE plans DROP COLUMN origin_item_id",
		"DROP TABLE plan_entries", "DROP TABLE plan_evidences", "ALTER TABLE plans DROP COLUMN done_on",
		"ALTER TABLE plans DROP COLUMN verified_on", "ALTER TABLE plans DROP COLUMN review_comment",
		"ALTER TABLE assessments DROP COLUMN rectified_on",
		"DROP INDEX idx_login_failure_pair", "ALTER TABLE login_failures DROP COLUMN address",
		"DROP INDEX idx_assessment_queue_grade", "DROP INDEX idx_assessment_queue_score", "DROP INDEX idx_assessment_queue_critical",
		"DROP INDEX idx_gap_overdue", "CREATE INDEX idx_gap_campaign_due ON assessment_gaps (campaign_id, plan_done, plan_due)",
		"DELETE FROM schema_migrations WHERE version > 10",
	} {
		if err := fx.s.db.Exec(q).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := fx.s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if after := readRollups(t, fx.s.db, fx.campaign); !reflect.DeepEqual(before, after) {
		t.Errorf("after the upgrade\n%+v\nwant\n%+v", after, before)
	}
	checkRollups(t, fx, "upgraded from v10")
	var grams int64
	fx.s.db.Model(&FirmNameGram{}).Count(&grams)
	if grams == 0 {
		t.Error("the upgrade indexed no firm name")
	}
}

// TestRebuildAllRollupsRepairsAnOlderReleasesWrites writes as a release
// before v25 would on the newer schema (during a rolling upgrade or after
// a rollback): gaps stored and plans moved without the plan's status, the
// firm counts replaced without the count of firms with plans, a file
// uploaded without its campaign. RebuildAllRollups brings the dashboard
// back to what the raw rows say.
func TestRebuildAllRollupsRepairsAnOlderReleasesWrites(t *testing.T) {
	fx := seedDashboard(t)
	s, ctx := fx.s, context.Background()
	expired := "2020-01-01" // before dashToday
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"UPDATE assessment_gaps SET plan_status = '' WHERE assessment_id = ?", []any{fx.ids[0]}},
		{"UPDATE plans SET status = 'done' WHERE assessment_id = ? AND item_id = 'a-1'", []any{fx.ids[1]}},
		{"UPDATE assessment_gaps SET plan_done = ? WHERE assessment_id = ? AND item_id = 'a-1'", []any{true, fx.ids[1]}},
		{"UPDATE campaign_rollups SET with_plans = 0 WHERE campaign_id = ?", []any{fx.campaign}},
		{"UPDATE evidences SET campaign_id = NULL, valid_until = ? WHERE assessment_id = ?", []any{expired, fx.ids[0]}},
	} {
		if err := s.db.Exec(q.sql, q.args...).Error; err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	n, err := s.RebuildAllRollups(ctx)
	if err != nil || n == 0 {
		t.Fatalf("rebuilt %d campaigns: %v", n, err)
	}
	checkRollups(t, fx, "repaired")
	d, err := s.CampaignDashboard(ctx, fx.auditor, fx.campaign, DashboardOptions{Today: dashToday})
	if err != nil {
		t.Fatal(err)
	}
	if d.Rectification.FirmsWithPlans != 3 {
		t.Errorf("firms with plans %d, want 3", d.Rectification.FirmsWithPlans)
	}
	if d.Rectification.Total.Done != 2 {
		t.Errorf("done plans %+v, want the one moved by the older release counted", d.Rectification.Total)
	}
	if d.Lapsing.Expired != 1 {
		t.Errorf("expired files %d, want the one uploaded by the older release", d.Lapsing.Expired)
	}
}
