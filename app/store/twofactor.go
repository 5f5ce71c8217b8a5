package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/auth"
)

// The rows of two-factor sign-in (app/twofactor holds the rules). The store
// keeps the authenticator secret sealed as the workflow hands it over; it
// never sees the key.

// SecondFactor is an account's authenticator app: its sealed secret,
// whether the user confirmed it with a code (only then does sign-in ask for
// one), and the last time step a code was accepted for.
type SecondFactor struct {
	UserID      uint `gorm:"primaryKey;autoIncrement:false"`
	Secret      string
	ConfirmedAt *time.Time
	LastStep    int64
	CreatedAt   time.Time
}

type recoveryCode struct {
	ID       uint
	UserID   uint
	CodeHash string
	UsedAt   *time.Time
}

type loginChallenge struct {
	ID        uint
	TokenHash string
	UserID    uint
	CreatedAt time.Time
	ExpiresAt time.Time
}

// ErrSecondFactorOn refuses to start an enrolment while one is confirmed:
// it must be turned off first, with a code.
var ErrSecondFactorOn = errors.New("store: two-factor sign-in is already on")

// ErrCodeUsed refuses a time step not later than the last one used (a
// replay, or a code raced by another request), or a recovery code already
// used or unknown.
var ErrCodeUsed = errors.New("store: code already used")

// SecondFactorOf is userID's authenticator, confirmed or pending;
// ErrNotFound without one.
func (s *Store) SecondFactorOf(ctx context.Context, userID uint) (*SecondFactor, error) {
	var f SecondFactor
	err := s.db.WithContext(ctx).Where("user_id = ?", userID).First(&f).Error
	return &f, translate(err, "second factor of user %d", userID)
}

// HasSecondFactor reports whether userID signs in with a code.
func (s *Store) HasSecondFactor(ctx context.Context, userID uint) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&SecondFactor{}).Where("user_id = ? AND confirmed_at IS NOT NULL", userID).Count(&n).Error
	return n > 0, translate(err, "second factor of user %d", userID)
}

// StartSecondFactor keeps sealed as actor's new authenticator, not yet
// confirmed, replacing an earlier unconfirmed one. The primary key makes
// it safe with several writers: a confirmed row is never deleted here, so
// the insert fails (ErrSecondFactorOn) instead of replacing it.
func (s *Store) StartSecondFactor(ctx context.Context, actor *User, sealed string) error {
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("user_id = ? AND confirmed_at IS NULL", actor.ID).Delete(&SecondFactor{}).Error; err != nil {
			return err
		}
		return tx.Create(&SecondFactor{UserID: actor.ID, Secret: sealed, CreatedAt: time.Now().UTC()}).Error
	})
	if errors.Is(translate(err, ""), ErrDuplicate) {
		return ErrSecondFactorOn
	}
	return translate(err, "start second factor of user %d", actor.ID)
}

// ConfirmSecondFactor turns actor's pending authenticator on, step being
// the time step of the code that confirmed it, with new recovery codes
// (their hashes), and records it. ErrNotFound when nothing is pending.
func (s *Store) ConfirmSecondFactor(ctx context.Context, actor *User, step int64, recoveryHashes []string) error {
	return s.transact(ctx, func(tx *gorm.DB) error {
		now := time.Now().UTC()
		res := tx.Model(&SecondFactor{}).Where("user_id = ? AND confirmed_at IS NULL", actor.ID).
			Updates(map[string]any{"confirmed_at": now, "last_step": step})
		if res.Error != nil {
			return translate(res.Error, "confirm second factor of user %d", actor.ID)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("store: no pending second factor for user %d: %w", actor.ID, ErrNotFound)
		}
		if err := tx.Where("user_id = ?", actor.ID).Delete(&recoveryCode{}).Error; err != nil {
			return translate(err, "clear recovery codes of user %d", actor.ID)
		}
		codes := make([]recoveryCode, len(recoveryHashes))
		for i, h := range recoveryHashes {
			codes[i] = recoveryCode{UserID: actor.ID, CodeHash: h}
		}
		if err := tx.Create(&codes).Error; err != nil {
			return translate(err, "store recovery codes of user %d", actor.ID)
		}
		return appendAudit(tx, ctx, auditBy(actor, Audit2FAEnabled, fmt.Sprintf("user:%d", actor.ID), fmt.Sprintf("%d recovery codes", len(codes))))
	})
}

// UseSecondFactorStep accepts a code of step for u: it moves the account's
// last used step forward, in one conditional update, so that of two
// requests with one code only one succeeds, on any instance.
// ErrCodeUsed when step is not later than the last.
func (s *Store) UseSecondFactorStep(ctx context.Context, u *User, step int64) error {
	res := s.db.WithContext(ctx).Model(&SecondFactor{}).
		Where("user_id = ? AND confirmed_at IS NOT NULL AND last_step < ?", u.ID, step).Update("last_step", step)
	if res.Error != nil {
		return translate(res.Error, "use second factor of user %d", u.ID)
	}
	if res.RowsAffected == 0 {
		return ErrCodeUsed
	}
	return nil
}

// UseRecoveryCode spends u's recovery code with hash hash and says how many
// are left. ErrCodeUsed when it is not one of u's unused codes.
func (s *Store) UseRecoveryCode(ctx context.Context, u *User, hash string) (left int, err error) {
	err = s.transact(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&recoveryCode{}).Where("user_id = ? AND code_hash = ? AND used_at IS NULL", u.ID, hash).
			Update("used_at", time.Now().UTC())
		if res.Error != nil {
			return translate(res.Error, "use recovery code of user %d", u.ID)
		}
		if res.RowsAffected == 0 {
			return ErrCodeUsed
		}
		var n int64
		if err := tx.Model(&recoveryCode{}).Where("user_id = ? AND used_at IS NULL", u.ID).Count(&n).Error; err != nil {
			return translate(err, "count recovery codes of user %d", u.ID)
		}
		left = int(n)
		return nil
	})
	return left, err
}

// RecoveryCodesLeft counts u's unused recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID uint) (int, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&recoveryCode{}).Where("user_id = ? AND used_at IS NULL", userID).Count(&n).Error
	return int(n), translate(err, "count recovery codes of user %d", userID)
}

// DisableSecondFactor turns actor's authenticator off once a code of step
// was shown, deleting the secret and the recovery codes, and records it.
// The step is spent in the same statement that deletes the row, so a
// replayed code cannot turn it off (ErrCodeUsed).
func (s *Store) DisableSecondFactor(ctx context.Context, actor *User, step int64) error {
	return s.transact(ctx, func(tx *gorm.DB) error {
		res := tx.Where("user_id = ? AND confirmed_at IS NOT NULL AND last_step < ?", actor.ID, step).Delete(&SecondFactor{})
		if res.Error != nil {
			return translate(res.Error, "disable second factor of user %d", actor.ID)
		}
		if res.RowsAffected == 0 {
			return ErrCodeUsed
		}
		if err := tx.Where("user_id = ?", actor.ID).Delete(&recoveryCode{}).Error; err != nil {
			return translate(err, "delete recovery codes of user %d", actor.ID)
		}
		return appendAudit(tx, ctx, auditBy(actor, Audit2FADisabled, fmt.Sprintf("user:%d", actor.ID), ""))
	})
}

// RecordSecondFactor records a code shown at sign-in (or to turn two-factor
// sign-in off): accepted or refused, with how (an app's code or a recovery
// code, and how many of those are left).
func (s *Store) RecordSecondFactor(ctx context.Context, u *User, accepted bool, detail string) error {
	action := Audit2FAPassed
	if !accepted {
		action = Audit2FAFailed
	}
	ev := auditBy(u, action, fmt.Sprintf("user:%d", u.ID), auditDetail(detail, auditUserAgent(ctx)))
	return s.transact(ctx, func(tx *gorm.DB) error { return appendAudit(tx, ctx, ev) })
}

// PasswordMatches reports whether password is the active account userID's.
func (s *Store) PasswordMatches(ctx context.Context, userID uint, password string) (bool, error) {
	var u User
	err := s.db.WithContext(ctx).Where("id = ? AND disabled_at IS NULL", userID).First(&u).Error
	if err != nil {
		return false, translate(err, "user %d", userID)
	}
	return auth.CheckPassword(u.PasswordHash, password), nil
}

// CreateLoginChallenge records that u's password was right and a code is
// awaited until expires, and returns the token the browser holds for it
// (only its hash is kept). Expired challenges are pruned on the way.
func (s *Store) CreateLoginChallenge(ctx context.Context, u *User, expires time.Time) (string, error) {
	token, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	now := time.Now().UTC()
	err = s.transact(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("expires_at < ?", now).Delete(&loginChallenge{}).Error; err != nil {
			return err
		}
		return tx.Create(&loginChallenge{TokenHash: auth.HashToken(token), UserID: u.ID, CreatedAt: now, ExpiresAt: expires.UTC()}).Error
	})
	return token, translate(err, "create login challenge")
}

// LoginChallengeUser is the active account a live challenge token was made
// for; ErrNotFound when it is unknown, expired or its account disabled.
func (s *Store) LoginChallengeUser(ctx context.Context, token string, now time.Time) (*User, error) {
	var ch loginChallenge
	db := s.db.WithContext(ctx)
	if err := db.Where("token_hash = ? AND expires_at > ?", auth.HashToken(token), now.UTC()).First(&ch).Error; err != nil {
		return nil, translate(err, "login challenge")
	}
	var u User
	err := db.Preload("Firm").Where("id = ? AND disabled_at IS NULL", ch.UserID).First(&u).Error
	return &u, translate(err, "user of login challenge")
}

// EndLoginChallenge deletes a challenge: its sign-in finished.
func (s *Store) EndLoginChallenge(ctx context.Context, token string) error {
	err := s.db.WithContext(ctx).Where("token_hash = ?", auth.HashToken(token)).Delete(&loginChallenge{}).Error
	return translate(err, "end login challenge")
}

// AnySecondFactor is one confirmed authenticator, to check at start that
// the key opens what is stored; ErrNotFound when nobody has one.
func (s *Store) AnySecondFactor(ctx context.Context) (*SecondFactor, error) {
	var f SecondFactor
	err := s.db.WithContext(ctx).Where("confirmed_at IS NOT NULL").Order("user_id").First(&f).Error
	return &f, translate(err, "a second factor")
}
