package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"selfcheck/app/clean"

	"selfcheck/app/access"
	"selfcheck/app/workflow"

	"github.com/labstack/echo/v4"
)

// authenticate returns the user of the request's bearer token. No header, a
// malformed one, an unknown or revoked token and a disabled user all get the
// same answer, so a caller learns nothing about which it was. Refused
// tokens are counted by the client's address, apart from passwords (see
// auth/throttle.go); past the limit a refused token gets 429 until the time
// given in Retry-After, while a valid one is never refused for it.
func (a *API) authenticate(c echo.Context) (access.Principal, error) {
	h := c.Request().Header.Get(echo.HeaderAuthorization)
	scheme, token, _ := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return access.Principal{}, errUnauthorized
	}
	p, err := a.Work.TokenPrincipal(c.Request().Context(), token, c.RealIP(), messageLang(c))
	var te *workflow.ThrottledError
	switch {
	case errors.As(err, &te):
		c.Response().Header().Set("Retry-After", strconv.Itoa(te.RetryAfter(a.Work.Now())))
		return p, &apiError{Status: http.StatusTooManyRequests, Code: "too_many_failures",
			Message: "too many refused tokens from your address; retry after " + te.RetryAt.UTC().Format(time.RFC3339)}
	case errors.Is(err, workflow.ErrBadToken):
		return p, errUnauthorized
	}
	return p, err
}

// idParam reads a numeric id from the path; anything else names nothing
// that exists.
func idParam(c echo.Context, name string) (uint, error) {
	id, err := strconv.ParseUint(c.Param(name), 10, 32)
	if err != nil || id == 0 {
		return 0, errNotFound
	}
	return uint(id), nil
}

// decodeJSON reads the body as exactly one JSON object into v. Malformed
// JSON, a field v does not have and a value of the wrong type are 400; a
// body over the limit is 413.
func decodeJSON(c echo.Context, v any) error {
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return badRequest("the body must hold a single JSON object and nothing after it")
	}
	// JSON may carry any character escaped (\u0000): the same cleaning as
	// the web's forms.
	clean.Strings(v)
	return nil
}

func jsonError(err error) error {
	var (
		mbe *http.MaxBytesError
		se  *json.SyntaxError
		te  *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return badRequest("the request body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("malformed JSON: the body ends too early")
	case errors.As(err, &se):
		return badRequest("malformed JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	case errors.As(err, &te):
		if te.Field == "" {
			return badRequest("the body must be a JSON object")
		}
		return badRequest("field %q must be %s, not %s", te.Field, jsonKind(te.Type.Kind().String()), te.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return badRequest("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return badRequest("malformed JSON")
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(kind string) string {
	switch {
	case kind == "string":
		return "a string"
	case strings.HasPrefix(kind, "uint"):
		return "a non-negative integer"
	case strings.HasPrefix(kind, "int"):
		return "an integer"
	case strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "slice", kind == "array":
		return "an array"
	case kind == "bool":
		return "true or false"
	}
	return "an object"
}
