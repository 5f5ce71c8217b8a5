package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/workflow"
)

// webhookJSON is a registered webhook. The secret is never shown: has_secret
// says whether one is set.
type webhookJSON struct {
	ID        int64    `json:"id"`
	Kind      string   `json:"kind"`
	URL       string   `json:"url"`
	Events    []string `json:"events"`
	Campaign  *uint    `json:"campaign"`
	Firm      *uint    `json:"firm"`
	HasSecret bool     `json:"has_secret"`
}

func webhookView(w workflow.Webhook) webhookJSON {
	v := webhookJSON{ID: w.ID, Kind: w.Kind, URL: w.URL, Events: w.Events, HasSecret: w.Secret != ""}
	if v.Events == nil {
		v.Events = []string{}
	}
	if w.CampaignID != 0 {
		id := w.CampaignID
		v.Campaign = &id
	}
	if w.FirmID != 0 {
		id := w.FirmID
		v.Firm = &id
	}
	return v
}

type newWebhookJSON struct {
	Kind     string   `json:"kind"`
	URL      string   `json:"url"`
	Secret   string   `json:"secret"`
	Events   []string `json:"events"`
	Campaign *uint    `json:"campaign"`
}

// listWebhooks answers the webhooks the caller manages: a firm admin's
// firm's, or the admins'.
func (a *API) listWebhooks(c echo.Context, p access.Principal) error {
	ws, err := a.Work.Webhooks(c.Request().Context(), p)
	if err != nil {
		return err
	}
	out := struct {
		Webhooks []webhookJSON `json:"webhooks"`
	}{Webhooks: []webhookJSON{}}
	for _, w := range ws {
		out.Webhooks = append(out.Webhooks, webhookView(w))
	}
	return c.JSON(http.StatusOK, out)
}

// createWebhook registers a webhook and answers it.
func (a *API) createWebhook(c echo.Context, p access.Principal) error {
	var req newWebhookJSON
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := workflow.NewWebhook{Kind: req.Kind, URL: req.URL, Secret: req.Secret, Events: req.Events}
	if req.Campaign != nil {
		in.Campaign = *req.Campaign
	}
	ctx := c.Request().Context()
	id, err := a.Work.CreateWebhook(ctx, p, in)
	if err != nil {
		return err
	}
	ws, err := a.Work.Webhooks(ctx, p)
	if err != nil {
		return err
	}
	for _, w := range ws {
		if w.ID == id {
			return c.JSON(http.StatusCreated, webhookView(w))
		}
	}
	return errNotFound
}

func webhookID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, errNotFound
	}
	return id, nil
}

// deleteWebhook deletes one of the caller's webhooks; another's is a 404.
func (a *API) deleteWebhook(c echo.Context, p access.Principal) error {
	id, err := webhookID(c)
	if err != nil {
		return err
	}
	if err := a.Work.DeleteWebhook(c.Request().Context(), p, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// testWebhook sends a test message to one of the caller's webhooks now and
// answers what the endpoint said: ok, its answer, and the error if any.
func (a *API) testWebhook(c echo.Context, p access.Principal) error {
	id, err := webhookID(c)
	if err != nil {
		return err
	}
	answer, err := a.Work.TestWebhook(c.Request().Context(), p, id)
	switch {
	case errors.Is(err, workflow.ErrNotFound):
		return err
	case errors.Is(err, workflow.ErrNoPoster):
		return &apiError{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "webhooks are off on this server"}
	}
	out := struct {
		OK     bool   `json:"ok"`
		Answer string `json:"answer"`
		Error  string `json:"error,omitempty"`
	}{OK: err == nil, Answer: answer}
	if err != nil {
		out.Error = err.Error()
	}
	return c.JSON(http.StatusOK, out)
}

type reminderDaysJSON struct {
	Days []int `json:"days"`
}

// setReminderDays sets the days before a campaign's deadline its firms
// that have not submitted are reminded, and answers them.
func (a *API) setReminderDays(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req reminderDaysJSON
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Days == nil {
		return invalid("days", "days must be a list of whole numbers of days before the deadline, 1 to 90, at most 5")
	}
	ctx := c.Request().Context()
	if err := a.Work.SetReminderDays(ctx, p, id, req.Days); err != nil {
		return err
	}
	days, err := a.Work.ReminderDays(ctx, p, id)
	if err != nil {
		return err
	}
	if days == nil {
		days = []int{}
	}
	return c.JSON(http.StatusOK, reminderDaysJSON{Days: days})
}
