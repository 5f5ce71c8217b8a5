package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"selfcheck/app/auth"
	"selfcheck/app/uscc"
	"selfcheck/app/workflow"
)

// accountRoutes lists the pages for managing people: admins' firms, users and
// campaigns, firm admins' teams, everyone's profile and API tokens.
func (s *Server) accountRoutes() []route {
	return []route{
		{http.MethodGet, "/admin/firms", admin, s.adminFirms, 0},
		{http.MethodPost, "/admin/firms", admin, s.createFirm, 0},
		{http.MethodGet, "/admin/users", admin, s.adminUsers, 0},
		{http.MethodPost, "/admin/users", admin, s.createUser, 0},
		{http.MethodPost, "/admin/users/:id/disable", admin, s.disableUser, 0},
		{http.MethodPost, "/admin/users/:id/role", admin, s.changeRole, 0},
		{http.MethodGet, "/admin/campaigns", admin, s.adminCampaigns, 0},
		{http.MethodPost, "/admin/campaigns", admin, s.createCampaign, 0},
		{http.MethodPost, "/admin/campaigns/:id/auditors", admin, s.assignAuditors, 0},

		{http.MethodGet, "/team", firmAdmin, s.team, 0},
		{http.MethodPost, "/team", firmAdmin, s.addTeamMember, 0},
		{http.MethodPost, "/team/:id/remove", firmAdmin, s.removeTeamMember, 0},

		{http.MethodGet, "/profile", signedIn, s.profile, 0},
		{http.MethodPost, "/profile/password", signedIn, s.changePassword, 0},
		{http.MethodPost, "/profile/tokens", signedIn, s.createToken, 0},
		{http.MethodPost, "/profile/tokens/:id/revoke", signedIn, s.revokeToken, 0},
	}
}

// maxNameLen bounds the names of people and firms, in characters.
const maxNameLen = 200

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

// newAccount checks an account form and builds the account. roles are the
// roles the form may give; firms, when not nil, are the firms an admin may
// choose from (a firm admin's members join the firm admin's firm). Each
// problem comes back as a message naming the field; generated is the
// password when the form asked for one.
func (s *Server) newAccount(c echo.Context, f accountForm, roles []auth.Role, firms []workflow.Firm) (nu workflow.NewUser, generated string, problems []string, err error) {
	bad := func(key string, args ...any) { problems = append(problems, s.T(c, key, args...)) }
	switch {
	case f.Email == "":
		bad("people.error.email_required")
	case !workflow.ValidEmail(f.Email):
		bad("people.error.email_invalid", f.Email)
	}
	switch {
	case f.Name == "":
		bad("people.error.name_required")
	case utf8.RuneCountInString(f.Name) > maxNameLen:
		bad("people.error.name_too_long", maxNameLen)
	}
	role := auth.Role(f.Role)
	known := false
	for _, r := range roles {
		known = known || r == role
	}
	if !known {
		bad("people.error.role")
	}
	nu = workflow.NewUser{Email: f.Email, Name: f.Name, Role: role}
	if firms != nil && known {
		switch {
		case role.InFirm() && f.Firm == "":
			bad("people.error.firm_required", s.T(c, "role."+string(role)))
		case role.InFirm():
			id, _ := strconv.ParseUint(f.Firm, 10, 64)
			for _, firm := range firms {
				if uint64(firm.ID) == id {
					nu.FirmID = &firm.ID
				}
			}
			if nu.FirmID == nil {
				bad("people.error.firm_unknown")
			}
		case f.Firm != "":
			bad("people.error.firm_not_allowed", s.T(c, "role."+string(role)))
		}
	}
	password := c.FormValue("password")
	switch {
	case f.Generate && password != "":
		bad("people.error.password_both")
	case f.Generate:
		if generated, err = auth.RandomPassword(); err != nil {
			return nu, "", nil, err
		}
		nu.Password = generated
	case password == "":
		bad("people.error.password_required")
	case len(password) < auth.MinPasswordLen:
		bad("people.error.password_short", auth.MinPasswordLen)
	default:
		nu.Password = password
	}
	return nu, generated, problems, nil
}

// addAccount creates the account an accountForm described, turning the
// store's refusals into messages.
func (s *Server) addAccount(c echo.Context, nu workflow.NewUser) (problems []string, err error) {
	_, err = s.Work.AddMember(c.Request().Context(), who(c), nu)
	switch {
	case errors.Is(err, workflow.ErrDuplicate):
		return []string{s.T(c, "people.error.email_taken", workflow.NormalizeEmail(nu.Email))}, nil
	case errors.Is(err, workflow.ErrBadUser):
		s.Log.Info("account refused", "err", err)
		return []string{s.T(c, "people.error.invalid")}, nil
	}
	return nil, err
}

// creditCodeProblem says, in the request's language, what is wrong with a
// normalized unified social credit code, or "" when it is valid.
func (s *Server) creditCodeProblem(c echo.Context, code string) string {
	if uscc.Validate(code) == nil {
		return ""
	}
	if code == "" {
		return s.T(c, "people.error.code_required")
	}
	for i, r := range []rune(code) {
		if !creditCodeChar(r) {
			return s.T(c, "people.error.code_char", string(r), i+1)
		}
	}
	if n := utf8.RuneCountInString(code); n != 18 {
		return s.T(c, "people.error.code_length", n)
	}
	return s.T(c, "people.error.code_check")
}

// creditCodeChar reports whether r belongs to the credit code's alphabet,
// asking package uscc, which owns it.
func creditCodeChar(r rune) bool {
	if r > unicode.MaxASCII {
		return false
	}
	_, err := uscc.CheckChar(string(r) + "0000000000000000")
	return err == nil
}
