package workflow

import (
	"context"
	"errors"
	"strings"

	"selfcheck/app/access"
	"selfcheck/app/auth"
	"selfcheck/app/fault"
	"selfcheck/app/store"
)

// Firms lists the firms p may see (admins and auditors: all).
func (s *Service) Firms(ctx context.Context, p access.Principal) ([]Firm, error) {
	return s.Store.Firms(ctx, actor(p))
}

// Users lists the accounts p manages: an admin every account, a firm
// admin their firm's team.
func (s *Service) Users(ctx context.Context, p access.Principal) ([]Account, error) {
	return s.Store.Users(ctx, actor(p))
}

// FirmMemberCounts is how many active accounts each firm has (admins).
func (s *Service) FirmMemberCounts(ctx context.Context, p access.Principal) (map[uint]int, error) {
	return s.Store.FirmMemberCounts(ctx, actor(p))
}

// CreateFirm registers a firm (admins); a taken credit code is ErrDuplicate.
func (s *Service) CreateFirm(ctx context.Context, p access.Principal, name, creditCode string) (*Firm, error) {
	if p.Role != auth.Admin {
		return nil, fault.Forbidden("create firm: %s", p.Role)
	}
	f, err := s.Store.CreateFirm(ctx, name, creditCode)
	if err == nil {
		s.Log.Info("firm created", "firm", f.ID, "user", p.ID)
	}
	return f, err
}

// CreateAccount adds an account of any role (admins).
func (s *Service) CreateAccount(ctx context.Context, p access.Principal, nu NewUser) (*Account, error) {
	if p.Role != auth.Admin {
		return nil, fault.Forbidden("create account: %s", p.Role)
	}
	u, err := s.Store.CreateUser(ctx, nu)
	if err == nil {
		s.Log.Info("account created", "user", u.ID, "role", u.Role, "by", p.ID)
	}
	return u, err
}

// AddMember adds a member to p's firm (firm admins). An email that has an
// account outside the firm is answered as a new address would be, with
// an account of ID 0 that nothing stores: the request waits in the audit
// log for an administrator, who settles it with the person (issue 19: a
// firm admin must not learn which addresses are registered elsewhere).
func (s *Service) AddMember(ctx context.Context, p access.Principal, nu NewUser) (*Account, error) {
	u, err := s.Store.AddMember(ctx, actor(p), nu)
	switch {
	case errors.Is(err, store.ErrMemberHeld):
		s.Log.Info("member add held", "role", nu.Role, "by", p.ID)
		return &Account{Email: store.NormalizeEmail(nu.Email), Name: strings.TrimSpace(nu.Name), Role: nu.Role,
			FirmID: nu.FirmID, Firm: actor(p).Firm, CreatedAt: s.Now()}, nil
	case err == nil:
		s.Log.Info("member added", "user", u.ID, "role", u.Role, "by", p.ID)
	}
	return u, err
}

// DisableUser ends an account: an admin any other account, a firm admin a
// member of their firm. The account stays in the history.
func (s *Service) DisableUser(ctx context.Context, p access.Principal, userID uint) error {
	err := s.Store.DisableUser(ctx, actor(p), userID)
	if err == nil {
		s.Log.Info("account disabled", "user", userID, "by", p.ID)
	}
	return err
}

// ChangeRole changes another account's role (admins).
func (s *Service) ChangeRole(ctx context.Context, p access.Principal, userID uint, role auth.Role) error {
	err := s.Store.ChangeRole(ctx, actor(p), userID, role)
	if err == nil {
		s.Log.Info("role changed", "user", userID, "role", role, "by", p.ID)
	}
	return err
}
