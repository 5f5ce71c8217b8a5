package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/workflow"
)

// loginLockView is a lock of the login throttle (auth/throttle.go).
type loginLockView struct {
	Kind     string `json:"kind"`
	Account  string `json:"account,omitempty"`
	Address  string `json:"address,omitempty"`
	Failures int    `json:"failures"`
	Until    string `json:"until"`
}

// listLoginLocks is the admin's /admin/locks page as JSON.
func (a *API) listLoginLocks(c echo.Context, p access.Principal) error {
	locks, err := a.Work.LoginLocks(c.Request().Context(), p)
	if err != nil {
		return err
	}
	out := make([]loginLockView, len(locks))
	for i, l := range locks {
		out[i] = loginLockView{Kind: l.Kind, Account: l.Account, Address: l.Address, Failures: l.Failures, Until: timestamp(l.Until)}
	}
	return c.JSON(http.StatusOK, map[string]any{"locks": out})
}

type clearLockRequest struct {
	Kind    string `json:"kind"`
	Account string `json:"account"`
	Address string `json:"address"`
}

// clearLoginLock lifts a lock, as the page's button does; one that ended
// meanwhile clears nothing and is no error.
func (a *API) clearLoginLock(c echo.Context, p access.Principal) error {
	var req clearLockRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	switch req.Kind {
	case workflow.LockPair, workflow.LockAccount, workflow.LockToken:
	default:
		return invalid("kind", "kind must be pair, account or token")
	}
	if req.Kind != workflow.LockToken && req.Account == "" {
		return invalid("account", "a %s lock names the account", req.Kind)
	}
	if req.Kind != workflow.LockAccount && req.Address == "" {
		return invalid("address", "a %s lock names the address", req.Kind)
	}
	n, err := a.Work.ClearLoginLock(c.Request().Context(), p, req.Kind, req.Account, req.Address)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int64{"cleared": n})
}
