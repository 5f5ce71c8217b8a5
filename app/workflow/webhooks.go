package workflow

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"selfcheck/app/access"
	"selfcheck/app/auth"
	"selfcheck/app/fault"
	"selfcheck/app/notify"
	"selfcheck/app/store"
)

// Webhook is a registered webhook (app/notify).
type Webhook = notify.Webhook

// NewWebhook is a webhook to register: Campaign only for an admin's (0:
// every campaign); a firm admin's gets their firm's events.
type NewWebhook struct {
	Kind, URL, Secret string
	Events            []string
	Campaign          uint
}

// mayWebhook reports whether p manages webhooks: firm admins and admins.
func mayWebhook(p access.Principal) bool {
	return p.Role == auth.Admin || (p.Role == auth.FirmAdmin && p.Firm != nil)
}

// Webhooks are the webhooks p manages.
func (s *Service) Webhooks(ctx context.Context, p access.Principal) ([]Webhook, error) {
	if !mayWebhook(p) {
		return nil, ErrNotFound
	}
	return s.Store.WebhooksOf(ctx, actor(p))
}

// CreateWebhook registers a webhook for p and returns its id. A wrong
// field is a *fault.FieldError naming it; a firm admin may not name a
// campaign (their webhook gets their firm's events of every campaign).
func (s *Service) CreateWebhook(ctx context.Context, p access.Principal, in NewWebhook) (int64, error) {
	if !mayWebhook(p) {
		return 0, ErrNotFound
	}
	w := notify.Webhook{Kind: in.Kind, URL: in.URL, Secret: in.Secret, Events: in.Events, CampaignID: in.Campaign}
	if err := notify.ValidateWebhook(w); err != nil {
		return 0, err
	}
	if p.Role != auth.Admin && in.Campaign != 0 {
		return 0, fault.Field("campaign", fault.Invalid)
	}
	id, err := s.Store.CreateWebhook(ctx, actor(p), w)
	if errors.Is(err, store.ErrBadCampaign) {
		return 0, fault.Field("campaign", fault.Unknown, in.Campaign)
	}
	if err != nil {
		return 0, err
	}
	s.Log.Info("webhook registered", "user", p.ID, "webhook", id, "kind", in.Kind)
	return id, nil
}

// DeleteWebhook deletes one of p's webhooks; another's is ErrNotFound.
func (s *Service) DeleteWebhook(ctx context.Context, p access.Principal, id int64) error {
	if !mayWebhook(p) {
		return ErrNotFound
	}
	if err := s.Store.DeleteWebhook(ctx, actor(p), id); err != nil {
		return err
	}
	s.Log.Info("webhook deleted", "user", p.ID, "webhook", id)
	return nil
}

// testWebhookTimeout bounds "send a test": the page waits for the answer.
const testWebhookTimeout = 15 * time.Second

// ErrNoPoster refuses a webhook test when webhooks are off.
var ErrNoPoster = errors.New("workflow: webhooks are not configured")

// TestWebhook sends a test message to one of p's webhooks now and returns
// its answer; a refusal is the error, with the answer in it.
func (s *Service) TestWebhook(ctx context.Context, p access.Principal, id int64) (string, error) {
	if !mayWebhook(p) {
		return "", ErrNotFound
	}
	w, err := s.Store.WebhookOf(ctx, actor(p), id)
	if err != nil {
		return "", err
	}
	if s.Poster == nil {
		return "", ErrNoPoster
	}
	ctx, cancel := context.WithTimeout(ctx, testWebhookTimeout)
	defer cancel()
	return s.Poster.SendTest(ctx, w)
}

// ReminderDays are the days before campaign id's deadline its firms that
// have not submitted are reminded, largest first. Admins only.
func (s *Service) ReminderDays(ctx context.Context, p access.Principal, id uint) ([]int, error) {
	if p.Role != auth.Admin {
		return nil, ErrNotFound
	}
	v, err := s.Store.ReminderDays(ctx, id)
	if err != nil {
		return nil, err
	}
	days, err := notify.ParseReminderDays(v)
	if err != nil {
		return notify.ParseReminderDays(notify.DefaultReminderDays)
	}
	return days, nil
}

// SetReminderDays sets those days (1 to 90, at most 5; none: no reminder
// before the deadline). A wrong day is a *fault.FieldError on "days".
func (s *Service) SetReminderDays(ctx context.Context, p access.Principal, id uint, days []int) error {
	if p.Role != auth.Admin {
		return ErrNotFound
	}
	parts := make([]string, len(days))
	for i, d := range days {
		parts[i] = strconv.Itoa(d)
	}
	parsed, err := notify.ParseReminderDays(strings.Join(parts, ","))
	if err != nil {
		return fault.Field("days", fault.Invalid)
	}
	for i, d := range parsed {
		parts[i] = strconv.Itoa(d)
	}
	if err := s.Store.SetReminderDays(ctx, id, strings.Join(parts[:len(parsed)], ",")); err != nil {
		return err
	}
	s.Log.Info("campaign reminder days set", "admin", p.ID, "campaign", id, "days", parsed)
	return nil
}
