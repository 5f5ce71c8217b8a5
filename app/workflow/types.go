package workflow

import "selfcheck/app/store"

// The read models and inputs the use cases take and return. They are the
// store's own types for now, named here so that the front ends depend on
// this layer alone; moving each into a domain package changes no caller.
type (
	AnswerInput       = store.AnswerInput
	PlanInput         = store.PlanInput
	NewCampaign       = store.NewCampaign
	NewUser           = store.NewUser
	Summary           = store.Summary
	CampaignView      = store.CampaignView
	PlanRow           = store.PlanRow
	LastReview        = store.LastReview
	ReviewRound       = store.ReviewRound
	Diff              = store.Diff
	ItemDiff          = store.ItemDiff
	Event             = store.Event
	Queue             = store.Queue
	QueueFilter       = store.QueueFilter
	QueueSort         = store.QueueSort
	Dashboard         = store.Dashboard
	DashboardOptions  = store.DashboardOptions
	OverduePlan       = store.OverduePlan
	RectCounts        = store.RectCounts
	ItemStat          = store.ItemStat
	ResultRow         = store.ResultRow
	AuditEvent        = store.AuditEvent
	AuditFilter       = store.AuditFilter
	AuditReport       = store.AuditReport
	AuditProblem      = store.AuditProblem
	AccessToken       = store.AccessToken
	CustomChecklist   = store.CustomChecklist
	Verified          = store.Verified
	IssuedReport      = store.IssuedReport
	RequestInfo       = store.RequestInfo
	ConflictError     = store.ConflictError
	PlanConflictError = store.PlanConflictError
	ReadOnlyError     = store.ReadOnlyError
	IncompleteError   = store.IncompleteError
	Firm              = store.Firm
	Account           = store.User
	FillFocus         = store.FillFocus
	Activity          = store.Activity
)

// Errors the front ends tell apart. Each is the store's, so errors.Is
// holds whichever layer returned it.
var (
	ErrNotFound       = store.ErrNotFound
	ErrDuplicate      = store.ErrDuplicate
	ErrReadOnly       = store.ErrReadOnly
	ErrUnknownItem    = store.ErrUnknownItem
	ErrNotInCampaign  = store.ErrNotInCampaign
	ErrAlreadyStarted = store.ErrAlreadyStarted
	ErrNothingApplies = store.ErrNothingApplies
	ErrNoThemes       = store.ErrNoThemes
	ErrBadCampaign    = store.ErrBadCampaign
	ErrBadFilter      = store.ErrBadFilter
	ErrBadUser        = store.ErrBadUser
	ErrWrongPassword  = store.ErrWrongPassword
)

// The review queue's sorts and the cap on its counted total.
var (
	QueueSorts = store.QueueSorts
)

// The review queue's default sort and the count it stops counting at.
const (
	SortWaiting   = store.SortWaiting
	QueueCountCap = store.QueueCountCap
)

// ValidEmail reports whether s looks like an email address an account may have.
func ValidEmail(s string) bool { return store.ValidEmail(s) }

// NormalizeEmail is how an email is kept and compared: trimmed, lower case.
func NormalizeEmail(s string) string { return store.NormalizeEmail(s) }
