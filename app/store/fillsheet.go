package store

import (
	"context"
	"database/sql"
	"fmt"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
	"selfcheck/app/scoring"
)

// FillSheet is Sheet for the fill-in page, the same sheet loaded with
// fewer and cheaper queries: plain SQL with the columns the sheet holds,
// scanned into variables, where Sheet's Preloads and Joins build and fill
// models by reflection (most of the page's load time). Sheet stays the
// loader of every other caller; TestFillSheetMatchesSheet keeps the two equal.
// Its statements are prepared once (per connection) and kept, and it runs
// without ctx's cancellation (see readContext).
func (s *Store) FillSheet(ctx context.Context, actor *User, id uint) (*assessment.Sheet, error) {
	return s.fillSheet(ctx, actor, id, nil)
}

// FillFocus chooses, from a sheet read without its details, the items
// whose details a fill-in page shows (FillSheetFocused).
type FillFocus func(light *assessment.Sheet) (items []string, err error)

// FillSheetFocused is FillSheet for a page that shows some items only (a
// view of one theme or one filter): it reads each answer's value, carried
// and confirmed marks, which plans exist, and the evidence, calls focus with
// that sheet, and then reads the rest of the answers and the plans of the
// items focus names only. In the sheet it returns, those items are as
// FillSheet reads them; every other item's answer holds only Value, Carried
// and Confirmed, and its plan, where there is one, is the zero Plan. The
// page's views, counts and progress need no more, and the notes, dates and
// plans of items it does not show were most of the rows it stepped through.
// An error of focus is returned as it is.
func (s *Store) FillSheetFocused(ctx context.Context, actor *User, id uint, focus FillFocus) (*assessment.Sheet, error) {
	return s.fillSheet(ctx, actor, id, focus)
}

func (s *Store) fillSheet(ctx context.Context, actor *User, id uint, focus FillFocus) (*assessment.Sheet, error) {
	db := s.db.Session(&gorm.Session{Context: readContext(ctx), PrepareStmt: true})
	var (
		a       Assessment
		camp    Campaign
		campID  sql.NullInt64
		nameZH  sql.NullString
		nameEN  sql.NullString
		themes  sql.NullString
		starts  sql.NullString
		dead    sql.NullString
		follows sql.NullInt64
		carried sql.NullInt64
		snaps   []string
		profile string
	)
	rows, err := db.Table("assessments").Scopes(scopeAssessments(actor)).
		Select("assessments.id, assessments.firm_id, firms.name, firms.credit_code, assessments.state, assessments.profile, "+
			"assessments.created_at, assessments.submitted_at, campaigns.id, campaigns.name_zh, campaigns.name_en, "+
			"campaigns.themes, campaigns.starts_on, campaigns.deadline, campaigns.follows_id, assessments.carried_from_id, assessments.rectified_on").
		Joins("JOIN firms ON firms.id = assessments.firm_id").
		Joins("LEFT JOIN campaigns ON campaigns.id = assessments.campaign_id").
		Where("assessments.id = ?", id).Limit(1).Rows()
	if err != nil {
		return nil, translate(err, "assessment %d", id)
	}
	found := false
	for rows.Next() {
		found = true
		if err := rows.Scan(&a.ID, &a.FirmID, &a.Firm.Name, &a.Firm.CreditCode, &a.State, &profile,
			&a.CreatedAt, &a.SubmittedAt, &campID, &nameZH, &nameEN, &themes, &starts, &dead, &follows, &carried, &a.RectifiedOn); err != nil {
			rows.Close()
			return nil, translate(err, "assessment %d", id)
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, translate(err, "assessment %d", id)
	}
	if !found {
		return nil, translate(gorm.ErrRecordNotFound, "assessment %d", id)
	}
	prof, err := decodeProfile(profile)
	if err != nil {
		return nil, err
	}
	sh := &assessment.Sheet{
		Parts: assessment.WholeSheet, ID: a.ID, FirmID: a.FirmID, FirmName: a.Firm.Name, CreditCode: a.Firm.CreditCode,
		State: assessment.State(a.State), CreatedAt: a.CreatedAt, SubmittedAt: a.SubmittedAt, RectifiedOn: a.RectifiedOn,
		Profile: prof, Plans: map[string]assessment.Plan{}, Evidence: map[string][]assessment.Evidence{},
	}
	if carried.Valid {
		sh.CarriedFrom = uint(carried.Int64)
	}
	if campID.Valid {
		camp = Campaign{ID: uint(campID.Int64), NameZH: nameZH.String, NameEN: nameEN.String, Themes: themes.String,
			StartsOn: starts.String, Deadline: dead.String}
		if follows.Valid {
			f := uint(follows.Int64)
			camp.FollowsID = &f
		}
		c, err := camp.domain()
		if err != nil {
			return nil, err
		}
		sh.Campaign = &c
	}

	err = eachRow(db.Raw("SELECT snapshot_sha256 FROM assessment_themes WHERE assessment_id = ? ORDER BY position", id),
		func(rows *sql.Rows) error {
			var name string
			err := rows.Scan(&name)
			snaps = append(snaps, name)
			return err
		})
	if err != nil {
		return nil, translate(err, "themes of assessment %d", id)
	}
	for _, name := range snaps {
		whole, err := s.snapshot(db, name)
		if err != nil {
			return nil, fmt.Errorf("store: assessment %d theme snapshot %s: %w", id, name, err)
		}
		kept, left := s.snapshots.forProfile(name, profile, whole, prof)
		sh.Checklists = append(sh.Checklists, kept)
		for _, it := range left {
			sh.Excluded = append(sh.Excluded, assessment.Ref{Checklist: whole, Item: it})
		}
	}

	// Who saved what is a user id in each row, named by one query at the
	// end: joining users into every row cost more than the rows.
	type saver struct {
		item string
		file int // the evidence's index among the item's files
		user uint
	}
	answeredBy, plannedBy := make([]saver, 0, 128), make([]saver, 0, 64)
	var uploadedBy []saver
	users := map[uint]string{}

	sh.Answers = make(map[string]assessment.Answer, 128)
	answers := func(where string, args ...any) error {
		return eachRow(db.Raw("SELECT item_id, value, note, version, updated_at, updated_by_id, carried, confirmed FROM answers WHERE "+where, args...),
			func(rows *sql.Rows) error {
				var item, value string
				var by uint
				var ans assessment.Answer
				if err := rows.Scan(&item, &value, &ans.Note, &ans.Version, &ans.UpdatedAt, &by, &ans.Carried, &ans.Confirmed); err != nil {
					return err
				}
				ans.Value = scoring.Answer(value)
				sh.Answers[item] = ans
				answeredBy, users[by] = append(answeredBy, saver{item: item, user: by}), ""
				return nil
			})
	}
	plans := func(where string, args ...any) error {
		return eachRow(db.Raw("SELECT item_id, measure, owner, due, status, version, updated_at, updated_by_id, origin_assessment_id, origin_item_id, done_on, verified_on, review_comment FROM plans WHERE "+where, args...),
			func(rows *sql.Rows) error {
				var item, status, originItem string
				var by uint
				var origin sql.NullInt64
				var p assessment.Plan
				if err := rows.Scan(&item, &p.Measure, &p.Owner, &p.Due, &status, &p.Version, &p.UpdatedAt, &by, &origin, &originItem, &p.DoneOn, &p.VerifiedOn, &p.ReviewComment); err != nil {
					return err
				}
				if origin.Valid {
					p.Origin = &assessment.Origin{AssessmentID: uint(origin.Int64), ItemID: originItem}
				}
				p.Status = assessment.PlanStatus(status)
				sh.Plans[item] = p
				plannedBy, users[by] = append(plannedBy, saver{item: item, user: by}), ""
				return nil
			})
	}
	if focus == nil {
		if err := answers("assessment_id = ?", id); err != nil {
			return nil, translate(err, "answers of assessment %d", id)
		}
		if err := plans("assessment_id = ?", id); err != nil {
			return nil, translate(err, "plans of assessment %d", id)
		}
	} else {
		err = eachRow(db.Raw("SELECT item_id, value, carried, confirmed FROM answers WHERE assessment_id = ?", id),
			func(rows *sql.Rows) error {
				var item, value string
				var ans assessment.Answer
				if err := rows.Scan(&item, &value, &ans.Carried, &ans.Confirmed); err != nil {
					return err
				}
				ans.Value = scoring.Answer(value)
				sh.Answers[item] = ans
				return nil
			})
		if err != nil {
			return nil, translate(err, "answers of assessment %d", id)
		}
		err = eachRow(db.Raw("SELECT item_id FROM plans WHERE assessment_id = ?", id),
			func(rows *sql.Rows) error {
				var item string
				err := rows.Scan(&item)
				sh.Plans[item] = assessment.Plan{}
				return err
			})
		if err != nil {
			return nil, translate(err, "plans of assessment %d", id)
		}
	}

	err = eachRow(db.Raw("SELECT id, item_id, file_name, kind, size, blob_sha256, uploaded_at, uploaded_by_id, valid_until FROM evidences "+
		"WHERE assessment_id = ? AND deleted_at IS NULL ORDER BY uploaded_at, id", id),
		func(rows *sql.Rows) error {
			var e assessment.Evidence
			var by uint
			var until sql.NullString
			if err := rows.Scan(&e.ID, &e.ItemID, &e.Name, &e.Kind, &e.Size, &e.SHA256, &e.UploadedAt, &by, &until); err != nil {
				return err
			}
			e.ValidUntil = until.String
			sh.Evidence[e.ItemID] = append(sh.Evidence[e.ItemID], e)
			uploadedBy, users[by] = append(uploadedBy, saver{item: e.ItemID, file: len(sh.Evidence[e.ItemID]) - 1, user: by}), ""
			return nil
		})
	if err != nil {
		return nil, translate(err, "evidence of assessment %d", id)
	}
	if focus != nil {
		items, err := focus(sh)
		if err != nil {
			return nil, err
		}
		if len(items) > 0 {
			if err := answers("assessment_id = ? AND item_id IN ?", id, items); err != nil {
				return nil, translate(err, "answers of assessment %d", id)
			}
			if err := plans("assessment_id = ? AND item_id IN ?", id, items); err != nil {
				return nil, translate(err, "plans of assessment %d", id)
			}
		}
	}

	if len(users) == 0 {
		return sh, nil
	}
	ids := make([]uint, 0, len(users))
	for u := range users {
		ids = append(ids, u)
	}
	err = eachRow(db.Raw("SELECT id, name FROM users WHERE id IN ?", ids), func(rows *sql.Rows) error {
		var u uint
		var name string
		if err := rows.Scan(&u, &name); err != nil {
			return err
		}
		users[u] = name
		return nil
	})
	if err != nil {
		return nil, translate(err, "users of assessment %d", id)
	}
	for _, by := range answeredBy {
		a := sh.Answers[by.item]
		a.UpdatedBy = users[by.user]
		sh.Answers[by.item] = a
	}
	for _, by := range plannedBy {
		p := sh.Plans[by.item]
		p.UpdatedBy = users[by.user]
		sh.Plans[by.item] = p
	}
	for _, by := range uploadedBy {
		sh.Evidence[by.item][by.file].UploadedBy = users[by.user]
	}
	return sh, nil
}

// readContext is ctx without its cancellation, for short reads of many
// rows. Given a context that can be cancelled, the SQLite driver steps
// every row in a goroutine of its own so that it can interrupt the step,
// which cost more than the step: a large share of the fill-in page's load
// time. A read this short gains nothing from being cancelled. The
// context's values (the request's audit details) stay.
func readContext(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// eachRow runs q and calls f for each row.
func eachRow(q *gorm.DB, f func(*sql.Rows) error) error {
	rows, err := q.Rows()
	if err != nil {
		return err
	}
	for rows.Next() {
		if err := f(rows); err != nil {
			rows.Close()
			return err
		}
	}
	return closeRows(rows)
}

// closeRows closes rows and returns the error that ended them, if any.
func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}
