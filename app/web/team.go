package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"selfcheck/app/auth"
	"selfcheck/app/workflow"
)

// firmRoles are the roles a firm admin may give.
var firmRoles = []auth.Role{auth.FirmMember, auth.FirmAdmin}

type teamPage struct {
	Members []workflow.Account
	Roles   []auth.Role
	Form    accountForm
	Errors  []string
	Created *createdAccount
}

// newTeamForm is the add-member form as first shown.
func newTeamForm() accountForm { return accountForm{Role: string(auth.FirmMember), Generate: true} }

func (s *Server) team(c echo.Context) error {
	return s.renderTeam(c, http.StatusOK, teamPage{Form: newTeamForm()})
}

func (s *Server) renderTeam(c echo.Context, status int, data teamPage) error {
	var err error
	if data.Members, err = s.Work.Users(c.Request().Context(), who(c)); err != nil {
		return err
	}
	data.Roles = firmRoles
	return s.render(c, status, "team", s.T(c, "team.title"), data)
}

// addTeamMember adds an account to the firm admin's own firm.
func (s *Server) addTeamMember(c echo.Context) error {
	form := readAccountForm(c)
	form.Firm = "" // the store puts the member in the firm admin's firm
	nu, generated, problems, err := s.newAccount(c, form, firmRoles, nil)
	if err != nil {
		return err
	}
	if len(problems) == 0 {
		if problems, err = s.addAccount(c, nu); err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		return s.renderTeam(c, http.StatusUnprocessableEntity, teamPage{Form: form, Errors: problems})
	}
	s.Log.Info("member added", "email", workflow.NormalizeEmail(nu.Email), "role", nu.Role, "by", currentUser(c).ID)
	if generated != "" {
		return s.renderTeam(c, http.StatusOK, teamPage{
			Form:    newTeamForm(),
			Created: &createdAccount{Email: workflow.NormalizeEmail(nu.Email), Password: generated},
		})
	}
	flash(c, "team.added")
	return c.Redirect(http.StatusSeeOther, "/team")
}

// removeTeamMember disables a member of the firm admin's firm; another
// firm's account is a 404, and nobody removes themselves.
func (s *Server) removeTeamMember(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if id == currentUser(c).ID {
		return s.renderTeam(c, http.StatusUnprocessableEntity, teamPage{
			Form: newTeamForm(), Errors: []string{s.T(c, "team.error.remove_self")},
		})
	}
	if err := s.Work.DisableUser(c.Request().Context(), who(c), id); err != nil {
		return err
	}
	s.Log.Info("member removed", "user", id, "by", currentUser(c).ID)
	flash(c, "team.removed")
	return c.Redirect(http.StatusSeeOther, "/team")
}
