package store

import (
	"fmt"
	"strings"
	"sync"

	"gorm.io/gorm"

	"selfcheck/app/checklist"
)

// frozen is what an assessment fixed when it started and never changes:
// the checklists it asks, each cut to its profile, in order, and the ids of
// their items. Callers must not change it: it is shared.
type frozen struct {
	lists []*checklist.Checklist
	items map[string]bool

	themeOnce sync.Once
	themeOf   map[string]int // item id → index in lists (progress.go)
}

// frozenCache keeps each assessment's frozen part. Assessments with the
// same checklist versions and profile share one entry, so an assessment
// costs the cache a map entry, not its own copy of 120 item ids; and the
// cache starts over past maxFrozen assessments or distinct entries, so a
// long-running server over a large campaign stays bounded. Every entry is
// derived from data that never changes, so it is never stale and every
// instance may keep its own. A nil cache keeps nothing.
type frozenCache struct {
	mu     sync.Mutex
	byID   map[uint]*frozen
	shared map[string]*frozen // by profile and snapshot names
}

// maxFrozen bounds both maps, so that the cache stays a few megabytes
// (docs/BENCHMARKS.md) however long the server runs.
const maxFrozen = 100_000

func (c *frozenCache) get(id uint) (*frozen, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.byID[id]
	return f, ok
}

// put records f for assessment id under key, or the equal entry already
// shared under key, and returns the one kept.
func (c *frozenCache) put(id uint, key string, f *frozen) *frozen {
	if c == nil {
		return f
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byID == nil || len(c.byID) >= maxFrozen || len(c.shared) >= maxFrozen {
		c.byID, c.shared = map[uint]*frozen{}, map[string]*frozen{}
	}
	if have, ok := c.shared[key]; ok {
		f = have
	} else {
		c.shared[key] = f
	}
	c.byID[id] = f
	return f
}

// frozenOf is assessment a's frozen part; a must carry ID and Profile.
func (s *Store) frozenOf(db *gorm.DB, a Assessment) (*frozen, error) {
	if f, ok := s.frozen.get(a.ID); ok {
		return f, nil
	}
	profile, err := decodeProfile(a.Profile)
	if err != nil {
		return nil, err
	}
	var themes []AssessmentTheme
	if err := db.Session(&gorm.Session{NewDB: true}).Select("snapshot_sha256").Where("assessment_id = ?", a.ID).Order("position").
		Find(&themes).Error; err != nil {
		return nil, translate(err, "themes of assessment %d", a.ID)
	}
	f := &frozen{items: map[string]bool{}}
	names := make([]string, len(themes))
	for i, t := range themes {
		whole, err := s.snapshot(db, t.SnapshotSHA256)
		if err != nil {
			return nil, fmt.Errorf("store: assessment %d: %w", a.ID, err)
		}
		kept, _ := s.snapshots.forProfile(t.SnapshotSHA256, a.Profile, whole, profile)
		f.lists = append(f.lists, kept)
		for _, it := range kept.Items() {
			f.items[it.ID] = true
		}
		names[i] = t.SnapshotSHA256
	}
	return s.frozen.put(a.ID, a.Profile+"|"+strings.Join(names, ","), f), nil
}
