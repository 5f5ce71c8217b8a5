// Package workflow is Selfcheck's one layer of use cases. Every action a
// person or a program takes — start an assessment, save answers and plans,
// attach evidence, submit, review, run campaigns, manage people, tokens and
// checklists — and every page's read model is a method of Service, taking
// the acting access.Principal. A use case validates its input with the
// domain's rules (app/assessment and its neighbours, typed errors from
// app/fault), checks who may act, and runs the change through the store in
// one transaction that also writes the history, the audit entry and the
// outbox event. The web pages (app/web) and the JSON API (app/api) are
// adapters over it: they parse a request, call one method and render or
// encode the result, and neither imports the store.
package workflow

import (
	"context"
	"log/slog"
	"selfcheck/app/notify"
	"time"

	"selfcheck/app/access"
	"selfcheck/app/auth"
	"selfcheck/app/catalog"
	"selfcheck/app/reporting"
	"selfcheck/app/store"
	"selfcheck/app/twofactor"
)

// Deps are the use cases' collaborators, built by app/server.
type Deps struct {
	Store   *store.Store
	Catalog *catalog.Source
	Reports *reporting.Service
	Log     *slog.Logger
	// MaxEvidenceBytes bounds one evidence file (default 20 MiB).
	MaxEvidenceBytes int64
	// Now is the clock of login throttling and of two-factor codes;
	// time.Now when nil. Tests move it.
	Now func() time.Time
	// Sealer seals authenticator secrets with a key kept outside the
	// database; nil: no new two-factor enrolments (twofactor.go).
	Sealer *twofactor.Sealer
	// RequireTwoFactor are the roles that must sign in with a code.
	RequireTwoFactor []auth.Role
	// Mailer is the e-mail channel, for the admins' SMTP page; nil when
	// e-mail is off.
	Mailer *notify.Mailer
	// Poster is the webhook channel, for "send a test"; nil: webhooks off.
	Poster *notify.Poster
	// Location is the zone of "today" for plans (done, overdue); UTC when
	// nil.
	Location *time.Location
}

// Service runs the use cases.
type Service struct {
	Deps
}

// New returns the use cases over d.
func New(d Deps) *Service {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.MaxEvidenceBytes == 0 {
		d.MaxEvidenceBytes = 20 << 20
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{Deps: d}
}

// actor is the principal as the store's scoping reads it: id, role, firm,
// name and email. The store never sees a credential through it.
func actor(p access.Principal) *store.User {
	u := &store.User{ID: p.ID, Role: p.Role, Name: p.Name, Email: p.Email}
	if p.Firm != nil {
		id := p.Firm.ID
		u.FirmID = &id
		u.Firm = &store.Firm{ID: p.Firm.ID, Name: p.Firm.Name, CreditCode: p.Firm.CreditCode}
	}
	return u
}

// principalOf is the identity of a stored account, in lang.
func principalOf(u *store.User, lang string) access.Principal {
	p := access.Principal{ID: u.ID, Role: u.Role, Name: u.Name, Email: u.Email, Lang: lang}
	if u.Firm != nil {
		p.Firm = &access.Firm{ID: u.Firm.ID, Name: u.Firm.Name, CreditCode: u.Firm.CreditCode}
	} else if u.FirmID != nil {
		p.Firm = &access.Firm{ID: *u.FirmID}
	}
	return p
}

// Ping reports whether the database answers (the health check).
func (s *Service) Ping(ctx context.Context) error { return s.Store.Ping(ctx) }

// Ready reports whether the database answers and takes a write (the
// readiness check: a load balancer sends no traffic to an instance that
// would fail every save).
func (s *Service) Ready(ctx context.Context) error {
	if err := s.Store.Ping(ctx); err != nil {
		return err
	}
	return s.Store.CheckWrite(ctx)
}
