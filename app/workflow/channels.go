package workflow

import (
	"context"
	"errors"
	"net/url"
	"time"

	"selfcheck/app/access"
	"selfcheck/app/auth"
	"selfcheck/app/notify"
	"selfcheck/app/store"
)

// The admins' view of the outside channels: the SMTP settings and a test
// message, and the deliveries that failed.

// ErrNoMailer refuses a test message when no SMTP server is configured.
var ErrNoMailer = errors.New("workflow: no SMTP server is configured")

// testMailTimeout bounds the admin's test message: the page waits for the
// server's answer, never longer.
const testMailTimeout = 20 * time.Second

// SMTPSettings are the SMTP settings, password left out; nil when e-mail
// is off. Admins only.
func (s *Service) SMTPSettings(p access.Principal) (*notify.Settings, error) {
	if p.Role != auth.Admin {
		return nil, ErrNotFound
	}
	if s.Mailer == nil {
		return nil, nil
	}
	st := s.Mailer.Settings()
	return &st, nil
}

// SendTestMail sends a test message to to at once and returns the SMTP
// server's answer; a refusal is the error, with the server's text.
func (s *Service) SendTestMail(ctx context.Context, p access.Principal, to string) (string, error) {
	if p.Role != auth.Admin {
		return "", ErrNotFound
	}
	if s.Mailer == nil {
		return "", ErrNoMailer
	}
	ctx, cancel := context.WithTimeout(ctx, testMailTimeout)
	defer cancel()
	reply, err := s.Mailer.SendTest(ctx, to, p.Lang)
	s.Log.Info("test e-mail", "admin", p.ID, "reply", reply, "err", err)
	return reply, err
}

// DeliveryRow is a delivery on the admins' deliveries page.
type DeliveryRow = store.DeliveryRow

// TroubledDeliveries are the failed deliveries and the pending ones that
// failed at least once. Admins only.
func (s *Service) TroubledDeliveries(ctx context.Context, p access.Principal) ([]DeliveryRow, error) {
	if p.Role != auth.Admin {
		return nil, ErrNotFound
	}
	rows, err := s.Store.TroubledDeliveries(ctx)
	for i := range rows {
		rows[i].URL = withoutQuery(rows[i].URL)
	}
	return rows, err
}

// withoutQuery is a webhook URL without its query: a bot's access token
// (DingTalk's access_token, WeCom's key) is its owner's secret, not every
// admin's.
func withoutQuery(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if u.RawQuery != "" {
		u.RawQuery = "…"
	}
	return u.String()
}

// RetryDelivery sends a failed or pending delivery again at once, with a
// fresh day of retries. Admins only.
func (s *Service) RetryDelivery(ctx context.Context, p access.Principal, id int64) error {
	if p.Role != auth.Admin {
		return ErrNotFound
	}
	if err := s.Store.RetryDelivery(ctx, id); err != nil {
		return err
	}
	s.Log.Info("delivery retried", "admin", p.ID, "delivery", id)
	return nil
}
