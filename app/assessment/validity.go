package assessment

import (
	"strings"
	"time"

	"selfcheck/app/fault"
)

// Validity is where an evidence file stands against its "valid until"
// date: a licence, a filing or an audit report stops counting as evidence
// once it lapses, and a firm needs the warning before that, not after.
type Validity string

// The validities.
const (
	ValidityNone     Validity = ""         // no date: the document does not expire
	ValidityOK       Validity = "valid"    // valid for more than ExpiringDays
	ValidityExpiring Validity = "expiring" // valid today, lapses within ExpiringDays
	ValidityExpired  Validity = "expired"  // its last valid day has passed
)

// ExpiringDays is how far ahead a lapse is flagged.
const ExpiringDays = 30

// Validity is e's standing on the day today (YYYY-MM-DD, in the
// configured zone). The date is the last day the document is valid, so it
// is expired only from the day after; it is expiring when that last day is
// at most ExpiringDays away (today included).
func (e Evidence) Validity(today string) Validity { return ValidityOf(e.ValidUntil, today) }

// ValidityOf is the standing of a document valid until until, on today.
// A date that does not parse counts as none: only ValidUntil checks dates.
func ValidityOf(until, today string) Validity {
	if until == "" {
		return ValidityNone
	}
	last, err1 := time.Parse(DateLayout, until)
	now, err2 := time.Parse(DateLayout, today)
	if err1 != nil || err2 != nil {
		return ValidityNone
	}
	switch {
	case last.Before(now):
		return ValidityExpired
	case !last.After(now.AddDate(0, 0, ExpiringDays)):
		return ValidityExpiring
	}
	return ValidityOK
}

// ExpiringBy is the last valid-until date that is flagged as expiring on
// today: a document valid until this day or earlier needs attention.
func ExpiringBy(today string) string {
	t, err := time.Parse(DateLayout, today)
	if err != nil {
		return today
	}
	return t.AddDate(0, 0, ExpiringDays).Format(DateLayout)
}

// Flagged reports whether v needs attention: expired or expiring.
func (v Validity) Flagged() bool { return v == ValidityExpired || v == ValidityExpiring }

// ValidUntil checks a "valid until" date as a firm gives it: empty (the
// document does not expire) or a date written YYYY-MM-DD between the years
// 2000 and 2099 (a typo such as 20255-01-01 or 0202-01-01 is refused rather
// than kept as a licence valid for ever, or lapsed for ever). The field is
// the API's: valid_until.
func ValidUntil(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil || t.Year() < 2000 || t.Year() > 2099 {
		return "", fault.Field("valid_until", fault.Invalid)
	}
	return s, nil
}
