package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// serverKey is a secret every instance on the database shares, made once.
type serverKey struct {
	Name      string `gorm:"primaryKey"`
	Secret    []byte `gorm:"not null"`
	CreatedAt time.Time
}

// ServerKey is the secret named name, made on first use. Instances starting
// at once each offer a random key and keep none but the one stored: the
// insert does nothing when the row exists (the primary key decides, on
// either engine), and every instance then reads the same row.
func (s *Store) ServerKey(ctx context.Context, name string) ([]byte, error) {
	// Read first: once made, a key is only read (no write at every start,
	// and a database that turned read-only still serves what it holds).
	var found []serverKey
	if err := s.db.WithContext(ctx).Where("name = ?", name).Limit(1).Find(&found).Error; err != nil {
		return nil, translate(err, "read server key %s", name)
	}
	if len(found) == 1 {
		return found[0].Secret, nil
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("store: random key: %w", err)
	}
	err := s.transact(ctx, func(tx *gorm.DB) error {
		return tx.Clauses(clause.OnConflict{DoNothing: true}).
			Create(&serverKey{Name: name, Secret: secret, CreatedAt: time.Now().UTC()}).Error
	})
	if err != nil {
		return nil, translate(err, "create server key %s", name)
	}
	var k serverKey
	if err := s.db.WithContext(ctx).Where("name = ?", name).First(&k).Error; err != nil {
		return nil, translate(err, "read server key %s", name)
	}
	return k.Secret, nil
}
