package assessment

import (
	"testing"

	"selfcheck/app/fault"
)

func TestValidityOf(t *testing.T) {
	const today = "2026-12-06"
	for _, tc := range []struct {
		until string
		want  Validity
	}{
		{"", ValidityNone},
		{"not a date", ValidityNone},
		{"2026-12-05", ValidityExpired},  // the last valid day was yesterday
		{"2020-01-01", ValidityExpired},  // long ago
		{"2026-12-06", ValidityExpiring}, // valid today, its last day
		{"2026-12-07", ValidityExpiring},
		{"2027-01-05", ValidityExpiring}, // exactly 30 days ahead
		{"2027-01-06", ValidityOK},       // 31 days ahead
		{"2030-06-30", ValidityOK},
	} {
		t.Run(tc.until, func(t *testing.T) {
			got := Evidence{ValidUntil: tc.until}.Validity(today)
			if got != tc.want {
				t.Errorf("valid until %q on %s: %q, want %q", tc.until, today, got, tc.want)
			}
			if got.Flagged() != (tc.want == ValidityExpired || tc.want == ValidityExpiring) {
				t.Errorf("flagged %v for %q", got.Flagged(), got)
			}
		})
	}
	// Across a month end and a leap day the count is in days, not months.
	if got := ValidityOf("2028-03-30", "2028-02-29"); got != ValidityExpiring {
		t.Errorf("30 days after a leap day: %q", got)
	}
	if got := ValidityOf("2028-03-31", "2028-02-29"); got != ValidityOK {
		t.Errorf("31 days after a leap day: %q", got)
	}
}

func TestValidUntil(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"  ", "", true},
		{"2027-03-31", "2027-03-31", true},
		{" 2027-03-31 ", "2027-03-31", true},
		{"2027-02-30", "", false},
		{"2027/03/31", "", false},
		{"31.03.2027", "", false},
		{"1999-12-31", "", false},
		{"2100-01-01", "", false},
		{"20255-01-01", "", false},
	} {
		got, err := ValidUntil(tc.in)
		if tc.ok {
			if err != nil || got != tc.want {
				t.Errorf("%q: %q %v", tc.in, got, err)
			}
			continue
		}
		fe, ok := fault.AsField(err)
		if !ok || fe.Field != "valid_until" || fe.Code != fault.Invalid {
			t.Errorf("%q: %v, want a refusal of valid_until", tc.in, err)
		}
	}
}
