package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"selfcheck/app/auth"
	"selfcheck/app/notify"
	"selfcheck/app/workflow"
)

// maxTokenNameBytes is the longest token name the store keeps whole.
const maxTokenNameBytes = 100

type profilePage struct {
	Tokens    []workflow.AccessToken
	NewToken  string // shown once, right after it was made
	TokenName string
	Errors    []string
	// PasswordErrors are the problems of a refused password change.
	PasswordErrors []string
	// Prefs are the user's modes per event; PrefsErrors why a change of
	// them was refused.
	Prefs       []workflow.EventMode
	PrefsErrors []string
}

// Modes are the modes a user may choose, for the form.
func (profilePage) Modes() []notify.Mode { return notify.Modes }

// MinPasswordLen is the shortest new password accepted, for the form.
func (profilePage) MinPasswordLen() int { return auth.MinPasswordLen }

func (s *Server) profile(c echo.Context) error {
	return s.renderProfile(c, http.StatusOK, profilePage{})
}

func (s *Server) renderProfile(c echo.Context, status int, data profilePage) error {
	var err error
	if data.Tokens, err = s.Work.Tokens(c.Request().Context(), who(c)); err != nil {
		return err
	}
	if data.Prefs, err = s.Work.NotificationPrefs(c.Request().Context(), who(c)); err != nil {
		return err
	}
	return s.render(c, status, "profile", s.T(c, "profile.title"), data)
}

// createToken makes a personal API token and shows it on the answering
// page, the only time it can be seen: the database keeps only its hash.
func (s *Server) createToken(c echo.Context) error {
	name := strings.TrimSpace(c.FormValue("name"))
	switch {
	case name == "":
		return s.renderProfile(c, http.StatusUnprocessableEntity, profilePage{Errors: []string{s.T(c, "profile.error.name_required")}})
	case len(name) > maxTokenNameBytes:
		return s.renderProfile(c, http.StatusUnprocessableEntity, profilePage{TokenName: name, Errors: []string{s.T(c, "profile.error.name_too_long")}})
	}
	token, err := s.Work.CreateToken(c.Request().Context(), who(c), name)
	if err != nil {
		return err
	}
	s.Log.Info("token created", "user", currentUser(c).ID)
	return s.renderProfile(c, http.StatusOK, profilePage{NewToken: token})
}

// revokeToken ends one of the user's own tokens; anyone else's is a 404.
func (s *Server) revokeToken(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.Work.RevokeToken(c.Request().Context(), who(c), id); err != nil {
		return err
	}
	s.Log.Info("token revoked", "token", id, "user", currentUser(c).ID)
	flash(c, "profile.token_revoked")
	return c.Redirect(http.StatusSeeOther, "/profile")
}

// maxPasswordBytes is the longest password bcrypt takes whole.
const maxPasswordBytes = 72

// changePassword sets a new password once the current one is shown, ends
// every other session of the account and gives this browser a new one. A
// wrong current password counts as a failed login: a stolen session must
// not become a way to guess the password without limit.
func (s *Server) changePassword(c echo.Context) error {
	current, next, repeat := c.FormValue("current_password"), c.FormValue("new_password"), c.FormValue("repeat_password")
	var problems []string
	switch {
	case len(next) < auth.MinPasswordLen:
		problems = append(problems, s.T(c, "security.password.error.short", auth.MinPasswordLen))
	case len(next) > maxPasswordBytes:
		problems = append(problems, s.T(c, "security.password.error.long", maxPasswordBytes))
	case next != repeat:
		problems = append(problems, s.T(c, "security.password.error.mismatch"))
	}
	if current == "" {
		problems = append([]string{s.T(c, "security.password.error.current_required")}, problems...)
	}
	if len(problems) > 0 {
		return s.renderProfile(c, http.StatusUnprocessableEntity, profilePage{PasswordErrors: problems})
	}
	token, err := s.Work.ChangePassword(c.Request().Context(), who(c), current, next, c.RealIP())
	var te *workflow.ThrottledError
	switch {
	case errors.As(err, &te):
		return s.renderProfile(c, http.StatusTooManyRequests, profilePage{PasswordErrors: []string{s.throttledMessage(c, te)}})
	case errors.Is(err, workflow.ErrWrongPassword):
		return s.renderProfile(c, http.StatusUnprocessableEntity, profilePage{PasswordErrors: []string{s.T(c, "security.password.error.current_wrong")}})
	case err != nil:
		return err
	}
	// Every session of the account is gone, this browser's too: it gets a
	// new one, with a new token.
	if err := s.startSession(c, token); err != nil {
		return err
	}
	flash(c, "security.password.changed")
	return c.Redirect(http.StatusSeeOther, "/profile")
}
