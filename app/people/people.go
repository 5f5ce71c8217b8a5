// Package people holds the rules of accounts and firms: what a new account
// or firm must say before the store creates it. The admin pages, the team
// page and the JSON API all check here, so they refuse the same input the
// same way; each front end turns a fault.FieldError into words of its
// language.
package people

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"selfcheck/app/auth"
	"selfcheck/app/fault"
	"selfcheck/app/uscc"
)

// MaxNameLen bounds the names of people and firms, in characters.
const MaxNameLen = 200

// RoleTerm names a role in a refusal, for the front end to translate.
func RoleTerm(r auth.Role) fault.Term { return fault.Term("role." + string(r)) }

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
// Every problem comes back, in the order of the form's fields: email,
// name, role, firm and password.
func Check(a Account, roles []auth.Role, firm func(string) (uint, bool)) (Checked, []*fault.FieldError, error) {
	var problems []*fault.FieldError
	bad := func(field, code string, args ...any) {
		problems = append(problems, fault.Field(field, code, args...))
	}
	out := Checked{Email: strings.TrimSpace(a.Email), Name: strings.TrimSpace(a.Name), Role: auth.Role(a.Role)}
	switch {
	case out.Email == "":
		bad("email", fault.Required)
	case !ValidEmail(out.Email):
		bad("email", fault.Invalid, out.Email)
	}
	switch {
	case out.Name == "":
		bad("name", fault.Required)
	case utf8.RuneCountInString(out.Name) > MaxNameLen:
		bad("name", fault.TooLong, MaxNameLen)
	}
	known := slices.Contains(roles, out.Role)
	if !known {
		bad("role", fault.OneOf)
	}
	given := strings.TrimSpace(a.Firm)
	if firm != nil && known {
		switch {
		case out.Role.InFirm() && given == "":
			bad("firm", fault.Required, RoleTerm(out.Role))
		case out.Role.InFirm():
			if id, ok := firm(given); ok {
				out.FirmID = &id
			} else {
				bad("firm", fault.Unknown, given)
			}
		case given != "":
			// Only firm members and firm admins belong to a firm.
			bad("firm", fault.Invalid, RoleTerm(out.Role))
		}
	}
	switch {
	case a.Generate && a.Password != "":
		bad("password", fault.Invalid)
	case a.Generate:
		p, err := auth.RandomPassword()
		if err != nil {
			return out, nil, err
		}
		out.Password, out.Generated = p, p
	case a.Password == "":
		bad("password", fault.Required)
	case len(a.Password) < auth.MinPasswordLen:
		bad("password", fault.TooShort, auth.MinPasswordLen)
	default:
		out.Password = a.Password
	}
	return out, problems, nil
}

// Firm is a new firm as asked for; Code is normalized by CheckFirm.
type Firm struct{ Name, CreditCode string }

// CheckFirm validates a new firm and returns it trimmed, with its credit
// code normalized, and every problem: on firm_name (not name, so that a
// firm's name and a person's are told apart in messages) or credit_code.
func CheckFirm(f Firm) (Firm, []*fault.FieldError) {
	var problems []*fault.FieldError
	bad := func(field, code string, args ...any) {
		problems = append(problems, fault.Field(field, code, args...))
	}
	out := Firm{Name: strings.TrimSpace(f.Name), CreditCode: uscc.Normalize(f.CreditCode)}
	switch {
	case out.Name == "":
		bad("firm_name", fault.Required)
	case utf8.RuneCountInString(out.Name) > MaxNameLen:
		bad("firm_name", fault.TooLong, MaxNameLen)
	}
	if fe := creditCodeProblem(out.CreditCode); fe != nil {
		problems = append(problems, fe)
	}
	return out, problems
}

// creditCodeProblem says what is wrong with a normalized unified social
// credit code, or nil when it is valid: a character outside the alphabet
// (invalid, with the character and its position), a wrong length, or a
// check character that does not match.
func creditCodeProblem(code string) *fault.FieldError {
	if uscc.Validate(code) == nil {
		return nil
	}
	if code == "" {
		return fault.Field("credit_code", fault.Required)
	}
	for i, r := range []rune(code) {
		if !creditCodeChar(r) {
			return fault.Field("credit_code", fault.Invalid, string(r), i+1)
		}
	}
	if n := utf8.RuneCountInString(code); n != 18 {
		return fault.Field("credit_code", fault.Length, 18, n)
	}
	return fault.Field("credit_code", fault.Checksum)
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
