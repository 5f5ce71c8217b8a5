package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/fault"
	"selfcheck/app/outbox"
	"selfcheck/app/scoring"
)

// Assignment gives a theme (Theme set) or a single item (ItemID set) of an
// assessment to a member of its firm.
type Assignment struct {
	ID           uint
	AssessmentID uint
	Theme        string
	ItemID       string
	UserID       uint
	User         User
	AssignedByID uint
	AssignedAt   time.Time
}

// AssignmentInput is one entry of a change of assignments: a theme or an
// item, and the email of the member to give it to (nil: nobody).
type AssignmentInput struct {
	Theme string
	Item  string
	User  *string
}

// Assignee is who a theme or an item is given to.
type Assignee struct {
	UserID uint
	Email  string
	Name   string
}

// Assignments are an assessment's assignments: by theme, by item as
// assigned one by one, and the item's assignee in effect (its own, else
// its theme's).
type Assignments struct {
	Themes map[string]Assignee
	Items  map[string]Assignee
	Of     map[string]Assignee
	// StartedBy is the member who started the assessment: with the firm's
	// admin, the one who may assign.
	StartedBy uint
}

// Mine lists the items in effect assigned to the user id, sorted.
func (a Assignments) Mine(userID uint) []string {
	var out []string
	for item, who := range a.Of {
		if who.UserID == userID {
			out = append(out, item)
		}
	}
	sort.Strings(out)
	return out
}

// Field names of an assignment in the history (changes.field).
const (
	fieldAssignee      = "assignee"
	fieldThemeAssignee = "theme.assignee"
)

// AuditAssigned records a change of who answers a theme or an item.
const AuditAssigned = "assigned"

// Assignments returns the assignments of an assessment actor may see.
func (s *Store) Assignments(ctx context.Context, actor *User, id uint) (Assignments, error) {
	db := s.db.WithContext(ctx)
	var a Assessment
	if err := db.Scopes(scopeAssessments(actor)).Select("id", "profile", "created_by_id").First(&a, "assessments.id = ?", id).Error; err != nil {
		return Assignments{}, translate(err, "assessment %d", id)
	}
	out, err := s.assignmentsOf(db, a)
	out.StartedBy = a.CreatedByID
	return out, err
}

// assignmentsOf reads a's assignments; a carries ID and Profile.
func (s *Store) assignmentsOf(db *gorm.DB, a Assessment) (Assignments, error) {
	out := Assignments{Themes: map[string]Assignee{}, Items: map[string]Assignee{}, Of: map[string]Assignee{}}
	var rows []Assignment
	if err := db.Preload("User", func(db *gorm.DB) *gorm.DB { return db.Select("id", "name", "email") }).
		Where("assessment_id = ?", a.ID).Find(&rows).Error; err != nil {
		return out, translate(err, "assignments of assessment %d", a.ID)
	}
	for _, r := range rows {
		out.add(r.Theme, r.ItemID, Assignee{UserID: r.UserID, Email: r.User.Email, Name: r.User.Name})
	}
	return out, s.resolveAssignments(db, a, &out)
}

// add records who is given a theme (item "") or an item.
func (out *Assignments) add(theme, item string, who Assignee) {
	if item != "" {
		out.Items[item] = who
	} else {
		out.Themes[theme] = who
	}
}

// resolveAssignments fills out.Of, each item's assignee in effect, from
// the themes and items out gives; a carries ID and Profile.
func (s *Store) resolveAssignments(db *gorm.DB, a Assessment, out *Assignments) error {
	if len(out.Themes) == 0 && len(out.Items) == 0 {
		return nil
	}
	f, err := s.frozenOf(db, a)
	if err != nil {
		return err
	}
	for _, cl := range f.lists {
		if who, ok := out.Themes[cl.ID]; ok {
			for _, it := range cl.Items() {
				out.Of[it.ID] = who
			}
		}
	}
	for item, who := range out.Items {
		if f.items[item] {
			out.Of[item] = who
		}
	}
	return nil
}

// SetAssignments changes who answers themes and items of an editable
// assessment of actor's firm, all entries or none. Only the firm's admin
// and the member who started the assessment may (fault.ErrForbidden); an
// assignee must be an active member of the firm, and a theme or item one
// the assessment asks (a *fault.FieldError naming the entry). Each change
// is recorded in the history and the audit log and raises an Assigned
// event. Two changes of one target at once: the transaction's exclusive
// write lock (transact) runs them one after the other, so the later wins
// and both keep their history rows.
func (s *Store) SetAssignments(ctx context.Context, actor *User, id uint, in []AssignmentInput) error {
	if actor.FirmID == nil || !actor.Role.InFirm() {
		return fmt.Errorf("store: assign in assessment %d: %w", id, ErrNotFound)
	}
	return s.change(ctx, func(tx *gorm.DB) error {
		var a Assessment
		if err := tx.Scopes(scopeAssessments(actor)).Select("id", "firm_id", "state", "profile", "created_by_id").
			First(&a, "assessments.id = ?", id).Error; err != nil {
			return translate(err, "assessment %d", id)
		}
		if actor.Role != auth.FirmAdmin && a.CreatedByID != actor.ID {
			return fault.Forbidden("assign in assessment %d: user %d neither started it nor administers the firm", id, actor.ID)
		}
		if st := assessment.State(a.State); !assessment.EditableState(st) {
			return &ReadOnlyError{State: st}
		}
		f, err := s.frozenOf(tx, a)
		if err != nil {
			return err
		}
		themes := map[string]bool{}
		for _, cl := range f.lists {
			themes[cl.ID] = true
		}
		var emails []string
		for _, e := range in {
			if e.User != nil {
				emails = append(emails, NormalizeEmail(*e.User))
			}
		}
		members := map[string]User{}
		if len(emails) > 0 {
			var us []User
			if err := tx.Select("id", "email", "name").Where("firm_id = ? AND disabled_at IS NULL AND role IN ? AND email IN ?",
				a.FirmID, []auth.Role{auth.FirmMember, auth.FirmAdmin}, emails).Find(&us).Error; err != nil {
				return translate(err, "members of firm %d", a.FirmID)
			}
			for _, u := range us {
				members[u.Email] = u
			}
		}
		var old []Assignment
		if err := tx.Preload("User", func(db *gorm.DB) *gorm.DB { return db.Select("id", "name") }).
			Where("assessment_id = ?", id).Find(&old).Error; err != nil {
			return translate(err, "assignments of assessment %d", id)
		}
		current := map[[2]string]Assignment{}
		for _, r := range old {
			current[[2]string{r.Theme, r.ItemID}] = r
		}
		now := time.Now().UTC()
		var changes []Change
		var notes []string
		for i, e := range in {
			entry := fmt.Sprintf("assignments[%d]", i)
			switch {
			case (e.Theme == "") == (e.Item == ""):
				return fault.Field(entry, fault.Required)
			case e.Theme != "" && !themes[e.Theme]:
				return fault.Field(entry+".theme", fault.Unknown, e.Theme)
			case e.Item != "" && !f.items[e.Item]:
				return fault.Field(entry+".item", fault.Unknown, e.Item)
			}
			key := [2]string{e.Theme, e.Item}
			prev, had := current[key]
			var next *User
			if e.User != nil {
				u, ok := members[NormalizeEmail(*e.User)]
				if !ok {
					return fault.Field(entry+".user", fault.Unknown, *e.User)
				}
				next = &u
			}
			if next == nil && !had || next != nil && had && prev.UserID == next.ID {
				continue
			}
			q := tx.Where("assessment_id = ? AND theme = ? AND item_id = ?", id, e.Theme, e.Item)
			if err := q.Delete(&Assignment{}).Error; err != nil {
				return translate(err, "clear assignment")
			}
			delete(current, key)
			row := Assignment{AssessmentID: id, Theme: e.Theme, ItemID: e.Item, AssignedByID: actor.ID, AssignedAt: now}
			if next != nil {
				row.UserID, row.User = next.ID, *next
				if err := tx.Omit(clause.Associations).Create(&row).Error; err != nil {
					return translate(err, "assign")
				}
				current[key] = row
			}
			field, target := fieldAssignee, e.Item
			if e.Theme != "" {
				field, target = fieldThemeAssignee, e.Theme
			}
			ch := Change{AssessmentID: id, ItemID: target, Field: field, UserID: actor.ID, At: now}
			if had {
				ch.OldValue = prev.User.Name
			}
			detail := map[string]any{"user": uint(0)}
			if e.Theme != "" {
				detail["theme"] = e.Theme
			}
			if next != nil {
				ch.NewValue, detail["user"] = next.Name, next.ID
			}
			changes = append(changes, ch)
			notes = append(notes, fmt.Sprintf("%s %s → %s", field, target, auditValue(ch.NewValue)))
			if err := emit(tx, eventBy(actor, outbox.Assigned, id, e.Item, detail)); err != nil {
				return err
			}
		}
		if len(changes) == 0 {
			return nil
		}
		if err := recordChanges(tx, changes); err != nil {
			return translate(err, "record assignments")
		}
		return appendAudit(tx, ctx, auditBy(actor, AuditAssigned, fmt.Sprintf("assessment:%d", id), clipAudit(strings.Join(notes, "; "), 1000)).inFirm(a.FirmID))
	})
}

// OpenItem is an item assigned to someone that still needs their work:
// unanswered, or a gap whose plan is missing or incomplete.
type OpenItem struct {
	AssessmentID uint
	ItemID       string
	Unanswered   bool // else a gap without a complete plan
}

// MyOpenItems lists the items of actor's firm's editable assessments that
// are assigned to actor and still need work, by assessment then item.
func (s *Store) MyOpenItems(ctx context.Context, actor *User) ([]OpenItem, error) {
	if actor.FirmID == nil || !actor.Role.InFirm() {
		return nil, nil
	}
	db := s.db.WithContext(ctx)
	var as []Assessment
	if err := db.Select("id", "profile").Where("firm_id = ? AND state IN ? AND id IN (?)", *actor.FirmID,
		[]string{string(assessment.Draft), string(assessment.ChangesRequested)},
		db.Session(&gorm.Session{NewDB: true}).Table("assignments").Select("assessment_id").Where("user_id = ?", actor.ID)).
		Order("id").Find(&as).Error; err != nil {
		return nil, translate(err, "assessments assigned to user %d", actor.ID)
	}
	var out []OpenItem
	for _, a := range as {
		asg, err := s.assignmentsOf(db, a)
		if err != nil {
			return nil, err
		}
		mine := asg.Mine(actor.ID)
		if len(mine) == 0 {
			continue
		}
		var answers []Answer
		if err := db.Select("item_id", "value").Where("assessment_id = ? AND item_id IN ?", a.ID, mine).Find(&answers).Error; err != nil {
			return nil, translate(err, "answers of assessment %d", a.ID)
		}
		var plans []Plan
		if err := db.Select("item_id", "measure", "owner", "due", "status").Where("assessment_id = ? AND item_id IN ?", a.ID, mine).Find(&plans).Error; err != nil {
			return nil, translate(err, "plans of assessment %d", a.ID)
		}
		value := map[string]string{}
		for _, an := range answers {
			value[an.ItemID] = an.Value
		}
		planned := map[string]bool{}
		for _, p := range plans {
			planned[p.ItemID] = assessment.NewPlan(p.Measure, p.Owner, p.Due, assessment.PlanStatus(p.Status)).Validate() == nil
		}
		for _, item := range mine {
			v := value[item]
			switch {
			case v == "":
				out = append(out, OpenItem{AssessmentID: a.ID, ItemID: item, Unanswered: true})
			case isGap(v) && !planned[item]:
				out = append(out, OpenItem{AssessmentID: a.ID, ItemID: item})
			}
		}
	}
	return out, nil
}

// isGap reports whether an answer value is one that needs a plan.
func isGap(v string) bool {
	return v == string(scoring.Partial) || v == string(scoring.NonCompliant)
}

// Assignable lists the people actor may give work to: the active members
// and admins of actor's firm, by name.
func (s *Store) Assignable(ctx context.Context, actor *User) ([]User, error) {
	if actor.FirmID == nil || !actor.Role.InFirm() {
		return nil, nil
	}
	// Plain SQL, prepared and without cancellation, as TeamWork: the
	// fill-in page asks it on every load for its assignee selects.
	db := s.db.Session(&gorm.Session{Context: readContext(ctx), PrepareStmt: true})
	var out []User
	err := eachRow(db.Raw("SELECT id, email, name, role FROM users WHERE firm_id = ? AND disabled_at IS NULL AND role IN (?, ?) ORDER BY name, email",
		*actor.FirmID, auth.FirmMember, auth.FirmAdmin),
		func(rows *sql.Rows) error {
			var u User
			if err := rows.Scan(&u.ID, &u.Email, &u.Name, &u.Role); err != nil {
				return err
			}
			out = append(out, u)
			return nil
		})
	return out, translate(err, "members of firm %d", *actor.FirmID)
}
