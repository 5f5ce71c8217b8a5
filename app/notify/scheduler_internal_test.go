package notify

import "testing"

func TestDaysBetween(t *testing.T) {
	for _, c := range []struct {
		today, date string
		want        int
	}{
		{"2031-12-31", "2031-12-31", 0}, {"2031-12-30", "2031-12-31", 1}, {"2032-01-01", "2031-12-31", -1},
		{"2031-12-24", "2031-12-31", 7}, {"2032-03-01", "2032-02-28", -2}, {"2031-03-29", "2031-03-31", 2},
	} {
		if got, ok := daysBetween(c.today, c.date); !ok || got != c.want {
			t.Errorf("daysBetween(%s, %s) = %d, want %d", c.today, c.date, got, c.want)
		}
	}
	if _, ok := daysBetween("2031-12-31", "31/12/2031"); ok {
		t.Error("a malformed date is read")
	}
}
