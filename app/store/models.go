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
	CreatedByID   uint
	CreatedAt     time.Time
	UpdatedAt     time.Time
	SubmittedAt   *time.Time
	SubmittedByID *uint
	Themes        []AssessmentTheme
	Answers       []Answer
}

// AssessmentTheme is a checklist frozen into an assessment when it started.
type AssessmentTheme struct {
	ID           uint
	AssessmentID uint
	Position     int
	ChecklistID  string
	Version      string
	Snapshot     []byte
}

// Answer is the current answer to one item of an assessment.
type Answer struct {
	ID           uint
	AssessmentID uint
	ItemID       string
	Value        string
	Note         string
	UpdatedByID  uint
	UpdatedAt    time.Time
}
