package store

import (
	"gorm.io/gorm"

	"selfcheck/app/assessment"
)

// rectFirmsShown bounds the firms the rectification panel lists.
const rectFirmsShown = 50

// RectCounts counts plans by where they stand. Overdue plans are open or
// in progress and past their due date; they are counted in Open or
// InProgress too.
type RectCounts struct {
	Open, InProgress, Done, Verified, Overdue int
	// OldestOverdue is the earliest due date among the overdue plans.
	OldestOverdue string
}

// Plans is every plan counted.
func (c RectCounts) Plans() int { return c.Open + c.InProgress + c.Done + c.Verified }

// add counts n plans in status due on due as of today.
func (c *RectCounts) add(status assessment.PlanStatus, due, today string, n int) {
	switch status {
	case assessment.PlanOpen:
		c.Open += n
	case assessment.PlanInProgress:
		c.InProgress += n
	case assessment.PlanDone:
		c.Done += n
	case assessment.PlanVerified:
		c.Verified += n
	}
	if n > 0 && !status.Finished() && due > "" && due < today {
		c.Overdue += n
		if c.OldestOverdue == "" || due < c.OldestOverdue {
			c.OldestOverdue = due
		}
	}
}

// FirmRectification is one firm's plans in a campaign.
type FirmRectification struct {
	AssessmentID uint
	FirmName     string
	RectifiedOn  string // every plan verified on that day; "" while one is not
	RectCounts
}

// RectificationPanel is the dashboard's rectification panel: the plans of
// the gaps the campaign's assessments submitted, as they moved since, in
// total and per firm. The firms come by the earliest due date of their
// open plans (so the oldest overdue first), then those whose plans are all
// finished, each in the order they started; at most rectFirmsShown.
type RectificationPanel struct {
	Total RectCounts
	Firms []FirmRectification
	// FirmsWithPlans counts every firm with a plan, listed or not.
	FirmsWithPlans int
}

// dashboardRectification reads the panel from running totals kept by
// submission and every move of a plan (rollupResults, rollupPlanStatus):
// the campaign's planned gaps by status and due date (a few hundred rows;
// the count of firms with plans comes with the firm counts, dashboardFirms),
// the first firms in the index on (campaign, next due date), and the gaps
// of those firms alone, so that a view costs the same at any campaign size.
// Plans a returned assessment adds or edits count from its next
// submission, as its answers do; progress and verification count at once.
func dashboardRectification(db *gorm.DB, actor *User, d *Dashboard, today string) error {
	if today == "" {
		today = "0000-00-00" // no date: nothing is overdue
	}
	var counts []CampaignPlanStatus
	if err := db.Where("campaign_id = ? AND n <> 0", d.Campaign.ID).Find(&counts).Error; err != nil {
		return translate(err, "rectification totals of campaign %d", d.Campaign.ID)
	}
	for _, c := range counts {
		d.Rectification.Total.add(assessment.PlanStatus(c.PlanStatus), c.PlanDue, today, c.N)
	}
	if d.Rectification.Total.Plans() == 0 {
		return nil
	}
	var heads []FirmRectification
	err := db.Model(&Assessment{}).Scopes(scopeAssessments(actor)).Joins("JOIN firms ON firms.id = assessments.firm_id").
		Select("assessments.id AS assessment_id, firms.name AS firm_name, assessments.rectified_on").
		Where("assessments.campaign_id = ? AND assessments.rect_next_due > ''", d.Campaign.ID).
		Order("assessments.rect_next_due, assessments.id").Limit(rectFirmsShown).Scan(&heads).Error
	if err != nil {
		return translate(err, "rectification by firm in campaign %d", d.Campaign.ID)
	}
	if len(heads) == 0 {
		return nil
	}
	ids := make([]uint, len(heads))
	at := make(map[uint]int, len(heads))
	for i, h := range heads {
		ids[i], at[h.AssessmentID] = h.AssessmentID, i
	}
	// Aggregated by the database: 50 rows instead of every planned gap of
	// the firms listed.
	var firms []struct {
		AssessmentID                              uint
		Open, InProgress, Done, Verified, Overdue int
		OldestOverdue                             string
	}
	overdue := "plan_status IN ('open', 'in_progress') AND plan_due > '' AND plan_due < @today"
	err = db.Raw(`SELECT assessment_id,
			SUM(CASE WHEN plan_status = 'open' THEN 1 ELSE 0 END) AS open,
			SUM(CASE WHEN plan_status = 'in_progress' THEN 1 ELSE 0 END) AS in_progress,
			SUM(CASE WHEN plan_status = 'done' THEN 1 ELSE 0 END) AS done,
			SUM(CASE WHEN plan_status = 'verified' THEN 1 ELSE 0 END) AS verified,
			SUM(CASE WHEN `+overdue+` THEN 1 ELSE 0 END) AS overdue,
			COALESCE(MIN(CASE WHEN `+overdue+` THEN plan_due END), '') AS oldest_overdue
		FROM assessment_gaps WHERE assessment_id IN @ids AND plan_status <> '' GROUP BY assessment_id`,
		map[string]any{"today": today, "ids": ids}).Scan(&firms).Error
	if err != nil {
		return translate(err, "rectification by firm in campaign %d", d.Campaign.ID)
	}
	for _, c := range firms {
		heads[at[c.AssessmentID]].RectCounts = RectCounts{Open: c.Open, InProgress: c.InProgress, Done: c.Done, Verified: c.Verified,
			Overdue: c.Overdue, OldestOverdue: c.OldestOverdue}
	}
	d.Rectification.Firms = heads
	return nil
}
