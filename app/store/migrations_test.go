package store

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"

	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/testdb"
)

// A database from before migration 8 keeps a snapshot per assessment theme;
// migrating stores each distinct snapshot once and the sheets still load.
func TestMigrationMovesSnapshots(t *testing.T) {
	ctx := context.Background()
	target := testdb.URL(t, "old.db")
	d := DialectOf(target)
	db, err := d.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{db: db, dialect: d, log: slog.New(slog.NewTextHandler(io.Discard, nil)), blobs: dbBlobs{db}, snapshots: &snapshotCache{}}
	t.Cleanup(func() { s.Close() })
	if err := s.migrate(ctx, 7); err != nil {
		t.Fatal(err)
	}
	firm, err := s.CreateFirm(ctx, "旧数据公司", firmCode(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, NewUser{Email: "old@firm.cn", Name: "旧", Password: "password1", Role: auth.FirmMember, FirmID: &firm.ID})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := testChecklist().Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint
	for i := 0; i < 3; i++ {
		res := db.Exec("INSERT INTO assessments (firm_id, state, profile, created_by_id, created_at, updated_at) VALUES (?, 'draft', '[]', ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", firm.ID, u.ID)
		if res.Error != nil {
			t.Fatal(res.Error)
		}
		var id uint
		db.Raw("SELECT MAX(id) FROM assessments").Scan(&id)
		ids = append(ids, id)
		if err := db.Exec("INSERT INTO assessment_themes (assessment_id, position, checklist_id, version, snapshot) VALUES (?, 0, 't', '1', ?)", id, snap).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var n int64
	db.Model(&ChecklistSnapshot{}).Count(&n)
	if n != 1 {
		t.Errorf("%d snapshots stored, want 1", n)
	}
	if db.Migrator().HasColumn("assessment_themes", "snapshot") {
		t.Error("assessment_themes still has the snapshot column")
	}
	for _, id := range ids {
		sh, err := s.Sheet(ctx, u, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(sh.Checklists) != 1 || len(sh.Checklists[0].Items()) != 2 || sh.Checklists[0].Items()[1].Severity != checklist.Critical {
			t.Errorf("assessment %d after migration: %+v", id, sh.Checklists)
		}
	}
	// New assessments share the stored snapshot.
	if _, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{testChecklist()}, nil, nil); err != nil {
		t.Fatal(err)
	}
	db.Model(&ChecklistSnapshot{}).Count(&n)
	if n != 1 {
		t.Errorf("after a new assessment, %d snapshots stored, want 1", n)
	}
}

// TestMigrateOnceFromManyInstances: several instances started at once on
// an empty database all come up, and each migration is applied once.
func TestMigrateOnceFromManyInstances(t *testing.T) {
	url := testdb.URL(t, "many.db")
	const instances = 4
	errs := make([]error, instances)
	stores := make([]*Store, instances)
	first := 0
	if testdb.IsSQLite(url) {
		// A SQLite file has one server; a second process (a command) may
		// open it once it exists. Turning a new file to WAL needs it alone.
		stores[0], errs[0] = Open(context.Background(), url, nil)
		first = 1
	}
	var wg sync.WaitGroup
	for i := first; i < instances; i++ {
		wg.Go(func() { stores[i], errs[i] = Open(context.Background(), url, nil) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	var rows []struct {
		Version int
		N       int
	}
	if err := stores[0].db.Raw("SELECT version, COUNT(*) AS n FROM schema_migrations GROUP BY version ORDER BY version").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(migrations) {
		t.Fatalf("%d migrations recorded, want %d", len(rows), len(migrations))
	}
	for _, r := range rows {
		if r.N != 1 {
			t.Errorf("migration %d applied %d times", r.Version, r.N)
		}
	}
}
