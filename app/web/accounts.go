package web

import (
	"errors"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"selfcheck/app/auth"
	"selfcheck/app/people"
	"selfcheck/app/workflow"
)

// accountForm is the new-account form of /admin/users and /team, as typed.
// Firm is a firm id, chosen by admins only.
type accountForm struct {
	Email    string
	Name     string
	Role     string
	Firm     string
	Generate bool
}

func readAccountForm(c echo.Context) accountForm {
	return accountForm{
		Email:    strings.TrimSpace(c.FormValue("email")),
		Name:     strings.TrimSpace(c.FormValue("name")),
		Role:     c.FormValue("role"),
		Firm:     strings.TrimSpace(c.FormValue("firm")),
		Generate: c.FormValue("generate") != "",
	}
}

// createdAccount is shown once, on the page answering the form, when the
// password was generated.
type createdAccount struct {
	Email    string
	Password string
}

// newAccount checks an account form with people.Check and builds the
// account. roles are the roles the form may give; firms, when not nil, are
// the firms an admin may choose from (a firm admin's members join the firm
// admin's firm). Each problem comes back as a message naming the field;
// generated is the password when the form asked for one.
func (s *Server) newAccount(c echo.Context, f accountForm, roles []auth.Role, firms []workflow.Firm) (nu workflow.NewUser, generated string, problems []string, err error) {
	var firm func(string) (uint, bool)
	if firms != nil {
		firm = func(v string) (uint, bool) {
			id, _ := strconv.ParseUint(v, 10, 64)
			for _, x := range firms {
				if uint64(x.ID) == id {
					return x.ID, true
				}
			}
			return 0, false
		}
	}
	acc, fieldErrs, err := people.Check(people.Account{Email: f.Email, Name: f.Name, Role: f.Role, Firm: f.Firm,
		Password: c.FormValue("password"), Generate: f.Generate}, roles, firm)
	if err != nil {
		return nu, "", nil, err
	}
	for _, fe := range fieldErrs {
		problems = append(problems, s.faultMessage(c, fe))
	}
	nu = workflow.NewUser{Email: acc.Email, Name: acc.Name, Role: acc.Role, FirmID: acc.FirmID, Password: acc.Password}
	return nu, acc.Generated, problems, nil
}

// addAccount creates the account an accountForm described, turning the
// store's refusals into messages.
func (s *Server) addAccount(c echo.Context, nu workflow.NewUser) (problems []string, err error) {
	_, err = s.Work.AddMember(c.Request().Context(), who(c), nu)
	switch {
	case errors.Is(err, workflow.ErrDuplicate):
		return []string{s.T(c, "people.error.email_taken", workflow.NormalizeEmail(nu.Email))}, nil
	case isFault(err):
		s.Log.Info("account refused", "err", err)
		return []string{s.faultMessage(c, err)}, nil
	case errors.Is(err, workflow.ErrBadUser):
		// A refusal without a field (a password bcrypt cannot hash).
		s.Log.Info("account refused", "err", err)
		return []string{s.T(c, "people.error.invalid")}, nil
	}
	return nil, err
}
