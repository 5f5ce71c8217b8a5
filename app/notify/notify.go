// Package notify tells people what happened to the work they take part in.
// Its Subscriber, run by the outbox dispatcher after the change committed,
// turns each event that concerns someone into a notice per recipient (the
// in-app bell) and a delivery per recipient and outside channel (e-mail, a
// webhook). The Sender's bounded workers then claim the due deliveries,
// send them with a timeout and retry a failure with exponential backoff
// until GiveUp has passed. Both steps are idempotent: a notice is unique
// per (event, recipient) and a delivery per (event, recipient, channel), so
// an event delivered twice by the outbox notifies once, and a claimed
// delivery is sent by one worker of one instance at a time.
package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"selfcheck/app/auth"
	"selfcheck/app/outbox"
)

// Audience is who an event concerns.
type Audience int

// The audiences.
const (
	// Auditors are the auditors of the assessment's campaign, or the
	// admins when it belongs to none (they review those).
	Auditors Audience = iota + 1
	// FirmUsers are the firm's members and admins: the users of the
	// assessment.
	FirmUsers
	// Participants are both: the firm's users and the reviewers.
	Participants
	// Named are the users the event's detail names, in "user" or "users"
	// (a mention, an assignment).
	Named
	// OwnerOrFirmAdmins is the user the detail names, else the firm's
	// admins (a plan whose owner is not an account).
	OwnerOrFirmAdmins
)

// Rule says which event name an outbox kind is notified as, and to whom.
type Rule struct {
	Event string // the name used by the API, webhooks and preferences
	To    Audience
}

// Rules are the outbox kinds that notify someone. Another kind notifies
// nobody; a new one needs only its entry here (and its i18n message
// notify.<event>), e.g.
//
//	outbox.CommentAdded: {Event: "comment", To: Participants},
//	outbox.Mentioned:    {Event: "mention", To: Named},
//	outbox.Assigned:     {Event: "assigned", To: Named},
var Rules = map[outbox.Kind]Rule{
	outbox.AssessmentSubmitted:    {Event: "submitted", To: Auditors},
	outbox.AssessmentResubmitted:  {Event: "resubmitted", To: Auditors},
	outbox.ReviewChangesRequested: {Event: "changes_requested", To: FirmUsers},
	outbox.ReviewApproved:         {Event: "approved", To: FirmUsers},
	outbox.ReviewRejected:         {Event: "rejected", To: FirmUsers},
	outbox.Commented:              {Event: "comment", To: Participants},
	outbox.Mentioned:              {Event: "mention", To: Named},
	outbox.Assigned:               {Event: "assigned", To: Named},
	outbox.DeadlineSoon:           {Event: "deadline_soon", To: FirmUsers},
	outbox.DeadlinePassed:         {Event: "deadline_passed", To: FirmUsers},
	outbox.PlanDue:                {Event: "plan_due", To: OwnerOrFirmAdmins},
	outbox.PlanOverdue:            {Event: "plan_overdue", To: OwnerOrFirmAdmins},
	outbox.PlanVerified:           {Event: "plan_verified", To: OwnerOrFirmAdmins},
	outbox.PlanReopened:           {Event: "plan_reopened", To: OwnerOrFirmAdmins},
	outbox.EvidenceExpiring:       {Event: "evidence_expiring", To: OwnerOrFirmAdmins},
}

// Events are the event names of Rules, for preferences and validation.
func Events() []string {
	var out []string
	for _, k := range outbox.Kinds {
		if r, ok := Rules[k]; ok {
			out = append(out, r.Event)
		}
	}
	return out
}

// Recipient is a user an event concerns.
type Recipient struct {
	UserID uint
	Role   auth.Role
}

// Notice is one in-app notification: an event, worded when shown in the
// reader's language from Event and the fields beside it.
type Notice struct {
	ID           int64
	EventID      int64
	UserID       uint
	Event        string
	ActorName    string
	AssessmentID uint
	ItemID       string
	Link         string // the path of the page it is about
	At           time.Time
	ReadAt       *time.Time
}

// Store is what the Subscriber reads and writes.
type Store interface {
	// Recipients are the enabled users of audience a for event e;
	// named are the users a Named event's detail names.
	Recipients(ctx context.Context, a Audience, e outbox.Event, named []uint) ([]Recipient, error)
	// AddNotices stores the notices, and a pending delivery of each over
	// each of channels (due at once), skipping those already stored.
	AddNotices(ctx context.Context, notices []Notice, channels []string) error
	// Webhooks are every registered webhook.
	Webhooks(ctx context.Context) ([]Webhook, error)
	// AddWebhookDeliveries stores a pending delivery of each notice to its
	// webhook, skipping those already stored.
	AddWebhookDeliveries(ctx context.Context, ds []WebhookNotice) error
}

// WebhookNotice is a notice for a webhook: no recipient user.
type WebhookNotice struct {
	WebhookID int64
	Notice    Notice
}

// Subscriber is the outbox subscriber that notifies.
type Subscriber struct {
	Store Store
	// Channels are the outside channels configured (e-mail, webhooks):
	// each notice gets a delivery over each.
	Channels []string
	// Added, when set, is called after deliveries were stored (the
	// Sender's Wake). It must not block.
	Added func()
	// Webhooks, when set, makes a delivery to each webhook an event
	// matches (the Sender then needs the WebhookChannel).
	Webhooks bool
}

// Name is the subscriber's cursor key.
func (Subscriber) Name() string { return "notify" }

// Handle stores a notice for each recipient of each event that has a rule.
// The actor is never notified of their own act.
func (s Subscriber) Handle(ctx context.Context, events []outbox.Event) error {
	var notices []Notice
	for _, e := range events {
		rule, ok := Rules[e.Kind]
		if !ok {
			continue
		}
		var named []uint
		if rule.To == Named || rule.To == OwnerOrFirmAdmins {
			named = namedUsers(e.Detail)
		}
		to, err := s.Store.Recipients(ctx, rule.To, e, named)
		if err != nil {
			return fmt.Errorf("notify: recipients of event %d: %w", e.ID, err)
		}
		for _, r := range to {
			if r.UserID == e.ActorID {
				continue
			}
			notices = append(notices, Notice{EventID: e.ID, UserID: r.UserID, Event: rule.Event, ActorName: e.ActorName,
				AssessmentID: e.AssessmentID, ItemID: e.ItemID, Link: Link(e, r), At: e.At})
		}
	}
	hooks, err := s.webhookNotices(ctx, events)
	if err != nil {
		return err
	}
	if len(notices) > 0 {
		if err := s.Store.AddNotices(ctx, notices, s.Channels); err != nil {
			return err
		}
	}
	if len(hooks) > 0 {
		if err := s.Store.AddWebhookDeliveries(ctx, hooks); err != nil {
			return err
		}
	}
	if s.Added != nil && ((len(notices) > 0 && len(s.Channels) > 0) || len(hooks) > 0) {
		s.Added()
	}
	return nil
}

// webhookNotices are the notices of events for the webhooks they match. A
// firm's webhook links to the firm's page, an admin's to the review.
func (s Subscriber) webhookNotices(ctx context.Context, events []outbox.Event) ([]WebhookNotice, error) {
	if !s.Webhooks {
		return nil, nil
	}
	var hooks []Webhook
	var out []WebhookNotice
	for _, e := range events {
		rule, ok := Rules[e.Kind]
		if !ok {
			continue
		}
		if hooks == nil {
			var err error
			if hooks, err = s.Store.Webhooks(ctx); err != nil {
				return nil, fmt.Errorf("notify: webhooks: %w", err)
			}
			if len(hooks) == 0 {
				return nil, nil
			}
		}
		for _, w := range hooks {
			if !w.Matches(rule.Event, e.FirmID, e.CampaignID) {
				continue
			}
			r := Recipient{Role: auth.Admin}
			if w.FirmID != 0 {
				r.Role = auth.FirmAdmin
			}
			out = append(out, WebhookNotice{WebhookID: w.ID, Notice: Notice{EventID: e.ID, Event: rule.Event, ActorName: e.ActorName,
				AssessmentID: e.AssessmentID, ItemID: e.ItemID, Link: Link(e, r), At: e.At}})
		}
	}
	return out, nil
}

// Link is the page a notice of e takes r to: a reviewer the review form, a
// firm user the assessment, at the item when the event is about one.
func Link(e outbox.Event, r Recipient) string {
	if e.AssessmentID == 0 {
		return "/"
	}
	if r.Role == auth.Auditor || r.Role == auth.Admin {
		return fmt.Sprintf("/assessments/%d/review", e.AssessmentID)
	}
	if e.ItemID != "" {
		return fmt.Sprintf("/assessments/%d#item-%s", e.AssessmentID, e.ItemID)
	}
	return fmt.Sprintf("/assessments/%d", e.AssessmentID)
}

// namedUsers reads the users an event's detail names: "user" (one id) or
// "users" (a list). A detail without them names nobody.
func namedUsers(detail string) []uint {
	var d struct {
		User  uint   `json:"user"`
		Users []uint `json:"users"`
	}
	if json.Unmarshal([]byte(detail), &d) != nil {
		return nil
	}
	if d.User != 0 {
		d.Users = append(d.Users, d.User)
	}
	return d.Users
}
