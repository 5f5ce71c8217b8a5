package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"selfcheck/app/auth"
	"selfcheck/app/people"
	"selfcheck/app/workflow"
)

// allRoles are the roles an admin may give, in the order the form offers them.
var allRoles = []auth.Role{auth.FirmMember, auth.FirmAdmin, auth.Auditor, auth.Admin}

type firmForm struct {
	Name string
	Code string
}

type firmsPage struct {
	Firms   []workflow.Firm
	Members map[uint]int // active accounts per firm id
	Form    firmForm
	Errors  []string
}

func (s *Server) adminFirms(c echo.Context) error {
	return s.renderFirms(c, http.StatusOK, firmForm{}, nil)
}

func (s *Server) renderFirms(c echo.Context, status int, form firmForm, problems []string) error {
	ctx := c.Request().Context()
	firms, err := s.Work.Firms(ctx, who(c))
	if err != nil {
		return err
	}
	members, err := s.Work.FirmMemberCounts(ctx, who(c))
	if err != nil {
		return err
	}
	return s.render(c, status, "admin_firms", s.T(c, "people.firms.title"),
		firmsPage{Firms: firms, Members: members, Form: form, Errors: problems})
}

// createFirm adds a firm; its credit code must carry the right check character.
func (s *Server) createFirm(c echo.Context) error {
	checked, fieldErrs := people.CheckFirm(people.Firm{Name: c.FormValue("name"), CreditCode: c.FormValue("credit_code")})
	form := firmForm{Name: checked.Name, Code: checked.CreditCode}
	var problems []string
	for _, fe := range fieldErrs {
		problems = append(problems, s.faultMessage(c, fe))
	}
	if len(problems) > 0 {
		return s.renderFirms(c, http.StatusUnprocessableEntity, form, problems)
	}
	f, err := s.Work.CreateFirm(c.Request().Context(), who(c), form.Name, form.Code)
	if errors.Is(err, workflow.ErrDuplicate) {
		return s.renderFirms(c, http.StatusUnprocessableEntity, form, []string{s.T(c, "people.error.code_taken", form.Code)})
	}
	if err != nil {
		return err
	}
	s.Log.Info("firm created", "firm", f.ID, "user", currentUser(c).ID)
	flash(c, "people.firm_created")
	return c.Redirect(http.StatusSeeOther, "/admin/firms")
}

type usersPage struct {
	Users   []workflow.Account
	Firms   []workflow.Firm
	Roles   []auth.Role
	Form    accountForm
	Errors  []string
	Created *createdAccount
}

func (s *Server) adminUsers(c echo.Context) error {
	return s.renderUsers(c, http.StatusOK, usersPage{Form: accountForm{Role: string(auth.FirmMember), Generate: true}})
}

func (s *Server) renderUsers(c echo.Context, status int, data usersPage) error {
	ctx := c.Request().Context()
	var err error
	if data.Users, err = s.Work.Users(ctx, who(c)); err != nil {
		return err
	}
	if data.Firms, err = s.Work.Firms(ctx, who(c)); err != nil {
		return err
	}
	data.Roles = allRoles
	return s.render(c, status, "admin_users", s.T(c, "people.users.title"), data)
}

// createUser adds an account of any role. A generated password is shown
// on the page answering the form, and never again.
func (s *Server) createUser(c echo.Context) error {
	form := readAccountForm(c)
	firms, err := s.Work.Firms(c.Request().Context(), who(c))
	if err != nil {
		return err
	}
	if firms == nil {
		firms = []workflow.Firm{} // not nil: the form offers firms
	}
	nu, generated, problems, err := s.newAccount(c, form, allRoles, firms)
	if err != nil {
		return err
	}
	if len(problems) == 0 {
		if problems, err = s.addAccount(c, nu); err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		return s.renderUsers(c, http.StatusUnprocessableEntity, usersPage{Form: form, Errors: problems})
	}
	s.Log.Info("account created", "email", workflow.NormalizeEmail(nu.Email), "role", nu.Role, "by", currentUser(c).ID)
	if generated != "" {
		return s.renderUsers(c, http.StatusOK, usersPage{
			Form:    accountForm{Role: form.Role, Generate: true},
			Created: &createdAccount{Email: workflow.NormalizeEmail(nu.Email), Password: generated},
		})
	}
	flash(c, "people.user_created")
	return c.Redirect(http.StatusSeeOther, "/admin/users")
}

// disableUser removes an account: it can no longer log in, and its sessions
// and tokens end at once.
func (s *Server) disableUser(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if id == currentUser(c).ID {
		return s.renderUsers(c, http.StatusUnprocessableEntity, usersPage{
			Form: accountForm{Role: string(auth.FirmMember), Generate: true}, Errors: []string{s.T(c, "people.error.disable_self")},
		})
	}
	if err := s.Work.DisableUser(c.Request().Context(), who(c), id); err != nil {
		return err
	}
	s.Log.Info("account disabled", "user", id, "by", currentUser(c).ID)
	flash(c, "people.user_disabled")
	return c.Redirect(http.StatusSeeOther, "/admin/users")
}

// changeRole gives an account another role.
func (s *Server) changeRole(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	refuse := func(msg string) error {
		return s.renderUsers(c, http.StatusUnprocessableEntity, usersPage{
			Form: accountForm{Role: string(auth.FirmMember), Generate: true}, Errors: []string{s.T(c, "people.error.role_change", msg)},
		})
	}
	if id == currentUser(c).ID {
		return refuse(s.T(c, "people.error.role_self"))
	}
	err = s.Work.ChangeRole(c.Request().Context(), who(c), id, auth.Role(c.FormValue("role")))
	if isFault(err) {
		return refuse(s.faultMessage(c, err))
	}
	if err != nil {
		return err
	}
	s.Log.Info("role changed", "user", id, "role", c.FormValue("role"), "by", currentUser(c).ID)
	flash(c, "people.role_changed")
	return c.Redirect(http.StatusSeeOther, "/admin/users")
}
