// Package people holds the rules of accounts and firms: what a new account
// or firm must say before the store creates it. The admin pages, the team
// page and the JSON API all check here, so they refuse the same input the
// same way; each front end turns a FieldError's code into its own words.
package people

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"selfcheck/app/auth"
	"selfcheck/app/uscc"
)

// MaxNameLen bounds the names of people and firms, in characters.
const MaxNameLen = 200

// FieldError says which field of an account or firm is wrong and why.
// Code is one of the codes Error lists; Args are what a message needs.
//
// It is kept small and local until the shared typed errors (app/fault)
// land, when it folds into theirs.
type FieldError struct {
	Field string // email, name, role, firm, password, credit_code
	Code  string
	Args  []any
}

func (e *FieldError) Error() string {
	switch e.Code {
	case "required":
		return e.Field + " is required"
	case "invalid":
		return fmt.Sprintf("%s %q is not valid", e.Field, e.arg(0))
	case "too_long":
		return fmt.Sprintf("%s must be at most %v characters", e.Field, e.arg(0))
	case "too_short":
		return fmt.Sprintf("%s must be at least %v characters", e.Field, e.arg(0))
	case "unknown":
		return fmt.Sprintf("%s: %q is not one you may choose", e.Field, e.arg(0))
	case "firm_required":
		return fmt.Sprintf("firm is required for the role %s", e.arg(0))
	case "firm_not_allowed":
		return fmt.Sprintf("the role %s belongs to no firm: leave firm empty", e.arg(0))
	case "both":
		return "either give a password or ask for one to be generated, not both"
	case "char":
		return fmt.Sprintf("credit_code: %q at position %v is not allowed (digits and capital letters other than I, O, S, V, Z)", e.arg(0), e.arg(1))
	case "length":
		return fmt.Sprintf("credit_code must be 18 characters, not %v", e.arg(0))
	case "check":
		return "credit_code: the check character (the 18th) does not match the first 17"
	}
	return e.Field + " is invalid"
}

func (e *FieldError) arg(i int) any {
	if i < len(e.Args) {
		return e.Args[i]
	}
	return ""
}

// ValidEmail is a loose check that email is an address: something@something,
// without spaces or characters that would break a header, at most 254 bytes.
func ValidEmail(email string) bool {
	e := strings.ToLower(strings.TrimSpace(email))
	at := strings.IndexByte(e, '@')
	return at >= 1 && at < len(e)-1 && !strings.ContainsAny(e, " \t\r\n<>\"'") && len(e) <= 254
}

// Account is a new account as asked for. Firm names the account's firm in
// the caller's terms (a firm id on the admin page, a credit code in the
// API); Generate asks for a generated password instead of Password.
type Account struct {
	Email, Name, Role, Firm, Password string
	Generate                          bool
}

// Checked is an account that passed Check, ready for the store. Generated
// is the password when it was generated: shown once, never stored.
type Checked struct {
	Email, Name string
	Role        auth.Role
	FirmID      *uint
	Password    string
	Generated   string
}

// Check validates an account. roles are the roles the caller may give;
// firm finds the firm an Account names, or is nil when the firm is not the
// caller's to choose (a firm admin's members join the firm admin's firm).
// Every problem comes back, in the order of the form's fields.
func Check(a Account, roles []auth.Role, firm func(string) (uint, bool)) (Checked, []*FieldError, error) {
	var problems []*FieldError
	bad := func(field, code string, args ...any) {
		problems = append(problems, &FieldError{Field: field, Code: code, Args: args})
	}
	out := Checked{Email: strings.TrimSpace(a.Email), Name: strings.TrimSpace(a.Name), Role: auth.Role(a.Role)}
	switch {
	case out.Email == "":
		bad("email", "required")
	case !ValidEmail(out.Email):
		bad("email", "invalid", out.Email)
	}
	switch {
	case out.Name == "":
		bad("name", "required")
	case utf8.RuneCountInString(out.Name) > MaxNameLen:
		bad("name", "too_long", MaxNameLen)
	}
	known := slices.Contains(roles, out.Role)
	if !known {
		bad("role", "unknown", a.Role)
	}
	given := strings.TrimSpace(a.Firm)
	if firm != nil && known {
		switch {
		case out.Role.InFirm() && given == "":
			bad("firm", "firm_required", out.Role)
		case out.Role.InFirm():
			if id, ok := firm(given); ok {
				out.FirmID = &id
			} else {
				bad("firm", "unknown", given)
			}
		case given != "":
			bad("firm", "firm_not_allowed", out.Role)
		}
	}
	switch {
	case a.Generate && a.Password != "":
		bad("password", "both")
	case a.Generate:
		p, err := auth.RandomPassword()
		if err != nil {
			return out, nil, err
		}
		out.Password, out.Generated = p, p
	case a.Password == "":
		bad("password", "required")
	case len(a.Password) < auth.MinPasswordLen:
		bad("password", "too_short", auth.MinPasswordLen)
	default:
		out.Password = a.Password
	}
	return out, problems, nil
}

// Firm is a new firm as asked for; Code is normalized by CheckFirm.
type Firm struct{ Name, CreditCode string }

// CheckFirm validates a new firm and returns it trimmed, with its credit
// code normalized, and every problem.
func CheckFirm(f Firm) (Firm, []*FieldError) {
	var problems []*FieldError
	bad := func(field, code string, args ...any) {
		problems = append(problems, &FieldError{Field: field, Code: code, Args: args})
	}
	out := Firm{Name: strings.TrimSpace(f.Name), CreditCode: uscc.Normalize(f.CreditCode)}
	switch {
	case out.Name == "":
		bad("name", "required")
	case utf8.RuneCountInString(out.Name) > MaxNameLen:
		bad("name", "too_long", MaxNameLen)
	}
	if fe := creditCodeProblem(out.CreditCode); fe != nil {
		problems = append(problems, fe)
	}
	return out, problems
}

// creditCodeProblem says what is wrong with a normalized unified social
// credit code, or nil when it is valid.
func creditCodeProblem(code string) *FieldError {
	if uscc.Validate(code) == nil {
		return nil
	}
	if code == "" {
		return &FieldError{Field: "credit_code", Code: "required"}
	}
	for i, r := range []rune(code) {
		if !creditCodeChar(r) {
			return &FieldError{Field: "credit_code", Code: "char", Args: []any{string(r), i + 1}}
		}
	}
	if n := utf8.RuneCountInString(code); n != 18 {
		return &FieldError{Field: "credit_code", Code: "length", Args: []any{n}}
	}
	return &FieldError{Field: "credit_code", Code: "check"}
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
