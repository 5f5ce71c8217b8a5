package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"selfcheck/app/auth"
	"selfcheck/app/campaign"
	"selfcheck/app/checklist"
	"selfcheck/app/workflow"
)

// campaignForm is the new-campaign form as typed, kept to show it again
// with its errors.
type campaignForm struct {
	NameZH, NameEN     string
	StartsOn, Deadline string
	Themes             map[string]bool
	Firms, Auditors    map[uint]bool
}

type campaignsPage struct {
	Campaigns []workflow.CampaignView
	Themes    []*checklist.Checklist
	Titles    map[string]checklist.Text
	Firms     []workflow.Firm
	Auditors  []workflow.Account
	Form      campaignForm
	Errors    []string
	Names     map[uint]checklist.Text // every campaign's name, for "follows"
}

func (s *Server) adminCampaigns(c echo.Context) error {
	return s.renderCampaigns(c, http.StatusOK, campaignForm{StartsOn: s.today()}, nil)
}

// campaignChoices are what a campaign may cover and include: the catalog's
// themes, the firms and the active auditors.
func (s *Server) campaignChoices(c echo.Context) (campaignsPage, error) {
	ctx := c.Request().Context()
	var data campaignsPage
	cat, _, err := s.Work.Catalog(ctx)
	if err != nil {
		return data, err
	}
	data.Themes = cat.Checklists
	data.Titles = map[string]checklist.Text{}
	for _, cl := range cat.Checklists {
		data.Titles[cl.ID] = cl.Title
	}
	if data.Firms, err = s.Work.Firms(ctx, who(c)); err != nil {
		return data, err
	}
	users, err := s.Work.Users(ctx, who(c))
	if err != nil {
		return data, err
	}
	for _, x := range users {
		if x.Role == auth.Auditor && x.DisabledAt == nil {
			data.Auditors = append(data.Auditors, x)
		}
	}
	return data, nil
}

func (s *Server) renderCampaigns(c echo.Context, status int, form campaignForm, problems []string) error {
	data, err := s.campaignChoices(c)
	if err != nil {
		return err
	}
	if data.Campaigns, err = s.Work.Campaigns(c.Request().Context(), who(c)); err != nil {
		return err
	}
	data.Form, data.Errors = form, problems
	data.Names = map[uint]checklist.Text{}
	for _, cv := range data.Campaigns {
		data.Names[cv.ID] = cv.Name
	}
	return s.render(c, status, "admin_campaigns", s.T(c, "campaigns.title"), data)
}

// followUpCampaign creates the next cycle of a campaign from the form on
// its row: a name and dates; its themes, firms and auditors are those of
// the campaign it follows.
func (s *Server) followUpCampaign(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	earlier, err := s.Work.Campaign(ctx, who(c), id)
	if err != nil {
		return err
	}
	choices, err := s.campaignChoices(c)
	if err != nil {
		return err
	}
	d, fieldErrs := campaign.Check(campaign.Details{
		NameZH: c.FormValue("name_zh"), NameEN: c.FormValue("name_en"),
		StartsOn: c.FormValue("starts_on"), Deadline: c.FormValue("deadline"), Themes: earlier.Themes,
	}, func(id string) bool { _, ok := choices.Titles[id]; return ok })
	var problems []string
	for _, fe := range fieldErrs {
		problems = append(problems, s.faultMessage(c, fe))
	}
	if len(problems) == 0 {
		newID, err := s.Work.FollowUpCampaign(ctx, who(c), id, workflow.FollowUp{NameZH: d.NameZH, NameEN: d.NameEN,
			StartsOn: d.StartsOn, Deadline: d.Deadline, Themes: d.Themes})
		switch {
		case isFault(err):
			problems = append(problems, s.faultMessage(c, err))
		case err != nil:
			return err
		default:
			s.Log.Info("follow-up campaign created", "campaign", newID, "follows", id, "user", currentUser(c).ID)
			flash(c, "cycle.follow_up_created")
			return c.Redirect(http.StatusSeeOther, "/admin/campaigns")
		}
	}
	return s.renderCampaigns(c, http.StatusUnprocessableEntity, campaignForm{StartsOn: s.today()}, problems)
}

// createCampaign checks every field, naming each one that is wrong, before
// the store creates the campaign.
func (s *Server) createCampaign(c echo.Context) error {
	form := campaignForm{
		NameZH: strings.TrimSpace(c.FormValue("name_zh")), NameEN: strings.TrimSpace(c.FormValue("name_en")),
		StartsOn: strings.TrimSpace(c.FormValue("starts_on")), Deadline: strings.TrimSpace(c.FormValue("deadline")),
		Themes: map[string]bool{}, Firms: map[uint]bool{}, Auditors: map[uint]bool{},
	}
	choices, err := s.campaignChoices(c)
	if err != nil {
		return err
	}
	var problems []string
	bad := func(key string, args ...any) { problems = append(problems, s.T(c, key, args...)) }
	params, _ := c.FormParams()
	details, fieldErrs := campaign.Check(campaign.Details{
		NameZH: form.NameZH, NameEN: form.NameEN, StartsOn: form.StartsOn, Deadline: form.Deadline, Themes: params["theme"],
	}, func(id string) bool { _, ok := choices.Titles[id]; return ok })
	for _, fe := range fieldErrs {
		problems = append(problems, s.faultMessage(c, fe))
	}
	for _, id := range details.Themes {
		form.Themes[id] = true
	}
	nc := workflow.NewCampaign{NameZH: details.NameZH, NameEN: details.NameEN, StartsOn: details.StartsOn, Deadline: details.Deadline, Themes: details.Themes}

	firms := map[uint]bool{}
	for _, f := range choices.Firms {
		firms[f.ID] = true
	}
	for _, v := range params["firm"] {
		id, err := strconv.ParseUint(v, 10, 32)
		if err != nil || !firms[uint(id)] {
			bad("campaigns.error.firm_unknown")
			continue
		}
		form.Firms[uint(id)] = true
		nc.FirmIDs = append(nc.FirmIDs, uint(id))
	}
	auditors := map[uint]bool{}
	for _, a := range choices.Auditors {
		auditors[a.ID] = true
	}
	for _, v := range params["auditor"] {
		id, err := strconv.ParseUint(v, 10, 32)
		if err != nil || !auditors[uint(id)] {
			bad("campaigns.error.auditor_unknown")
			continue
		}
		form.Auditors[uint(id)] = true
		nc.AuditorIDs = append(nc.AuditorIDs, uint(id))
	}

	if len(problems) == 0 {
		id, err := s.Work.CreateCampaign(c.Request().Context(), who(c), nc)
		switch {
		case isFault(err):
			// A firm or auditor removed while the form was open.
			s.Log.Info("campaign refused", "err", err)
			problems = append(problems, s.faultMessage(c, err))
		case err != nil:
			return err
		default:
			s.Log.Info("campaign created", "campaign", id, "user", currentUser(c).ID)
			flash(c, "campaigns.created")
			return c.Redirect(http.StatusSeeOther, "/admin/campaigns")
		}
	}
	return s.renderCampaigns(c, http.StatusUnprocessableEntity, form, problems)
}

// assignAuditors replaces the auditors of a campaign.
func (s *Server) assignAuditors(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	params, err := c.FormParams()
	if err != nil {
		return fail(http.StatusBadRequest, "error.bad_request")
	}
	var ids []uint
	for _, v := range params["auditor"] {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return s.renderCampaigns(c, http.StatusUnprocessableEntity, campaignForm{StartsOn: s.today()}, []string{s.T(c, "campaigns.error.auditor_unknown")})
		}
		ids = append(ids, uint(n))
	}
	err = s.Work.AssignAuditors(c.Request().Context(), who(c), id, ids)
	switch {
	case isFault(err):
		return s.renderCampaigns(c, http.StatusUnprocessableEntity, campaignForm{StartsOn: s.today()}, []string{s.faultMessage(c, err)})
	case err != nil:
		return err
	}
	s.Log.Info("campaign auditors assigned", "campaign", id, "auditors", ids, "user", currentUser(c).ID)
	flash(c, "campaigns.auditors_saved")
	return c.Redirect(http.StatusSeeOther, "/admin/campaigns")
}
