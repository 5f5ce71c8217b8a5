package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// migration is one versioned schema change, applied in its own transaction.
type migration struct {
	version int
	name    string
	up      func(tx *gorm.DB) error
}

// migrations is the ordered schema history. Never edit an applied entry:
// add a new one.
var migrations = []migration{
	{1, "firms, users, sessions, assessments, answers", migrateV1},
	{2, "firm profiles, frozen into assessments", migrateV2},
	{3, "checklists uploaded by admins", migrateV3},
	{4, "campaigns, versions, plans, evidence, history, tokens, firm admins", migrateV4},
	{5, "one assessment per firm and campaign", migrateV5},
	{6, "auditors' verdicts on items", migrateV6},
	{7, "stored results for the review queue and dashboards; the audit log", migrateV7},
	{8, "checklist snapshots stored once, by SHA-256", migrateV8},
	{9, "issued reports, for verification", migrateV9},
	{10, "login throttling", migrateV10},
	{11, "campaign rollups for the dashboard; queue indexes", migrateV11},
	{12, "firm name trigrams for the queue's firm search", migrateV12},
	{13, "the outbox of events, its subscribers' cursors, the activity feed", migrateV13},
	{14, "on PostgreSQL, a pg_trgm index of firm names for the review queue's search", migrateV14},
	{15, "leases: which instance delivers each outbox subscriber", migrateV15},
	{16, "two-factor sign-in: authenticator secrets, recovery codes, sign-ins awaiting a code", migrateV16},
	{17, "login throttling by account and address; the server's keys", migrateV17},
	{18, "a scratch row the readiness check writes", migrateV18},
	{19, "who answers which theme or item; comment threads on items", migrateV19},
	{20, "notifications: in-app notices and deliveries per channel", migrateV20},
	{21, "rectification to closure: plan progress log, completion and verification, plan evidence", migrateV21},
	{22, "evidence valid until a date (licences, filings, audit reports)", migrateV22},
	{23, "the next cycle: follow-up campaigns, answers and plans carried over", migrateV23},
	{24, "notification preferences, webhooks, the scheduler's marks, reminder days per campaign", migrateV24},
	{25, "the rectification panel as running totals: gaps' plan status, firms' next due date", migrateV25},
}

type schemaMigration struct {
	Version   int `gorm:"primaryKey;autoIncrement:false"`
	Name      string
	AppliedAt time.Time
}

// Migrate applies the migrations the database has not seen yet.
func (s *Store) Migrate(ctx context.Context) error {
	return s.migrate(ctx, migrations[len(migrations)-1].version)
}

// migrate applies the migrations up to version upTo; tests stop early to
// build a database as an older release left it.
func (s *Store) migrate(ctx context.Context, upTo int) error {
	return s.dialect.Migrating(ctx, s.db, func(db *gorm.DB) error { return s.migrateLocked(db, upTo) })
}

// migrateLocked applies the migrations not applied yet. Each runs in its
// own transaction that first looks whether another instance applied it
// meanwhile: on SQLite the transaction holds the write lock from its first
// statement, on PostgreSQL the dialect holds the migration lock, so two
// instances starting at once never both apply one.
func (s *Store) migrateLocked(db *gorm.DB, upTo int) error {
	err := db.Transaction(func(tx *gorm.DB) error {
		if tx.Migrator().HasTable(&schemaMigration{}) {
			return nil
		}
		return tx.Migrator().CreateTable(&schemaMigration{})
	})
	if err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	for _, m := range migrations {
		if m.version > upTo {
			continue
		}
		applied := false
		err := db.Transaction(func(tx *gorm.DB) error {
			var n int64
			if err := tx.Model(&schemaMigration{}).Where("version = ?", m.version).Count(&n).Error; err != nil {
				return err
			}
			if applied = n > 0; applied {
				return nil
			}
			if err := m.up(tx); err != nil {
				return err
			}
			return tx.Create(&schemaMigration{Version: m.version, Name: m.name, AppliedAt: time.Now().UTC()}).Error
		})
		if err != nil {
			return fmt.Errorf("store: migration %d (%s): %w", m.version, m.name, err)
		}
		if !applied {
			s.log.Info("applied migration", "version", m.version, "name", m.name)
		}
	}
	return nil
}

// migrateV1 creates the first schema. Its structs are frozen copies of the
// models as they stood at version 1: when a model gains a field, a later
// migration adds the column, and this one keeps creating what v1 had.
func migrateV1(tx *gorm.DB) error {
	type firm struct {
		ID         uint   `gorm:"primaryKey"`
		Name       string `gorm:"not null"`
		CreditCode string `gorm:"not null;uniqueIndex"`
		CreatedAt  time.Time
	}
	type user struct {
		ID           uint   `gorm:"primaryKey"`
		Email        string `gorm:"not null;uniqueIndex"`
		Name         string `gorm:"not null"`
		PasswordHash string `gorm:"not null"`
		Role         string `gorm:"not null"`
		FirmID       *uint  `gorm:"index"`
		Firm         *firm  `gorm:"constraint:OnDelete:RESTRICT"`
		CreatedAt    time.Time
	}
	type session struct {
		ID         uint   `gorm:"primaryKey"`
		TokenHash  string `gorm:"not null;uniqueIndex"`
		UserID     uint   `gorm:"not null;index"`
		User       user   `gorm:"constraint:OnDelete:CASCADE"`
		CreatedAt  time.Time
		LastSeenAt time.Time
		ExpiresAt  time.Time `gorm:"index"`
	}
	type assessment struct {
		ID            uint   `gorm:"primaryKey"`
		FirmID        uint   `gorm:"not null;index"`
		Firm          firm   `gorm:"constraint:OnDelete:RESTRICT"`
		State         string `gorm:"not null"`
		CreatedByID   uint   `gorm:"not null"`
		CreatedBy     user   `gorm:"constraint:OnDelete:RESTRICT"`
		CreatedAt     time.Time
		UpdatedAt     time.Time
		SubmittedAt   *time.Time
		SubmittedByID *uint
		SubmittedBy   *user `gorm:"constraint:OnDelete:RESTRICT"`
	}
	type assessmentTheme struct {
		ID           uint       `gorm:"primaryKey"`
		AssessmentID uint       `gorm:"not null;uniqueIndex:idx_theme_per_assessment"`
		Assessment   assessment `gorm:"constraint:OnDelete:CASCADE"`
		Position     int        `gorm:"not null"`
		ChecklistID  string     `gorm:"not null;uniqueIndex:idx_theme_per_assessment"`
		Version      string     `gorm:"not null"`
		Snapshot     []byte     `gorm:"not null"`
	}
	type answer struct {
		ID           uint       `gorm:"primaryKey"`
		AssessmentID uint       `gorm:"not null;uniqueIndex:idx_answer_per_item"`
		Assessment   assessment `gorm:"constraint:OnDelete:CASCADE"`
		ItemID       string     `gorm:"not null;uniqueIndex:idx_answer_per_item"`
		Value        string     `gorm:"not null"`
		Note         string     `gorm:"not null"`
		UpdatedByID  uint       `gorm:"not null"`
		UpdatedBy    user       `gorm:"constraint:OnDelete:RESTRICT"`
		UpdatedAt    time.Time
	}
	return tx.Migrator().CreateTable(&firm{}, &user{}, &session{}, &assessment{}, &assessmentTheme{}, &answer{})
}

// migrateV2 adds the firm's profile (the tags of what it runs, JSON) and the
// copy of it an assessment freezes when it starts.
func migrateV2(tx *gorm.DB) error {
	type firm struct {
		Profile string `gorm:"not null;default:'[]'"`
	}
	type assessment struct {
		Profile string `gorm:"not null;default:'[]'"`
	}
	m := tx.Migrator()
	if err := m.AddColumn(&firm{}, "Profile"); err != nil {
		return err
	}
	return m.AddColumn(&assessment{}, "Profile")
}

// migrateV3 keeps checklist files that admins upload, so every instance
// offers the same catalog without a rebuild.
func migrateV3(tx *gorm.DB) error {
	type user struct {
		ID uint `gorm:"primaryKey"`
	}
	type customChecklist struct {
		ID           uint   `gorm:"primaryKey"`
		ChecklistID  string `gorm:"not null;uniqueIndex"`
		FileName     string `gorm:"not null"`
		Version      string `gorm:"not null"`
		Content      []byte `gorm:"not null"`
		UploadedByID uint   `gorm:"not null"`
		UploadedBy   user   `gorm:"constraint:OnDelete:RESTRICT"`
		UploadedAt   time.Time
	}
	return tx.Migrator().CreateTable(&customChecklist{})
}

// migrateV4 adds what a team needs for a real self-examination: campaigns
// with their firms and auditors, answer versions for conflict detection,
// rectification plans, evidence files (content stored once per SHA-256),
// the workflow's transitions, the change history, API tokens, and
// deactivated users.
func migrateV4(tx *gorm.DB) error {
	type firm struct {
		ID uint `gorm:"primaryKey"`
	}
	type user struct {
		ID         uint `gorm:"primaryKey"`
		DisabledAt *time.Time
	}
	type campaign struct {
		ID          uint   `gorm:"primaryKey"`
		NameZH      string `gorm:"not null"`
		NameEN      string `gorm:"not null"`
		Themes      string `gorm:"not null"` // JSON list of checklist ids
		StartsOn    string `gorm:"not null"` // YYYY-MM-DD
		Deadline    string `gorm:"not null"` // YYYY-MM-DD
		CreatedByID uint   `gorm:"not null"`
		CreatedBy   user   `gorm:"constraint:OnDelete:RESTRICT"`
		CreatedAt   time.Time
	}
	type campaignFirm struct {
		CampaignID uint     `gorm:"primaryKey;autoIncrement:false"`
		Campaign   campaign `gorm:"constraint:OnDelete:CASCADE"`
		FirmID     uint     `gorm:"primaryKey;autoIncrement:false;index"`
		Firm       firm     `gorm:"constraint:OnDelete:CASCADE"`
	}
	type campaignAuditor struct {
		CampaignID uint     `gorm:"primaryKey;autoIncrement:false"`
		Campaign   campaign `gorm:"constraint:OnDelete:CASCADE"`
		UserID     uint     `gorm:"primaryKey;autoIncrement:false;index"`
		User       user     `gorm:"constraint:OnDelete:CASCADE"`
	}
	type assessment struct {
		ID         uint      `gorm:"primaryKey"`
		CampaignID *uint     `gorm:"index"`
		Campaign   *campaign `gorm:"constraint:OnDelete:RESTRICT"`
	}
	type answer struct {
		Version int `gorm:"not null;default:0"`
	}
	type plan struct {
		ID           uint       `gorm:"primaryKey"`
		AssessmentID uint       `gorm:"not null;uniqueIndex:idx_plan_per_item"`
		Assessment   assessment `gorm:"constraint:OnDelete:CASCADE"`
		ItemID       string     `gorm:"not null;uniqueIndex:idx_plan_per_item"`
		Measure      string     `gorm:"not null"`
		Owner        string     `gorm:"not null"`
		Due          string     `gorm:"not null;index"` // YYYY-MM-DD
		Status       string     `gorm:"not null"`
		Version      int        `gorm:"not null"`
		UpdatedByID  uint       `gorm:"not null"`
		UpdatedBy    user       `gorm:"constraint:OnDelete:RESTRICT"`
		UpdatedAt    time.Time
	}
	type blob struct {
		SHA256    string `gorm:"primaryKey;size:64"`
		Size      int64  `gorm:"not null"`
		Data      []byte `gorm:"not null"`
		CreatedAt time.Time
	}
	type evidence struct {
		ID           uint       `gorm:"primaryKey"`
		AssessmentID uint       `gorm:"not null;index:idx_evidence_item"`
		Assessment   assessment `gorm:"constraint:OnDelete:CASCADE"`
		ItemID       string     `gorm:"not null;index:idx_evidence_item"`
		BlobSHA256   string     `gorm:"not null;size:64;index"`
		Blob         blob       `gorm:"foreignKey:BlobSHA256;references:SHA256;constraint:OnDelete:RESTRICT"`
		FileName     string     `gorm:"not null"`
		Kind         string     `gorm:"not null"`
		Size         int64      `gorm:"not null"`
		UploadedByID uint       `gorm:"not null"`
		UploadedBy   user       `gorm:"constraint:OnDelete:RESTRICT"`
		UploadedAt   time.Time
		DeletedAt    *time.Time
	}
	type transition struct {
		ID           uint       `gorm:"primaryKey"`
		AssessmentID uint       `gorm:"not null;index"`
		Assessment   assessment `gorm:"constraint:OnDelete:CASCADE"`
		FromState    string     `gorm:"not null"`
		ToState      string     `gorm:"not null"`
		UserID       uint       `gorm:"not null"`
		User         user       `gorm:"constraint:OnDelete:RESTRICT"`
		Comment      string     `gorm:"not null"`
		At           time.Time  `gorm:"not null"`
	}
	type change struct {
		ID           uint       `gorm:"primaryKey"`
		AssessmentID uint       `gorm:"not null;index"`
		Assessment   assessment `gorm:"constraint:OnDelete:CASCADE"`
		ItemID       string     `gorm:"not null"`
		Field        string     `gorm:"not null"`
		OldValue     string     `gorm:"not null"`
		NewValue     string     `gorm:"not null"`
		UserID       uint       `gorm:"not null"`
		User         user       `gorm:"constraint:OnDelete:RESTRICT"`
		At           time.Time  `gorm:"not null"`
	}
	type accessToken struct {
		ID         uint   `gorm:"primaryKey"`
		UserID     uint   `gorm:"not null;index"`
		User       user   `gorm:"constraint:OnDelete:CASCADE"`
		Name       string `gorm:"not null"`
		TokenHash  string `gorm:"not null;uniqueIndex"`
		CreatedAt  time.Time
		LastUsedAt *time.Time
		RevokedAt  *time.Time
	}
	m := tx.Migrator()
	if err := m.AddColumn(&user{}, "DisabledAt"); err != nil {
		return err
	}
	if err := m.CreateTable(&campaign{}, &campaignFirm{}, &campaignAuditor{}); err != nil {
		return err
	}
	if err := m.AddColumn(&assessment{}, "CampaignID"); err != nil {
		return err
	}
	if err := m.CreateIndex(&assessment{}, "CampaignID"); err != nil {
		return err
	}
	if err := m.AddColumn(&answer{}, "Version"); err != nil {
		return err
	}
	return m.CreateTable(&plan{}, &blob{}, &evidence{}, &transition{}, &change{}, &accessToken{})
}

// migrateV5 makes "a firm starts a campaign once" hold in the database, not
// only in a check that two concurrent starts could both pass on PostgreSQL.
// Assessments outside campaigns have a NULL campaign_id, which a unique index
// lets repeat in SQLite and PostgreSQL alike.
func migrateV5(tx *gorm.DB) error {
	type assessment struct {
		CampaignID *uint `gorm:"uniqueIndex:idx_assessment_campaign_firm"`
		FirmID     uint  `gorm:"uniqueIndex:idx_assessment_campaign_firm"`
	}
	return tx.Migrator().CreateIndex(&assessment{}, "idx_assessment_campaign_firm")
}

// migrateV6 keeps each review round's verdict and comment per item.
func migrateV6(tx *gorm.DB) error {
	type assessment struct {
		ID uint `gorm:"primaryKey"`
	}
	type user struct {
		ID uint `gorm:"primaryKey"`
	}
	type itemReview struct {
		ID           uint       `gorm:"primaryKey"`
		AssessmentID uint       `gorm:"not null;index:idx_item_review"`
		Assessment   assessment `gorm:"constraint:OnDelete:CASCADE"`
		TransitionID uint       `gorm:"not null;index"`
		ItemID       string     `gorm:"not null;index:idx_item_review"`
		Verdict      string     `gorm:"not null"`
		Comment      string     `gorm:"not null"`
		ReviewerID   uint       `gorm:"not null"`
		Reviewer     user       `gorm:"constraint:OnDelete:RESTRICT"`
		At           time.Time  `gorm:"not null"`
	}
	return tx.Migrator().CreateTable(&itemReview{})
}

// migrateV7 stores each assessment's results as last submitted (score, grade,
// gaps; per theme; per gap item) so the review queue and the campaign
// dashboards read indexed rows instead of scoring every sheet, and adds the
// hash-chained audit log with its head row.
func migrateV7(tx *gorm.DB) error {
	type assessment struct {
		ID           uint     `gorm:"primaryKey"`
		Score        *float64 `gorm:"index:idx_assessment_campaign_score,priority:2"`
		Grade        string   `gorm:"not null;default:''"`
		CriticalGaps int      `gorm:"not null;default:0"`
		Gaps         int      `gorm:"not null;default:0"`
		ResultsAt    *time.Time
		CampaignID   *uint      `gorm:"index:idx_assessment_campaign_score,priority:1;index:idx_assessment_queue,priority:2"`
		State        string     `gorm:"index:idx_assessment_queue,priority:1"`
		SubmittedAt  *time.Time `gorm:"index:idx_assessment_queue,priority:3"`
	}
	m := tx.Migrator()
	for _, col := range []string{"Score", "Grade", "CriticalGaps", "Gaps", "ResultsAt"} {
		if err := m.AddColumn(&assessment{}, col); err != nil {
			return err
		}
	}
	for _, idx := range []string{"idx_assessment_campaign_score", "idx_assessment_queue"} {
		if err := m.CreateIndex(&assessment{}, idx); err != nil {
			return err
		}
	}
	type assessmentScore struct {
		AssessmentID uint       `gorm:"primaryKey;autoIncrement:false"`
		Assessment   assessment `gorm:"constraint:OnDelete:CASCADE"`
		ChecklistID  string     `gorm:"primaryKey;index:idx_score_campaign_theme,priority:2"`
		CampaignID   *uint      `gorm:"index:idx_score_campaign_theme,priority:1"`
		Position     int        `gorm:"not null"`
		Score        *float64   `gorm:"index:idx_score_campaign_theme,priority:3"`
		Gaps         int        `gorm:"not null"`
		Items        int        `gorm:"not null"`
	}
	type assessmentGap struct {
		AssessmentID uint       `gorm:"primaryKey;autoIncrement:false"`
		Assessment   assessment `gorm:"constraint:OnDelete:CASCADE"`
		ItemID       string     `gorm:"primaryKey;index:idx_gap_campaign_answer,priority:3"`
		CampaignID   *uint      `gorm:"index:idx_gap_campaign_answer,priority:1;index:idx_gap_campaign_due,priority:1"`
		ChecklistID  string     `gorm:"not null"`
		Severity     string     `gorm:"not null"`
		Answer       string     `gorm:"not null;index:idx_gap_campaign_answer,priority:2"`
		PlanDue      string     `gorm:"not null;index:idx_gap_campaign_due,priority:3"`
		PlanDone     bool       `gorm:"not null;index:idx_gap_campaign_due,priority:2"`
	}
	type auditEvent struct {
		ID       uint      `gorm:"primaryKey"`
		Seq      int64     `gorm:"not null;uniqueIndex"`
		At       time.Time `gorm:"not null;index"`
		ActorID  *uint     `gorm:"index"`
		Actor    string    `gorm:"not null"`
		Role     string    `gorm:"not null"`
		FirmID   *uint     `gorm:"index"`
		Action   string    `gorm:"not null;index"`
		Object   string    `gorm:"not null"`
		Detail   string    `gorm:"not null"`
		IP       string    `gorm:"not null"`
		PrevHash string    `gorm:"not null"`
		Hash     string    `gorm:"not null"`
	}
	// auditHead is one row: the last entry's sequence number and hash. Every
	// append updates it first, which serialises appends (the row lock in
	// PostgreSQL, the write lock in SQLite) and lets verification notice a
	// removed tail.
	type auditHead struct {
		ID   uint   `gorm:"primaryKey;autoIncrement:false"`
		Seq  int64  `gorm:"not null"`
		Hash string `gorm:"not null"`
	}
	if err := m.CreateTable(&assessmentScore{}, &assessmentGap{}, &auditEvent{}, &auditHead{}); err != nil {
		return err
	}
	return tx.Create(&auditHead{ID: 1, Seq: 0, Hash: ""}).Error
}

// migrateV8 moves the checklist snapshots out of assessment_themes into
// checklist_snapshots, one row per distinct content, and drops the copies;
// and indexes assessments by (campaign, state, grade) for the dashboards'
// counts.
func migrateV8(tx *gorm.DB) error {
	type checklistSnapshot struct {
		SHA256      string    `gorm:"primaryKey"`
		ChecklistID string    `gorm:"not null"`
		Version     string    `gorm:"not null"`
		Data        []byte    `gorm:"not null"`
		CreatedAt   time.Time `gorm:"not null"`
	}
	type assessmentTheme struct {
		ID             uint   `gorm:"primaryKey"`
		SnapshotSHA256 string `gorm:"not null;default:'';index"`
	}
	m := tx.Migrator()
	if err := m.CreateTable(&checklistSnapshot{}); err != nil {
		return err
	}
	if err := m.AddColumn(&assessmentTheme{}, "SnapshotSHA256"); err != nil {
		return err
	}
	if err := m.CreateIndex(&assessmentTheme{}, "SnapshotSHA256"); err != nil {
		return err
	}
	type oldTheme struct {
		ID          uint
		ChecklistID string
		Version     string
		Snapshot    []byte
	}
	for last := uint(0); ; {
		var rows []oldTheme
		if err := tx.Table("assessment_themes").Select("id", "checklist_id", "version", "snapshot").
			Where("id > ?", last).Order("id").Limit(200).Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			break
		}
		for _, r := range rows {
			sum := sha256.Sum256(r.Snapshot)
			name := hex.EncodeToString(sum[:])
			snap := checklistSnapshot{SHA256: name, ChecklistID: r.ChecklistID, Version: r.Version, Data: r.Snapshot, CreatedAt: time.Now().UTC()}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&snap).Error; err != nil {
				return err
			}
			if err := tx.Table("assessment_themes").Where("id = ?", r.ID).Update("snapshot_sha256", name).Error; err != nil {
				return err
			}
			last = r.ID
		}
	}
	// Standard SQL, run by SQLite (3.35 and later) and PostgreSQL alike.
	if err := tx.Exec("ALTER TABLE assessment_themes DROP COLUMN snapshot").Error; err != nil {
		return err
	}
	type assessment struct {
		CampaignID *uint  `gorm:"index:idx_assessment_campaign_state,priority:1"`
		State      string `gorm:"index:idx_assessment_campaign_state,priority:2"`
		Grade      string `gorm:"index:idx_assessment_campaign_state,priority:3"`
	}
	return m.CreateIndex(&assessment{}, "idx_assessment_campaign_state")
}

// migrateV9 records every report issued (a PDF generated), so that anyone
// holding one can check it at /verify/{code}: what it showed when it was
// generated, the SHA-256 of the file as served, and whether a later report
// of the same assessment says something else.
func migrateV9(tx *gorm.DB) error {
	type user struct {
		ID uint `gorm:"primaryKey"`
	}
	type assessment struct {
		ID uint `gorm:"primaryKey"`
	}
	type issuedReport struct {
		Code         string     `gorm:"primaryKey"`
		AssessmentID uint       `gorm:"not null;index:idx_issued_report_assessment,priority:1"`
		Assessment   assessment `gorm:"constraint:OnDelete:RESTRICT"`
		FirmName     string     `gorm:"not null"`
		CreditCode   string     `gorm:"not null"`
		State        string     `gorm:"not null"`
		Score        *float64
		Grade        string    `gorm:"not null"`
		Lang         string    `gorm:"not null"`
		ContentHash  string    `gorm:"not null"`
		PDFSHA256    string    `gorm:"column:pdf_sha256;not null"`
		GeneratedAt  time.Time `gorm:"not null;index:idx_issued_report_assessment,priority:2"`
		IssuedByID   uint      `gorm:"not null"`
		IssuedBy     user      `gorm:"constraint:OnDelete:RESTRICT"`
		CreatedAt    time.Time `gorm:"not null"`
	}
	return tx.Migrator().CreateTable(&issuedReport{})
}

// migrateV10 adds login_failures: one row per failed password check or
// refused API token under each of its keys (the account's email, the
// client's address), so that throttling holds across restarts and
// instances. Counting a key's failures is a range scan of the index on
// (kind, subject, at); pruning those older than the window one of at.
func migrateV10(tx *gorm.DB) error {
	type loginFailure struct {
		ID      uint      `gorm:"primaryKey"`
		Kind    string    `gorm:"not null;index:idx_login_failure_key,priority:1"`
		Subject string    `gorm:"not null;index:idx_login_failure_key,priority:2"`
		At      time.Time `gorm:"not null;index:idx_login_failure_key,priority:3;index:idx_login_failure_at"`
	}
	return tx.Migrator().CreateTable(&loginFailure{})
}

// migrateV11 adds the campaign rollups (rollups.go), the dashboard's running
// totals, and fills them from the raw rows of every campaign, so an upgraded
// database shows the same dashboard as before. It also adds the indexes
// that let the review queue's sorts read a campaign's first page in index
// order and stop (queue.go).
func migrateV11(tx *gorm.DB) error {
	type campaignRollup struct {
		CampaignID uint `gorm:"primaryKey;autoIncrement:false"`
		Firms      int  `gorm:"not null"`
		Started    int  `gorm:"not null"`
	}
	type campaignStateCount struct {
		CampaignID uint   `gorm:"primaryKey;autoIncrement:false"`
		State      string `gorm:"primaryKey"`
		N          int    `gorm:"not null"`
	}
	type campaignGradeCount struct {
		CampaignID uint   `gorm:"primaryKey;autoIncrement:false"`
		Grade      string `gorm:"primaryKey"`
		N          int    `gorm:"not null"`
		Scored     int    `gorm:"not null"`
	}
	type campaignThemeStat struct {
		CampaignID  uint    `gorm:"primaryKey;autoIncrement:false"`
		ChecklistID string  `gorm:"primaryKey"`
		ScoreSum    float64 `gorm:"not null"`
		Scored      int     `gorm:"not null"`
		N           int     `gorm:"not null"`
	}
	type campaignItemGap struct {
		CampaignID   uint   `gorm:"primaryKey;autoIncrement:false"`
		ItemID       string `gorm:"primaryKey"`
		NonCompliant int    `gorm:"not null"`
		Partial      int    `gorm:"not null"`
	}
	type campaignOpenPlan struct {
		CampaignID uint   `gorm:"primaryKey;autoIncrement:false"`
		PlanDue    string `gorm:"primaryKey"`
		N          int    `gorm:"not null"`
	}
	m := tx.Migrator()
	if err := m.CreateTable(&campaignRollup{}, &campaignStateCount{}, &campaignGradeCount{}, &campaignThemeStat{},
		&campaignItemGap{}, &campaignOpenPlan{}); err != nil {
		return err
	}
	// One index per order of the queue, each led by (campaign, state) so
	// that a campaign's submissions in one waiting state come in that order
	// and a page stops after its rows (queue.go); the grade filter has its
	// own for the default order.
	type assessment struct {
		CampaignID   *uint      `gorm:"index:idx_assessment_queue_grade,priority:1;index:idx_assessment_queue_score,priority:1;index:idx_assessment_queue_critical,priority:1"`
		State        string     `gorm:"index:idx_assessment_queue_grade,priority:2;index:idx_assessment_queue_score,priority:2;index:idx_assessment_queue_critical,priority:2"`
		Grade        string     `gorm:"index:idx_assessment_queue_grade,priority:3"`
		SubmittedAt  *time.Time `gorm:"index:idx_assessment_queue_grade,priority:4"`
		Score        *float64   `gorm:"index:idx_assessment_queue_score,priority:3"`
		CriticalGaps int        `gorm:"index:idx_assessment_queue_critical,priority:3"`
		Gaps         int        `gorm:"index:idx_assessment_queue_critical,priority:4"`
	}
	for _, idx := range []string{"idx_assessment_queue_grade", "idx_assessment_queue_score", "idx_assessment_queue_critical"} {
		if err := m.CreateIndex(&assessment{}, idx); err != nil {
			return err
		}
	}
	// The overdue list reads (campaign, not done, due before today) in the
	// order it shows, due date then assessment and item, and stops after
	// its rows; the index of v7 on (campaign, done, due) left the rows of
	// each due date to sort, thousands in a large campaign. The new index
	// serves all the old one did.
	type assessmentGap struct {
		AssessmentID uint   `gorm:"index:idx_gap_overdue,priority:4"`
		ItemID       string `gorm:"index:idx_gap_overdue,priority:5"`
		CampaignID   *uint  `gorm:"index:idx_gap_overdue,priority:1"`
		PlanDue      string `gorm:"index:idx_gap_overdue,priority:3"`
		PlanDone     bool   `gorm:"index:idx_gap_overdue,priority:2"`
	}
	if err := m.CreateIndex(&assessmentGap{}, "idx_gap_overdue"); err != nil {
		return err
	}
	if err := m.DropIndex(&assessmentGap{}, "idx_gap_campaign_due"); err != nil {
		return err
	}
	return migrateV11Rollups(tx)
}

// migrateV11Rollups fills the rollups of every campaign from its raw rows.
func migrateV11Rollups(tx *gorm.DB) error {
	var ids []uint
	if err := tx.Table("campaigns").Order("id").Pluck("id", &ids).Error; err != nil {
		return err
	}
	for _, id := range ids {
		if err := rebuildV11Rollups(tx, id); err != nil {
			return err
		}
	}
	return nil
}

// migrateV12 adds firm_name_grams, the three-character pieces of each
// firm's lowercased name that the queue's firm search narrows by
// (firmsearch.go), and fills it from the firms.
func migrateV12(tx *gorm.DB) error {
	type firm struct {
		ID uint `gorm:"primaryKey"`
	}
	type firmNameGram struct {
		Gram   string `gorm:"primaryKey"`
		FirmID uint   `gorm:"primaryKey;autoIncrement:false;index"`
		Firm   firm   `gorm:"constraint:OnDelete:CASCADE"`
	}
	if err := tx.Migrator().CreateTable(&firmNameGram{}); err != nil {
		return err
	}
	return indexAllFirmNames(tx)
}

// migrateV13 adds the outbox (outbox.go): events, written by each change in
// its transaction and read in id order by the dispatcher, with an index for
// an assessment's events in order; event_cursors, each subscriber's
// position; and activities, the feed kept by the activity subscriber, one
// row per event (event_id unique, so a redelivery adds nothing), read
// newest first per assessment.
func migrateV13(tx *gorm.DB) error {
	type event struct {
		ID           int64  `gorm:"primaryKey;autoIncrement;index:idx_events_assessment,priority:2"`
		Kind         string `gorm:"not null"`
		ActorID      *uint
		ActorName    string `gorm:"not null"`
		FirmID       *uint
		CampaignID   *uint
		AssessmentID *uint     `gorm:"index:idx_events_assessment,priority:1"`
		ItemID       string    `gorm:"not null"`
		Detail       string    `gorm:"not null"`
		CreatedAt    time.Time `gorm:"not null"`
	}
	type eventCursor struct {
		Name      string    `gorm:"primaryKey"`
		LastID    int64     `gorm:"not null"`
		UpdatedAt time.Time `gorm:"not null"`
	}
	type activity struct {
		ID           int64     `gorm:"primaryKey;autoIncrement"`
		AssessmentID uint      `gorm:"not null"`
		EventID      int64     `gorm:"not null;uniqueIndex:idx_activities_event"`
		Kind         string    `gorm:"not null"`
		ActorName    string    `gorm:"not null"`
		ItemID       string    `gorm:"not null"`
		Detail       string    `gorm:"not null"`
		At           time.Time `gorm:"not null"`
	}
	for _, t := range []struct {
		name  string
		model any
	}{{"events", &event{}}, {"event_cursors", &eventCursor{}}, {"activities", &activity{}}} {
		if err := tx.Table(t.name).Migrator().CreateTable(t.model); err != nil {
			return err
		}
	}
	return tx.Exec("CREATE INDEX idx_activities_feed ON activities (assessment_id, id DESC)").Error
}

// migrateV14 lets PostgreSQL serve the review queue's firm search
// (LOWER(name) LIKE '%…%') from a trigram index, the engine's own tool for
// it. SQLite keeps its firm_name_grams (firmsearch.go); nothing changes
// there. pg_trgm is a trusted extension: the database's owner may create it.
func migrateV14(tx *gorm.DB) error {
	if tx.Dialector.Name() != "postgres" {
		return nil
	}
	if err := tx.Exec("CREATE EXTENSION IF NOT EXISTS pg_trgm").Error; err != nil {
		return fmt.Errorf("create extension pg_trgm: %w", err)
	}
	return tx.Exec("CREATE INDEX IF NOT EXISTS idx_firms_name_trgm ON firms USING gin (LOWER(name) gin_trgm_ops)").Error
}

// migrateV15 adds leases (outbox.go): a named lease, its holder and until
// when it holds, so that of several instances one delivers each subscriber.
func migrateV15(tx *gorm.DB) error {
	type lease struct {
		Name   string    `gorm:"primaryKey"`
		Holder string    `gorm:"not null"`
		Until  time.Time `gorm:"not null"`
	}
	return tx.Table("leases").Migrator().CreateTable(&lease{})
}

// migrateV16 adds two-factor sign-in (twofactor.go): second_factors, one
// row per account with an authenticator (sealed secret, confirmed or still
// pending, the last time step used); recovery_codes, their hashes, each
// usable once; and login_challenges, the sign-ins whose password was right
// and whose code is awaited, kept in the database so that any instance can
// finish them.
func migrateV16(tx *gorm.DB) error {
	type user struct {
		ID uint `gorm:"primaryKey"`
	}
	type secondFactor struct {
		UserID      uint   `gorm:"primaryKey;autoIncrement:false"`
		User        user   `gorm:"constraint:OnDelete:CASCADE"`
		Secret      string `gorm:"not null"`
		ConfirmedAt *time.Time
		LastStep    int64     `gorm:"not null;default:0"`
		CreatedAt   time.Time `gorm:"not null"`
	}
	type recoveryCode struct {
		ID       uint   `gorm:"primaryKey"`
		UserID   uint   `gorm:"not null;uniqueIndex:idx_recovery_codes_user_hash,priority:1"`
		User     user   `gorm:"constraint:OnDelete:CASCADE"`
		CodeHash string `gorm:"not null;uniqueIndex:idx_recovery_codes_user_hash,priority:2"`
		UsedAt   *time.Time
	}
	type loginChallenge struct {
		ID        uint      `gorm:"primaryKey"`
		TokenHash string    `gorm:"not null;uniqueIndex"`
		UserID    uint      `gorm:"not null"`
		User      user      `gorm:"constraint:OnDelete:CASCADE"`
		CreatedAt time.Time `gorm:"not null"`
		ExpiresAt time.Time `gorm:"not null;index"`
	}
	return tx.Migrator().CreateTable(&secondFactor{}, &recoveryCode{}, &loginChallenge{})
}

// migrateV17 moves login throttling from two keys (the account, the
// address) to the pair of both (throttle.go): login_failures gains the
// address, and an index on (kind, subject, address, at) serves the pair's
// and, by its prefix, the account's counts. The rows of the old model mean
// nothing in the new one and are dropped: at worst a lock ends early. It
// also adds server_keys, the secrets every instance shares (keys.go).
func migrateV17(tx *gorm.DB) error {
	if err := tx.Exec("DELETE FROM login_failures").Error; err != nil {
		return err
	}
	if err := tx.Exec("ALTER TABLE login_failures ADD COLUMN address TEXT NOT NULL DEFAULT ''").Error; err != nil {
		return err
	}
	if err := tx.Exec("CREATE INDEX idx_login_failure_pair ON login_failures (kind, subject, address, at)").Error; err != nil {
		return err
	}
	type serverKey struct {
		Name      string    `gorm:"primaryKey"`
		Secret    []byte    `gorm:"not null"`
		CreatedAt time.Time `gorm:"not null"`
	}
	return tx.Migrator().CreateTable(&serverKey{})
}

// migrateV18 adds the table /readyz writes into: one row, updated by every
// check, so that a database that answers but cannot take a write (a
// read-only file, a full disk) is reported unready.
func migrateV18(tx *gorm.DB) error {
	type readinessProbe struct {
		ID        uint `gorm:"primaryKey;autoIncrement:false"`
		CheckedAt time.Time
	}
	return tx.Migrator().CreateTable(&readinessProbe{})
}

// migrateV19 adds assignments (a theme or a single item of an assessment
// given to a member of its firm: one row per target, so a second
// assignment of the same target replaces the first) and comments (a thread
// per item; mentions are the ids of the people a comment names, as JSON).
func migrateV19(tx *gorm.DB) error {
	type assignment struct {
		ID           uint      `gorm:"primaryKey"`
		AssessmentID uint      `gorm:"not null;uniqueIndex:idx_assignment_target,priority:1"`
		Theme        string    `gorm:"not null;default:'';uniqueIndex:idx_assignment_target,priority:2"`
		ItemID       string    `gorm:"not null;default:'';uniqueIndex:idx_assignment_target,priority:3"`
		UserID       uint      `gorm:"not null;index"`
		AssignedByID uint      `gorm:"not null"`
		AssignedAt   time.Time `gorm:"not null"`
	}
	type comment struct {
		ID           uint      `gorm:"primaryKey"`
		AssessmentID uint      `gorm:"not null;index:idx_comment_item,priority:1"`
		ItemID       string    `gorm:"not null;index:idx_comment_item,priority:2"`
		UserID       uint      `gorm:"not null"`
		Body         string    `gorm:"not null"`
		Mentions     string    `gorm:"not null;default:'[]'"`
		CreatedAt    time.Time `gorm:"not null"`
		EditedAt     *time.Time
		DeletedAt    *time.Time
	}
	return tx.Migrator().CreateTable(&assignment{}, &comment{})
}

// migrateV20 adds the notifications of app/notify: one in-app notice per
// event and recipient (unique, so a redelivered event adds none), and one
// delivery per event, recipient and channel, keyed by its idempotency key,
// that the delivery workers claim, retry and finish; and the language each
// user reads in, for the e-mails.
func migrateV20(tx *gorm.DB) error {
	type notification struct {
		ID           int64     `gorm:"primaryKey"`
		UserID       uint      `gorm:"not null;uniqueIndex:idx_notification_event_user,priority:2;index:idx_notification_user,priority:1"`
		EventID      int64     `gorm:"not null;uniqueIndex:idx_notification_event_user,priority:1"`
		Kind         string    `gorm:"not null"`
		ActorName    string    `gorm:"not null;default:''"`
		AssessmentID uint      `gorm:"not null;default:0"`
		ItemID       string    `gorm:"not null;default:''"`
		Link         string    `gorm:"not null"`
		CreatedAt    time.Time `gorm:"not null"`
		ReadAt       *time.Time
	}
	type delivery struct {
		ID             int64     `gorm:"primaryKey"`
		IdemKey        string    `gorm:"not null;uniqueIndex"`
		NotificationID int64     `gorm:"not null"`
		UserID         uint      `gorm:"not null"`
		Channel        string    `gorm:"not null"`
		Status         string    `gorm:"not null;index:idx_delivery_due,priority:1"`
		Attempts       int       `gorm:"not null;default:0"`
		NextAt         time.Time `gorm:"not null;index:idx_delivery_due,priority:2"`
		LastError      string    `gorm:"not null;default:''"`
		CreatedAt      time.Time `gorm:"not null"`
		SentAt         *time.Time
	}
	if err := tx.Exec("ALTER TABLE users ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh'").Error; err != nil {
		return err
	}
	return tx.Migrator().CreateTable(&notification{}, &delivery{})
}

// migrateV21 lets plans live on after submission (rectify.go): each plan
// gains the day it was done, the day an auditor verified it and the
// auditor's last comment; plan_entries is each plan's log (progress notes
// and decisions, appended, never changed); plan_evidences are the files
// that show the rectification, kept like evidences (the content in blobs);
// an assessment gains the day its last plan was verified.
func migrateV21(tx *gorm.DB) error {
	for _, q := range []string{
		"ALTER TABLE plans ADD COLUMN done_on TEXT NOT NULL DEFAULT ''",
		"ALTER TABLE plans ADD COLUMN verified_on TEXT NOT NULL DEFAULT ''",
		"ALTER TABLE plans ADD COLUMN review_comment TEXT NOT NULL DEFAULT ''",
		"ALTER TABLE assessments ADD COLUMN rectified_on TEXT NOT NULL DEFAULT ''",
	} {
		if err := tx.Exec(q).Error; err != nil {
			return err
		}
	}
	type planEntry struct {
		ID           uint      `gorm:"primaryKey"`
		AssessmentID uint      `gorm:"not null;index:idx_plan_entry_item,priority:1"`
		ItemID       string    `gorm:"not null;index:idx_plan_entry_item,priority:2"`
		Kind         string    `gorm:"not null"`
		Status       string    `gorm:"not null"`
		Text         string    `gorm:"not null;default:''"`
		UserID       uint      `gorm:"not null"`
		At           time.Time `gorm:"not null"`
	}
	type planEvidence struct {
		ID           uint      `gorm:"primaryKey"`
		AssessmentID uint      `gorm:"not null;index:idx_plan_evidence_item,priority:1"`
		ItemID       string    `gorm:"not null;index:idx_plan_evidence_item,priority:2"`
		BlobSHA256   string    `gorm:"not null"`
		FileName     string    `gorm:"not null"`
		Kind         string    `gorm:"not null"`
		Size         int64     `gorm:"not null"`
		UploadedByID uint      `gorm:"not null"`
		UploadedAt   time.Time `gorm:"not null"`
		DeletedAt    *time.Time
	}
	return tx.Migrator().CreateTable(&planEntry{}, &planEvidence{})
}

// migrateV22 lets an evidence file carry the last day it is valid, with a
// partial index of the dated files for queries of lapsing evidence across
// assessments.
func migrateV22(tx *gorm.DB) error {
	if err := tx.Exec("ALTER TABLE evidences ADD COLUMN valid_until VARCHAR(10)").Error; err != nil {
		return err
	}
	return tx.Exec("CREATE INDEX idx_evidence_valid_until ON evidences (valid_until) WHERE valid_until IS NOT NULL AND deleted_at IS NULL").Error
}

// migrateV23 adds what the next cycle needs: the campaign a follow-up
// campaign follows; the assessment an assessment was carried over from; on
// each answer whether it was carried over and whether the firm has since
// confirmed it (saved it, changed or not); on each plan the gap it was
// carried over from (the earlier assessment and its item).
func migrateV23(tx *gorm.DB) error {
	for _, q := range []string{
		"ALTER TABLE campaigns ADD COLUMN follows_id BIGINT",
		"ALTER TABLE assessments ADD COLUMN carried_from_id BIGINT",
		"ALTER TABLE answers ADD COLUMN carried BOOLEAN NOT NULL DEFAULT false",
		"ALTER TABLE answers ADD COLUMN confirmed BOOLEAN NOT NULL DEFAULT false",
		"ALTER TABLE plans ADD COLUMN origin_assessment_id BIGINT",
		"ALTER TABLE plans ADD COLUMN origin_item_id TEXT NOT NULL DEFAULT ''",
	} {
		if err := tx.Exec(q).Error; err != nil {
			return err
		}
	}
	return nil
}

// migrateV24 adds what notifications need beyond migration 20: each user's
// choice per event (no row: e-mail at once), the webhooks firms and admins
// register, the marks of what the scheduler has emitted (one row per
// reminder, so a catch-up never repeats one), and the days before a
// campaign's deadline its reminders go. A delivery may now be to a webhook
// (webhook_id, no user) or a digest of several notices: payload holds what
// it sends as JSON.
func migrateV24(tx *gorm.DB) error {
	type notifyPref struct {
		UserID uint   `gorm:"primaryKey;autoIncrement:false"`
		Event  string `gorm:"primaryKey"`
		Mode   string `gorm:"not null"`
	}
	type webhook struct {
		ID          int64     `gorm:"primaryKey"`
		FirmID      uint      `gorm:"not null;default:0;index"`
		CampaignID  uint      `gorm:"not null;default:0;index"`
		Kind        string    `gorm:"not null"`
		URL         string    `gorm:"not null"`
		Secret      string    `gorm:"not null;default:''"`
		Events      string    `gorm:"not null"`
		CreatedByID uint      `gorm:"not null"`
		CreatedAt   time.Time `gorm:"not null"`
	}
	type scheduleMark struct {
		Key       string    `gorm:"primaryKey"`
		CreatedAt time.Time `gorm:"not null"`
	}
	for _, q := range []string{
		"ALTER TABLE deliveries ADD COLUMN webhook_id BIGINT NOT NULL DEFAULT 0",
		"ALTER TABLE deliveries ADD COLUMN payload TEXT NOT NULL DEFAULT ''",
		"ALTER TABLE campaigns ADD COLUMN reminder_days TEXT NOT NULL DEFAULT '7,3,1'",
	} {
		if err := tx.Exec(q).Error; err != nil {
			return err
		}
	}
	return tx.Migrator().CreateTable(&notifyPref{}, &webhook{}, &scheduleMark{})
}

// migrateV25 lets the dashboard's rectification panel read running totals
// instead of aggregating every plan of the campaign on each view: each
// stored gap keeps its plan's status, the campaign counts planned gaps by
// status and due date and the assessments with one, and each assessment
// keeps the due date that places it in the panel's list (an index on the
// campaign and it). The gaps take their plans' current status; a gap
// without a plan keeps "". Evidence files keep their assessment's campaign,
// so that the dashboard counts a campaign's lapsing files in one range of
// an index instead of probing every assessment of the campaign. The heat
// map's index gains the id its order ends with: SQLite's indexes hold it
// anyway, PostgreSQL sorted every assessment of the lowest score (in a
// large campaign, thousands) to show fifty.
func migrateV25(tx *gorm.DB) error {
	type campaignPlanStatus struct {
		CampaignID uint   `gorm:"primaryKey;autoIncrement:false"`
		PlanStatus string `gorm:"primaryKey"`
		PlanDue    string `gorm:"primaryKey"`
		N          int    `gorm:"not null"`
	}
	for _, q := range []string{
		"ALTER TABLE assessment_gaps ADD COLUMN plan_status TEXT NOT NULL DEFAULT ''",
		"ALTER TABLE assessments ADD COLUMN rect_next_due TEXT NOT NULL DEFAULT ''",
		"CREATE INDEX idx_assessments_rect ON assessments (campaign_id, rect_next_due, id)",
		"ALTER TABLE campaign_rollups ADD COLUMN with_plans INTEGER NOT NULL DEFAULT 0",
		"ALTER TABLE evidences ADD COLUMN campaign_id BIGINT",
		"UPDATE evidences SET campaign_id = (SELECT a.campaign_id FROM assessments a WHERE a.id = evidences.assessment_id)",
		"CREATE INDEX idx_evidence_campaign_valid ON evidences (campaign_id, valid_until) WHERE valid_until IS NOT NULL AND deleted_at IS NULL",
		"CREATE INDEX idx_assessment_campaign_score_id ON assessments (campaign_id, score, id)",
		"DROP INDEX idx_assessment_campaign_score",
		`UPDATE assessment_gaps SET plan_status = COALESCE((SELECT p.status FROM plans p
			WHERE p.assessment_id = assessment_gaps.assessment_id AND p.item_id = assessment_gaps.item_id), '')`,
	} {
		if err := tx.Exec(q).Error; err != nil {
			return err
		}
	}
	if err := tx.Migrator().CreateTable(&campaignPlanStatus{}); err != nil {
		return err
	}
	var ids []uint
	if err := tx.Table("campaigns").Order("id").Pluck("id", &ids).Error; err != nil {
		return err
	}
	for _, id := range ids {
		for _, r := range rectRollups {
			if err := tx.Exec(r.rebuild, campaignArgs(r.rebuild, id)...).Error; err != nil {
				return err
			}
		}
	}
	return nil
}
