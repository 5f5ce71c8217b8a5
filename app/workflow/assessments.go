package workflow

import (
	"context"
	"strings"

	"selfcheck/app/access"
	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/fault"
	"selfcheck/app/store"
)

// StartInput is what a firm chooses when it starts a self-examination.
type StartInput struct {
	// Campaign, when not 0, is the campaign to start; its themes win over Themes.
	Campaign uint
	// Themes are checklist ids, without a campaign; repeats count once.
	Themes []string
	// Profile lists the services the firm runs (checklist tags); nil means
	// the firm's saved profile.
	Profile *[]string
	// CarryFrom, when not 0, is the firm's assessment of the campaign that
	// Campaign follows to start from (Store.CreateAssessmentFrom).
	CarryFrom uint
}

// StartAssessment starts a self-examination for p's firm: of a campaign it
// takes part in (once), or of the chosen themes. The profile given is saved
// for the firm; without one the saved profile is used. Refusals: themes
// missing or unknown and services unknown (*fault.FieldError on themes or
// profile), ErrNothingApplies, ErrAlreadyStarted, ErrNotFound for a
// campaign p may not see.
func (s *Service) StartAssessment(ctx context.Context, p access.Principal, in StartInput) (uint, error) {
	if !p.InFirm() {
		return 0, fault.Forbidden("start assessment: %s is not in a firm", p.Role)
	}
	u := actor(p)
	themeIDs := in.Themes
	var campaignID *uint
	if in.Campaign != 0 {
		camp, err := s.Store.Campaign(ctx, u, in.Campaign)
		if err != nil {
			return 0, err
		}
		campaignID, themeIDs = &camp.ID, camp.Themes
	}
	if len(themeIDs) == 0 {
		return 0, fault.Field("themes", fault.Required)
	}
	cat, _, err := s.Deps.Catalog.Catalog(ctx)
	if err != nil {
		return 0, err
	}
	var lists []*checklist.Checklist
	chosen := map[string]bool{}
	for _, id := range themeIDs {
		if chosen[id] {
			continue
		}
		chosen[id] = true
		cl, ok := cat.Get(id)
		if !ok {
			return 0, fault.Field("themes", fault.Unknown, id)
		}
		lists = append(lists, cl)
	}
	var profile checklist.Profile
	if in.Profile == nil {
		if profile, err = s.Store.FirmProfile(ctx, u); err != nil {
			return 0, err
		}
	} else {
		profile = checklist.Profile{}
		for _, t := range *in.Profile {
			if !checklist.KnownTag(checklist.Tag(t)) {
				return 0, fault.Field("profile", fault.Unknown, t, KnownTags())
			}
			profile[checklist.Tag(t)] = true
		}
	}
	if in.CarryFrom != 0 && campaignID == nil {
		return 0, fault.Field("carry_from", assessment.CarryNoFollowUp)
	}
	id, err := s.Store.CreateAssessmentFrom(ctx, u, lists, profile, campaignID, in.CarryFrom)
	if err != nil {
		return 0, err
	}
	s.Log.Info("assessment started", "assessment", id, "user", p.ID, "themes", len(lists))
	return id, nil
}

// KnownTags lists the services a profile may name, comma-separated.
func KnownTags() string {
	out := make([]string, len(checklist.Tags))
	for i, t := range checklist.Tags {
		out[i] = string(t.Tag)
	}
	return strings.Join(out, ", ")
}

// FirmProfile is the services p's firm last said it runs.
func (s *Service) FirmProfile(ctx context.Context, p access.Principal) (checklist.Profile, error) {
	return s.Store.FirmProfile(ctx, actor(p))
}

// Assessments lists the assessments p may see, newest first.
func (s *Service) Assessments(ctx context.Context, p access.Principal) ([]Summary, error) {
	return s.Store.ListAssessments(ctx, actor(p))
}

// Sheet is an assessment p may see, whole: snapshots, answers, plans,
// evidence.
func (s *Service) Sheet(ctx context.Context, p access.Principal, id uint) (*assessment.Sheet, error) {
	return s.Store.Sheet(ctx, actor(p), id)
}

// FillSheet is the sheet of the fill-in page, read by its own fast loader.
func (s *Service) FillSheet(ctx context.Context, p access.Principal, id uint) (*assessment.Sheet, error) {
	return s.Store.FillSheet(ctx, actor(p), id)
}

// FillSheetFocused is FillSheet for a view of some items: focus picks them
// from the sheet read without details, and only theirs are read.
func (s *Service) FillSheetFocused(ctx context.Context, p access.Principal, id uint, focus FillFocus) (*assessment.Sheet, error) {
	return s.Store.FillSheetFocused(ctx, actor(p), id, focus)
}

// Progress is what an autosave answer reports: how many items are
// answered, overall and by theme, colleagues' saves included.
func (s *Service) Progress(ctx context.Context, p access.Principal, id uint) (assessment.Progress, error) {
	return s.Store.Progress(ctx, actor(p), id)
}

// AnswerSheet is the sheet with answers only (no plans, no evidence).
func (s *Service) AnswerSheet(ctx context.Context, p access.Principal, id uint) (*assessment.Sheet, error) {
	return s.Store.AnswerSheet(ctx, actor(p), id)
}

// StoredAnswer is the stored answer of one item.
func (s *Service) StoredAnswer(ctx context.Context, p access.Principal, id uint, itemID string) (assessment.Answer, error) {
	return s.Store.StoredAnswer(ctx, actor(p), id, itemID)
}

// SaveAnswers stores answers of an editable assessment of p's firm, each
// checked by assessment.ValidateAnswer (in the store's transaction, which
// names the refused item); a version that is not the stored one is
// refused with *ConflictError. It returns once the save is durable.
func (s *Service) SaveAnswers(ctx context.Context, p access.Principal, id uint, in []AnswerInput) (map[string]assessment.Answer, error) {
	return s.Store.SaveAnswers(ctx, actor(p), id, in)
}

// Autosaved is what an autosave of one answer reports: the answer as
// stored and, when the save changed whether the item counts as answered,
// the progress after it (colleagues' saves included). Progress is nil when
// the counts are as they were: most autosaves are a note typed or an
// answer changed to another, and reading every answered item of the
// assessment after each of them was a large share of a save's cost.
type Autosaved struct {
	Answer   assessment.Answer
	Progress *assessment.Progress
}

// Autosave saves one answer as SaveAnswers does and reports it (Autosaved).
func (s *Service) Autosave(ctx context.Context, p access.Principal, id uint, in AnswerInput) (Autosaved, error) {
	saved, before, err := s.Store.SaveAnswersFrom(ctx, actor(p), id, []AnswerInput{in})
	if err != nil {
		return Autosaved{}, err
	}
	out := Autosaved{Answer: saved[in.ItemID]}
	if (before[in.ItemID] == "") != (out.Answer.Value == "") {
		pr, err := s.Store.Progress(ctx, actor(p), id)
		if err != nil {
			return Autosaved{}, err
		}
		out.Progress = &pr
	}
	return out, nil
}

// SavePlan stores the rectification plan of an item, checked by
// assessment.Plan.Validate; a stale version is refused with
// *PlanConflictError.
func (s *Service) SavePlan(ctx context.Context, p access.Principal, id uint, itemID string, in PlanInput) (assessment.Plan, error) {
	return s.Store.SavePlan(ctx, actor(p), id, itemID, in)
}

// Submit hands a complete draft or returned assessment to review; what
// blocks it comes back as *IncompleteError.
func (s *Service) Submit(ctx context.Context, p access.Principal, id uint) error {
	if err := s.Store.Submit(ctx, actor(p), id); err != nil {
		return err
	}
	s.Log.Info("assessment submitted", "assessment", id, "user", p.ID)
	return nil
}

// Timeline is an assessment's history: every change of an answer, note,
// plan or evidence and every transition, newest first.
func (s *Service) Timeline(ctx context.Context, p access.Principal, id uint) ([]Event, error) {
	return s.Store.Timeline(ctx, actor(p), id)
}

// Plans lists every rectification plan of p's firm across its assessments.
func (s *Service) Plans(ctx context.Context, p access.Principal) ([]PlanRow, error) {
	return s.Store.FirmPlans(ctx, actor(p))
}

// NormalizeNote is how a note is kept (see assessment.NormalizeNote).
func NormalizeNote(note string) string { return assessment.NormalizeNote(note) }

// Activity is a page of an assessment's activity feed, newest first: up
// to limit (at most MaxActivityPage) entries with an id below before (0:
// the newest), and whether older ones remain.
func (s *Service) Activity(ctx context.Context, p access.Principal, id uint, before int64, limit int) ([]Activity, bool, error) {
	return s.Store.Activities(ctx, actor(p), id, before, limit)
}

// MaxActivityPage bounds a page of the activity feed.
const MaxActivityPage = store.MaxActivityPage
