package api

import (
	"fmt"
	"strings"
	"time"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
	"selfcheck/app/workflow"
)

// The JSON shapes the API answers with. They are spelled out here, apart
// from the domain types, so a change inside the app never changes the API by
// accident; openapi.json describes the same shapes.

// responses maps the store's answers to the API's words: the store says
// "na" where the API says "not_applicable".
var responses = map[scoring.Answer]string{
	scoring.Compliant:     "compliant",
	scoring.Partial:       "partial",
	scoring.NonCompliant:  "non_compliant",
	scoring.NotApplicable: "not_applicable",
}

// responseList names the valid responses for messages.
var responseList = func() string {
	out := make([]string, len(scoring.Answers))
	for i, a := range scoring.Answers {
		out[i] = responses[a]
	}
	return strings.Join(out, ", ")
}()

// parseResponse maps an API response to the store's answer.
func parseResponse(s string) (scoring.Answer, bool) {
	for a, name := range responses {
		if name == s {
			return a, true
		}
	}
	return scoring.Unanswered, false
}

// timestamp writes a time as RFC 3339 in UTC.
func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// optTimestamp is timestamp, or null for a missing or zero time.
func optTimestamp(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := timestamp(*t)
	return &s
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type textView struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// textOf gives both languages; English falls back to Chinese as on the pages.
func textOf(t checklist.Text) textView { return textView{ZH: t.ZH, EN: t.In("en")} }

type checklistView struct {
	ID        string   `json:"id"`
	Version   string   `json:"version"`
	Title     textView `json:"title"`
	ItemCount int      `json:"item_count"`
}

type firmView struct {
	Name       string `json:"name"`
	CreditCode string `json:"credit_code,omitempty"`
}

type campaignRef struct {
	ID       uint     `json:"id"`
	Name     textView `json:"name"`
	Deadline string   `json:"deadline"`
}

type campaignView struct {
	ID       uint     `json:"id"`
	Name     textView `json:"name"`
	Themes   []string `json:"themes"`
	StartsOn string   `json:"starts_on"`
	Deadline string   `json:"deadline"`
	// Assessment is the caller's firm's assessment in the campaign (firm
	// users only; null before it is started).
	Assessment *assessmentRef `json:"assessment"`
	// Firms are the firms taking part, shown to reviewers only: a firm never
	// learns which other firms take part.
	Firms []firmView `json:"firms,omitempty"`
	// Auditors are the emails of the auditors assigned, shown to admins
	// (an auditor sees only their own campaigns).
	Auditors []string `json:"auditors,omitempty"`
	// Follows is the earlier campaign a follow-up campaign repeats; its
	// firms' assessments may start from their assessments of that one.
	Follows *uint `json:"follows,omitempty"`
}

type assessmentRef struct {
	ID    uint             `json:"id"`
	State assessment.State `json:"state"`
}

type summaryView struct {
	ID          uint             `json:"id"`
	Firm        firmView         `json:"firm"`
	State       assessment.State `json:"state"`
	Themes      []string         `json:"themes"`
	CreatedAt   string           `json:"created_at"`
	SubmittedAt *string          `json:"submitted_at"`
	URL         string           `json:"url"`
}

type themeView struct {
	ID      string   `json:"id"`
	Version string   `json:"version"`
	Title   textView `json:"title"`
}

// answerView is an item's answer; Response is null while unanswered.
type answerView struct {
	Response  *string `json:"response"`
	Note      string  `json:"note"`
	Version   int     `json:"version"`
	UpdatedAt *string `json:"updated_at"`
	UpdatedBy *string `json:"updated_by"`
}

// savedAnswerView is an answer with the item it belongs to.
type savedAnswerView struct {
	Item string `json:"item"`
	answerView
}

type planView struct {
	Item      string                `json:"item"`
	Measure   string                `json:"measure"`
	Owner     string                `json:"owner"`
	Due       string                `json:"due"`
	Status    assessment.PlanStatus `json:"status"`
	Version   int                   `json:"version"`
	UpdatedAt *string               `json:"updated_at"`
	UpdatedBy *string               `json:"updated_by"`
	// Missing lists what a draft plan still lacks to be complete
	// (measure, owner, due); empty for a complete plan.
	Missing []string `json:"missing"`
	// Origin is the gap of an earlier assessment the plan was carried
	// over from; absent for a plan made in this assessment.
	Origin *originView `json:"origin,omitempty"`
	// DoneOn is the day the firm marked it done, VerifiedOn the day an
	// auditor accepted it; ReviewComment the auditor's last comment.
	DoneOn        *string `json:"done_on"`
	VerifiedOn    *string `json:"verified_on"`
	ReviewComment string  `json:"review_comment"`
	// Overdue: past its due date and neither done nor verified.
	Overdue bool `json:"overdue"`
}

type evidenceView struct {
	ID         uint   `json:"id"`
	Name       string `json:"name"`
	Size       int64  `json:"size"`
	SHA256     string `json:"sha256"`
	Kind       string `json:"kind"`
	UploadedAt string `json:"uploaded_at"`
	UploadedBy string `json:"uploaded_by"`
	URL        string `json:"url"`
	// ValidUntil is the document's last valid day, null when it does not
	// expire; Validity where it stands today: none, valid, expiring
	// (within 30 days) or expired.
	ValidUntil *string `json:"valid_until"`
	Validity   string  `json:"validity"`
}

type itemView struct {
	ID               string             `json:"id"`
	Theme            string             `json:"theme"`
	Text             textView           `json:"text"`
	Severity         checklist.Severity `json:"severity"`
	Weight           int                `json:"weight"`
	EvidenceRequired bool               `json:"evidence_required"`
	Answer           answerView         `json:"answer"`
	Plan             *planView          `json:"plan"`
	Evidence         []evidenceView     `json:"evidence"`
	Assignee         *assigneeView      `json:"assignee"`
	// Carried says the answer was carried over from the firm's earlier
	// assessment; Confirmed that it has been saved since. A carried answer
	// not confirmed blocks submission.
	Carried   bool `json:"carried"`
	Confirmed bool `json:"confirmed"`
	// Revision marks an item of a carried-over assessment that is new or
	// whose text changed since the earlier assessment; nil otherwise.
	Revision *revisionView `json:"revision,omitempty"`
}

type revisionView struct {
	Mark    string    `json:"mark"`               // new or changed
	OldText *textView `json:"old_text,omitempty"` // changed: the text the earlier assessment asked
}

type originView struct {
	Assessment uint   `json:"assessment"`
	Item       string `json:"item"`
}

// excludedView is an item the assessment does not ask, because it applies
// only to services the firm did not declare.
type excludedView struct {
	ID        string          `json:"id"`
	Theme     string          `json:"theme"`
	Text      textView        `json:"text"`
	AppliesTo []checklist.Tag `json:"applies_to"`
}

type themeScoreView struct {
	ID       string   `json:"id"`
	Score    *float64 `json:"score"`
	Answered int      `json:"answered"`
	Total    int      `json:"total"`
	Gaps     int      `json:"gaps"`
}

type scoreView struct {
	Overall      *float64         `json:"overall"`
	Grade        *string          `json:"grade"`
	CriticalFail bool             `json:"critical_fail"`
	Answered     int              `json:"answered"`
	Total        int              `json:"total"`
	Themes       []themeScoreView `json:"themes"`
}

type assessmentView struct {
	ID          uint             `json:"id"`
	Firm        firmView         `json:"firm"`
	State       assessment.State `json:"state"`
	Editable    bool             `json:"editable"`
	Campaign    *campaignRef     `json:"campaign"`
	Profile     []checklist.Tag  `json:"profile"`
	CreatedAt   string           `json:"created_at"`
	SubmittedAt *string          `json:"submitted_at"`
	// RectifiedOn is the day the last plan was verified (整改完成), null
	// while a plan is not.
	RectifiedOn *string           `json:"rectified_on"`
	Themes      []themeView       `json:"themes"`
	Items       []itemView        `json:"items"`
	Excluded    []excludedView    `json:"excluded"`
	Score       scoreView         `json:"score"`
	Reviews     []reviewRoundView `json:"reviews"`
	// CarriedFrom is the earlier assessment this one was carried over from.
	CarriedFrom *uint `json:"carried_from,omitempty"`
}

func answerOf(a assessment.Answer) answerView {
	v := answerView{Note: a.Note, Version: a.Version, UpdatedBy: optString(a.UpdatedBy)}
	if name, ok := responses[a.Value]; ok {
		v.Response = &name
	}
	if a.Version > 0 {
		v.UpdatedAt = optTimestamp(&a.UpdatedAt)
	}
	return v
}

func planOf(itemID string, p assessment.Plan) planView {
	v := planView{Item: itemID, Measure: p.Measure, Owner: p.Owner, Due: p.Due, Status: p.Status, Version: p.Version, UpdatedBy: optString(p.UpdatedBy), Missing: p.Missing(),
		DoneOn: optString(p.DoneOn), VerifiedOn: optString(p.VerifiedOn), ReviewComment: p.ReviewComment}
	if v.Missing == nil {
		v.Missing = []string{}
	}
	if p.Origin != nil {
		v.Origin = &originView{Assessment: p.Origin.AssessmentID, Item: p.Origin.ItemID}
	}
	if p.Version > 0 {
		v.UpdatedAt = optTimestamp(&p.UpdatedAt)
	}
	return v
}

func evidenceURL(assessmentID uint, itemID string, evidenceID uint) string {
	return fmt.Sprintf("%s/assessments/%d/answers/%s/evidence/%d", Prefix, assessmentID, itemID, evidenceID)
}

// evidenceOf is an evidence file as the API shows it, its validity as of
// today (YYYY-MM-DD in the configured zone).
func evidenceOf(assessmentID uint, e assessment.Evidence, today string) evidenceView {
	v := evidenceView{ID: e.ID, Name: e.Name, Size: e.Size, SHA256: e.SHA256, Kind: e.Kind,
		UploadedAt: timestamp(e.UploadedAt), UploadedBy: e.UploadedBy, URL: evidenceURL(assessmentID, e.ItemID, e.ID),
		ValidUntil: optString(e.ValidUntil), Validity: string(e.Validity(today))}
	if v.Validity == "" {
		v.Validity = "none"
	}
	return v
}

func scoreOf(r scoring.Result) scoreView {
	v := scoreView{Overall: r.Score, Grade: optString(string(r.Grade)), CriticalFail: r.CriticalFail,
		Answered: r.Answered, Total: r.Total, Themes: make([]themeScoreView, len(r.Themes))}
	for i, t := range r.Themes {
		v.Themes[i] = themeScoreView{ID: t.ID, Score: t.Score, Answered: t.Answered, Total: t.Total, Gaps: t.Gaps}
	}
	return v
}

// sheetView is an assessment as GET /assessments/{id} returns it.
func sheetView(sh *assessment.Sheet, today string) assessmentView {
	v := assessmentView{
		ID: sh.ID, Firm: firmView{Name: sh.FirmName, CreditCode: sh.CreditCode}, State: sh.State, Editable: sh.Editable(),
		Profile: sh.Profile.List(), CreatedAt: timestamp(sh.CreatedAt), SubmittedAt: optTimestamp(sh.SubmittedAt),
		RectifiedOn: optString(sh.RectifiedOn), Themes: []themeView{}, Items: []itemView{}, Excluded: []excludedView{}, Score: scoreOf(sh.Result()),
	}
	if v.Profile == nil {
		v.Profile = []checklist.Tag{}
	}
	if sh.CarriedFrom != 0 {
		from := sh.CarriedFrom
		v.CarriedFrom = &from
	}
	if c := sh.Campaign; c != nil {
		v.Campaign = &campaignRef{ID: c.ID, Name: textOf(c.Name), Deadline: c.Deadline}
	}
	for _, cl := range sh.Checklists {
		v.Themes = append(v.Themes, themeView{ID: cl.ID, Version: cl.Version, Title: textOf(cl.Title)})
		for _, it := range cl.Items() {
			iv := itemView{ID: it.ID, Theme: cl.ID, Text: textOf(it.Text), Severity: it.Severity, Weight: it.Weight,
				EvidenceRequired: it.EvidenceRequired, Answer: answerOf(sh.Answers[it.ID]), Evidence: []evidenceView{},
				Carried: sh.Answers[it.ID].Carried, Confirmed: sh.Answers[it.ID].Confirmed}
			if p, ok := sh.Plans[it.ID]; ok {
				pv := planOf(it.ID, p)
				iv.Plan = &pv
			}
			for _, e := range sh.Evidence[it.ID] {
				iv.Evidence = append(iv.Evidence, evidenceOf(sh.ID, e, today))
			}
			v.Items = append(v.Items, iv)
		}
	}
	for _, ref := range sh.Excluded {
		v.Excluded = append(v.Excluded, excludedView{ID: ref.Item.ID, Theme: ref.Checklist.ID, Text: textOf(ref.Item.Text), AppliesTo: ref.Item.AppliesTo})
	}
	return v
}

func summaryOf(s workflow.Summary) summaryView {
	v := summaryView{ID: s.ID, Firm: firmView{Name: s.FirmName}, State: s.State, Themes: s.Themes,
		CreatedAt: timestamp(s.CreatedAt), SubmittedAt: optTimestamp(s.SubmittedAt), URL: fmt.Sprintf("%s/assessments/%d", Prefix, s.ID)}
	if v.Themes == nil {
		v.Themes = []string{}
	}
	return v
}

// campaignOf is a campaign as GET /campaigns lists it; reviewers see the
// firms taking part (and admins the auditors), a firm never the others.
func campaignOf(r workflow.CampaignView, role auth.Role) campaignView {
	v := campaignView{ID: r.ID, Name: textOf(r.Name), Themes: r.Themes, StartsOn: r.StartsOn, Deadline: r.Deadline}
	if r.Follows != 0 {
		v.Follows = &r.Follows
	}
	if r.AssessmentID != 0 {
		v.Assessment = &assessmentRef{ID: r.AssessmentID, State: r.State}
	}
	if role == auth.Auditor || role == auth.Admin {
		for _, f := range r.Firms {
			v.Firms = append(v.Firms, firmView{Name: f.Name, CreditCode: f.CreditCode})
		}
	}
	if role == auth.Admin {
		for _, x := range r.Auditors {
			v.Auditors = append(v.Auditors, x.Email)
		}
	}
	return v
}

type stateCountView struct {
	State assessment.State `json:"state"`
	Count int              `json:"count"`
}

type gradeCountView struct {
	Grade *string `json:"grade"` // null: no score (every item not applicable)
	Count int     `json:"count"`
}

type themeStatView struct {
	Theme       string   `json:"theme"`
	Average     *float64 `json:"average"`
	Scored      int      `json:"scored"`
	Assessments int      `json:"assessments"`
}

type itemStatView struct {
	Item         string `json:"item"`
	NonCompliant int    `json:"non_compliant"`
	Partial      int    `json:"partial"`
}

type heatRowView struct {
	Assessment uint             `json:"assessment"`
	Firm       string           `json:"firm"`
	State      assessment.State `json:"state"`
	Score      *float64         `json:"score"`
	Grade      *string          `json:"grade"`
	Themes     []*float64       `json:"themes"` // in the campaign's theme order
}

type heatView struct {
	Rows     []heatRowView `json:"rows"`
	Page     int           `json:"page"`
	Pages    int           `json:"pages"`
	PageSize int           `json:"page_size"`
}

type overdueView struct {
	Assessment uint   `json:"assessment"`
	Firm       string `json:"firm"`
	Theme      string `json:"theme"`
	Item       string `json:"item"`
	Due        string `json:"due"`
}

type overduePlansView struct {
	Count int           `json:"count"`
	First []overdueView `json:"first"`
}

type dashboardView struct {
	Campaign   campaignRef      `json:"campaign"`
	Themes     []string         `json:"themes"`
	Firms      int              `json:"firms"`
	NotStarted int              `json:"not_started"`
	States     []stateCountView `json:"states"`
	Submitted  int              `json:"submitted"`
	Grades     []gradeCountView `json:"grades"`
	ThemeStats []themeStatView  `json:"theme_averages"`
	TopItems   []itemStatView   `json:"top_non_compliant"`
	Heat       heatView         `json:"heat_map"`
	Overdue    overduePlansView `json:"overdue_plans"`
	// Rectification: the plans by status in total and per firm, the
	// oldest overdue first.
	Rectification rectificationView `json:"rectification"`
}

type rectCountsView struct {
	Open           int     `json:"open"`
	InProgress     int     `json:"in_progress"`
	AwaitingVerify int     `json:"done_awaiting_verification"`
	Verified       int     `json:"verified"`
	Overdue        int     `json:"overdue"`
	OldestOverdue  *string `json:"oldest_overdue"`
}

type firmRectView struct {
	Assessment  uint    `json:"assessment"`
	Firm        string  `json:"firm"`
	RectifiedOn *string `json:"rectified_on"`
	rectCountsView
}

type rectificationView struct {
	Total          rectCountsView `json:"total"`
	FirmsWithPlans int            `json:"firms_with_plans"`
	Firms          []firmRectView `json:"firms"`
}

func rectCountsOf(c workflow.RectCounts) rectCountsView {
	return rectCountsView{Open: c.Open, InProgress: c.InProgress, AwaitingVerify: c.Done, Verified: c.Verified, Overdue: c.Overdue,
		OldestOverdue: optString(c.OldestOverdue)}
}

func dashboardOf(d *workflow.Dashboard) dashboardView {
	v := dashboardView{Campaign: campaignRef{ID: d.Campaign.ID, Name: textOf(d.Campaign.Name), Deadline: d.Campaign.Deadline},
		Themes: d.Campaign.Themes, Firms: d.Firms, NotStarted: d.NotStarted, Submitted: d.Submitted,
		States: []stateCountView{}, Grades: []gradeCountView{}, ThemeStats: []themeStatView{}, TopItems: []itemStatView{},
		Heat:    heatView{Rows: []heatRowView{}, Page: d.Heat.Page, Pages: d.Heat.Pages(), PageSize: d.Heat.PageSize},
		Overdue: overduePlansView{Count: d.Overdue.Count, First: []overdueView{}}}
	for _, s := range d.States {
		v.States = append(v.States, stateCountView{State: s.State, Count: s.Count})
	}
	for _, g := range d.Grades {
		v.Grades = append(v.Grades, gradeCountView{Grade: optString(string(g.Grade)), Count: g.Count})
	}
	for _, t := range d.Themes {
		v.ThemeStats = append(v.ThemeStats, themeStatView{Theme: t.ChecklistID, Average: t.Average, Scored: t.Scored, Assessments: t.Assessments})
	}
	for _, it := range d.TopItems {
		v.TopItems = append(v.TopItems, itemStatView{Item: it.ItemID, NonCompliant: it.NonCompliant, Partial: it.Partial})
	}
	for _, r := range d.Heat.Rows {
		v.Heat.Rows = append(v.Heat.Rows, heatRowView{Assessment: r.AssessmentID, Firm: r.FirmName, State: r.State,
			Score: r.Score, Grade: optString(string(r.Grade)), Themes: r.Themes})
	}
	for _, o := range d.Overdue.First {
		v.Overdue.First = append(v.Overdue.First, overdueView{Assessment: o.AssessmentID, Firm: o.FirmName, Theme: o.ChecklistID, Item: o.ItemID, Due: o.Due})
	}
	v.Rectification = rectificationView{Total: rectCountsOf(d.Rectification.Total), FirmsWithPlans: d.Rectification.FirmsWithPlans, Firms: []firmRectView{}}
	for _, f := range d.Rectification.Firms {
		v.Rectification.Firms = append(v.Rectification.Firms, firmRectView{Assessment: f.AssessmentID, Firm: f.FirmName,
			RectifiedOn: optString(f.RectifiedOn), rectCountsView: rectCountsOf(f.RectCounts)})
	}
	return v
}

// withRevisions marks the items that are new or changed since the
// assessment the sheet was carried over from.
func withRevisions(v *assessmentView, rev map[string]assessment.Revision) {
	for i := range v.Items {
		r, ok := rev[v.Items[i].ID]
		if !ok {
			continue
		}
		rv := &revisionView{Mark: r.Mark}
		if r.Mark == assessment.RevisionChanged {
			old := textOf(r.Old.Text)
			rv.OldText = &old
		}
		v.Items[i].Revision = rv
	}
}
