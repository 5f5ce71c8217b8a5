package api

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/campaign"
	"selfcheck/app/evidence"
	"selfcheck/app/fault"
	"selfcheck/app/workflow"
)

type campaignRequest struct {
	Name     textView `json:"name"`
	Themes   []string `json:"themes"`
	StartsOn string   `json:"starts_on"`
	Deadline string   `json:"deadline"`
	Firms    []string `json:"firms"`    // credit codes
	Auditors []string `json:"auditors"` // emails
}

// createCampaign creates a campaign, checked by campaign.Check as the admin
// page's form is, with its firms named by credit code and its auditors by
// email.
func (a *API) createCampaign(c echo.Context, p access.Principal) error {
	ctx := c.Request().Context()
	var req campaignRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cat, _, err := a.Work.Catalog(ctx)
	if err != nil {
		return err
	}
	d, problems := campaign.Check(campaign.Details{NameZH: req.Name.ZH, NameEN: req.Name.EN, StartsOn: req.StartsOn, Deadline: req.Deadline, Themes: req.Themes},
		func(id string) bool { _, ok := cat.Get(id); return ok })
	if len(problems) > 0 {
		return problems[0]
	}
	firms, err := a.firmIDs(c, p, req.Firms)
	if err != nil {
		return err
	}
	auditors, err := a.auditorIDs(c, p, req.Auditors)
	if err != nil {
		return err
	}
	id, err := a.Work.CreateCampaign(ctx, p, workflow.NewCampaign{NameZH: d.NameZH, NameEN: d.NameEN, Themes: d.Themes,
		StartsOn: d.StartsOn, Deadline: d.Deadline, FirmIDs: firms, AuditorIDs: auditors})
	if err != nil {
		return err
	}
	a.Log.Info("campaign created", "via", "api", "campaign", id, "user", p.ID)
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("%s/campaigns/%d", Prefix, id))
	return a.answerCampaign(c, p, http.StatusCreated, id)
}

// answerCampaign answers one campaign as GET /campaigns lists it.
func (a *API) answerCampaign(c echo.Context, p access.Principal, status int, id uint) error {
	rows, err := a.Work.Campaigns(c.Request().Context(), p)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.ID == id {
			return c.JSON(status, campaignOf(r, p.Role))
		}
	}
	return errNotFound
}

type auditorsRequest struct {
	Auditors []string `json:"auditors"`
}

// setAuditors replaces a campaign's auditors, named by email.
func (a *API) setAuditors(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req auditorsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Auditors == nil {
		return invalid("auditors", "auditors is required: a list of auditors' emails, [] for none")
	}
	ids, err := a.auditorIDs(c, p, req.Auditors)
	if err != nil {
		return err
	}
	if err := a.Work.AssignAuditors(c.Request().Context(), p, id, ids); err != nil {
		return err
	}
	a.Log.Info("campaign auditors assigned", "via", "api", "campaign", id, "auditors", ids, "user", p.ID)
	return a.answerCampaign(c, p, http.StatusOK, id)
}

type firmsRequest struct {
	Firms []string `json:"firms"`
}

// setFirms replaces the firms taking part in a campaign, named by credit
// code. A firm that has started the campaign's assessment cannot leave it.
func (a *API) setFirms(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req firmsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Firms == nil {
		return invalid("firms", "firms is required: a list of credit codes, [] for none")
	}
	ids, err := a.firmIDs(c, p, req.Firms)
	if err != nil {
		return err
	}
	if err := a.Work.SetCampaignFirms(c.Request().Context(), p, id, ids); err != nil {
		return err
	}
	a.Log.Info("campaign firms set", "via", "api", "campaign", id, "firms", ids, "user", p.ID)
	return a.answerCampaign(c, p, http.StatusOK, id)
}

// firmIDs finds the firms of credit codes among those the caller may list.
func (a *API) firmIDs(c echo.Context, p access.Principal, codes []string) ([]uint, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	firms, err := a.Work.Firms(c.Request().Context(), p)
	if err != nil {
		return nil, err
	}
	byCode := map[string]uint{}
	for _, f := range firms {
		byCode[f.CreditCode] = f.ID
	}
	ids := make([]uint, len(codes))
	for i, code := range codes {
		id, ok := byCode[code]
		if !ok {
			return nil, fault.Field("firms", fault.Unknown, code)
		}
		ids[i] = id
	}
	return ids, nil
}

// auditorIDs finds the active auditors of emails, as the admin page offers
// them.
func (a *API) auditorIDs(c echo.Context, p access.Principal, emails []string) ([]uint, error) {
	if len(emails) == 0 {
		return nil, nil
	}
	users, err := a.Work.Users(c.Request().Context(), p)
	if err != nil {
		return nil, err
	}
	byEmail := map[string]uint{}
	for _, x := range users {
		if x.Role == auth.Auditor && x.DisabledAt == nil {
			byEmail[x.Email] = x.ID
		}
	}
	ids := make([]uint, len(emails))
	for i, e := range emails {
		id, ok := byEmail[workflow.NormalizeEmail(e)]
		if !ok {
			return nil, fault.Field("auditors", fault.Unknown, e)
		}
		ids[i] = id
	}
	return ids, nil
}

// campaignDashboard answers where a campaign stands: the numbers of the
// dashboard page. ?page pages the heat map.
func (a *API) campaignDashboard(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	page := 1
	if p := c.QueryParam("page"); p != "" {
		if page, err = strconv.Atoi(p); err != nil || page < 1 {
			return invalid("page", "page must be a positive integer")
		}
	}
	today := time.Now().In(a.Config.Location).Format(assessment.DateLayout)
	d, err := a.Work.Dashboard(c.Request().Context(), p, id, workflow.DashboardOptions{Today: today, Page: page})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, dashboardOf(d))
}

// campaignResults streams a campaign's results as CSV or XLSX, in Chinese
// unless ?lang=en, exactly as the dashboard page's download does; a failure
// once the download has started aborts the connection, so the client never
// holds a short file that looks complete.
func (a *API) campaignResults(format string) handlerFunc {
	return func(c echo.Context, p access.Principal) error {
		id, lang, err := idAndLang(c)
		if err != nil {
			return err
		}
		err = a.Work.ExportResults(c.Request().Context(), p, id, lang, format, func(name, contentType string) io.Writer {
			h := c.Response().Header()
			evidence.SetDownloadHeaders(h, name)
			h.Set(echo.HeaderContentType, contentType)
			_ = http.NewResponseController(c.Response()).SetWriteDeadline(time.Now().Add(15 * time.Minute))
			return c.Response()
		})
		if err != nil && c.Response().Committed {
			a.Log.Error("results export failed", "via", "api", "campaign", id, "format", format, "err", err)
			panic(http.ErrAbortHandler)
		}
		return err
	}
}

type followUpRequest struct {
	Name     textView  `json:"name"`
	Themes   []string  `json:"themes"` // omitted: the earlier campaign's
	StartsOn string    `json:"starts_on"`
	Deadline string    `json:"deadline"`
	Firms    *[]string `json:"firms"`    // credit codes; omitted: the earlier campaign's
	Auditors *[]string `json:"auditors"` // emails; omitted: the earlier campaign's
}

// followUpCampaign creates a campaign that repeats campaign id: the same
// themes, firms and auditors unless others are sent. Its firms may start
// their assessments from those of campaign id (carry_from).
func (a *API) followUpCampaign(c echo.Context, p access.Principal) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req followUpRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	earlier, err := a.Work.Campaign(ctx, p, id)
	if err != nil {
		return err
	}
	themes := req.Themes
	if themes == nil {
		themes = earlier.Themes
	}
	cat, _, err := a.Work.Catalog(ctx)
	if err != nil {
		return err
	}
	d, problems := campaign.Check(campaign.Details{NameZH: req.Name.ZH, NameEN: req.Name.EN, StartsOn: req.StartsOn, Deadline: req.Deadline, Themes: themes},
		func(id string) bool { _, ok := cat.Get(id); return ok })
	if len(problems) > 0 {
		return problems[0]
	}
	f := workflow.FollowUp{NameZH: d.NameZH, NameEN: d.NameEN, StartsOn: d.StartsOn, Deadline: d.Deadline, Themes: d.Themes}
	if req.Firms != nil {
		if f.FirmIDs, err = a.firmIDs(c, p, *req.Firms); err != nil {
			return err
		}
		if f.FirmIDs == nil {
			f.FirmIDs = []uint{}
		}
	}
	if req.Auditors != nil {
		if f.AuditorIDs, err = a.auditorIDs(c, p, *req.Auditors); err != nil {
			return err
		}
		if f.AuditorIDs == nil {
			f.AuditorIDs = []uint{}
		}
	}
	newID, err := a.Work.FollowUpCampaign(ctx, p, id, f)
	if err != nil {
		return err
	}
	a.Log.Info("follow-up campaign created", "via", "api", "campaign", newID, "follows", id, "user", p.ID)
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("%s/campaigns/%d", Prefix, newID))
	return a.answerCampaign(c, p, http.StatusCreated, newID)
}
