package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"selfcheck/app/auth"
	"selfcheck/app/fault"
	"selfcheck/app/uscc"
)

// ErrBadUser refuses an account change; the reason is a *fault.FieldError
// in its chain, except for a password bcrypt cannot hash.
var ErrBadUser = errors.New("store: invalid account")

// badUser refuses an account's field, wrapped in ErrBadUser.
func badUser(field, code string, args ...any) error {
	return fmt.Errorf("%w: %w", ErrBadUser, fault.Field(field, code, args...))
}

// passwordRefused is ErrBadUser for a password auth.HashPassword refused:
// a too short one names the field; anything else (bcrypt's limit of 72
// bytes) stays a refusal without one.
func passwordRefused(err error) error {
	if errors.Is(err, auth.ErrWeakPassword) {
		return badUser("password", fault.TooShort, auth.MinPasswordLen)
	}
	return fmt.Errorf("%w: %v", ErrBadUser, err)
}

// NormalizeEmail is how emails are compared and stored.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// CreateFirm adds a firm after validating its credit code.
func (s *Store) CreateFirm(ctx context.Context, name, creditCode string) (*Firm, error) {
	code := uscc.Normalize(creditCode)
	if err := uscc.Validate(code); err != nil {
		return nil, err
	}
	f := &Firm{Name: strings.TrimSpace(name), CreditCode: code, Profile: "[]"}
	err := s.db.WithContext(ctx).Create(f).Error
	return f, translate(err, "create firm %q", name)
}

// FirmByCreditCode finds a firm by its unified social credit code.
func (s *Store) FirmByCreditCode(ctx context.Context, code string) (*Firm, error) {
	var f Firm
	if !storable(code) {
		return &f, fmt.Errorf("store: firm %q: %w", code, ErrNotFound)
	}
	err := s.db.WithContext(ctx).Where("credit_code = ?", uscc.Normalize(code)).First(&f).Error
	return &f, translate(err, "firm %s", code)
}

// NewUser describes an account to create.
type NewUser struct {
	Email    string
	Name     string
	Password string
	Role     auth.Role
	FirmID   *uint
}

// CreateUser adds an account with a bcrypt-hashed password. The audit log
// records it as done by the system (the command line, start-up).
func (s *Store) CreateUser(ctx context.Context, nu NewUser) (*User, error) {
	return s.createUser(ctx, nil, nu)
}

// createUser adds an account and records that actor (nil: the system) did.
func (s *Store) createUser(ctx context.Context, actor *User, nu NewUser) (*User, error) {
	if !nu.Role.Valid() {
		return nil, badUser("role", fault.OneOf)
	}
	if nu.Role.InFirm() != (nu.FirmID != nil) {
		role := fault.Term("role." + string(nu.Role))
		if nu.Role.InFirm() {
			return nil, badUser("firm", fault.Required, role)
		}
		return nil, badUser("firm", fault.Invalid, role)
	}
	email := NormalizeEmail(nu.Email)
	if !ValidEmail(email) {
		return nil, badUser("email", fault.Invalid, nu.Email)
	}
	nu.Name = strings.TrimSpace(nu.Name)
	switch {
	case nu.Name == "":
		return nil, badUser("name", fault.Required)
	case utf8.RuneCountInString(nu.Name) > 200:
		return nil, badUser("name", fault.TooLong, 200)
	}
	hash, err := auth.HashPassword(nu.Password)
	if err != nil {
		return nil, passwordRefused(err)
	}
	u := &User{Email: email, Name: nu.Name, PasswordHash: hash, Role: nu.Role, FirmID: nu.FirmID}
	err = s.transact(ctx, func(tx *gorm.DB) error {
		if err := tx.Omit(clause.Associations).Create(u).Error; err != nil {
			return err
		}
		ev := auditBy(actor, AuditUserCreated, fmt.Sprintf("user:%d", u.ID), fmt.Sprintf("%s, role %s", u.Email, u.Role))
		ev.FirmID = u.FirmID
		return appendAudit(tx, ctx, ev)
	})
	if errors.Is(translate(err, ""), ErrDuplicate) {
		return nil, fmt.Errorf("store: an account with the email %s already exists: %w", u.Email, ErrDuplicate)
	}
	return u, translate(err, "create user %s", u.Email)
}

// Authenticate returns the user whose email and password match. Every
// failure is auth.ErrBadCredentials and costs one bcrypt comparison.
func (s *Store) Authenticate(ctx context.Context, email, password string) (*User, error) {
	var u User
	if storable(email) { // else no account has it: a failure like any unknown email
		err := s.db.WithContext(ctx).Preload("Firm").Where("email = ? AND disabled_at IS NULL", NormalizeEmail(email)).First(&u).Error
		if err != nil && !errors.Is(translate(err, ""), ErrNotFound) {
			return nil, translate(err, "find user")
		}
	}
	ok := auth.CheckPassword(u.PasswordHash, password)
	// The attempt is recorded after the password check, so the write lock is
	// not held during bcrypt. A failure records the email tried, never the
	// password.
	var ev AuditEvent
	switch {
	case ok:
		ev = auditBy(&u, AuditLogin, fmt.Sprintf("user:%d", u.ID), auditUserAgent(ctx))
	case u.ID == 0:
		ev = AuditEvent{Action: AuditLoginFailed, Actor: NormalizeEmail(email), Detail: auditDetail("no active account with this email", auditUserAgent(ctx))}
	default:
		ev = AuditEvent{Action: AuditLoginFailed, Actor: u.Email, FirmID: u.FirmID, Object: fmt.Sprintf("user:%d", u.ID), Detail: auditDetail("wrong password", auditUserAgent(ctx))}
	}
	if err := s.transact(ctx, func(tx *gorm.DB) error { return appendAudit(tx, ctx, ev) }); err != nil {
		return nil, err
	}
	if !ok {
		return nil, auth.ErrBadCredentials
	}
	return &u, nil
}

// CreateSession starts a session and returns the token for the cookie.
func (s *Store) CreateSession(ctx context.Context, userID uint) (string, error) {
	token, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	now := time.Now().UTC()
	t := auth.NewSession(now)
	sess := Session{TokenHash: auth.HashToken(token), UserID: userID, CreatedAt: t.Created, LastSeenAt: t.LastSeen, ExpiresAt: t.Expires}
	if err := s.db.WithContext(ctx).Create(&sess).Error; err != nil {
		return "", translate(err, "create session")
	}
	return token, nil
}

// SessionUser returns the user of a live session and extends its idle
// deadline. Expired sessions are deleted and reported as ErrNotFound.
func (s *Store) SessionUser(ctx context.Context, token string) (*User, error) {
	return s.sessionUser(ctx, token, time.Now().UTC())
}

// sessionUser is SessionUser at the moment now, which tests move forward.
func (s *Store) sessionUser(ctx context.Context, token string, now time.Time) (*User, error) {
	db := s.db.WithContext(ctx)
	sess, u, err := lookupSession(s.db.Session(&gorm.Session{Context: readContext(ctx), PrepareStmt: true}), auth.HashToken(token))
	if err != nil {
		return nil, translate(err, "session")
	}
	times := auth.SessionTimes{Created: sess.CreatedAt, LastSeen: sess.LastSeenAt, Expires: sess.ExpiresAt}
	if times.Expired(now) {
		db.Delete(&sess)
		return nil, fmt.Errorf("store: session expired: %w", ErrNotFound)
	}
	if u.ID == 0 {
		return nil, translate(gorm.ErrRecordNotFound, "session user %d", sess.UserID)
	}
	if times.NeedsTouch(now) {
		if err := db.Model(&sess).Update("last_seen_at", now).Error; err != nil {
			return nil, translate(err, "touch session")
		}
	}
	return &u, nil
}

// DeleteSession ends a session (logout) and records it when there was one.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	return s.transact(ctx, func(tx *gorm.DB) error {
		var sess Session
		err := tx.Where("token_hash = ?", auth.HashToken(token)).First(&sess).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		if err != nil {
			return translate(err, "session")
		}
		if err := tx.Delete(&sess).Error; err != nil {
			return translate(err, "delete session")
		}
		var u User
		if err := tx.First(&u, sess.UserID).Error; err != nil {
			return translate(err, "session user %d", sess.UserID)
		}
		return appendAudit(tx, ctx, auditBy(&u, AuditLogout, fmt.Sprintf("user:%d", u.ID), ""))
	})
}

// ErrWrongPassword refuses a password change whose current password is wrong.
var ErrWrongPassword = errors.New("store: the current password is wrong")

// ChangePassword gives actor the password newPassword once current is shown
// to be theirs, and ends every session of the account, the caller's
// included: a password changed because it leaked must not leave a thief
// logged in. The caller starts a fresh session for the browser that made
// the change. API tokens stay; they are revoked one by one. A wrong current
// password is ErrWrongPassword, a new one the policy refuses ErrBadUser;
// either changes nothing.
func (s *Store) ChangePassword(ctx context.Context, actor *User, current, newPassword string) error {
	db := s.db.WithContext(ctx)
	var u User
	if err := db.Where("id = ? AND disabled_at IS NULL", actor.ID).First(&u).Error; err != nil {
		return translate(err, "user %d", actor.ID)
	}
	// Both bcrypt runs come before the transaction, so the write lock is
	// not held during them.
	if !auth.CheckPassword(u.PasswordHash, current) {
		return ErrWrongPassword
	}
	hash, err := auth.HashPassword(newPassword)
	if err != nil {
		return passwordRefused(err)
	}
	return s.transact(ctx, func(tx *gorm.DB) error {
		// The hash checked must still be the stored one: of two changes made
		// at once with the same current password, one wins.
		res := tx.Model(&User{}).Where("id = ? AND password_hash = ?", u.ID, u.PasswordHash).Update("password_hash", hash)
		if res.Error != nil {
			return translate(res.Error, "change password of user %d", u.ID)
		}
		if res.RowsAffected == 0 {
			return ErrWrongPassword
		}
		ended := tx.Where("user_id = ?", u.ID).Delete(&Session{})
		if ended.Error != nil {
			return translate(ended.Error, "end sessions of user %d", u.ID)
		}
		return appendAudit(tx, ctx, auditBy(&u, AuditPasswordChanged, fmt.Sprintf("user:%d", u.ID), fmt.Sprintf("%d sessions ended", ended.RowsAffected)))
	})
}

// Firms lists every firm, by name. Only admins may.
func (s *Store) Firms(ctx context.Context, actor *User) ([]Firm, error) {
	if actor.Role != auth.Admin {
		return nil, fmt.Errorf("store: firms: %w", ErrNotFound)
	}
	var out []Firm
	err := s.db.WithContext(ctx).Order("name").Find(&out).Error
	return out, translate(err, "list firms")
}

// Users lists accounts: every one for admins, the firm's own for firm admins.
func (s *Store) Users(ctx context.Context, actor *User) ([]User, error) {
	q := s.db.WithContext(ctx).Preload("Firm").Order("disabled_at IS NOT NULL, email")
	switch {
	case actor.Role == auth.Admin:
	case actor.Role == auth.FirmAdmin && actor.FirmID != nil:
		q = q.Where("firm_id = ?", *actor.FirmID)
	default:
		return nil, fmt.Errorf("store: users: %w", ErrNotFound)
	}
	var out []User
	err := q.Find(&out).Error
	return out, translate(err, "list users")
}

// AddMember creates an account in actor's firm (firm admins) or any account
// (admins). Firm admins may create firm members and firm admins of their own
// firm only.
func (s *Store) AddMember(ctx context.Context, actor *User, nu NewUser) (*User, error) {
	switch {
	case actor.Role == auth.Admin:
	case actor.Role == auth.FirmAdmin && actor.FirmID != nil:
		if !nu.Role.InFirm() {
			return nil, fmt.Errorf("store: add member: a firm admin adds firm members only: %w", ErrNotFound)
		}
		nu.FirmID = actor.FirmID
	default:
		return nil, fmt.Errorf("store: add member: %w", ErrNotFound)
	}
	u, err := s.createUser(ctx, actor, nu)
	if errors.Is(err, ErrDuplicate) && actor.Role == auth.FirmAdmin {
		return s.holdMember(ctx, actor, nu, err)
	}
	return u, err
}

// ErrMemberHeld is AddMember's answer when a firm admin adds an email that
// already has an account outside their firm: nothing is changed, the
// request is in the audit log for an administrator, and the firm admin is
// answered as for a new address (workflow), so that adding members is no
// way to learn which addresses have accounts elsewhere.
var ErrMemberHeld = errors.New("store: the address has an account elsewhere; the request is held for an administrator")

// AuditMemberHeld records a held request (ErrMemberHeld).
const AuditMemberHeld = "member_add_held"

// holdMember decides a firm admin's add that met a taken email (dup): a
// member of their own firm, whom their team list shows anyway, is dup; an
// account anywhere else is held.
func (s *Store) holdMember(ctx context.Context, actor *User, nu NewUser, dup error) (*User, error) {
	email := NormalizeEmail(nu.Email)
	var holder User
	if err := s.db.WithContext(ctx).Select("id", "firm_id").Where("email = ?", email).First(&holder).Error; err != nil {
		return nil, translate(err, "find the holder of %s", email)
	}
	if holder.FirmID != nil && *holder.FirmID == *actor.FirmID {
		return nil, dup
	}
	err := s.transact(ctx, func(tx *gorm.DB) error {
		ev := auditBy(actor, AuditMemberHeld, fmt.Sprintf("user:%d", holder.ID),
			fmt.Sprintf("%s, role %s: the address has an account outside the firm; nothing changed", email, nu.Role))
		return appendAudit(tx, ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	return nil, ErrMemberHeld
}

// DisableUser removes a member: the account can no longer log in, its
// sessions and tokens end, and its name stays in the history. Firm admins
// may remove members of their own firm, admins anyone; nobody removes
// themselves.
func (s *Store) DisableUser(ctx context.Context, actor *User, userID uint) error {
	if userID == actor.ID {
		return fmt.Errorf("store: you cannot remove your own account: %w: %w", ErrBadUser, fault.ErrForbidden)
	}
	return s.transact(ctx, func(tx *gorm.DB) error {
		q := tx.Model(&User{}).Where("id = ? AND disabled_at IS NULL", userID)
		switch {
		case actor.Role == auth.Admin:
		case actor.Role == auth.FirmAdmin && actor.FirmID != nil:
			q = q.Where("firm_id = ?", *actor.FirmID)
		default:
			return fmt.Errorf("store: disable user: %w", ErrNotFound)
		}
		now := time.Now().UTC()
		res := q.Update("disabled_at", now)
		if res.Error != nil {
			return translate(res.Error, "disable user %d", userID)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("store: user %d: %w", userID, ErrNotFound)
		}
		if err := tx.Where("user_id = ?", userID).Delete(&Session{}).Error; err != nil {
			return translate(err, "end sessions of user %d", userID)
		}
		if err := tx.Model(&AccessToken{}).Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", now).Error; err != nil {
			return translate(err, "revoke tokens of user %d", userID)
		}
		var gone User
		if err := tx.First(&gone, userID).Error; err != nil {
			return translate(err, "user %d", userID)
		}
		ev := auditBy(actor, AuditUserDisabled, fmt.Sprintf("user:%d", userID), fmt.Sprintf("%s, role %s", gone.Email, gone.Role))
		ev.FirmID = gone.FirmID
		return appendAudit(tx, ctx, ev)
	})
}

// UserByEmail finds an active account.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	if !storable(email) {
		return &u, fmt.Errorf("store: user %q: %w", email, ErrNotFound)
	}
	err := s.db.WithContext(ctx).Preload("Firm").Where("email = ? AND disabled_at IS NULL", NormalizeEmail(email)).First(&u).Error
	return &u, translate(err, "user %s", email)
}

// ChangeRole gives an active account another role. Only admins may, and not
// to themselves (so the last admin cannot lock everyone out). A firm's users
// move between firm member and firm admin; an account outside any firm
// between auditor and admin. Auditors who become admins keep their campaign
// assignments, which admins do not need. The change applies from the user's
// next request: sessions read the account each time.
func (s *Store) ChangeRole(ctx context.Context, actor *User, userID uint, role auth.Role) error {
	if actor.Role != auth.Admin {
		return fmt.Errorf("store: change role: %w", ErrNotFound)
	}
	if userID == actor.ID {
		return fmt.Errorf("store: you cannot change your own role: %w: %w", ErrBadUser, fault.ErrForbidden)
	}
	if !role.Valid() {
		return badUser("role", fault.OneOf)
	}
	return s.transact(ctx, func(tx *gorm.DB) error {
		var u User
		if err := tx.Where("id = ? AND disabled_at IS NULL", userID).First(&u).Error; err != nil {
			return translate(err, "user %d", userID)
		}
		if u.Role == role {
			return nil
		}
		if (u.FirmID != nil) != role.InFirm() {
			return badUser("role", fault.Invalid, fault.Term("role."+string(role)))
		}
		if err := tx.Model(&User{}).Where("id = ?", userID).Update("role", string(role)).Error; err != nil {
			return translate(err, "change role of user %d", userID)
		}
		ev := auditBy(actor, AuditRoleChanged, fmt.Sprintf("user:%d", userID), fmt.Sprintf("%s: %s → %s", u.Email, u.Role, role))
		ev.FirmID = u.FirmID
		return appendAudit(tx, ctx, ev)
	})
}
