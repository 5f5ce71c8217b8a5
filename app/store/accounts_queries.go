package store

import (
	"context"
	"fmt"

	"selfcheck/app/auth"
	"selfcheck/app/people"
)

// ValidEmail reports whether CreateUser accepts email as an address: the
// rule is people.ValidEmail, which forms and the API check before asking
// the store.
func ValidEmail(email string) bool { return people.ValidEmail(email) }

// FirmMemberCounts counts the active accounts of every firm, by firm id.
// Only admins may.
func (s *Store) FirmMemberCounts(ctx context.Context, actor *User) (map[uint]int, error) {
	if actor.Role != auth.Admin {
		return nil, fmt.Errorf("store: firm member counts: %w", ErrNotFound)
	}
	var rows []struct {
		FirmID uint
		N      int
	}
	err := s.db.WithContext(ctx).Model(&User{}).Select("firm_id, COUNT(*) AS n").
		Where("firm_id IS NOT NULL AND disabled_at IS NULL").Group("firm_id").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "count firm members")
	}
	out := make(map[uint]int, len(rows))
	for _, r := range rows {
		out[r.FirmID] = r.N
	}
	return out, nil
}
