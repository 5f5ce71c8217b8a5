package store

import (
	"time"

	"selfcheck/app/auth"
)

// Firm is a company taking part in self-examinations.
type Firm struct {
	ID         uint
	Name       string
	CreditCode string
	Profile    string // JSON list of checklist.Tag
	CreatedAt  time.Time
}

// User is a person who logs in. FirmID is set for firm members only.
type User struct {
	ID           uint
	Email        string
	Name         string
	PasswordHash string
	Role         auth.Role
	FirmID       *uint
	Firm         *Firm
	CreatedAt    time.Time
	DisabledAt   *time.Time // a removed member: cannot log in, kept for the history
}

// Session is a login. Only the SHA-256 of the cookie's token is kept.
type Session struct {
	ID         uint
	TokenHash  string
	UserID     uint
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// Assessment is one self-examination of a firm.
type Assessment struct {
	ID            uint
	FirmID        uint
	Firm          Firm
	State         string
	Profile       string // the firm's profile frozen at start, JSON
	CampaignID    *uint
	Campaign      *Campaign
	CreatedByID   uint
	CreatedAt     time.Time
	UpdatedAt     time.Time
	SubmittedAt   *time.Time
	SubmittedByID *uint
	CarriedFromID *uint // the earlier assessment its answers were carried over from
	Themes        []AssessmentTheme
	Answers       []Answer

	// The results as last submitted (see results.go): nil/empty until the
	// first submit.
	Score        *float64
	Grade        string
	CriticalGaps int
	Gaps         int
	ResultsAt    *time.Time

	// RectifiedOn is the day the last of its plans was verified, "" while
	// one is not (rectify.go).
	RectifiedOn string
	// RectNextDue orders the firms of the dashboard's rectification panel
	// (dashboard_rectify.go): the earliest due date of its stored gaps'
	// open plans, rectAllFinished when every planned gap is finished, ""
	// without a planned gap.
	RectNextDue string
}

// AssessmentScore is one theme's score of an assessment as last submitted.
type AssessmentScore struct {
	AssessmentID uint   `gorm:"primaryKey;autoIncrement:false"`
	ChecklistID  string `gorm:"primaryKey"`
	CampaignID   *uint
	Position     int
	Score        *float64
	Gaps         int
	Items        int
}

// AssessmentGap is one item an assessment answered partially or
// non-compliant when it was last submitted, with its plan's due date.
type AssessmentGap struct {
	AssessmentID uint   `gorm:"primaryKey;autoIncrement:false"`
	ItemID       string `gorm:"primaryKey"`
	CampaignID   *uint
	ChecklistID  string
	Severity     string
	Answer       string
	PlanDue      string
	PlanDone     bool
	PlanStatus   string // "" for a gap stored without a plan
}

// AssessmentTheme is a checklist frozen into an assessment when it started.
type AssessmentTheme struct {
	ID             uint
	AssessmentID   uint
	Position       int
	ChecklistID    string
	Version        string
	SnapshotSHA256 string // the ChecklistSnapshot
}

// Answer is the current answer to one item of an assessment.
type Answer struct {
	ID           uint
	AssessmentID uint
	ItemID       string
	Value        string
	Note         string
	Version      int
	Carried      bool // carried over from an earlier assessment
	Confirmed    bool // a carried answer saved since, changed or not
	UpdatedByID  uint
	UpdatedBy    User
	UpdatedAt    time.Time
}

// Campaign is a self-examination campaign run by an admin.
type Campaign struct {
	ID          uint
	NameZH      string
	NameEN      string
	Themes      string // JSON list of checklist ids
	StartsOn    string
	Deadline    string
	FollowsID   *uint // the earlier campaign a follow-up campaign repeats
	CreatedByID uint
	CreatedAt   time.Time
	Firms       []Firm `gorm:"many2many:campaign_firms"`
	Auditors    []User `gorm:"many2many:campaign_auditors"`
}

// Plan is a rectification plan for one item of an assessment.
type Plan struct {
	ID           uint
	AssessmentID uint
	ItemID       string
	Measure      string
	Owner        string
	Due          string
	Status       string
	Version      int
	// The gap a plan carried over from an earlier assessment answers.
	OriginAssessmentID *uint
	OriginItemID       string
	UpdatedByID        uint
	UpdatedBy          User
	UpdatedAt          time.Time
	// Kept after submission (rectify.go).
	DoneOn        string
	VerifiedOn    string
	ReviewComment string
}

// PlanEntry is one line of a plan's log (assessment.PlanEntry).
type PlanEntry struct {
	ID           uint
	AssessmentID uint
	ItemID       string
	Kind         string
	Status       string
	Text         string
	UserID       uint
	User         User
	At           time.Time
}

// PlanEvidence is a file that shows a plan carried out, kept like Evidence.
type PlanEvidence struct {
	ID           uint
	AssessmentID uint
	ItemID       string
	BlobSHA256   string
	FileName     string
	Kind         string
	Size         int64
	UploadedByID uint
	UploadedBy   User
	UploadedAt   time.Time
	DeletedAt    *time.Time
}

// Blob is stored file content, once per SHA-256.
type Blob struct {
	SHA256    string `gorm:"primaryKey"`
	Size      int64
	Data      []byte
	CreatedAt time.Time
}

// Evidence is a file attached to an item of an assessment. Deleted files
// keep their row (DeletedAt) so the history can name them.
type Evidence struct {
	ID           uint
	AssessmentID uint
	ItemID       string
	BlobSHA256   string
	FileName     string
	Kind         string
	Size         int64
	UploadedByID uint
	UploadedBy   User
	UploadedAt   time.Time
	DeletedAt    *time.Time
	ValidUntil   *string // YYYY-MM-DD; nil when the document does not expire (v22)
	// CampaignID is the assessment's, so that a campaign's lapsing files
	// are one index range (v25).
	CampaignID *uint
}

// Transition records one move of an assessment's workflow.
type Transition struct {
	ID           uint
	AssessmentID uint
	FromState    string
	ToState      string
	UserID       uint
	User         User
	Comment      string
	At           time.Time
}

// Change records one change of an answer, note, plan or evidence.
type Change struct {
	ID           uint
	AssessmentID uint
	ItemID       string
	Field        string
	OldValue     string
	NewValue     string
	UserID       uint
	User         User
	At           time.Time
}

// AccessToken is a personal token for the JSON API; only its hash is kept.
type AccessToken struct {
	ID         uint
	UserID     uint
	Name       string
	TokenHash  string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}
