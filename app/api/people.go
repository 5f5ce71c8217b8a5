package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/auth"
	"selfcheck/app/people"
	"selfcheck/app/workflow"
)

// The roles an admin may give (any) and a firm admin (their firm's).
var (
	allRoles  = []auth.Role{auth.FirmMember, auth.FirmAdmin, auth.Auditor, auth.Admin}
	firmRoles = []auth.Role{auth.FirmMember, auth.FirmAdmin}
)

type userView struct {
	ID        uint      `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      auth.Role `json:"role"`
	Firm      *firmView `json:"firm"`
	CreatedAt string    `json:"created_at"`
	Disabled  bool      `json:"disabled"`
}

// createdUserView is a new account; Password is the generated password,
// given once (as the web page shows it once) and only when generated.
type createdUserView struct {
	userView
	Password string `json:"password,omitempty"`
}

func userOf(u workflow.Account) userView {
	v := userView{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, CreatedAt: timestamp(u.CreatedAt), Disabled: u.DisabledAt != nil}
	if u.Firm != nil {
		v.Firm = &firmView{Name: u.Firm.Name, CreditCode: u.Firm.CreditCode}
	}
	return v
}

// listUsers answers the accounts the caller manages: every one for an
// admin (GET /users), the firm's own for a firm admin (GET /team).
func (a *API) listUsers(c echo.Context, p access.Principal) error {
	rows, err := a.Work.Users(c.Request().Context(), p)
	if err != nil {
		return err
	}
	out := make([]userView, len(rows))
	for i, r := range rows {
		out[i] = userOf(r)
	}
	return c.JSON(http.StatusOK, map[string]any{"users": out})
}

type userRequest struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Firm     string `json:"firm"` // a credit code; admins only
	Password string `json:"password"`
	Generate bool   `json:"generate"`
}

// createUser adds an account of any role (admins), checked by people.Check
// as the admin page's form is; its firm is named by credit code.
func (a *API) createUser(c echo.Context, p access.Principal) error {
	var req userRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	firms, err := a.Work.Firms(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return a.addAccount(c, p, req, allRoles, func(code string) (uint, bool) {
		for _, f := range firms {
			if f.CreditCode == code {
				return f.ID, true
			}
		}
		return 0, false
	})
}

// addTeamMember adds an account to the firm admin's own firm, as the team
// page does: the firm is not theirs to choose.
func (a *API) addTeamMember(c echo.Context, p access.Principal) error {
	var req userRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Firm != "" {
		return invalid("firm", "firm is not accepted here: members join your firm")
	}
	return a.addAccount(c, p, req, firmRoles, nil)
}

func (a *API) addAccount(c echo.Context, p access.Principal, req userRequest, roles []auth.Role, firm func(string) (uint, bool)) error {
	acc, problems, err := people.Check(people.Account{Email: req.Email, Name: req.Name, Role: req.Role, Firm: req.Firm,
		Password: req.Password, Generate: req.Generate}, roles, firm)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return problems[0]
	}
	nu, err := a.Work.AddMember(c.Request().Context(), p, workflow.NewUser{Email: acc.Email, Name: acc.Name, Role: acc.Role, FirmID: acc.FirmID, Password: acc.Password})
	switch {
	case errors.Is(err, workflow.ErrDuplicate):
		return &apiError{Status: http.StatusConflict, Code: "duplicate", Field: "email",
			Message: fmt.Sprintf("an account with %s already exists", workflow.NormalizeEmail(acc.Email))}
	case errors.Is(err, workflow.ErrBadUser) && !isFault(err):
		// A refusal without a field (a password bcrypt cannot hash).
		return invalid("password", "the account details are invalid; nothing was created")
	case err != nil:
		return err
	}
	a.Log.Info("account created", "via", "api", "email", nu.Email, "role", nu.Role, "by", p.ID)
	return c.JSON(http.StatusCreated, createdUserView{userView: a.userByID(c, p, nu), Password: acc.Generated})
}

// userByID answers an account as the caller's list of accounts shows it,
// with its firm; the account itself when it is not listed.
func (a *API) userByID(c echo.Context, p access.Principal, x *workflow.Account) userView {
	if users, err := a.Work.Users(c.Request().Context(), p); err == nil {
		for _, y := range users {
			if y.ID == x.ID {
				return userOf(y)
			}
		}
	}
	return userOf(*x)
}

// disableUser removes an account (admins: any; firm admins through DELETE
// /team/{userID}: their firm's): it can no longer log in, and its sessions
// and tokens end at once. Nobody removes themselves; another firm's
// account is a 404.
func (a *API) disableUser(param string) handlerFunc {
	return func(c echo.Context, p access.Principal) error {
		id, err := idParam(c, param)
		if err != nil {
			return err
		}
		if id == p.ID {
			return invalid(param, "you cannot remove your own account")
		}
		if err := a.Work.DisableUser(c.Request().Context(), p, id); err != nil {
			return err
		}
		a.Log.Info("account disabled", "via", "api", "user", id, "by", p.ID)
		return c.NoContent(http.StatusNoContent)
	}
}

type roleRequest struct {
	Role string `json:"role"`
}

// changeRole gives an account another role, as the admin page does.
func (a *API) changeRole(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req roleRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	role := auth.Role(req.Role)
	switch {
	case !role.Valid():
		return invalid("role", "role must be one of %s, %s, %s, %s", auth.FirmMember, auth.FirmAdmin, auth.Auditor, auth.Admin)
	case id == p.ID:
		return invalid("role", "you cannot change your own role")
	}
	if err := a.Work.ChangeRole(c.Request().Context(), p, id, role); err != nil {
		return err
	}
	a.Log.Info("role changed", "via", "api", "user", id, "role", role, "by", p.ID)
	return c.JSON(http.StatusOK, a.userByID(c, p, &workflow.Account{ID: id}))
}

type firmListView struct {
	ID         uint   `json:"id"`
	Name       string `json:"name"`
	CreditCode string `json:"credit_code"`
	Members    int    `json:"members"` // active accounts
	CreatedAt  string `json:"created_at"`
}

// listFirms answers every firm with its number of active accounts.
func (a *API) listFirms(c echo.Context, p access.Principal) error {
	ctx := c.Request().Context()
	firms, err := a.Work.Firms(ctx, p)
	if err != nil {
		return err
	}
	members, err := a.Work.FirmMemberCounts(ctx, p)
	if err != nil {
		return err
	}
	out := make([]firmListView, len(firms))
	for i, f := range firms {
		out[i] = firmListView{ID: f.ID, Name: f.Name, CreditCode: f.CreditCode, Members: members[f.ID], CreatedAt: timestamp(f.CreatedAt)}
	}
	return c.JSON(http.StatusOK, map[string]any{"firms": out})
}

type firmRequest struct {
	Name       string `json:"name"`
	CreditCode string `json:"credit_code"`
}

// createFirm adds a firm, checked by people.CheckFirm as the admin page's
// form is; a credit code already taken is a 409.
func (a *API) createFirm(c echo.Context, p access.Principal) error {
	var req firmRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	f, problems := people.CheckFirm(people.Firm{Name: req.Name, CreditCode: req.CreditCode})
	if len(problems) > 0 {
		if problems[0].Field == "firm_name" {
			return &fieldError{FieldError: problems[0], field: "name"}
		}
		return problems[0]
	}
	firm, err := a.Work.CreateFirm(c.Request().Context(), p, f.Name, f.CreditCode)
	if errors.Is(err, workflow.ErrDuplicate) {
		return &apiError{Status: http.StatusConflict, Code: "duplicate", Field: "credit_code",
			Message: fmt.Sprintf("a firm with credit code %s already exists", f.CreditCode)}
	}
	if err != nil {
		return err
	}
	a.Log.Info("firm created", "via", "api", "firm", firm.ID, "user", p.ID)
	return c.JSON(http.StatusCreated, firmListView{ID: firm.ID, Name: firm.Name, CreditCode: firm.CreditCode, CreatedAt: timestamp(firm.CreatedAt)})
}
