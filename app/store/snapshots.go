package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"selfcheck/app/checklist"
)

// ChecklistSnapshot is a checklist version as frozen into assessments: its
// JSON, stored once and named by its SHA-256, however many assessments use
// it. A campaign's snapshots are large (every text of every item); kept
// per assessment they would be most of the database.
type ChecklistSnapshot struct {
	SHA256      string `gorm:"primaryKey"`
	ChecklistID string
	Version     string
	Data        []byte
	CreatedAt   time.Time
}

// snapshotCache holds parsed snapshots by SHA-256. A snapshot never changes
// once stored (its name is its content), so an entry can never be stale and
// every instance may keep its own copy.
type snapshotCache struct {
	m        sync.Map // sha256 -> *checklist.Checklist
	profiled sync.Map // profiledKey -> profiled: a snapshot cut to a profile, as immutable
}

type profiledKey struct{ sha256, profile string }

type profiled struct {
	kept *checklist.Checklist
	left []checklist.Item
}

// forProfile is whole.ForProfile(profile), whole being the snapshot named
// name and profileKey profile's stored encoding, computed once for each
// pair. Callers must not change what it returns: it is shared.
func (c *snapshotCache) forProfile(name, profileKey string, whole *checklist.Checklist, profile checklist.Profile) (*checklist.Checklist, []checklist.Item) {
	k := profiledKey{name, profileKey}
	if v, ok := c.profiled.Load(k); ok {
		p := v.(profiled)
		return p.kept, p.left
	}
	kept, left := whole.ForProfile(profile)
	c.profiled.Store(k, profiled{kept, left})
	return kept, left
}

// saveSnapshot stores cl's snapshot unless it is there already and returns
// its name.
func saveSnapshot(tx *gorm.DB, cl *checklist.Checklist) (string, error) {
	data, err := cl.Snapshot()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	name := hex.EncodeToString(sum[:])
	row := ChecklistSnapshot{SHA256: name, ChecklistID: cl.ID, Version: cl.Version, Data: data, CreatedAt: time.Now().UTC()}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return "", translate(err, "store snapshot of %s %s", cl.ID, cl.Version)
	}
	return name, nil
}

// snapshot returns the parsed checklist stored under name. Callers must not
// change it: it is shared.
func (s *Store) snapshot(db *gorm.DB, name string) (*checklist.Checklist, error) {
	if cl, ok := s.snapshots.m.Load(name); ok {
		return cl.(*checklist.Checklist), nil
	}
	var row ChecklistSnapshot
	if err := db.Session(&gorm.Session{NewDB: true}).First(&row, "sha256 = ?", name).Error; err != nil {
		return nil, translate(err, "snapshot %s", name)
	}
	cl, err := checklist.FromSnapshot(row.Data)
	if err != nil {
		return nil, fmt.Errorf("store: snapshot %s of %s: %w", name, row.ChecklistID, err)
	}
	s.snapshots.m.Store(name, cl)
	return cl, nil
}
