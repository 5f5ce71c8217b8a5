package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/fault"
	"selfcheck/app/outbox"
	"selfcheck/app/scoring"
)

// Errors of the assessment workflow.
var (
	ErrReadOnly       = errors.New("store: assessment is not editable")
	ErrUnknownItem    = errors.New("store: no such item in this assessment")
	ErrNoThemes       = errors.New("store: choose at least one theme")
	ErrNothingApplies = errors.New("store: no item of the chosen themes applies to the profile")
)

// IncompleteError refuses a submit while items block it (unanswered, a gap
// without a plan, required evidence missing).
type IncompleteError struct {
	Blockers []assessment.Blocker
}

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("store: %d items block submission", len(e.Blockers))
}

// ConflictError refuses a save made against an older version of an item:
// someone else saved it since. Current is what they saved.
type ConflictError struct {
	ItemID  string
	Current assessment.Answer

	updatedByID uint // whose name Current.UpdatedBy is, read after the batch
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("store: item %s was changed by someone else (now version %d)", e.ItemID, e.Current.Version)
}

// ReadOnlyError refuses a change to an assessment the firm may not edit,
// saying which state it is in.
type ReadOnlyError struct{ State assessment.State }

func (e *ReadOnlyError) Error() string { return fmt.Sprintf("store: assessment is %s", e.State) }

// Is makes errors.Is(err, ErrReadOnly) hold.
func (e *ReadOnlyError) Is(target error) bool { return target == ErrReadOnly }

// MaxNoteLen bounds a note, in characters.
const MaxNoteLen = assessment.MaxNoteLen

// scopeAssessments restricts a query on assessments to what actor may see:
// firm users their own firm's; auditors the submitted ones (not drafts) of
// the campaigns assigned to them; admins every submitted one.
func scopeAssessments(actor *User) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		switch actor.Role {
		case auth.FirmMember, auth.FirmAdmin:
			if actor.FirmID == nil {
				return db.Where("1 = 0")
			}
			return db.Where("assessments.firm_id = ?", *actor.FirmID)
		case auth.Auditor:
			return db.Where("assessments.state <> ? AND assessments.campaign_id IN (?)", string(assessment.Draft),
				db.Session(&gorm.Session{NewDB: true}).Table("campaign_auditors").Select("campaign_id").Where("user_id = ?", actor.ID))
		case auth.Admin:
			return db.Where("assessments.state <> ?", string(assessment.Draft))
		}
		return db.Where("1 = 0")
	}
}

// CreateAssessment starts a self-examination for the actor's firm: it saves
// profile as the firm's profile and freezes it, with the chosen checklists,
// into the assessment. The snapshots keep every item; the profile decides
// which of them the assessment asks.
//
// With a campaign, the firm must take part in it and may start it once.
func (s *Store) CreateAssessment(ctx context.Context, actor *User, lists []*checklist.Checklist, profile checklist.Profile, campaignID *uint) (uint, error) {
	return s.CreateAssessmentFrom(ctx, actor, lists, profile, campaignID, 0)
}

// CreateAssessmentFrom is CreateAssessment that, when carryFrom is not 0,
// starts from the firm's assessment carryFrom of the campaign campaignID
// follows (checkCarry, carryOver).
func (s *Store) CreateAssessmentFrom(ctx context.Context, actor *User, lists []*checklist.Checklist, profile checklist.Profile, campaignID *uint, carryFrom uint) (uint, error) {
	if !actor.Role.InFirm() || actor.FirmID == nil {
		return 0, fmt.Errorf("store: create assessment: only firm members start assessments: %w", ErrNotFound)
	}
	if len(lists) == 0 {
		return 0, ErrNoThemes
	}
	seen := map[string]bool{}
	for _, cl := range lists {
		if seen[cl.ID] {
			return 0, fmt.Errorf("store: theme %s chosen twice: %w", cl.ID, ErrNoThemes)
		}
		seen[cl.ID] = true
	}
	applicable := map[string]bool{}
	for _, cl := range lists {
		kept, _ := cl.ForProfile(profile)
		for _, it := range kept.Items() {
			applicable[it.ID] = true
		}
	}
	if len(applicable) == 0 {
		return 0, ErrNothingApplies
	}
	prof, err := encodeProfile(profile)
	if err != nil {
		return 0, err
	}
	a := Assessment{FirmID: *actor.FirmID, State: string(assessment.Draft), Profile: prof, CreatedByID: actor.ID, CampaignID: campaignID}
	err = s.change(ctx, func(tx *gorm.DB) error {
		for i, cl := range lists {
			name, err := saveSnapshot(tx, cl)
			if err != nil {
				return err
			}
			a.Themes = append(a.Themes, AssessmentTheme{Position: i, ChecklistID: cl.ID, Version: cl.Version, SnapshotSHA256: name})
		}
		if campaignID != nil {
			if err := checkCampaignStart(tx, *actor.FirmID, *campaignID); err != nil {
				return err
			}
		}
		if carryFrom != 0 {
			if _, err := checkCarry(tx, *actor.FirmID, campaignID, carryFrom); err != nil {
				return err
			}
			a.CarriedFromID = &carryFrom
		}
		if err := tx.Model(&Firm{}).Where("id = ?", *actor.FirmID).Update("profile", prof).Error; err != nil {
			return translate(err, "save profile of firm %d", *actor.FirmID)
		}
		err := translate(tx.Create(&a).Error, "create assessment")
		if campaignID != nil && errors.Is(err, ErrDuplicate) {
			return ErrAlreadyStarted
		}
		if err != nil {
			return err
		}
		themes := make([]string, len(lists))
		for i, cl := range lists {
			themes[i] = cl.ID
		}
		detail := map[string]any{"themes": themes}
		if carryFrom != 0 {
			if err := carryOver(tx, actor, carryFrom, a, applicable); err != nil {
				return err
			}
			detail["carried_from"] = carryFrom
		}
		if err := emit(tx, eventBy(actor, outbox.AssessmentCreated, a.ID, "", detail)); err != nil {
			return err
		}
		return rollupStarted(tx, campaignID) // the dashboard's counts, rollups.go
	})
	return a.ID, err
}

// FirmProfile returns the profile the actor's firm last declared.
func (s *Store) FirmProfile(ctx context.Context, actor *User) (checklist.Profile, error) {
	if actor.FirmID == nil {
		return checklist.Profile{}, nil
	}
	var f Firm
	if err := s.db.WithContext(ctx).Select("profile").First(&f, *actor.FirmID).Error; err != nil {
		return nil, translate(err, "firm %d", *actor.FirmID)
	}
	return decodeProfile(f.Profile)
}

func encodeProfile(p checklist.Profile) (string, error) {
	tags := p.List()
	if tags == nil {
		tags = []checklist.Tag{}
	}
	b, err := json.Marshal(tags)
	if err != nil {
		return "", fmt.Errorf("store: encode profile: %w", err)
	}
	return string(b), nil
}

func decodeProfile(s string) (checklist.Profile, error) {
	var tags []checklist.Tag
	if s != "" {
		if err := json.Unmarshal([]byte(s), &tags); err != nil {
			return nil, fmt.Errorf("store: decode profile %q: %w", s, err)
		}
	}
	return checklist.NewProfile(tags...), nil
}

// Summary is an assessment in a list.
type Summary struct {
	ID          uint
	FirmName    string
	State       assessment.State
	Themes      []string // checklist ids
	CreatedAt   time.Time
	SubmittedAt *time.Time
}

// ListAssessments returns the assessments actor may see, newest first.
func (s *Store) ListAssessments(ctx context.Context, actor *User) ([]Summary, error) {
	var rows []Assessment
	err := s.db.WithContext(ctx).Scopes(scopeAssessments(actor)).
		Preload("Firm").
		Preload("Themes", func(db *gorm.DB) *gorm.DB {
			return db.Select("id", "assessment_id", "position", "checklist_id").Order("position")
		}).
		Order("assessments.created_at DESC, assessments.id DESC").Limit(500).
		Find(&rows).Error
	if err != nil {
		return nil, translate(err, "list assessments")
	}
	out := make([]Summary, len(rows))
	for i, a := range rows {
		out[i] = Summary{ID: a.ID, FirmName: a.Firm.Name, State: assessment.State(a.State), CreatedAt: a.CreatedAt, SubmittedAt: a.SubmittedAt}
		for _, t := range a.Themes {
			out[i].Themes = append(out[i].Themes, t.ChecklistID)
		}
	}
	return out, nil
}

// Sheet loads the whole sheet (assessment.WholeSheet) of an assessment
// actor may see. Another firm's assessment is ErrNotFound, as if it did
// not exist.
func (s *Store) Sheet(ctx context.Context, actor *User, id uint) (*assessment.Sheet, error) {
	return s.sheet(s.db.WithContext(ctx), actor, id)
}

// AnswerSheet loads only what an autosave needs (assessment.AnswerParts):
// the checklists and the stored answers, without who saved them, the firm,
// the campaign, plans or evidence. An autosave loads it on every save.
func (s *Store) AnswerSheet(ctx context.Context, actor *User, id uint) (*assessment.Sheet, error) {
	return s.sheetOf(s.db.WithContext(ctx), actor, id, false)
}

func (s *Store) sheet(db *gorm.DB, actor *User, id uint) (*assessment.Sheet, error) {
	return s.sheetOf(db, actor, id, true)
}

// sheetOf loads the sheet: all of it when full, else as AnswerSheet.
func (s *Store) sheetOf(db *gorm.DB, actor *User, id uint, full bool) (*assessment.Sheet, error) {
	var a Assessment
	q := db.Scopes(scopeAssessments(actor)).
		Preload("Themes", func(db *gorm.DB) *gorm.DB { return db.Order("position") })
	if full {
		q = q.Joins("Firm").Joins("Campaign").Preload("Answers").Preload("Answers.UpdatedBy", userNames)
	} else {
		q = q.Preload("Answers", func(db *gorm.DB) *gorm.DB {
			return db.Select("id", "assessment_id", "item_id", "value", "note", "version", "updated_at", "carried", "confirmed")
		})
	}
	if err := q.First(&a, "assessments.id = ?", id).Error; err != nil {
		return nil, translate(err, "assessment %d", id)
	}
	profile, err := decodeProfile(a.Profile)
	if err != nil {
		return nil, err
	}
	parts := assessment.AnswerParts
	if full {
		parts = assessment.WholeSheet
	}
	sh := &assessment.Sheet{
		Parts: parts, ID: a.ID, FirmID: a.FirmID, FirmName: a.Firm.Name, CreditCode: a.Firm.CreditCode,
		State: assessment.State(a.State), CreatedAt: a.CreatedAt, SubmittedAt: a.SubmittedAt, RectifiedOn: a.RectifiedOn,
		Profile: profile, Answers: make(map[string]assessment.Answer, len(a.Answers)),
		Plans: map[string]assessment.Plan{}, Evidence: map[string][]assessment.Evidence{},
	}
	if a.CarriedFromID != nil {
		sh.CarriedFrom = *a.CarriedFromID
	}
	if a.Campaign != nil {
		c, err := a.Campaign.domain()
		if err != nil {
			return nil, err
		}
		sh.Campaign = &c
	}
	for _, t := range a.Themes {
		whole, err := s.snapshot(db, t.SnapshotSHA256)
		if err != nil {
			return nil, fmt.Errorf("store: assessment %d theme %s: %w", id, t.ChecklistID, err)
		}
		kept, left := s.snapshots.forProfile(t.SnapshotSHA256, a.Profile, whole, profile)
		sh.Checklists = append(sh.Checklists, kept)
		for _, it := range left {
			sh.Excluded = append(sh.Excluded, assessment.Ref{Checklist: whole, Item: it})
		}
	}
	for _, ans := range a.Answers {
		sh.Answers[ans.ItemID] = answerOf(ans)
	}
	if !full {
		return sh, nil
	}
	var plans []Plan
	if err := db.Session(&gorm.Session{NewDB: true}).Preload("UpdatedBy", userNames).Where("assessment_id = ?", id).Find(&plans).Error; err != nil {
		return nil, translate(err, "plans of assessment %d", id)
	}
	for _, p := range plans {
		sh.Plans[p.ItemID] = planOf(p)
	}
	var files []Evidence
	if err := db.Session(&gorm.Session{NewDB: true}).Preload("UploadedBy", userNames).
		Where("assessment_id = ? AND deleted_at IS NULL", id).Order("uploaded_at, id").Find(&files).Error; err != nil {
		return nil, translate(err, "evidence of assessment %d", id)
	}
	for _, f := range files {
		sh.Evidence[f.ItemID] = append(sh.Evidence[f.ItemID], evidenceOf(f))
	}
	return sh, nil
}

// userNames loads of a user only what a sheet shows: the name.
func userNames(db *gorm.DB) *gorm.DB { return db.Select("id", "name") }

func answerOf(a Answer) assessment.Answer {
	return assessment.Answer{Value: scoring.Answer(a.Value), Note: a.Note, Version: a.Version, UpdatedAt: a.UpdatedAt, UpdatedBy: a.UpdatedBy.Name,
		Carried: a.Carried, Confirmed: a.Confirmed}
}

// AnswerInput is one answer to save. Version, when set, is the version the
// caller last saw: a save against an older one is refused (ConflictError).
type AnswerInput struct {
	ItemID  string
	Value   scoring.Answer
	Note    string
	Version *int
}

// SaveAnswers stores answers to items of an editable assessment of actor's
// firm, all or none, and records each change (who, when, old → new). An
// input that changes nothing is skipped. It returns the answers as stored,
// once they are committed: saves from many clients share a transaction
// (groupcommit.go), each in its own savepoint, so a refused save fails alone.
func (s *Store) SaveAnswers(ctx context.Context, actor *User, id uint, inputs []AnswerInput) (map[string]assessment.Answer, error) {
	saved, _, err := s.SaveAnswersFrom(ctx, actor, id, inputs)
	return saved, err
}

// SaveAnswersFrom is SaveAnswers that also returns the value each item had
// before the save ("" for none): whether a save changed which items count
// as answered, which an autosave needs to know to report the progress.
func (s *Store) SaveAnswersFrom(ctx context.Context, actor *User, id uint, inputs []AnswerInput) (saved map[string]assessment.Answer, before map[string]scoring.Answer, err error) {
	if !actor.Role.InFirm() {
		return nil, nil, fmt.Errorf("store: save answers: %w", ErrNotFound)
	}
	items := make([]string, len(inputs))
	for i, in := range inputs {
		items[i] = in.ItemID
	}
	err = s.groupWrite(ctx, id, items, func(tx *gorm.DB) error {
		var err error
		saved, before, err = s.saveAnswers(tx, ctx, actor, id, inputs)
		return err
	})
	var ce *ConflictError
	if errors.As(err, &ce) && ce.updatedByID != 0 {
		// Read here, beside the other readers, not in the batch that
		// every save waits for.
		ce.Current.UpdatedBy = s.userName(ctx, ce.updatedByID)
	}
	if err != nil {
		return nil, nil, err
	}
	return saved, before, nil
}

// userName is the name of the user id, or "" if it cannot be read: it only
// labels a refused save.
func (s *Store) userName(ctx context.Context, id uint) string {
	var u User
	if err := s.db.WithContext(ctx).Select("id", "name").First(&u, id).Error; err != nil {
		s.logError("store: read the name of a user", "user", id, "err", err)
		return ""
	}
	return u.Name
}

// saveAnswers is SaveAnswersFrom inside the transaction tx.
func (s *Store) saveAnswers(tx *gorm.DB, ctx context.Context, actor *User, id uint, inputs []AnswerInput) (map[string]assessment.Answer, map[string]scoring.Answer, error) {
	ids := make([]string, len(inputs))
	for i, in := range inputs {
		ids[i] = in.ItemID
	}
	current, err := s.lockAnswersToSave(tx, actor, id, ids)
	if err != nil {
		return nil, nil, err
	}
	items, err := s.itemsOf(tx, id)
	if err != nil {
		return nil, nil, err
	}
	byItem := make(map[string]Answer, len(current))
	for _, c := range current {
		byItem[c.ItemID] = c
	}
	stored := func(old Answer) (assessment.Answer, error) {
		if old.UpdatedByID != 0 {
			if err := tx.Select("id", "name").First(&old.UpdatedBy, old.UpdatedByID).Error; err != nil {
				return assessment.Answer{}, translate(err, "user %d", old.UpdatedByID)
			}
		}
		return answerOf(old), nil
	}
	saved := make(map[string]assessment.Answer, len(inputs))
	before := make(map[string]scoring.Answer, len(inputs))
	now := time.Now().UTC()
	var rows []Answer
	var changes []Change
	for _, in := range inputs {
		if !items[in.ItemID] {
			return nil, nil, fmt.Errorf("%w: %q", ErrUnknownItem, in.ItemID)
		}
		if err := assessment.ValidateAnswer(in.Value, in.Note); err != nil {
			if fe, ok := fault.AsField(err); ok {
				fe.Item = in.ItemID
			}
			return nil, nil, err
		}
		note := NormalizeNote(in.Note)
		old := byItem[in.ItemID]
		before[in.ItemID] = scoring.Answer(old.Value)
		// A save that changes nothing is acknowledged with the stored
		// version even if it was sent against an older one: it is a resend
		// of a save already stored (a retry whose answer was lost, or one
		// that a proxy sent again to another instance), or a colleague
		// saved the same; refusing it would report a conflict that is none.
		// A carried-over answer not yet confirmed is the exception: saving
		// it unchanged is how the firm confirms it, so that save is written
		// (a new version, a "confirmed" change in the history).
		confirming := old.Carried && !old.Confirmed
		if old.Value == string(in.Value) && old.Note == note && !confirming {
			if saved[in.ItemID], err = stored(old); err != nil {
				return nil, nil, err
			}
			continue
		}
		if in.Version != nil && *in.Version != old.Version {
			return nil, nil, &ConflictError{ItemID: in.ItemID, Current: answerOf(old), updatedByID: old.UpdatedByID}
		}
		if confirming {
			changes = append(changes, Change{AssessmentID: id, ItemID: in.ItemID, Field: "confirmed", OldValue: old.Value, NewValue: string(in.Value), UserID: actor.ID, At: now})
		}
		if old.Value != string(in.Value) {
			changes = append(changes, Change{AssessmentID: id, ItemID: in.ItemID, Field: "answer", OldValue: old.Value, NewValue: string(in.Value), UserID: actor.ID, At: now})
		}
		if old.Note != note {
			changes = append(changes, Change{AssessmentID: id, ItemID: in.ItemID, Field: "note", OldValue: old.Note, NewValue: note, UserID: actor.ID, At: now})
		}
		row := Answer{AssessmentID: id, ItemID: in.ItemID, Value: string(in.Value), Note: note, Version: old.Version + 1, UpdatedByID: actor.ID, UpdatedAt: now,
			Carried: old.Carried, Confirmed: old.Carried}
		rows = append(rows, row)
		row.UpdatedBy = *actor
		saved[in.ItemID] = answerOf(row)
	}
	if len(rows) == 0 {
		return saved, before, nil
	}
	n, err := upsertAnswers(tx, rows)
	if err != nil {
		return nil, nil, translate(err, "save answers of assessment %d", id)
	}
	if n != len(rows) {
		// An item answered for the first time by a save that committed
		// after this one read: its row was not there to lock.
		return nil, nil, s.answerConflict(tx, id, rows)
	}
	if err := recordChanges(tx, changes); err != nil {
		return nil, nil, translate(err, "record changes of assessment %d", id)
	}
	if err := auditAnswerChanges(tx, ctx, actor, id, changes); err != nil {
		return nil, nil, err
	}
	return saved, before, nil
}

// The autosave statements are written out rather than built by GORM from
// the models: they run for every save inside the batch transaction, where
// GORM's reflection and RETURNING scans cost more than the SQL itself.
// ON CONFLICT … DO UPDATE with excluded is the same in PostgreSQL.

// upsertAnswers inserts or replaces rows by (assessment_id, item_id), each
// only over the version before its own, and returns how many it wrote.
func upsertAnswers(tx *gorm.DB, rows []Answer) (int, error) {
	return insertValuesCount(tx, "INSERT INTO answers (assessment_id, item_id, value, note, version, updated_by_id, updated_at)", len(rows),
		" ON CONFLICT (assessment_id, item_id) DO UPDATE SET value = excluded.value, note = excluded.note,"+
			" version = excluded.version, updated_by_id = excluded.updated_by_id, updated_at = excluded.updated_at,"+
			" confirmed = answers.carried"+ // any save confirms a carried answer
			" WHERE answers.version = excluded.version - 1",
		func(i int) []any {
			r := rows[i]
			return []any{r.AssessmentID, r.ItemID, r.Value, r.Note, r.Version, r.UpdatedByID, r.UpdatedAt}
		})
}

// answerConflict is the conflict of the first of rows whose stored version
// is no longer the one before it.
func (s *Store) answerConflict(tx *gorm.DB, id uint, rows []Answer) error {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ItemID
	}
	var now []Answer
	if err := tx.Where("assessment_id = ? AND item_id IN ?", id, ids).Find(&now).Error; err != nil {
		return translate(err, "answers of assessment %d", id)
	}
	for _, r := range rows {
		for _, c := range now {
			if c.ItemID == r.ItemID && c.Version != r.Version-1 {
				return &ConflictError{ItemID: r.ItemID, Current: answerOf(c), updatedByID: c.UpdatedByID}
			}
		}
	}
	return fmt.Errorf("store: save answers of assessment %d: a row changed under the save", id)
}

// recordChanges adds history rows in tx. Inside a group-commit batch they
// wait in the batch's tail and are written with its other rows at flush:
// nothing reads them before the batch commits.
func recordChanges(tx *gorm.DB, changes []Change) error {
	if t := batchAuditTail(tx); t != nil {
		t.changes = append(t.changes, changes...)
		return nil
	}
	return insertChanges(tx, changes)
}

// insertChanges writes history rows.
func insertChanges(tx *gorm.DB, changes []Change) error {
	return insertChunked(tx, "INSERT INTO changes (assessment_id, item_id, field, old_value, new_value, user_id, at)",
		"(?, ?, ?, ?, ?, ?, ?)", len(changes), func(i int) []any {
			c := changes[i]
			return []any{c.AssessmentID, c.ItemID, c.Field, c.OldValue, c.NewValue, c.UserID, c.At}
		})
}

// rowsPerInsert bounds the rows of one INSERT of insertChunked: at a dozen
// parameters a row, well inside the 32,766 of SQLite and the 65,535 of
// PostgreSQL.
const rowsPerInsert = 500

// insertChunked writes n rows in as few statements as it can: head, then
// VALUES and group (the placeholders of one row) once for each row of a
// statement, whose values row(i) gives.
func insertChunked(tx *gorm.DB, head, group string, n int, row func(i int) []any) error {
	for start := 0; start < n; start += rowsPerInsert {
		end := min(n, start+rowsPerInsert)
		var sql strings.Builder
		sql.WriteString(head)
		sql.WriteString(" VALUES ")
		var args []any
		for i := start; i < end; i++ {
			if i > start {
				sql.WriteString(", ")
			}
			sql.WriteString(group)
			args = append(args, row(i)...)
		}
		if err := tx.Exec(sql.String(), args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// insertValues runs head, then VALUES with one group of placeholders for
// each of n rows (row(i) gives its values, all rows as many), then tail.
func insertValues(tx *gorm.DB, head string, n int, tail string, row func(i int) []any) error {
	_, err := insertValuesCount(tx, head, n, tail, row)
	return err
}

// insertValuesCount is insertValues, returning the rows it wrote.
func insertValuesCount(tx *gorm.DB, head string, n int, tail string, row func(i int) []any) (int, error) {
	var sql strings.Builder
	sql.WriteString(head)
	sql.WriteString(" VALUES ")
	var args []any
	for i := range n {
		vals := row(i)
		if i > 0 {
			sql.WriteString(", ")
		}
		sql.WriteString("(?" + strings.Repeat(", ?", len(vals)-1) + ")")
		args = append(args, vals...)
	}
	sql.WriteString(tail)
	res := tx.Exec(sql.String(), args...)
	return int(res.RowsAffected), res.Error
}

// lockAnswersToSave is editableForSave and the row locks of the answers
// to ids in one statement: every autosave runs it, inside the batch every
// save waits for, where a round trip fewer shortens each batch. The names
// of who saved last are read only when a conflict or an unchanged answer
// reports them: most saves never need them. The rows are locked
// (PostgreSQL; SQLite's write gate already holds every row) in item order,
// the order in which a batch runs its saves, so that a save of the same
// item on another instance waits for this one to commit and then reads
// its version. With no row of the assessment for actor's firm the locked
// side is never read.
func (s *Store) lockAnswersToSave(tx *gorm.DB, actor *User, id uint, ids []string) ([]Answer, error) {
	if actor.FirmID == nil || !actor.Role.InFirm() {
		return nil, fmt.Errorf("store: assessment %d: %w", id, ErrNotFound)
	}
	var rows []struct {
		State string
		Answer
	}
	err := tx.Raw("SELECT s.state, a.id, a.assessment_id, a.item_id, a.value, a.note, a.version, a.updated_by_id, a.updated_at, a.carried, a.confirmed"+
		" FROM (SELECT state FROM assessments WHERE id = ? AND firm_id = ?) s"+
		" LEFT JOIN (SELECT * FROM answers WHERE assessment_id = ? AND item_id IN ? ORDER BY item_id"+s.dialect.ForUpdate()+") a ON 1 = 1",
		id, *actor.FirmID, id, ids).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "answers of assessment %d", id)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("store: assessment %d: %w", id, ErrNotFound)
	}
	if st := assessment.State(rows[0].State); st != assessment.Draft && st != assessment.ChangesRequested {
		return nil, &ReadOnlyError{State: st}
	}
	current := make([]Answer, 0, len(rows))
	for _, r := range rows {
		if r.Answer.ItemID != "" {
			current = append(current, r.Answer)
		}
	}
	return current, nil
}

// editableForSave checks, for the autosave path of a firm user, that the
// assessment is actor's firm's and that the firm may edit it, in one
// statement. It takes no lock on the assessment's row: saves of one
// assessment serialize on the rows of the items they change (saveAnswers,
// SavePlan), and its state cannot change under a save, because every
// change of state is a transaction that holds the write lock exclusively,
// while a batch of saves holds it shared (writeLock). A save leaves the
// assessment's row alone (its updated_at is that of its last change of
// state): two batches writing the same assessments' rows would lock them
// in whatever order the table holds them and deadlock. Only a refused save
// reads further, to say why.
func editableForSave(tx *gorm.DB, actor *User, id uint) error {
	if actor.FirmID == nil || !actor.Role.InFirm() {
		return fmt.Errorf("store: assessment %d: %w", id, ErrNotFound)
	}
	var states []string
	if err := tx.Raw("SELECT state FROM assessments WHERE id = ? AND firm_id = ?", id, *actor.FirmID).Scan(&states).Error; err != nil {
		return translate(err, "assessment %d", id)
	}
	if len(states) == 0 {
		return fmt.Errorf("store: assessment %d: %w", id, ErrNotFound)
	}
	if st := assessment.State(states[0]); st != assessment.Draft && st != assessment.ChangesRequested {
		return &ReadOnlyError{State: st}
	}
	return nil
}

// itemsOf is itemIDs for the assessment id, read from the cache when it can.
func (s *Store) itemsOf(tx *gorm.DB, id uint) (map[string]bool, error) {
	if f, ok := s.frozen.get(id); ok {
		return f.items, nil
	}
	var a Assessment
	if err := tx.Select("id", "profile").First(&a, id).Error; err != nil {
		return nil, translate(err, "assessment %d", id)
	}
	return s.itemIDs(tx, a)
}

// lockEditable finds an assessment actor may edit and writes to its row
// before anything else in the transaction, only while the firm may edit it.
// The write takes the row lock (PostgreSQL) or the database write lock
// (SQLite), so saves and a submit of one assessment cannot interleave:
// whichever comes second sees the other's result.
func lockEditable(tx *gorm.DB, actor *User, id uint) (Assessment, error) {
	var a Assessment
	if err := tx.Scopes(scopeAssessments(actor)).Select("id", "state", "profile", "campaign_id").First(&a, "assessments.id = ?", id).Error; err != nil {
		return a, translate(err, "assessment %d", id)
	}
	res := tx.Model(&Assessment{}).Where("id = ? AND state IN ?", id, []string{string(assessment.Draft), string(assessment.ChangesRequested)}).
		Update("updated_at", time.Now().UTC())
	if res.Error != nil {
		return a, translate(res.Error, "lock assessment %d", id)
	}
	if res.RowsAffected != 1 {
		return a, &ReadOnlyError{State: assessment.State(a.State)}
	}
	return a, nil
}

// editableItem is editableForSave for a change to one item, which must be
// one the assessment asks.
func (s *Store) editableItem(tx *gorm.DB, actor *User, id uint, itemID string) error {
	if err := editableForSave(tx, actor, id); err != nil {
		return err
	}
	items, err := s.itemsOf(tx, id)
	if err != nil {
		return err
	}
	if !items[itemID] {
		return fmt.Errorf("%w: %q", ErrUnknownItem, itemID)
	}
	return nil
}

// NormalizeNote is how a note is stored: line breaks as "\n" (browsers post
// "\r\n"), surrounding space trimmed.
func NormalizeNote(s string) string { return assessment.NormalizeNote(s) }

// itemIDs returns the ids of the items an assessment asks: those of its
// snapshots that apply to its frozen profile. a must carry ID and Profile.
// Callers must not change the map: it is shared (frozen.go).
func (s *Store) itemIDs(tx *gorm.DB, a Assessment) (map[string]bool, error) {
	f, err := s.frozenOf(tx, a)
	if err != nil {
		return nil, err
	}
	return f.items, nil
}

// Submit hands a complete draft (or a returned assessment) to review and
// records the transition. While items block it, it returns *IncompleteError
// listing every one with its reasons.
func (s *Store) Submit(ctx context.Context, actor *User, id uint) error {
	if !actor.Role.InFirm() {
		return fmt.Errorf("store: submit: %w", ErrNotFound)
	}
	return s.change(ctx, func(tx *gorm.DB) error {
		a, err := lockEditable(tx, actor, id)
		if err != nil {
			return err
		}
		sh, err := s.sheet(tx, actor, id)
		if err != nil {
			return err
		}
		if blockers := sh.Blockers(); len(blockers) > 0 {
			return &IncompleteError{Blockers: blockers}
		}
		from := assessment.State(a.State)
		to, err := assessment.Next(from, assessment.Submit)
		if err != nil {
			return &ReadOnlyError{State: from}
		}
		now := time.Now().UTC()
		res := tx.Model(&Assessment{}).Where("id = ? AND state = ?", id, string(from)).
			Updates(map[string]any{"state": string(to), "submitted_at": now, "submitted_by_id": actor.ID, "updated_at": now})
		if res.Error != nil {
			return translate(res.Error, "submit assessment %d", id)
		}
		if res.RowsAffected != 1 {
			return &ReadOnlyError{State: from}
		}
		if err := writeResults(tx, sh, a.CampaignID, now); err != nil {
			return err
		}
		if err := tx.Omit(clause.Associations).Create(&Transition{AssessmentID: id, FromState: string(from), ToState: string(to), UserID: actor.ID, At: now}).Error; err != nil {
			return translate(err, "record transition of assessment %d", id)
		}
		kind := outbox.AssessmentSubmitted
		if to == assessment.Resubmitted {
			kind = outbox.AssessmentResubmitted
		}
		if err := emit(tx, eventBy(actor, kind, id, "", map[string]any{"from": from, "to": to})); err != nil {
			return err
		}
		return appendAudit(tx, ctx, auditBy(actor, AuditSubmitted, fmt.Sprintf("assessment:%d", id), fmt.Sprintf("%s → %s", from, to)))
	})
}
