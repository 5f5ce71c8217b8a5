package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"selfcheck/app/store"
)

// maxTokenNameBytes is the longest token name the store keeps whole.
const maxTokenNameBytes = 100

type profilePage struct {
	Tokens    []store.AccessToken
	NewToken  string // shown once, right after it was made
	TokenName string
	Errors    []string
}

func (s *Server) profile(c echo.Context) error {
	return s.renderProfile(c, http.StatusOK, profilePage{})
}

func (s *Server) renderProfile(c echo.Context, status int, data profilePage) error {
	var err error
	if data.Tokens, err = s.Store.Tokens(c.Request().Context(), currentUser(c).ID); err != nil {
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
	token, err := s.Store.CreateToken(c.Request().Context(), currentUser(c).ID, name)
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
	if err := s.Store.RevokeToken(c.Request().Context(), currentUser(c).ID, id); err != nil {
		return err
	}
	s.Log.Info("token revoked", "token", id, "user", currentUser(c).ID)
	flash(c, "profile.token_revoked")
	return c.Redirect(http.StatusSeeOther, "/profile")
}
