// Package loadseed fills a campaign with synthetic firms for load tests and
// benchmarks. Only tests and the benchmark command import it; the
// production binary does not link it.
package loadseed

// The load seeder fills a campaign with synthetic firms for load tests and
// benchmarks. Scoring 100,000 sheets one by one takes minutes, so it
// scores a small set of answer patterns once, through the same
// writeResults a submit uses, into template assessments, and gives every
// further firm a copy of one template's rows: each table's rows for a whole
// group of assessments are copied by one INSERT … SELECT. The copies are
// therefore exactly what writeResults would store for their sheets.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
	"selfcheck/app/store"
)

// LoadCampaign is a campaign filled with synthetic firms for load tests and benchmarks.
type LoadCampaign struct {
	ID          uint                   // the campaign
	Themes      []*checklist.Checklist // 7 themes, 120 items in all (today's benchThemes)
	Admin       *store.User            // demo admin (admin@demo.local)
	Auditor     *store.User            // demo auditor, assigned to the campaign
	Assessments int                    // how many assessments it holds now
}

const (
	// loadPatterns is how many distinct sheets the seeder scores: enough for
	// a spread of states, grades, theme scores and due dates, few enough to
	// score in well under a second.
	loadPatterns = 64
	// loadChunk is how many firms one transaction adds: large enough that
	// each INSERT … SELECT copies thousands of rows, small enough that the
	// WAL and the Go slices stay a few tens of MB.
	loadChunk = 4096
)

// loadThemes are 7 checklists of 17 items, the last of 18 (120 in all), a
// tenth of them critical.
func loadThemes() []*checklist.Checklist {
	var out []*checklist.Checklist
	n := 0
	for t := 0; t < 7; t++ {
		cl := &checklist.Checklist{ID: fmt.Sprintf("bench-%d", t), Version: "1", Title: checklist.Text{ZH: fmt.Sprintf("主题%d", t), EN: fmt.Sprintf("Theme %d", t)}}
		sec := checklist.Section{ID: "s", Title: checklist.Text{ZH: "节", EN: "Section"}}
		items := 17
		if t == 6 {
			items = 18
		}
		for k := 0; k < items; k++ {
			sev := checklist.High
			if n%10 == 0 {
				sev = checklist.Critical
			}
			sec.Items = append(sec.Items, checklist.Item{ID: fmt.Sprintf("b%d-%02d", t, k), Text: checklist.Text{ZH: "检查项", EN: "Item"}, Weight: 1 + n%3, Severity: sev})
			n++
		}
		cl.Sections = []checklist.Section{sec}
		out = append(out, cl)
	}
	return out
}

// loadStates is the mix of states: a tenth drafts, the rest waiting for
// review, returned or decided.
var loadStates = []assessment.State{assessment.Draft, assessment.Submitted, assessment.Submitted, assessment.Submitted, assessment.Submitted,
	assessment.Resubmitted, assessment.Approved, assessment.Approved, assessment.ChangesRequested, assessment.Rejected}

// loadAnswers is the mix of answers: about a quarter gaps.
var loadAnswers = []scoring.Answer{scoring.Compliant, scoring.Compliant, scoring.Compliant, scoring.Compliant, scoring.Compliant,
	scoring.Compliant, scoring.Compliant, scoring.Partial, scoring.NonCompliant, scoring.NotApplicable}

// loadFirmName and loadCreditCode name the i-th synthetic firm of a
// campaign; the code, which is unique, holds the campaign so that one
// database can hold several load campaigns.
func loadFirmName(i int) string { return fmt.Sprintf("基准科技%05d有限公司", i) }
func loadCreditCode(campaignID uint, i int) string {
	return fmt.Sprintf("BENCH%03d%010d", campaignID, i)
}

// loadTime is when the i-th synthetic firm started (and, unless a draft,
// submitted): one a minute from 2021-07-01.
func loadTime(i int) time.Time {
	return time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
}

// Seed creates the demo accounts (EnsureDemo) and an empty campaign over the 7 load themes.
func Seed(ctx context.Context, s *store.Store) (*LoadCampaign, error) {
	if err := s.EnsureDemo(ctx, nil); err != nil {
		return nil, err
	}
	lc := &LoadCampaign{Themes: loadThemes()}
	var err error
	if lc.Admin, err = s.UserByEmail(ctx, "admin@demo.local"); err != nil {
		return nil, err
	}
	if lc.Auditor, err = s.UserByEmail(ctx, "auditor@demo.local"); err != nil {
		return nil, err
	}
	err = s.BulkLoad(ctx, func(db *gorm.DB) error {
		return db.Transaction(func(tx *gorm.DB) error {
			return saveSnapshots(store.NewBulkTx(tx), lc.Themes, nil)
		})
	})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(lc.Themes))
	for i, cl := range lc.Themes {
		ids[i] = cl.ID
	}
	lc.ID, err = s.CreateCampaign(ctx, lc.Admin, store.NewCampaign{NameZH: "基准", NameEN: "Benchmark", Themes: ids, StartsOn: "2021-07-01",
		Deadline: "2021-12-31", AuditorIDs: []uint{lc.Auditor.ID}})
	if err != nil {
		return nil, err
	}
	return lc, nil
}

// saveSnapshots stores the themes' snapshots and, when names is not nil, their names.
func saveSnapshots(bt store.BulkTx, themes []*checklist.Checklist, names []string) error {
	for i, cl := range themes {
		name, err := bt.SaveSnapshot(cl)
		if err != nil {
			return err
		}
		if names != nil {
			names[i] = name
		}
	}
	return nil
}

// Grow adds firms, each with one assessment of the campaign, until it holds n.
func Grow(ctx context.Context, s *store.Store, lc *LoadCampaign, n int) error {
	names := make([]string, len(lc.Themes))
	return s.BulkLoad(ctx, func(db *gorm.DB) error {
		var have int64
		if err := db.Model(&store.Assessment{}).Where("campaign_id = ?", lc.ID).Count(&have).Error; err != nil {
			return fmt.Errorf("loadseed: count assessments of load campaign %d: %w", lc.ID, err)
		}
		lc.Assessments = int(have)
		if n <= lc.Assessments {
			return nil
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			return saveSnapshots(store.NewBulkTx(tx), lc.Themes, names)
		})
		if err != nil {
			return err
		}
		// The templates are the campaign's first assessments, scored one by one.
		for lc.Assessments < min(n, loadPatterns) {
			err := db.Transaction(func(tx *gorm.DB) error {
				return seedLoadTemplate(store.NewBulkTx(tx), tx, lc, names, lc.Assessments)
			})
			if err != nil {
				return fmt.Errorf("loadseed: load template %d: %w", lc.Assessments, err)
			}
			lc.Assessments++
		}
		if lc.Assessments >= n {
			return db.Transaction(func(tx *gorm.DB) error { return store.NewBulkTx(tx).RebuildRollups(lc.ID) })
		}
		var tmpl []store.Assessment
		if err := db.Where("campaign_id = ?", lc.ID).Order("id").Limit(loadPatterns).Find(&tmpl).Error; err != nil {
			return fmt.Errorf("loadseed: templates of load campaign %d: %w", lc.ID, err)
		}
		for lc.Assessments < n {
			hi := min(lc.Assessments+loadChunk, n)
			err := db.Transaction(func(tx *gorm.DB) error {
				bt := store.NewBulkTx(tx)
				if err := copyLoadTemplates(bt, tx, lc, tmpl, lc.Assessments, hi); err != nil {
					return err
				}
				if hi == n {
					return bt.RebuildRollups(lc.ID)
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("loadseed: grow load campaign %d to %d: %w", lc.ID, hi, err)
			}
			lc.Assessments = hi
		}
		return nil
	})
}

// seedLoadTemplate adds the i-th firm with a sheet of random answers, as
// seedBench did: every item answered, a plan for every gap, results stored
// by writeResults unless it is a draft.
func seedLoadTemplate(bt store.BulkTx, tx *gorm.DB, lc *LoadCampaign, names []string, i int) error {
	rng := rand.New(rand.NewPCG(1, uint64(i)))
	f := store.Firm{Name: loadFirmName(i), CreditCode: loadCreditCode(lc.ID, i), Profile: "[]", CreatedAt: loadTime(i)}
	if err := tx.Create(&f).Error; err != nil {
		return fmt.Errorf("loadseed: create load firm %d: %w", i, err)
	}
	if err := tx.Exec("INSERT INTO campaign_firms (campaign_id, firm_id) VALUES (?, ?)", lc.ID, f.ID).Error; err != nil {
		return fmt.Errorf("loadseed: add load firm %d: %w", i, err)
	}
	now := loadTime(i)
	st := loadStates[i%len(loadStates)]
	a := store.Assessment{FirmID: f.ID, State: string(st), Profile: "[]", CampaignID: &lc.ID, CreatedByID: lc.Admin.ID, CreatedAt: now, UpdatedAt: now}
	if st != assessment.Draft {
		a.SubmittedAt = &now
	}
	for p, cl := range lc.Themes {
		a.Themes = append(a.Themes, store.AssessmentTheme{Position: p, ChecklistID: cl.ID, Version: cl.Version, SnapshotSHA256: names[p]})
	}
	if err := tx.Omit("Firm", "Campaign", "Answers").Create(&a).Error; err != nil {
		return fmt.Errorf("loadseed: create load assessment %d: %w", i, err)
	}
	sh := &assessment.Sheet{ID: a.ID, State: st, Checklists: lc.Themes, Answers: map[string]assessment.Answer{}, Plans: map[string]assessment.Plan{}}
	var rows []store.Answer
	var plans []store.Plan
	for _, cl := range lc.Themes {
		for _, it := range cl.Items() {
			v := loadAnswers[rng.IntN(len(loadAnswers))]
			sh.Answers[it.ID] = assessment.Answer{Value: v}
			rows = append(rows, store.Answer{AssessmentID: a.ID, ItemID: it.ID, Value: string(v), Note: "已核查相关制度与系统配置。", Version: 1, UpdatedByID: lc.Admin.ID, UpdatedAt: now})
			if v.IsGap() {
				p := store.Plan{AssessmentID: a.ID, ItemID: it.ID, Measure: "完善弹窗关闭与频次控制", Owner: "产品部", Due: fmt.Sprintf("2021-%02d-%02d", 7+rng.IntN(6), 1+rng.IntN(28)),
					Status: string(assessment.PlanOpen), Version: 1, UpdatedByID: lc.Admin.ID, UpdatedAt: now}
				plans = append(plans, p)
				sh.Plans[it.ID] = assessment.Plan{Measure: p.Measure, Owner: p.Owner, Due: p.Due, Status: assessment.PlanStatus(p.Status), Version: p.Version, UpdatedAt: p.UpdatedAt}
			}
		}
	}
	if err := tx.Omit("UpdatedBy").CreateInBatches(&rows, 200).Error; err != nil {
		return fmt.Errorf("loadseed: answers of load assessment %d: %w", i, err)
	}
	if len(plans) > 0 {
		if err := tx.Omit("UpdatedBy").CreateInBatches(&plans, 200).Error; err != nil {
			return fmt.Errorf("loadseed: plans of load assessment %d: %w", i, err)
		}
	}
	if st == assessment.Draft {
		return nil
	}
	return bt.WriteResults(sh, &lc.ID, now)
}

// loadCopies are the rows an assessment's template gives it: the table, its
// columns, and what each copy selects (a is the new assessment, t the
// template's row). Timestamps are the new assessment's own.
var loadCopies = []struct{ table, columns, values string }{
	{"assessment_themes", "assessment_id, position, checklist_id, version, snapshot_sha256",
		"a.id, t.position, t.checklist_id, t.version, t.snapshot_sha256"},
	{"answers", "assessment_id, item_id, value, note, version, updated_by_id, updated_at",
		"a.id, t.item_id, t.value, t.note, t.version, t.updated_by_id, a.created_at"},
	{"plans", "assessment_id, item_id, measure, owner, due, status, version, updated_by_id, updated_at",
		"a.id, t.item_id, t.measure, t.owner, t.due, t.status, t.version, t.updated_by_id, a.created_at"},
	{"assessment_scores", "assessment_id, checklist_id, campaign_id, position, score, gaps, items",
		"a.id, t.checklist_id, t.campaign_id, t.position, t.score, t.gaps, t.items"},
	{"assessment_gaps", "assessment_id, item_id, campaign_id, checklist_id, severity, answer, plan_due, plan_done, plan_status",
		"a.id, t.item_id, t.campaign_id, t.checklist_id, t.severity, t.answer, t.plan_due, t.plan_done, t.plan_status"},
}

// copyLoadTemplates adds firms lo to hi-1, the i-th a copy of template
// i mod loadPatterns. The assessments are inserted grouped by template, so
// each group's copies are appended to every table in id order by one
// statement per table.
func copyLoadTemplates(bt store.BulkTx, tx *gorm.DB, lc *LoadCampaign, tmpl []store.Assessment, lo, hi int) error {
	firms := make([]store.Firm, 0, hi-lo)
	for i := lo; i < hi; i++ {
		firms = append(firms, store.Firm{Name: loadFirmName(i), CreditCode: loadCreditCode(lc.ID, i), Profile: "[]", CreatedAt: loadTime(i)})
	}
	// Without hooks, the names are indexed in bulk (firmsearch.go).
	if err := tx.Session(&gorm.Session{SkipHooks: true}).CreateInBatches(&firms, 500).Error; err != nil {
		return fmt.Errorf("loadseed: create load firms %d-%d: %w", lo, hi, err)
	}
	if err := bt.IndexFirmNames(firms); err != nil {
		return err
	}
	members := make([]map[string]any, len(firms))
	for j, f := range firms {
		members[j] = map[string]any{"campaign_id": lc.ID, "firm_id": f.ID}
	}
	if err := tx.Table("campaign_firms").CreateInBatches(members, 500).Error; err != nil {
		return fmt.Errorf("loadseed: add load firms %d-%d: %w", lo, hi, err)
	}
	order := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		order = append(order, i)
	}
	sort.SliceStable(order, func(x, y int) bool { return order[x]%len(tmpl) < order[y]%len(tmpl) })
	as := make([]store.Assessment, len(order))
	for j, i := range order {
		t := tmpl[i%len(tmpl)]
		now := loadTime(i)
		a := store.Assessment{FirmID: firms[i-lo].ID, State: t.State, Profile: t.Profile, CampaignID: &lc.ID, CreatedByID: t.CreatedByID,
			CreatedAt: now, UpdatedAt: now, Score: t.Score, Grade: t.Grade, CriticalGaps: t.CriticalGaps, Gaps: t.Gaps, RectNextDue: t.RectNextDue}
		if t.SubmittedAt != nil {
			a.SubmittedAt = &now
		}
		if t.ResultsAt != nil {
			a.ResultsAt = &now
		}
		as[j] = a
	}
	if err := tx.Omit("Firm", "Campaign", "Themes", "Answers").CreateInBatches(&as, 500).Error; err != nil {
		return fmt.Errorf("loadseed: create load assessments %d-%d: %w", lo, hi, err)
	}
	groups := map[int][]uint{}
	for j, i := range order {
		k := i % len(tmpl)
		groups[k] = append(groups[k], as[j].ID)
	}
	for k := range len(tmpl) {
		ids := groups[k]
		if len(ids) == 0 {
			continue
		}
		for _, c := range loadCopies {
			q := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM assessments a CROSS JOIN %s t WHERE t.assessment_id = ? AND a.id IN ? ORDER BY a.id",
				c.table, c.columns, c.values, c.table)
			if err := tx.Exec(q, tmpl[k].ID, ids).Error; err != nil {
				return fmt.Errorf("loadseed: copy %s of load template %d: %w", c.table, k, err)
			}
		}
	}
	return nil
}
