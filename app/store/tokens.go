package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"selfcheck/app/auth"
)

// TokenPrefix starts every API token, so a leaked one is easy to recognise.
const TokenPrefix = "sc_"

// CreateToken makes a personal API token for user and returns it; only its
// hash is stored, so it is shown once.
func (s *Store) CreateToken(ctx context.Context, userID uint, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "token"
	}
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	raw, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	token := TokenPrefix + raw
	t := AccessToken{UserID: userID, Name: name, TokenHash: auth.HashToken(token), CreatedAt: time.Now().UTC()}
	err = s.transact(ctx, func(tx *gorm.DB) error {
		if err := tx.Omit(clause.Associations).Create(&t).Error; err != nil {
			return translate(err, "create token")
		}
		var u User
		if err := tx.First(&u, userID).Error; err != nil {
			return translate(err, "user %d", userID)
		}
		return appendAudit(tx, ctx, auditBy(&u, AuditTokenCreated, fmt.Sprintf("token:%d", t.ID), name))
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// Tokens lists a user's tokens, newest first.
func (s *Store) Tokens(ctx context.Context, userID uint) ([]AccessToken, error) {
	var out []AccessToken
	err := s.db.WithContext(ctx).Where("user_id = ?", userID).Order("id DESC").Find(&out).Error
	return out, translate(err, "tokens of user %d", userID)
}

// RevokeToken ends one of the user's tokens.
func (s *Store) RevokeToken(ctx context.Context, userID, tokenID uint) error {
	return s.transact(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&AccessToken{}).Where("id = ? AND user_id = ? AND revoked_at IS NULL", tokenID, userID).
			Update("revoked_at", time.Now().UTC())
		if res.Error != nil {
			return translate(res.Error, "revoke token %d", tokenID)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("store: token %d: %w", tokenID, ErrNotFound)
		}
		var t AccessToken
		if err := tx.First(&t, tokenID).Error; err != nil {
			return translate(err, "token %d", tokenID)
		}
		var u User
		if err := tx.First(&u, userID).Error; err != nil {
			return translate(err, "user %d", userID)
		}
		return appendAudit(tx, ctx, auditBy(&u, AuditTokenRevoked, fmt.Sprintf("token:%d", tokenID), t.Name))
	})
}

// TokenUser returns the active user a live token belongs to, or ErrNotFound.
func (s *Store) TokenUser(ctx context.Context, token string) (*User, error) {
	db := s.db.WithContext(ctx)
	var t AccessToken
	if err := db.Where("token_hash = ? AND revoked_at IS NULL", auth.HashToken(token)).First(&t).Error; err != nil {
		return nil, translate(err, "token")
	}
	var u User
	if err := db.Joins("Firm").Where("users.disabled_at IS NULL").First(&u, "users.id = ?", t.UserID).Error; err != nil {
		return nil, translate(err, "token user")
	}
	now := time.Now().UTC()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > auth.TouchEvery {
		if err := db.Model(&t).Update("last_used_at", now).Error; err != nil {
			return nil, translate(err, "touch token")
		}
	}
	return &u, nil
}
