package store

import (
	"context"
	"fmt"
	"math"
	"sort"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// The dashboard's figures come from the campaign's rollups (rollups.go),
// running totals kept in step with every submit and review, so each is a
// read of O(states + grades + themes + items + due dates) rows whatever the
// campaign's size. The heat map and the list of overdue plans read one page
// of the results stored at submit (results.go) in index order. Those rows
// exist only for assessments that were submitted at least once, and an
// assessment never returns to draft, so every stored result belongs to a
// non-draft assessment; the queries on assessments themselves still apply
// scopeAssessments.

// Sizes of the dashboard's lists.
const (
	DefaultHeatPageSize = 25
	maxHeatPageSize     = 100
	topItems            = 10
	overdueShown        = 20
)

// DashboardOptions are what a dashboard request chooses.
type DashboardOptions struct {
	Today    string // YYYY-MM-DD: plans due before it and not done are overdue
	Page     int    // heat map page, from 1
	PageSize int    // heat map rows per page; DefaultHeatPageSize when 0
}

// Dashboard is where a campaign stands, as its auditors and admins see it.
type Dashboard struct {
	Campaign   assessment.Campaign
	Firms      int // firms taking part
	NotStarted int // of them, firms that have not started the assessment
	// States counts assessments by state, in workflow order. Drafts are
	// counted here and nowhere else.
	States    []StateCount
	Submitted int // non-draft assessments: what every figure below covers
	Grades    []GradeCount
	Themes    []ThemeStat
	TopItems  []ItemStat // most often non-compliant first, at most 10
	// ItemGaps is every item answered non-compliant or partially compliant
	// at least once, by item id: what the page totals by standard clause.
	ItemGaps []ItemStat
	Heat     HeatPage
	Overdue  OverduePlans
	Lapsing  LapsingEvidence
	// Rectification is where the plans of the submitted gaps stand.
	Rectification RectificationPanel
}

// LapsingEvidence counts the evidence files of the campaign's assessments
// (those the actor sees) that have expired or expire within
// assessment.ExpiringDays, with the first few, soonest lapsed first.
type LapsingEvidence struct {
	Expired  int
	Expiring int
	First    []LapsingFile
}

// LapsingFile is one expired or expiring evidence file.
type LapsingFile struct {
	AssessmentID uint
	FirmName     string
	ItemID       string
	FileName     string
	ValidUntil   string
}

// StateCount is how many assessments are in one state.
type StateCount struct {
	State assessment.State
	Count int
}

// GradeCount is how many non-draft assessments have one grade; NoGrade
// counts those without a score (every item not applicable).
type GradeCount struct {
	Grade scoring.Grade
	Count int
}

// ThemeStat is one theme's average score over the non-draft assessments
// that have a score for it. Average is nil when none has.
type ThemeStat struct {
	ChecklistID string
	Average     *float64
	Scored      int // assessments with a score for the theme
	Assessments int // assessments that include the theme
}

// ItemStat counts the non-draft assessments that answered an item
// non-compliant and partially compliant.
type ItemStat struct {
	ItemID       string
	NonCompliant int
	Partial      int
}

// HeatRow is one firm's row of the heat map. Themes follows
// Dashboard.Campaign.Themes; a nil entry is a theme without a score.
type HeatRow struct {
	AssessmentID uint
	FirmName     string
	State        assessment.State
	Score        *float64
	Grade        scoring.Grade
	Themes       []*float64
}

// HeatPage is one page of the heat map: lowest overall scores first, then
// the assessments without a score.
type HeatPage struct {
	Rows     []HeatRow
	Page     int // from 1
	PageSize int
	Total    int // rows on every page together: the non-draft assessments
}

// Pages is the number of pages, at least 1.
func (h HeatPage) Pages() int {
	if h.Total == 0 || h.PageSize == 0 {
		return 1
	}
	return (h.Total + h.PageSize - 1) / h.PageSize
}

// OverduePlans counts the rectification plans of gaps that are not done and
// were due before today, and lists the first ones by due date.
type OverduePlans struct {
	Count int
	First []OverduePlan
}

// OverduePlan is one overdue rectification plan.
type OverduePlan struct {
	AssessmentID uint
	FirmName     string
	ChecklistID  string
	ItemID       string
	Due          string
}

// reviewedCampaign returns a campaign actor reviews: an admin any, an
// auditor one assigned to them. Anyone else gets ErrNotFound, as if it did
// not exist.
func reviewedCampaign(db *gorm.DB, actor *User, id uint) (assessment.Campaign, error) {
	if actor.Role != auth.Auditor && actor.Role != auth.Admin {
		return assessment.Campaign{}, fmt.Errorf("store: campaign %d: %w", id, ErrNotFound)
	}
	var c Campaign
	if err := db.Scopes(scopeCampaigns(actor)).First(&c, "campaigns.id = ?", id).Error; err != nil {
		return assessment.Campaign{}, translate(err, "campaign %d", id)
	}
	return c.domain()
}

// CampaignDashboard returns the dashboard of a campaign actor reviews (see
// reviewedCampaign), from a fixed number of aggregate queries.
func (s *Store) CampaignDashboard(ctx context.Context, actor *User, campaignID uint, opts DashboardOptions) (*Dashboard, error) {
	db := s.db.WithContext(ctx)
	c, err := reviewedCampaign(db, actor, campaignID)
	if err != nil {
		return nil, err
	}
	d := &Dashboard{Campaign: c}
	if err := dashboardFirms(db, d); err != nil {
		return nil, err
	}
	scored, err := dashboardStates(db, d)
	if err != nil {
		return nil, err
	}
	if err := dashboardThemes(db, d); err != nil {
		return nil, err
	}
	if err := dashboardItems(db, d); err != nil {
		return nil, err
	}
	if err := dashboardHeat(db, actor, d, opts, scored); err != nil {
		return nil, err
	}
	if err := dashboardOverdue(db, actor, d, opts.Today); err != nil {
		return nil, err
	}
	if err := dashboardLapsing(db, actor, d, opts.Today); err != nil {
		return nil, err
	}
	if err := dashboardRectification(db, actor, d, opts.Today); err != nil {
		return nil, err
	}
	return d, nil
}

// dashboardFirms reads the campaign's firm counts from its rollup, and
// with them the rectification panel's count of firms with plans.
func dashboardFirms(db *gorm.DB, d *Dashboard) error {
	var r []CampaignRollup
	if err := db.Where("campaign_id = ?", d.Campaign.ID).Find(&r).Error; err != nil {
		return translate(err, "dashboard firms of campaign %d", d.Campaign.ID)
	}
	if len(r) > 0 {
		d.Firms, d.NotStarted = r[0].Firms, r[0].Firms-r[0].Started
		d.Rectification.FirmsWithPlans = r[0].WithPlans
	}
	return nil
}

// dashboardStates reads the counts by state and by grade from the rollups.
// Grades are counted over the assessments with stored results, which are
// all non-drafts; a non-draft without results yet (until backfillResults
// runs) counts as NoGrade, as it did when grades were counted from the
// assessments. It returns how many non-draft assessments have a score.
func dashboardStates(db *gorm.DB, d *Dashboard) (int, error) {
	var states []CampaignStateCount
	if err := db.Where("campaign_id = ?", d.Campaign.ID).Find(&states).Error; err != nil {
		return 0, translate(err, "dashboard states of campaign %d", d.Campaign.ID)
	}
	var grades []CampaignGradeCount
	if err := db.Where("campaign_id = ?", d.Campaign.ID).Find(&grades).Error; err != nil {
		return 0, translate(err, "dashboard grades of campaign %d", d.Campaign.ID)
	}
	byState := map[assessment.State]int{}
	for _, r := range states {
		st := assessment.State(r.State)
		byState[st] += r.N
		if st != assessment.Draft {
			d.Submitted += r.N
		}
	}
	byGrade := map[scoring.Grade]int{}
	scored, withResults := 0, 0
	for _, r := range grades {
		byGrade[scoring.Grade(r.Grade)] += r.N
		withResults += r.N
		scored += r.Scored
	}
	byGrade[scoring.NoGrade] += d.Submitted - withResults
	for _, st := range assessment.States {
		d.States = append(d.States, StateCount{State: st, Count: byState[st]})
	}
	for _, g := range []scoring.Grade{scoring.Excellent, scoring.Good, scoring.Pass, scoring.Fail, scoring.NoGrade} {
		d.Grades = append(d.Grades, GradeCount{Grade: g, Count: byGrade[g]})
	}
	return scored, nil
}

// dashboardThemes averages each theme's score from its rollup. The
// campaign's themes come first, in its order.
func dashboardThemes(db *gorm.DB, d *Dashboard) error {
	var rows []CampaignThemeStat
	if err := db.Where("campaign_id = ? AND n > 0", d.Campaign.ID).Find(&rows).Error; err != nil {
		return translate(err, "dashboard themes of campaign %d", d.Campaign.ID)
	}
	byID := map[string]ThemeStat{}
	for _, r := range rows {
		t := ThemeStat{ChecklistID: r.ChecklistID, Scored: r.Scored, Assessments: r.N}
		if r.Scored > 0 {
			avg := r.ScoreSum / float64(r.Scored)
			t.Average = &avg
		}
		byID[r.ChecklistID] = t
	}
	for _, id := range d.Campaign.Themes {
		t, ok := byID[id]
		if !ok {
			t = ThemeStat{ChecklistID: id}
		}
		d.Themes = append(d.Themes, t)
		delete(byID, id)
	}
	var rest []string
	for id := range byID {
		rest = append(rest, id)
	}
	sort.Strings(rest)
	for _, id := range rest {
		d.Themes = append(d.Themes, byID[id])
	}
	return nil
}

// dashboardItems reads the items most often answered non-compliant from
// the rollup: one row per item of the campaign.
func dashboardItems(db *gorm.DB, d *Dashboard) error {
	var top []CampaignItemGap
	err := db.Where("campaign_id = ? AND non_compliant > 0", d.Campaign.ID).
		Order("non_compliant DESC, item_id").Limit(topItems).Find(&top).Error
	if err != nil {
		return translate(err, "dashboard items of campaign %d", d.Campaign.ID)
	}
	for _, t := range top {
		d.TopItems = append(d.TopItems, ItemStat{ItemID: t.ItemID, NonCompliant: t.NonCompliant, Partial: t.Partial})
	}
	// The rollup has one row per item of the campaign, so all its gaps are
	// a few hundred rows at most, read by the primary key's campaign prefix.
	var all []CampaignItemGap
	err = db.Where("campaign_id = ? AND (non_compliant > 0 OR partial > 0)", d.Campaign.ID).Order("item_id").Find(&all).Error
	if err != nil {
		return translate(err, "item gaps of campaign %d", d.Campaign.ID)
	}
	for _, t := range all {
		d.ItemGaps = append(d.ItemGaps, ItemStat{ItemID: t.ItemID, NonCompliant: t.NonCompliant, Partial: t.Partial})
	}
	return nil
}

// dashboardHeat loads one page of the heat map. Scored assessments come in
// the order of idx_assessment_campaign_score_id (score, then id), so a page
// reads its own rows and those before it, never the whole campaign; the
// unscored ones follow by id. Theme scores are read for the page's
// assessments only, by primary key.
func dashboardHeat(db *gorm.DB, actor *User, d *Dashboard, opts DashboardOptions, scored int) error {
	size := opts.PageSize
	if size <= 0 {
		size = DefaultHeatPageSize
	}
	size = min(size, maxHeatPageSize)
	page := max(opts.Page, 1)
	d.Heat = HeatPage{Page: page, PageSize: size, Total: d.Submitted}
	if d.Submitted == 0 {
		d.Heat.Page = 1
		return nil
	}
	if pages := d.Heat.Pages(); page > pages {
		page, d.Heat.Page = pages, pages
	}
	offset := (page - 1) * size
	type row struct {
		ID       uint
		State    string
		Score    *float64
		Grade    string
		FirmName string
	}
	var rows []row
	base := func() *gorm.DB {
		return db.Model(&Assessment{}).Scopes(scopeAssessments(actor)).
			Select("assessments.id, assessments.state, assessments.score, assessments.grade, firms.name AS firm_name").
			Joins("JOIN firms ON firms.id = assessments.firm_id").
			Where("assessments.campaign_id = ?", d.Campaign.ID)
	}
	if offset < scored {
		err := base().Where("assessments.score IS NOT NULL").Order("assessments.score, assessments.id").
			Limit(size).Offset(offset).Scan(&rows).Error
		if err != nil {
			return translate(err, "dashboard heat map of campaign %d", d.Campaign.ID)
		}
	}
	if len(rows) < size && offset+len(rows) >= scored {
		var more []row
		err := base().Where("assessments.score IS NULL").Order("assessments.id").
			Limit(size - len(rows)).Offset(max(offset-scored, 0)).Scan(&more).Error
		if err != nil {
			return translate(err, "dashboard heat map of campaign %d", d.Campaign.ID)
		}
		rows = append(rows, more...)
	}
	if len(rows) == 0 {
		return nil
	}
	ids := make([]uint, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var cells []AssessmentScore
	if err := db.Select("assessment_id", "checklist_id", "score").Where("assessment_id IN ?", ids).Find(&cells).Error; err != nil {
		return translate(err, "dashboard heat map scores of campaign %d", d.Campaign.ID)
	}
	col := map[string]int{}
	for i, id := range d.Campaign.Themes {
		col[id] = i
	}
	at := map[uint]int{}
	for i, r := range rows {
		at[r.ID] = i
		d.Heat.Rows = append(d.Heat.Rows, HeatRow{AssessmentID: r.ID, FirmName: r.FirmName, State: assessment.State(r.State),
			Score: r.Score, Grade: scoring.Grade(r.Grade), Themes: make([]*float64, len(d.Campaign.Themes))})
	}
	for _, c := range cells {
		if i, ok := col[c.ChecklistID]; ok {
			d.Heat.Rows[at[c.AssessmentID]].Themes[i] = c.Score
		}
	}
	return nil
}

// dashboardOverdue counts the overdue plans of the campaign's gaps from
// the rollup of open plans by due date (one row per date), and lists the
// first by due date from idx_gap_overdue for (campaign, not done, due
// before today), in its order: the list stops after overdueShown rows.
func dashboardOverdue(db *gorm.DB, actor *User, d *Dashboard, today string) error {
	if today == "" {
		return nil
	}
	var n int64
	err := db.Model(&CampaignOpenPlan{}).Select("COALESCE(SUM(n), 0)").
		Where("campaign_id = ? AND plan_due < ?", d.Campaign.ID, today).Scan(&n).Error
	if err != nil {
		return translate(err, "dashboard overdue plans of campaign %d", d.Campaign.ID)
	}
	d.Overdue.Count = int(n)
	if n == 0 {
		return nil
	}
	// plan_due > '' leaves out gaps stored without a plan (submitted before
	// plans were required) and keeps the condition a range of the index.
	// The first rows are taken from the index before the joins: joined
	// first, PostgreSQL planned for every overdue gap of the campaign
	// (millions in a large one) and set up its caches for them.
	first := db.Model(&AssessmentGap{}).Select("assessment_id, checklist_id, item_id, plan_due").
		Where("campaign_id = ? AND plan_done = ? AND plan_due > '' AND plan_due < ?", d.Campaign.ID, false, today).
		Order("plan_due, assessment_id, item_id").Limit(overdueShown)
	err = db.Table("(?) AS g", first).Scopes(scopeAssessments(actor)).
		Select("g.assessment_id, g.checklist_id, g.item_id, g.plan_due AS due, firms.name AS firm_name").
		Joins("JOIN assessments ON assessments.id = g.assessment_id").
		Joins("JOIN firms ON firms.id = assessments.firm_id").
		Order("g.plan_due, g.assessment_id, g.item_id").Scan(&d.Overdue.First).Error
	return translate(err, "dashboard overdue plans of campaign %d", d.Campaign.ID)
}

// dashboardLapsing counts and lists the campaign's expired and expiring
// evidence as of today: one query for both counts and, only when there is
// any, one for the soonest lapsed files. Each reads the campaign's lapsing
// files in one range of an index (v25) and their assessments by key, so it
// costs what the campaign has lapsing, not its size
// (TestDashboardQueriesUseIndexes).
func dashboardLapsing(db *gorm.DB, actor *User, d *Dashboard, today string) error {
	if today == "" {
		return nil
	}
	lapsing := func() *gorm.DB {
		return db.Model(&Evidence{}).Scopes(scopeAssessments(actor)).
			Joins("JOIN assessments ON assessments.id = evidences.assessment_id").
			Where("evidences.campaign_id = ? AND evidences.deleted_at IS NULL AND evidences.valid_until IS NOT NULL AND evidences.valid_until <= ?",
				d.Campaign.ID, assessment.ExpiringBy(today))
	}
	var n struct{ Lapsing, Expired int }
	err := lapsing().Select("COUNT(*) AS lapsing, COALESCE(SUM(CASE WHEN evidences.valid_until < ? THEN 1 ELSE 0 END), 0) AS expired", today).
		Scan(&n).Error
	if err != nil {
		return translate(err, "dashboard lapsing evidence of campaign %d", d.Campaign.ID)
	}
	d.Lapsing.Expired, d.Lapsing.Expiring = n.Expired, n.Lapsing-n.Expired
	if d.Lapsing.Expired+d.Lapsing.Expiring == 0 {
		return nil
	}
	err = lapsing().Select("evidences.assessment_id, evidences.item_id, evidences.file_name, evidences.valid_until, firms.name AS firm_name").
		Joins("JOIN firms ON firms.id = assessments.firm_id").
		Order("evidences.valid_until, evidences.assessment_id, evidences.id").
		Limit(overdueShown).Scan(&d.Lapsing.First).Error
	return translate(err, "dashboard lapsing evidence of campaign %d", d.Campaign.ID)
}

// ResultRow is one item of one firm's assessment in a campaign's results.
type ResultRow struct {
	AssessmentID uint
	FirmName     string
	CreditCode   string
	State        assessment.State
	ChecklistID  string         // "" if the item is in none of the assessment's themes
	ThemeTitle   checklist.Text // as frozen into the assessments
	ItemID       string
	Answer       scoring.Answer
	Note         string
	Plan         assessment.Plan // zero when the item has none
	Evidence     int             // files attached (removed ones not counted)
}

// resultsBatch is how many assessments CampaignResults reads at a time: with
// ~120 items each, a few thousand answers per query.
const resultsBatch = 50

// CampaignResults calls fn with every answer of the non-draft assessments of
// a campaign actor reviews, one row per firm × item: assessments by id, each
// one's items in theme and checklist order. It reads the assessments in
// batches and streams each batch's answers with Rows, looking up the batch's
// plans and evidence counts in one query each, so memory holds one batch's
// plans and one assessment's answers whatever the campaign's size. The
// answers are the current ones: for an assessment returned to the firm they
// may differ from the submitted results the dashboard shows.
//
// Access is checked before fn is first called: a campaign the actor may not
// see returns ErrNotFound with nothing written.
func (s *Store) CampaignResults(ctx context.Context, actor *User, campaignID uint, fn func(ResultRow) error) error {
	db := s.db.WithContext(ctx)
	c, err := reviewedCampaign(db, actor, campaignID)
	if err != nil {
		return err
	}
	places, err := s.campaignItems(db, actor, c)
	if err != nil {
		return err
	}
	var after uint
	for {
		var batch []struct {
			ID         uint
			State      string
			FirmName   string
			CreditCode string
		}
		err := db.Model(&Assessment{}).Scopes(scopeAssessments(actor)).
			Select("assessments.id, assessments.state, firms.name AS firm_name, firms.credit_code").
			Joins("JOIN firms ON firms.id = assessments.firm_id").
			Where("assessments.campaign_id = ? AND assessments.id > ?", c.ID, after).
			Order("assessments.id").Limit(resultsBatch).Scan(&batch).Error
		if err != nil {
			return translate(err, "results of campaign %d", c.ID)
		}
		if len(batch) == 0 {
			return nil
		}
		ids := make([]uint, len(batch))
		heads := map[uint]ResultRow{}
		for i, a := range batch {
			ids[i] = a.ID
			heads[a.ID] = ResultRow{AssessmentID: a.ID, FirmName: a.FirmName, CreditCode: a.CreditCode, State: assessment.State(a.State)}
		}
		if err := resultsBatchRows(db, ids, heads, places, fn); err != nil {
			return err
		}
		after = ids[len(ids)-1]
	}
}

type itemKey struct {
	assessment uint
	item       string
}

// itemPlace is where an item sits in a campaign's results: its theme's
// position in the campaign and its own in the checklist.
type itemPlace struct {
	theme, item int
	checklistID string
	title       checklist.Text
}

// campaignItems maps every item of the checklist versions frozen into the
// campaign's non-draft assessments to its theme and order. It parses one
// snapshot per theme version, not one per assessment.
func (s *Store) campaignItems(db *gorm.DB, actor *User, c assessment.Campaign) (map[string]itemPlace, error) {
	var picks []struct{ ID uint }
	err := db.Model(&AssessmentTheme{}).Scopes(scopeAssessments(actor)).
		Select("MIN(assessment_themes.id) AS id").
		Joins("JOIN assessments ON assessments.id = assessment_themes.assessment_id").
		Where("assessments.campaign_id = ?", c.ID).
		Group("assessment_themes.checklist_id, assessment_themes.version").Scan(&picks).Error
	if err != nil {
		return nil, translate(err, "themes of campaign %d", c.ID)
	}
	ids := make([]uint, len(picks))
	for i, p := range picks {
		ids[i] = p.ID
	}
	order := map[string]int{}
	for i, id := range c.Themes {
		order[id] = i
	}
	places := map[string]itemPlace{}
	for _, id := range ids {
		var t AssessmentTheme
		if err := db.Select("id", "checklist_id", "snapshot_sha256").First(&t, id).Error; err != nil {
			return nil, translate(err, "theme %d of campaign %d", id, c.ID)
		}
		cl, err := s.snapshot(db, t.SnapshotSHA256)
		if err != nil {
			return nil, fmt.Errorf("store: campaign %d theme %s: %w", c.ID, t.ChecklistID, err)
		}
		pos, ok := order[cl.ID]
		if !ok {
			pos = len(c.Themes)
		}
		for i, it := range cl.Items() {
			if _, seen := places[it.ID]; !seen {
				places[it.ID] = itemPlace{theme: pos, item: i, checklistID: cl.ID, title: cl.Title}
			}
		}
	}
	return places, nil
}

// resultsBatchRows emits the rows of one batch of assessments.
func resultsBatchRows(db *gorm.DB, ids []uint, heads map[uint]ResultRow, places map[string]itemPlace, fn func(ResultRow) error) error {
	var plans []Plan
	if err := db.Select("assessment_id", "item_id", "measure", "owner", "due", "status").
		Where("assessment_id IN ?", ids).Find(&plans).Error; err != nil {
		return translate(err, "plans of campaign results")
	}
	planOfItem := make(map[itemKey]assessment.Plan, len(plans))
	for _, p := range plans {
		planOfItem[itemKey{p.AssessmentID, p.ItemID}] = assessment.Plan{Measure: p.Measure, Owner: p.Owner, Due: p.Due, Status: assessment.PlanStatus(p.Status)}
	}
	var files []struct {
		AssessmentID uint
		ItemID       string
		N            int
	}
	if err := db.Model(&Evidence{}).Select("assessment_id, item_id, COUNT(*) AS n").
		Where("assessment_id IN ? AND deleted_at IS NULL", ids).Group("assessment_id, item_id").Scan(&files).Error; err != nil {
		return translate(err, "evidence of campaign results")
	}
	filesOfItem := make(map[itemKey]int, len(files))
	for _, f := range files {
		filesOfItem[itemKey{f.AssessmentID, f.ItemID}] = f.N
	}

	rows, err := db.Model(&Answer{}).Select("assessment_id, item_id, value, note").
		Where("assessment_id IN ?", ids).Order("assessment_id, item_id").Rows()
	if err != nil {
		return translate(err, "answers of campaign results")
	}
	defer rows.Close()
	// One assessment's rows are held to put its items in checklist order.
	type placed struct {
		row   ResultRow
		place itemPlace
	}
	var current []placed
	flush := func() error {
		sort.SliceStable(current, func(i, j int) bool {
			a, b := current[i].place, current[j].place
			if a.theme != b.theme {
				return a.theme < b.theme
			}
			return a.item < b.item
		})
		for _, r := range current {
			if err := fn(r.row); err != nil {
				return err
			}
		}
		current = current[:0]
		return nil
	}
	for rows.Next() {
		var (
			id                uint
			item, value, note string
		)
		if err := rows.Scan(&id, &item, &value, &note); err != nil {
			return translate(err, "answers of campaign results")
		}
		if len(current) > 0 && current[0].row.AssessmentID != id {
			if err := flush(); err != nil {
				return err
			}
		}
		p, ok := places[item]
		if !ok {
			p.theme = math.MaxInt // an item of no known theme goes last
		}
		k := itemKey{id, item}
		r := heads[id]
		r.ChecklistID, r.ThemeTitle = p.checklistID, p.title
		r.ItemID, r.Answer, r.Note = item, scoring.Answer(value), note
		r.Plan, r.Evidence = planOfItem[k], filesOfItem[k]
		current = append(current, placed{r, p})
	}
	if err := rows.Err(); err != nil {
		return translate(err, "answers of campaign results")
	}
	return flush()
}
