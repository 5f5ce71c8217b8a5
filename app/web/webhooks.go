package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"selfcheck/app/auth"
	"selfcheck/app/notify"
	"selfcheck/app/workflow"
)

type webhooksPage struct {
	Hooks     []workflow.Webhook
	Campaigns []workflow.CampaignView // an admin's choices
	Form      webhookForm
	Errors    []string
	// The test's outcome.
	Tested         int64
	Answer, Failed string
}

type webhookForm struct {
	Kind, URL string
	Events    map[string]bool
	Campaign  uint
}

// Kinds and Events are the form's choices.
func (webhooksPage) Kinds() []string  { return notify.WebhookKinds }
func (webhooksPage) Events() []string { return notify.Events() }

// webhooks lists the user's webhooks (a firm admin's firm's, or the
// admins') with the form to add one.
func (s *Server) webhooks(c echo.Context) error {
	return s.renderWebhooks(c, http.StatusOK, webhooksPage{Form: webhookForm{Kind: notify.WeCom, Events: map[string]bool{}}})
}

func (s *Server) renderWebhooks(c echo.Context, status int, page webhooksPage) error {
	ctx := c.Request().Context()
	var err error
	if page.Hooks, err = s.Work.Webhooks(ctx, who(c)); err != nil {
		return err
	}
	if who(c).Role == auth.Admin {
		if page.Campaigns, err = s.Work.Campaigns(ctx, who(c)); err != nil {
			return err
		}
	}
	return s.render(c, status, "webhooks", s.T(c, "notify2.webhooks.title"), page)
}

// createWebhook registers a webhook from the form.
func (s *Server) createWebhook(c echo.Context) error {
	form := webhookForm{Kind: c.FormValue("kind"), URL: strings.TrimSpace(c.FormValue("url")), Events: map[string]bool{}}
	params, err := c.FormParams()
	if err != nil {
		return err
	}
	var events []string
	for _, e := range params["event"] {
		form.Events[e] = true
		events = append(events, e)
	}
	if v := c.FormValue("campaign"); v != "" && v != "0" {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return s.renderWebhooks(c, http.StatusUnprocessableEntity, webhooksPage{Form: form, Errors: []string{s.T(c, "notify2.webhooks.bad_campaign")}})
		}
		form.Campaign = uint(n)
	}
	_, err = s.Work.CreateWebhook(c.Request().Context(), who(c), workflow.NewWebhook{Kind: form.Kind, URL: form.URL,
		Secret: strings.TrimSpace(c.FormValue("secret")), Events: events, Campaign: form.Campaign})
	if isFault(err) {
		return s.renderWebhooks(c, http.StatusUnprocessableEntity, webhooksPage{Form: form, Errors: []string{s.faultMessage(c, err)}})
	}
	if err != nil {
		return err
	}
	flash(c, "notify2.webhooks.created")
	return c.Redirect(http.StatusSeeOther, "/settings/webhooks")
}

func hookID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, fail(http.StatusNotFound, "error.not_found")
	}
	return id, nil
}

// deleteWebhook deletes one of the user's webhooks; another's is a 404.
func (s *Server) deleteWebhook(c echo.Context) error {
	id, err := hookID(c)
	if err != nil {
		return err
	}
	if err := s.Work.DeleteWebhook(c.Request().Context(), who(c), id); err != nil {
		return err
	}
	flash(c, "notify2.webhooks.deleted")
	return c.Redirect(http.StatusSeeOther, "/settings/webhooks")
}

// testWebhook sends a test message now and shows what the endpoint said.
func (s *Server) testWebhook(c echo.Context) error {
	id, err := hookID(c)
	if err != nil {
		return err
	}
	answer, err := s.Work.TestWebhook(c.Request().Context(), who(c), id)
	page := webhooksPage{Form: webhookForm{Kind: notify.WeCom, Events: map[string]bool{}}, Tested: id, Answer: answer}
	switch {
	case errors.Is(err, workflow.ErrNotFound):
		return err
	case errors.Is(err, workflow.ErrNoPoster):
		page.Failed = s.T(c, "notify2.webhooks.off")
	case err != nil:
		page.Failed = err.Error()
	}
	return s.renderWebhooks(c, http.StatusOK, page)
}
