package campaign

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	known := func(id string) bool { return id == "popups" || id == "sdk" }
	ok := Details{NameZH: " 专项 ", StartsOn: "2030-01-01", Deadline: "2030-02-01", Themes: []string{"popups", "sdk", "popups"}}
	for _, tc := range []struct {
		name   string
		change func(*Details)
		want   []string // field/code
	}{
		{"valid", func(*Details) {}, nil},
		{"no name", func(d *Details) { d.NameZH = "  " }, []string{"name_zh/required"}},
		{"long names", func(d *Details) { d.NameZH, d.NameEN = strings.Repeat("名", 201), strings.Repeat("n", 201) }, []string{"name_zh/too_long", "name_en/too_long"}},
		{"no themes", func(d *Details) { d.Themes = nil }, []string{"themes/required"}},
		{"unknown theme", func(d *Details) { d.Themes = []string{"nope", "sdk"} }, []string{"themes/unknown"}},
		{"bad dates", func(d *Details) { d.StartsOn, d.Deadline = "2030-13-01", "soon" }, []string{"starts_on/invalid", "deadline/invalid"}},
		{"deadline first", func(d *Details) { d.Deadline = "2029-12-31" }, []string{"deadline/order"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := ok
			tc.change(&d)
			out, errs := Check(d, known)
			var got []string
			for _, e := range errs {
				got = append(got, e.Field+"/"+e.Code)
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Fatalf("problems %v, want %v", got, tc.want)
			}
			if tc.name == "valid" && (out.NameZH != "专项" || strings.Join(out.Themes, ",") != "popups,sdk") {
				t.Errorf("checked details %+v", out)
			}
		})
	}
}
