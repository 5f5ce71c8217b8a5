// Package campaign holds the rules of a campaign's details: what a new
// campaign must say before the store creates it. The web form and the JSON
// API both check a campaign here, so they refuse the same input the same
// way; each front end turns a FieldError's code into its own words.
package campaign

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"selfcheck/app/assessment"
)

// MaxNameLen bounds a campaign's name in each language, in characters.
const MaxNameLen = 200

// FieldError says which field of a campaign is wrong and why. Code is one
// of the codes below; Args are what a message about it needs.
//
// It is kept small and local until the shared typed errors (app/fault)
// land, when it folds into theirs.
type FieldError struct {
	Field string // name_zh, name_en, themes, starts_on or deadline
	Code  string // required, too_long, unknown, date or before_start
	Args  []any
}

func (e *FieldError) Error() string {
	switch e.Code {
	case "required":
		return e.Field + " is required"
	case "too_long":
		return fmt.Sprintf("%s must be at most %v characters", e.Field, e.arg(0))
	case "unknown":
		return fmt.Sprintf("%s: there is no checklist %q", e.Field, e.arg(0))
	case "date":
		return e.Field + " must be a date (YYYY-MM-DD)"
	case "before_start":
		return fmt.Sprintf("deadline %s is before the start date %s", e.Args...)
	}
	return e.Field + " is invalid"
}

func (e *FieldError) arg(i int) any {
	if i < len(e.Args) {
		return e.Args[i]
	}
	return ""
}

// Details are a campaign's own fields, as typed.
type Details struct {
	NameZH, NameEN     string
	StartsOn, Deadline string // YYYY-MM-DD
	Themes             []string
}

// Check validates d, knowing which themes exist, and returns it trimmed with
// each theme once, and every problem, in the order of the form's fields.
func Check(d Details, themeExists func(id string) bool) (Details, []*FieldError) {
	var problems []*FieldError
	bad := func(field, code string, args ...any) {
		problems = append(problems, &FieldError{Field: field, Code: code, Args: args})
	}
	out := Details{NameZH: strings.TrimSpace(d.NameZH), NameEN: strings.TrimSpace(d.NameEN),
		StartsOn: strings.TrimSpace(d.StartsOn), Deadline: strings.TrimSpace(d.Deadline)}
	switch {
	case out.NameZH == "":
		bad("name_zh", "required")
	case utf8.RuneCountInString(out.NameZH) > MaxNameLen:
		bad("name_zh", "too_long", MaxNameLen)
	}
	if utf8.RuneCountInString(out.NameEN) > MaxNameLen {
		bad("name_en", "too_long", MaxNameLen)
	}
	seen := map[string]bool{}
	for _, id := range d.Themes {
		if !themeExists(id) {
			bad("themes", "unknown", id)
			continue
		}
		if !seen[id] {
			seen[id] = true
			out.Themes = append(out.Themes, id)
		}
	}
	if len(d.Themes) == 0 {
		bad("themes", "required")
	}
	start, startErr := time.Parse(assessment.DateLayout, out.StartsOn)
	if startErr != nil {
		bad("starts_on", "date")
	}
	end, endErr := time.Parse(assessment.DateLayout, out.Deadline)
	if endErr != nil {
		bad("deadline", "date")
	}
	if startErr == nil && endErr == nil && end.Before(start) {
		bad("deadline", "before_start", out.Deadline, out.StartsOn)
	}
	return out, problems
}
