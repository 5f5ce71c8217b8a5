// Package campaign holds the rules of a campaign's details: what a new
// campaign must say before the store creates it. The web form and the JSON
// API both check a campaign here, so they refuse the same input the same
// way; each front end turns a fault.FieldError into words of its language.
package campaign

import (
	"strings"
	"time"
	"unicode/utf8"

	"selfcheck/app/assessment"
	"selfcheck/app/fault"
)

// MaxNameLen bounds a campaign's name in each language, in characters.
const MaxNameLen = 200

// Details are a campaign's own fields, as typed.
type Details struct {
	NameZH, NameEN     string
	StartsOn, Deadline string // YYYY-MM-DD
	Themes             []string
}

// Check validates d, knowing which themes exist, and returns it trimmed with
// each theme once, and every problem, in the order of the form's fields:
// name_zh, name_en, themes, starts_on or deadline, each with its code.
func Check(d Details, themeExists func(id string) bool) (Details, []*fault.FieldError) {
	var problems []*fault.FieldError
	bad := func(field, code string, args ...any) {
		problems = append(problems, fault.Field(field, code, args...))
	}
	out := Details{NameZH: strings.TrimSpace(d.NameZH), NameEN: strings.TrimSpace(d.NameEN),
		StartsOn: strings.TrimSpace(d.StartsOn), Deadline: strings.TrimSpace(d.Deadline)}
	switch {
	case out.NameZH == "":
		bad("name_zh", fault.Required)
	case utf8.RuneCountInString(out.NameZH) > MaxNameLen:
		bad("name_zh", fault.TooLong, MaxNameLen)
	}
	if utf8.RuneCountInString(out.NameEN) > MaxNameLen {
		bad("name_en", fault.TooLong, MaxNameLen)
	}
	seen := map[string]bool{}
	for _, id := range d.Themes {
		if !themeExists(id) {
			bad("themes", fault.Unknown, id)
			continue
		}
		if !seen[id] {
			seen[id] = true
			out.Themes = append(out.Themes, id)
		}
	}
	if len(d.Themes) == 0 {
		bad("themes", fault.Required)
	}
	start, startErr := time.Parse(assessment.DateLayout, out.StartsOn)
	if startErr != nil {
		bad("starts_on", fault.Invalid)
	}
	end, endErr := time.Parse(assessment.DateLayout, out.Deadline)
	if endErr != nil {
		bad("deadline", fault.Invalid)
	}
	if startErr == nil && endErr == nil && end.Before(start) {
		bad("deadline", fault.Order, out.Deadline, out.StartsOn)
	}
	return out, problems
}
