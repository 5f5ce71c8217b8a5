// Package fault holds the typed errors that rules and use cases return and
// that both front ends translate: the web into a message of the page's
// language, the API into {"error": {"code", "message", "field"}}. A rule
// says what is wrong with a code and arguments, never with an English
// sentence, so no caller ever reads an error's text to find its meaning.
package fault

import (
	"errors"
	"fmt"
	"time"
)

// Codes of FieldError. A code names the kind of problem; the field names
// where it is. Front ends look a message up by field and code first
// ("fault.<field>.<code>"), then by code alone ("fault.<code>").
const (
	Required = "required"  // the field is empty or missing
	TooLong  = "too_long"  // longer than Args[0] characters
	TooShort = "too_short" // shorter than Args[0] characters
	Length   = "length"    // not exactly Args[0] characters long; Args[1] is its length
	Checksum = "checksum"  // a check character does not match the rest
	InUse    = "in_use"    // Args[0] cannot be removed: something depends on it
	OneOf    = "one_of"    // not one of the allowed values
	Invalid  = "invalid"   // malformed (a date, a number, a code)
	Unknown  = "unknown"   // names something that does not exist (Args[0])
	NoGap    = "no_gap"    // a request for changes marks no item needs_change
	Taken    = "taken"     // already used by another record (Args[0])
	Order    = "order"     // out of order with another field (Args[0])
)

// Codes lists every code, for the test that each has a message in every
// language.
var Codes = []string{Required, TooLong, TooShort, Length, Checksum, InUse, OneOf, Invalid, Unknown, NoGap, Taken, Order}

// Term is an argument of a FieldError that front ends translate, named by
// its message key ("role.firm_admin"): a role or a state reads as a word of
// the page's language, not as the identifier the code knows it by.
type Term string

// FieldError refuses a request because one field has a wrong value. Item,
// when set, is the checklist item the field belongs to (a verdict, a plan).
type FieldError struct {
	Field string
	Code  string
	Item  string
	Args  []any
}

// Field returns a FieldError for field with code and its arguments.
func Field(field, code string, args ...any) *FieldError {
	return &FieldError{Field: field, Code: code, Args: args}
}

// ItemField returns a FieldError about field of checklist item item.
func ItemField(item, field, code string, args ...any) *FieldError {
	return &FieldError{Field: field, Code: code, Item: item, Args: args}
}

func (e *FieldError) Error() string {
	if e.Item != "" {
		return fmt.Sprintf("fault: %s of item %s: %s %v", e.Field, e.Item, e.Code, e.Args)
	}
	return fmt.Sprintf("fault: %s: %s %v", e.Field, e.Code, e.Args)
}

// AsField returns the FieldError in err's chain, if any.
func AsField(err error) (*FieldError, bool) {
	var fe *FieldError
	ok := errors.As(err, &fe)
	return fe, ok
}

// ErrNotFound is the answer for anything the caller may not see, whether it
// does not exist or belongs to someone else: the two are not told apart.
var ErrNotFound = errors.New("fault: not found")

// ErrForbidden refuses an action the caller's role or relation may not take
// on something they may see.
var ErrForbidden = errors.New("fault: forbidden")

// NotFound wraps ErrNotFound with what was looked for, for the log.
func NotFound(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrNotFound)
}

// Forbidden wraps ErrForbidden with why, for the log.
func Forbidden(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrForbidden)
}

// BusyError refuses work the server has no room for now (every report
// render is taken and the queue behind them is full or waited too long).
// Front ends answer 503 with Retry-After, so a client comes back later
// instead of piling more work onto a server that is short of memory.
type BusyError struct {
	RetryAfter time.Duration
}

func (e *BusyError) Error() string {
	return fmt.Sprintf("fault: busy, retry after %s", e.RetryAfter)
}

// RetryAfterSeconds is the Retry-After header's value: whole seconds, at
// least one.
func (e *BusyError) RetryAfterSeconds() int {
	s := int((e.RetryAfter + time.Second - 1) / time.Second)
	return max(s, 1)
}
