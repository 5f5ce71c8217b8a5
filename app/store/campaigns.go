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
)

// Errors of campaigns.
var (
	ErrNotInCampaign  = errors.New("store: the firm does not take part in this campaign")
	ErrAlreadyStarted = errors.New("store: the firm has already started this campaign's assessment")
	ErrBadCampaign    = errors.New("store: invalid campaign")
)

// NewCampaign describes a campaign to create.
type NewCampaign struct {
	NameZH, NameEN string
	Themes         []string
	StartsOn       string // YYYY-MM-DD
	Deadline       string // YYYY-MM-DD
	FirmIDs        []uint
	AuditorIDs     []uint
	FollowsID      *uint // the earlier campaign a follow-up repeats
}

// Validate names the first field that is wrong: a *fault.FieldError,
// wrapped in ErrBadCampaign.
func (n NewCampaign) Validate() error {
	bad := func(field, code string, args ...any) error {
		return fmt.Errorf("%w: %w", ErrBadCampaign, fault.Field(field, code, args...))
	}
	switch {
	case strings.TrimSpace(n.NameZH) == "":
		return bad("name_zh", fault.Required)
	case len(n.Themes) == 0:
		return bad("themes", fault.Required)
	}
	start, err := time.Parse(assessment.DateLayout, n.StartsOn)
	if err != nil {
		return bad("starts_on", fault.Invalid)
	}
	end, err := time.Parse(assessment.DateLayout, n.Deadline)
	if err != nil {
		return bad("deadline", fault.Invalid)
	}
	if end.Before(start) {
		return bad("deadline", fault.Order, n.Deadline, n.StartsOn)
	}
	return nil
}

// badMember refuses a campaign's firm or auditor as a *fault.FieldError
// wrapped in ErrBadCampaign.
func badMember(field, code string, arg any) error {
	return fmt.Errorf("%w: %w", ErrBadCampaign, fault.Field(field, code, arg))
}

// CreateCampaign creates a campaign with its firms and auditors. Only admins may.
func (s *Store) CreateCampaign(ctx context.Context, actor *User, n NewCampaign) (uint, error) {
	if actor.Role != auth.Admin {
		return 0, fmt.Errorf("store: create campaign: %w", ErrNotFound)
	}
	if err := n.Validate(); err != nil {
		return 0, err
	}
	themes, _ := json.Marshal(n.Themes)
	c := Campaign{NameZH: strings.TrimSpace(n.NameZH), NameEN: strings.TrimSpace(n.NameEN), Themes: string(themes),
		StartsOn: n.StartsOn, Deadline: n.Deadline, CreatedByID: actor.ID, FollowsID: n.FollowsID}
	err := s.change(ctx, func(tx *gorm.DB) error {
		if n.FollowsID != nil {
			var earlier Campaign
			if err := tx.Select("id").First(&earlier, *n.FollowsID).Error; err != nil {
				return translate(err, "campaign %d to follow", *n.FollowsID)
			}
		}
		if err := tx.Omit(clause.Associations).Create(&c).Error; err != nil {
			return translate(err, "create campaign")
		}
		if err := setCampaignMembers(tx, c.ID, n.FirmIDs, n.AuditorIDs); err != nil {
			return err
		}
		ev := eventBy(actor, outbox.CampaignCreated, 0, "", map[string]any{"firms": dedupe(n.FirmIDs), "auditors": dedupe(n.AuditorIDs)})
		ev.CampaignID = c.ID
		if err := emit(tx, ev); err != nil {
			return err
		}
		return appendAudit(tx, ctx, auditBy(actor, AuditCampaignCreated, fmt.Sprintf("campaign:%d", c.ID),
			fmt.Sprintf("%s; firms %v; auditors %v", c.NameZH, dedupe(n.FirmIDs), dedupe(n.AuditorIDs))))
	})
	return c.ID, err
}

// setCampaignMembers replaces a campaign's firms and auditors, checking
// that each firm exists and each auditor is an auditor.
func setCampaignMembers(tx *gorm.DB, campaignID uint, firmIDs, auditorIDs []uint) error {
	if err := replaceCampaignFirms(tx, campaignID, firmIDs); err != nil {
		return err
	}
	return setCampaignAuditors(tx, campaignID, auditorIDs)
}

// replaceCampaignFirms replaces a campaign's firms, each of which must
// exist, and recounts them.
func replaceCampaignFirms(tx *gorm.DB, campaignID uint, firmIDs []uint) error {
	if err := tx.Exec("DELETE FROM campaign_firms WHERE campaign_id = ?", campaignID).Error; err != nil {
		return translate(err, "campaign %d firms", campaignID)
	}
	for _, f := range dedupe(firmIDs) {
		var n int64
		if err := tx.Model(&Firm{}).Where("id = ?", f).Count(&n).Error; err != nil || n == 0 {
			return badMember("firms", fault.Unknown, f)
		}
		if err := tx.Exec("INSERT INTO campaign_firms (campaign_id, firm_id) VALUES (?, ?)", campaignID, f).Error; err != nil {
			return translate(err, "add firm %d to campaign %d", f, campaignID)
		}
	}
	return rollupFirms(tx, campaignID)
}

// setCampaignAuditors replaces a campaign's auditors; each must be an
// active auditor.
func setCampaignAuditors(tx *gorm.DB, campaignID uint, auditorIDs []uint) error {
	if err := tx.Exec("DELETE FROM campaign_auditors WHERE campaign_id = ?", campaignID).Error; err != nil {
		return translate(err, "campaign %d auditors", campaignID)
	}
	for _, u := range dedupe(auditorIDs) {
		var n int64
		if err := tx.Model(&User{}).Where("id = ? AND role = ? AND disabled_at IS NULL", u, string(auth.Auditor)).Count(&n).Error; err != nil || n == 0 {
			return badMember("auditors", fault.Unknown, u)
		}
		if err := tx.Exec("INSERT INTO campaign_auditors (campaign_id, user_id) VALUES (?, ?)", campaignID, u).Error; err != nil {
			return translate(err, "assign auditor %d to campaign %d", u, campaignID)
		}
	}
	return nil
}

// AssignAuditors replaces the auditors of a campaign: from then on they, and
// only they, see and review its submissions. Only admins may.
func (s *Store) AssignAuditors(ctx context.Context, actor *User, campaignID uint, auditorIDs []uint) error {
	if actor.Role != auth.Admin {
		return fmt.Errorf("store: assign auditors: %w", ErrNotFound)
	}
	return s.change(ctx, func(tx *gorm.DB) error {
		var c Campaign
		if err := tx.Select("id").First(&c, campaignID).Error; err != nil {
			return translate(err, "campaign %d", campaignID)
		}
		if err := setCampaignAuditors(tx, campaignID, auditorIDs); err != nil {
			return err
		}
		ev := eventBy(actor, outbox.CampaignAuditorsChanged, 0, "", map[string]any{"auditors": dedupe(auditorIDs)})
		ev.CampaignID = campaignID
		if err := emit(tx, ev); err != nil {
			return err
		}
		return appendAudit(tx, ctx, auditBy(actor, AuditCampaignChanged, fmt.Sprintf("campaign:%d", campaignID),
			fmt.Sprintf("auditors %v", dedupe(auditorIDs))))
	})
}

// SetCampaignFirms replaces the firms taking part in a campaign. A firm that
// has already started the campaign's assessment stays: removing it would
// orphan its assessment from the dashboard and the queue. Only admins may.
func (s *Store) SetCampaignFirms(ctx context.Context, actor *User, campaignID uint, firmIDs []uint) error {
	if actor.Role != auth.Admin {
		return fmt.Errorf("store: set campaign firms: %w", ErrNotFound)
	}
	return s.transact(ctx, func(tx *gorm.DB) error {
		var c Campaign
		if err := tx.Select("id").First(&c, campaignID).Error; err != nil {
			return translate(err, "campaign %d", campaignID)
		}
		keep := map[uint]bool{}
		for _, id := range firmIDs {
			keep[id] = true
		}
		var started []uint
		if err := tx.Model(&Assessment{}).Where("campaign_id = ?", campaignID).Distinct().Pluck("firm_id", &started).Error; err != nil {
			return translate(err, "firms that started campaign %d", campaignID)
		}
		for _, f := range started {
			if !keep[f] {
				// Named by credit code, as the API names firms.
				var code string
				if err := tx.Model(&Firm{}).Where("id = ?", f).Pluck("credit_code", &code).Error; err != nil {
					return translate(err, "firm %d", f)
				}
				return badMember("firms", fault.InUse, code)
			}
		}
		if err := replaceCampaignFirms(tx, campaignID, firmIDs); err != nil {
			return err
		}
		ev := eventBy(actor, outbox.CampaignFirmsChanged, 0, "", map[string]any{"firms": dedupe(firmIDs)})
		ev.CampaignID = campaignID
		if err := emit(tx, ev); err != nil {
			return err
		}
		return appendAudit(tx, ctx, auditBy(actor, AuditCampaignChanged, fmt.Sprintf("campaign:%d", campaignID),
			fmt.Sprintf("firms %v", dedupe(firmIDs))))
	})
}

func dedupe(ids []uint) []uint {
	seen := map[uint]bool{}
	var out []uint
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func (c Campaign) domain() (assessment.Campaign, error) {
	var themes []string
	if err := json.Unmarshal([]byte(c.Themes), &themes); err != nil {
		return assessment.Campaign{}, fmt.Errorf("store: campaign %d themes: %w", c.ID, err)
	}
	out := assessment.Campaign{ID: c.ID, Name: checklist.Text{ZH: c.NameZH, EN: c.NameEN}, Themes: themes, StartsOn: c.StartsOn, Deadline: c.Deadline}
	if c.FollowsID != nil {
		out.Follows = *c.FollowsID
	}
	return out, nil
}

// CampaignView is a campaign as a user sees it: for a firm user with the
// state of their firm's assessment in it.
type CampaignView struct {
	assessment.Campaign
	Firms        []Firm // only from Campaigns
	Auditors     []User // only from Campaigns
	FirmCount    int    // firms taking part
	AssessmentID uint   // the caller's firm's assessment, 0 when not started
	State        assessment.State
}

// scopeCampaigns restricts campaigns to those actor takes part in or reviews.
func scopeCampaigns(actor *User) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		sub := db.Session(&gorm.Session{NewDB: true})
		switch {
		case actor.Role == auth.Admin:
			return db
		case actor.Role == auth.Auditor:
			return db.Where("campaigns.id IN (?)", sub.Table("campaign_auditors").Select("campaign_id").Where("user_id = ?", actor.ID))
		case actor.Role.InFirm() && actor.FirmID != nil:
			return db.Where("campaigns.id IN (?)", sub.Table("campaign_firms").Select("campaign_id").Where("firm_id = ?", *actor.FirmID))
		}
		return db.Where("1 = 0")
	}
}

// Campaigns lists the campaigns actor takes part in or reviews, by
// deadline, each with its firms and auditors: what the admin edits.
func (s *Store) Campaigns(ctx context.Context, actor *User) ([]CampaignView, error) {
	var rows []Campaign
	err := s.db.WithContext(ctx).Scopes(scopeCampaigns(actor)).Preload("Firms").Preload("Auditors").
		Order("deadline, id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "list campaigns")
	}
	return s.campaignViews(ctx, actor, rows)
}

// CampaignList is Campaigns without the firms and auditors, with the
// number of firms instead: what a page that lists or filters by campaigns
// needs. A campaign of 100,000 firms would otherwise load them all on
// every view of the review queue.
func (s *Store) CampaignList(ctx context.Context, actor *User) ([]CampaignView, error) {
	var rows []Campaign
	err := s.db.WithContext(ctx).Scopes(scopeCampaigns(actor)).Order("deadline, id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "list campaigns")
	}
	out, err := s.campaignViews(ctx, actor, rows)
	if err != nil || len(rows) == 0 {
		return out, err
	}
	ids := make([]uint, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var counts []CampaignRollup
	if err := s.db.WithContext(ctx).Where("campaign_id IN ?", ids).Find(&counts).Error; err != nil {
		return nil, translate(err, "count the firms of campaigns")
	}
	firms := map[uint]int{}
	for _, c := range counts {
		firms[c.CampaignID] = c.Firms
	}
	for i := range out {
		out[i].FirmCount = firms[out[i].ID]
	}
	return out, nil
}

// campaignViews adds to each campaign the actor's firm's assessment of it.
func (s *Store) campaignViews(ctx context.Context, actor *User, rows []Campaign) ([]CampaignView, error) {
	started := map[uint]Assessment{}
	if actor.Role.InFirm() && actor.FirmID != nil {
		var mine []Assessment
		if err := s.db.WithContext(ctx).Select("id", "campaign_id", "state").
			Where("firm_id = ? AND campaign_id IS NOT NULL", *actor.FirmID).Find(&mine).Error; err != nil {
			return nil, translate(err, "assessments in campaigns")
		}
		for _, a := range mine {
			started[*a.CampaignID] = a
		}
	}
	out := make([]CampaignView, len(rows))
	for i, r := range rows {
		c, err := r.domain()
		if err != nil {
			return nil, err
		}
		out[i] = CampaignView{Campaign: c, Firms: r.Firms, Auditors: r.Auditors, FirmCount: len(r.Firms)}
		if a, ok := started[r.ID]; ok {
			out[i].AssessmentID, out[i].State = a.ID, assessment.State(a.State)
		}
	}
	return out, nil
}

// Campaign returns one campaign actor takes part in or reviews.
func (s *Store) Campaign(ctx context.Context, actor *User, id uint) (assessment.Campaign, error) {
	var c Campaign
	if err := s.db.WithContext(ctx).Scopes(scopeCampaigns(actor)).First(&c, "campaigns.id = ?", id).Error; err != nil {
		return assessment.Campaign{}, translate(err, "campaign %d", id)
	}
	return c.domain()
}

// checkCampaignStart refuses to start a campaign's assessment for a firm
// that does not take part, or that has started it already.
func checkCampaignStart(tx *gorm.DB, firmID, campaignID uint) error {
	var n int64
	if err := tx.Table("campaign_firms").Where("campaign_id = ? AND firm_id = ?", campaignID, firmID).Count(&n).Error; err != nil {
		return translate(err, "campaign %d firms", campaignID)
	}
	if n == 0 {
		return ErrNotInCampaign
	}
	if err := tx.Model(&Assessment{}).Where("campaign_id = ? AND firm_id = ?", campaignID, firmID).Count(&n).Error; err != nil {
		return translate(err, "campaign %d assessments", campaignID)
	}
	if n > 0 {
		return ErrAlreadyStarted
	}
	return nil
}
