package store

// Campaign rollups: the dashboard's figures kept as running totals per
// campaign, so that it reads O(states + grades + themes + items + due dates)
// rows whatever the campaign's size instead of aggregating every
// assessment, theme score and gap on each view. Every change that moves a
// figure updates its rollup in the same transaction:
//
//   - CreateAssessment: a draft started (rollupStarted);
//   - Submit, through writeResults: a state moved and results replaced;
//   - Review: a state moved (rollupTransition);
//   - setCampaignMembers: the campaign's firms replaced (rollupFirms);
//   - backfillResults, through writeResults: results stored, no state moved;
//   - a plan's progress or verification, through planMove.record: the
//     stored gap's plan status moved (rollupPlanStatus, migration v25).
//
// The migrations that created them (v11, v25) and the load seeder build
// them from the raw rows with rebuildRollups; the tests check that the
// running totals equal that recomputation after every kind of change.
// Writes of a release older than a rollup do not keep it: RebuildAllRollups
// (`selfcheck rollups rebuild`) repairs them after such a release ran on
// the newer schema (docs/DEPLOYMENT.md, upgrades).
//
// Updates are "add delta" upserts (INSERT … ON CONFLICT … DO UPDATE), which
// SQLite and PostgreSQL run alike. Under concurrent writers PostgreSQL
// serialises them on the rollup row; SQLite has one writer anyway.

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
	"selfcheck/app/scoring"
)

// CampaignRollup counts a campaign's firms and those that started it.
type CampaignRollup struct {
	CampaignID uint `gorm:"primaryKey;autoIncrement:false"`
	Firms      int
	Started    int
	WithPlans  int // assessments with a planned gap (v25)
}

// CampaignStateCount counts a campaign's assessments in one state.
type CampaignStateCount struct {
	CampaignID uint   `gorm:"primaryKey;autoIncrement:false"`
	State      string `gorm:"primaryKey"`
	N          int
}

// CampaignGradeCount counts a campaign's assessments with stored results
// (all of them non-drafts) of one grade, and of them those with a score.
type CampaignGradeCount struct {
	CampaignID uint   `gorm:"primaryKey;autoIncrement:false"`
	Grade      string `gorm:"primaryKey"`
	N          int
	Scored     int
}

// CampaignThemeStat sums one theme's stored scores in a campaign.
type CampaignThemeStat struct {
	CampaignID  uint   `gorm:"primaryKey;autoIncrement:false"`
	ChecklistID string `gorm:"primaryKey"`
	ScoreSum    float64
	Scored      int
	N           int
}

// CampaignItemGap counts one item's stored gaps in a campaign.
type CampaignItemGap struct {
	CampaignID   uint   `gorm:"primaryKey;autoIncrement:false"`
	ItemID       string `gorm:"primaryKey"`
	NonCompliant int
	Partial      int
}

// CampaignOpenPlan counts a campaign's stored gaps whose plan is not done,
// by due date: the overdue plans on any day are a sum over the dates before
// it, a few hundred rows at most.
type CampaignOpenPlan struct {
	CampaignID uint   `gorm:"primaryKey;autoIncrement:false"`
	PlanDue    string `gorm:"primaryKey"`
	N          int
}

// CampaignPlanStatus counts a campaign's stored gaps with a plan by the
// plan's status and due date: the rectification panel's totals on any day
// are sums over its rows (dashboard_rectify.go).
type CampaignPlanStatus struct {
	CampaignID uint   `gorm:"primaryKey;autoIncrement:false"`
	PlanStatus string `gorm:"primaryKey"`
	PlanDue    string `gorm:"primaryKey"`
	N          int
}

// bump adds deltas to the counters cols of the row keyed by keys, creating
// it when missing.
func bump(tx *gorm.DB, table string, keys []string, keyVals []any, cols []string, deltas []any) error {
	set := make([]string, len(cols))
	for i, c := range cols {
		set[i] = fmt.Sprintf("%s = %s.%s + excluded.%s", c, table, c, c)
	}
	all := append(append([]string{}, keys...), cols...)
	q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s) ON CONFLICT (%s) DO UPDATE SET %s",
		table, strings.Join(all, ", "), strings.TrimSuffix(strings.Repeat("?, ", len(all)), ", "),
		strings.Join(keys, ", "), strings.Join(set, ", "))
	args := append(append([]any{}, keyVals...), deltas...)
	return translate(tx.Exec(q, args...).Error, "update %s", table)
}

// rollupStarted counts a draft just started in a campaign.
func rollupStarted(tx *gorm.DB, campaignID *uint) error {
	if campaignID == nil {
		return nil
	}
	if err := bump(tx, "campaign_rollups", []string{"campaign_id"}, []any{*campaignID}, []string{"firms", "started"}, []any{0, 1}); err != nil {
		return err
	}
	return rollupTransition(tx, campaignID, "", assessment.Draft)
}

// rollupTransition moves an assessment of a campaign from one state to
// another; from "" is a new assessment.
func rollupTransition(tx *gorm.DB, campaignID *uint, from, to assessment.State) error {
	if campaignID == nil || from == to {
		return nil
	}
	if from != "" {
		if err := bump(tx, "campaign_state_counts", []string{"campaign_id", "state"}, []any{*campaignID, string(from)}, []string{"n"}, []any{-1}); err != nil {
			return err
		}
	}
	return bump(tx, "campaign_state_counts", []string{"campaign_id", "state"}, []any{*campaignID, string(to)}, []string{"n"}, []any{1})
}

// rollupFirms recounts a campaign's firms and those that started it, after
// its firms were replaced. The id is cast: PostgreSQL types a bare
// parameter in a select list as text.
func rollupFirms(tx *gorm.DB, campaignID uint) error {
	return translate(tx.Exec(`INSERT INTO campaign_rollups (campaign_id, firms, started)
		SELECT CAST(? AS BIGINT), COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM assessments a
			WHERE a.campaign_id = cf.campaign_id AND a.firm_id = cf.firm_id) THEN 1 ELSE 0 END), 0)
		FROM campaign_firms cf WHERE cf.campaign_id = ?
		ON CONFLICT (campaign_id) DO UPDATE SET firms = excluded.firms, started = excluded.started`,
		campaignID, campaignID).Error, "count firms of campaign %d", campaignID)
}

// resultsShare is what one assessment's stored results add to its
// campaign's rollups.
type resultsShare struct {
	has    bool // results are stored
	grade  string
	scored bool
	themes []AssessmentScore
	gaps   []AssessmentGap
}

// rollupResults replaces one assessment's share of its campaign's rollups:
// old is what its stored results added until now, new what they add from
// now on.
func rollupResults(tx *gorm.DB, campaignID uint, old, new resultsShare) error {
	grades := map[string][2]int{}
	themes := map[string]struct {
		sum       float64
		scored, n int
	}{}
	items := map[string][2]int{}
	plans := map[string]int{}
	statuses := map[[2]string]int{}
	add := func(r resultsShare, sign int) {
		if !r.has {
			return
		}
		g := grades[r.grade]
		g[0] += sign
		if r.scored {
			g[1] += sign
		}
		grades[r.grade] = g
		for _, t := range r.themes {
			s := themes[t.ChecklistID]
			s.n += sign
			if t.Score != nil {
				s.scored += sign
				s.sum += float64(sign) * *t.Score
			}
			themes[t.ChecklistID] = s
		}
		for _, gp := range r.gaps {
			c := items[gp.ItemID]
			switch scoring.Answer(gp.Answer) {
			case scoring.NonCompliant:
				c[0] += sign
			case scoring.Partial:
				c[1] += sign
			}
			items[gp.ItemID] = c
			if !gp.PlanDone && gp.PlanDue > "" {
				plans[gp.PlanDue] += sign
			}
			if gp.PlanStatus != "" {
				statuses[[2]string{gp.PlanStatus, gp.PlanDue}] += sign
			}
		}
	}
	add(old, -1)
	add(new, 1)
	for g, c := range grades {
		if c == [2]int{} {
			continue
		}
		if err := bump(tx, "campaign_grade_counts", []string{"campaign_id", "grade"}, []any{campaignID, g}, []string{"n", "scored"}, []any{c[0], c[1]}); err != nil {
			return err
		}
	}
	for id, s := range themes {
		if s.n == 0 && s.scored == 0 && s.sum == 0 {
			continue
		}
		if err := bump(tx, "campaign_theme_stats", []string{"campaign_id", "checklist_id"}, []any{campaignID, id},
			[]string{"score_sum", "scored", "n"}, []any{s.sum, s.scored, s.n}); err != nil {
			return err
		}
	}
	for id, c := range items {
		if c == [2]int{} {
			continue
		}
		if err := bump(tx, "campaign_item_gaps", []string{"campaign_id", "item_id"}, []any{campaignID, id},
			[]string{"non_compliant", "partial"}, []any{c[0], c[1]}); err != nil {
			return err
		}
	}
	for due, n := range plans {
		if n == 0 {
			continue
		}
		if err := bump(tx, "campaign_open_plans", []string{"campaign_id", "plan_due"}, []any{campaignID, due}, []string{"n"}, []any{n}); err != nil {
			return err
		}
	}
	for k, n := range statuses {
		if n == 0 {
			continue
		}
		if err := bumpPlanStatus(tx, campaignID, k[0], k[1], n); err != nil {
			return err
		}
	}
	return nil
}

// bumpPlanStatus adds n to the campaign's count of planned gaps in status
// due on due.
func bumpPlanStatus(tx *gorm.DB, campaignID uint, status, due string, n int) error {
	return bump(tx, "campaign_plan_statuses", []string{"campaign_id", "plan_status", "plan_due"}, []any{campaignID, status, due}, []string{"n"}, []any{n})
}

// rollupTables are the rollups, each with the statement that recomputes a
// campaign's rows from the raw ones (one ? for the campaign; the firm
// counts are rollupFirms's).
var rollupTables = []struct{ table, rebuild string }{
	{"campaign_rollups", ""}, // rollupFirms
	{"campaign_state_counts", `INSERT INTO campaign_state_counts (campaign_id, state, n)
		SELECT campaign_id, state, COUNT(*) FROM assessments WHERE campaign_id = ? GROUP BY campaign_id, state`},
	{"campaign_grade_counts", `INSERT INTO campaign_grade_counts (campaign_id, grade, n, scored)
		SELECT campaign_id, grade, COUNT(*), COUNT(score) FROM assessments
		WHERE campaign_id = ? AND results_at IS NOT NULL GROUP BY campaign_id, grade`},
	{"campaign_theme_stats", `INSERT INTO campaign_theme_stats (campaign_id, checklist_id, score_sum, scored, n)
		SELECT campaign_id, checklist_id, COALESCE(SUM(score), 0), COUNT(score), COUNT(*) FROM assessment_scores
		WHERE campaign_id = ? GROUP BY campaign_id, checklist_id`},
	{"campaign_item_gaps", `INSERT INTO campaign_item_gaps (campaign_id, item_id, non_compliant, partial)
		SELECT campaign_id, item_id, SUM(CASE WHEN answer = 'non_compliant' THEN 1 ELSE 0 END),
			SUM(CASE WHEN answer = 'partial' THEN 1 ELSE 0 END)
		FROM assessment_gaps WHERE campaign_id = ? GROUP BY campaign_id, item_id`},
	{"campaign_open_plans", `INSERT INTO campaign_open_plans (campaign_id, plan_due, n)
		SELECT campaign_id, plan_due, COUNT(*) FROM assessment_gaps
		WHERE campaign_id = ? AND plan_done = ? AND plan_due > '' GROUP BY campaign_id, plan_due`},
}

// rectRollups are the rectification panel's running figures (migration
// v25), each with the statement that recomputes a campaign's from the raw
// rows: the planned gaps by status and due date, and each assessment's
// place in the panel (rectNextDue's rule in SQL), and the campaign's count
// of assessments placed; each ? is the campaign.
var rectRollups = []struct{ table, clear, rebuild string }{
	{"campaign_plan_statuses", "DELETE FROM campaign_plan_statuses WHERE campaign_id = ?",
		`INSERT INTO campaign_plan_statuses (campaign_id, plan_status, plan_due, n)
		SELECT campaign_id, plan_status, plan_due, COUNT(*) FROM assessment_gaps
		WHERE campaign_id = ? AND plan_status <> '' GROUP BY campaign_id, plan_status, plan_due`},
	{"assessments", "",
		`UPDATE assessments SET rect_next_due = COALESCE(
			(SELECT MIN(g.plan_due) FROM assessment_gaps g WHERE g.assessment_id = assessments.id
				AND g.plan_status IN ('open', 'in_progress') AND g.plan_due > ''),
			CASE WHEN EXISTS (SELECT 1 FROM assessment_gaps g WHERE g.assessment_id = assessments.id AND g.plan_status <> '')
				THEN '` + rectAllFinished + `' ELSE '' END)
		WHERE campaign_id = ?`},
	{"campaign_rollups", "",
		`UPDATE campaign_rollups SET with_plans = (SELECT COUNT(*) FROM assessments WHERE campaign_id = ? AND rect_next_due > '')
		WHERE campaign_id = ?`},
}

// rebuildRollups recomputes a campaign's rollups from the raw rows.
func rebuildRollups(tx *gorm.DB, campaignID uint) error {
	if err := rebuildV11Rollups(tx, campaignID); err != nil {
		return err
	}
	for _, r := range rectRollups {
		if r.clear != "" {
			if err := tx.Exec(r.clear, campaignID).Error; err != nil {
				return translate(err, "clear %s of campaign %d", r.table, campaignID)
			}
		}
		if err := tx.Exec(r.rebuild, campaignArgs(r.rebuild, campaignID)...).Error; err != nil {
			return translate(err, "rebuild %s of campaign %d", r.table, campaignID)
		}
	}
	return nil
}

// campaignArgs is the campaign's id for each ? of q.
func campaignArgs(q string, campaignID uint) []any {
	args := make([]any, strings.Count(q, "?"))
	for i := range args {
		args[i] = campaignID
	}
	return args
}

// rebuildV11Rollups recomputes the rollups migration v11 created, the
// only ones that exist when it runs.
func rebuildV11Rollups(tx *gorm.DB, campaignID uint) error {
	for _, r := range rollupTables {
		if r.rebuild == "" {
			if err := rollupFirms(tx, campaignID); err != nil {
				return err
			}
			continue
		}
		if err := tx.Exec("DELETE FROM "+r.table+" WHERE campaign_id = ?", campaignID).Error; err != nil {
			return translate(err, "clear %s of campaign %d", r.table, campaignID)
		}
		args := []any{campaignID}
		if r.table == "campaign_open_plans" {
			args = append(args, false)
		}
		if err := tx.Exec(r.rebuild, args...).Error; err != nil {
			return translate(err, "rebuild %s of campaign %d", r.table, campaignID)
		}
	}
	return nil
}

// rectRepairs bring the raw rows the rectification rollups are computed
// from back in step after a release older than v25 wrote to the database:
// it stored gaps without their plan's status and files without their
// campaign, and moved plans without moving their gaps' status. A returned
// assessment's gaps keep what it submitted.
var rectRepairs = []string{
	`UPDATE assessment_gaps SET plan_status = COALESCE((SELECT p.status FROM plans p
		WHERE p.assessment_id = assessment_gaps.assessment_id AND p.item_id = assessment_gaps.item_id), '')
	WHERE assessment_id IN (SELECT id FROM assessments WHERE state <> '` + string(assessment.ChangesRequested) + `')`,
	`UPDATE evidences SET campaign_id = (SELECT a.campaign_id FROM assessments a WHERE a.id = evidences.assessment_id)
	WHERE campaign_id IS NULL`,
}

// RebuildAllRollups repairs the raw rows the rollups are computed from and
// recomputes every campaign's rollups, under the write lock. It returns how
// many campaigns it rebuilt.
func (s *Store) RebuildAllRollups(ctx context.Context) (int, error) {
	var n int
	err := s.change(ctx, func(tx *gorm.DB) error {
		for _, q := range rectRepairs {
			if err := tx.Exec(q).Error; err != nil {
				return translate(err, "repair the rows of the rollups")
			}
		}
		var ids []uint
		if err := tx.Table("campaigns").Order("id").Pluck("id", &ids).Error; err != nil {
			return translate(err, "list campaigns")
		}
		for _, id := range ids {
			if err := rebuildRollups(tx, id); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}
