// Package outbox carries what happened after it has committed. A change
// records an Event in its own transaction (the store writes the row beside
// the audit entry), so an event exists exactly when its change does. The
// Dispatcher reads the committed events in id order and hands them to each
// Subscriber, at least once, and stores how far each one got. Nothing here
// runs inside a transaction of the change: a slow or failing subscriber
// (e-mail, a webhook) never delays or undoes a save.
package outbox

import "time"

// Kind names what an event records. Kinds are stored and matched by
// subscribers: never rename one, add a new one.
type Kind string

// The kinds. Only changes to a firm's work or a campaign are events:
// sign-ins, downloads, issued reports, accounts, tokens and checklist
// uploads stay in the audit log alone, as no subscriber acts on them yet
// (adding one here and at its use case is all a new subscriber needs).
const (
	AssessmentCreated Kind = "assessment.created"
	AnswerSaved       Kind = "answer.saved"
	PlanSaved         Kind = "plan.saved"
	EvidenceAdded     Kind = "evidence.added"
	EvidenceRemoved   Kind = "evidence.removed"
	// EvidenceValidity: an evidence file's "valid until" date was set,
	// changed or cleared; Detail names the file and the new date.
	EvidenceValidity        Kind = "evidence.validity"
	AssessmentSubmitted     Kind = "assessment.submitted"
	AssessmentResubmitted   Kind = "assessment.resubmitted"
	ReviewChangesRequested  Kind = "review.changes_requested"
	ReviewApproved          Kind = "review.approved"
	ReviewRejected          Kind = "review.rejected"
	CampaignCreated         Kind = "campaign.created"
	CampaignAuditorsChanged Kind = "campaign.auditors_changed"
	CampaignFirmsChanged    Kind = "campaign.firms_changed"
	// Assigned: a theme or an item was given to someone (or taken back);
	// Detail names the theme or the item and the assignee's id (0: none).
	Assigned Kind = "assigned"
	// Commented: a comment was added to an item's thread.
	Commented Kind = "comment"
	// Mentioned: a comment named a participant; one event per person
	// named, Detail carries the comment's and the person's ids.
	Mentioned Kind = "mention"
	// The scheduler's (app/notify): time made them, nobody acted. Detail
	// has the deadline or the plan's id and due date, and "user", the
	// plan owner's account when it names one.
	DeadlineSoon   Kind = "deadline.soon"
	DeadlinePassed Kind = "deadline.passed"
	PlanDue        Kind = "plan.due"
	PlanOverdue    Kind = "plan.overdue"
	// EvidenceExpiring: an evidence file's "valid until" date is within
	// assessment.ExpiringDays or passed; Detail has the file's id, name
	// and date.
	EvidenceExpiring Kind = "evidence.expiring"
	// PlanProgress: the firm reported progress on a plan (status, completion
	// date, a note of its log); Detail has from, status, done_on, note.
	PlanProgress Kind = "plan.progress"
	// PlanEvidenceAdded: a file showing a plan carried out was attached.
	PlanEvidenceAdded Kind = "plan.evidence_added"
	// PlanVerified: an auditor accepted a plan marked done (销号).
	PlanVerified Kind = "plan.verified"
	// PlanReopened: an auditor sent a plan marked done back to in progress,
	// with a comment for the firm.
	PlanReopened Kind = "plan.reopened"
	// RectificationClosed: every plan of the assessment is verified.
	RectificationClosed Kind = "rectification.closed"
)

// Kinds lists every kind, in the order of an assessment's life.
var Kinds = []Kind{
	AssessmentCreated, AnswerSaved, PlanSaved, EvidenceAdded, EvidenceRemoved, EvidenceValidity,
	AssessmentSubmitted, AssessmentResubmitted,
	ReviewChangesRequested, ReviewApproved, ReviewRejected,
	CampaignCreated, CampaignAuditorsChanged, CampaignFirmsChanged,
	Assigned, Commented, Mentioned,
	DeadlineSoon, DeadlinePassed, PlanDue, PlanOverdue, EvidenceExpiring,
	PlanProgress, PlanEvidenceAdded, PlanVerified, PlanReopened, RectificationClosed,
}

// Event is one recorded change. Zero ids mean none: ActorID 0 is the
// system, AssessmentID 0 an event of a campaign as a whole. Detail is a
// small JSON object whose fields depend on the kind (codes and numbers,
// never sentences, so each subscriber words it in its own language).
type Event struct {
	ID           int64
	Kind         Kind
	ActorID      uint
	ActorName    string
	FirmID       uint
	CampaignID   uint
	AssessmentID uint
	ItemID       string
	Detail       string
	At           time.Time
}
