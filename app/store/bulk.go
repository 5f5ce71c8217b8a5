package store

// The hooks in this file exist for seeding synthetic data: the load seeder
// (app/store/loadseed), which benchmarks and tests use. Production code
// never calls them; they give the seeder the very functions a submit uses,
// so that what it stores cannot drift from what the application stores.

import (
	"context"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
)

// BulkLoad runs fn on one connection the dialect tunes for loading
// synthetic data, trading durability for speed (Dialect.BulkLoad). For
// seeding and tests only; never for real data.
func (s *Store) BulkLoad(ctx context.Context, fn func(db *gorm.DB) error) error {
	return s.dialect.BulkLoad(ctx, s.db, fn)
}

// BulkTx is a transaction of the load seeder. For seeding and tests only.
type BulkTx struct{ tx *gorm.DB }

// NewBulkTx wraps tx, a transaction begun on the connection BulkLoad gives.
func NewBulkTx(tx *gorm.DB) BulkTx { return BulkTx{tx} }

// SaveSnapshot stores cl's snapshot unless it is there already and returns its name.
func (b BulkTx) SaveSnapshot(cl *checklist.Checklist) (string, error) { return saveSnapshot(b.tx, cl) }

// WriteResults stores the results of sh as a submit does.
func (b BulkTx) WriteResults(sh *assessment.Sheet, campaignID *uint, now time.Time) error {
	return writeResults(b.tx, sh, campaignID, now)
}

// RebuildRollups recomputes a campaign's rollups from the raw rows.
func (b BulkTx) RebuildRollups(campaignID uint) error { return rebuildRollups(b.tx, campaignID) }

// IndexFirmNames indexes the names of firms created without hooks.
func (b BulkTx) IndexFirmNames(firms []Firm) error { return indexFirmNames(b.tx, firms) }
