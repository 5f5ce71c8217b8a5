package people

import (
	"strings"
	"testing"

	"selfcheck/app/auth"
)

func TestCheck(t *testing.T) {
	firms := func(code string) (uint, bool) { return 7, code == "F1" }
	roles := []auth.Role{auth.FirmMember, auth.FirmAdmin, auth.Auditor, auth.Admin}
	for _, tc := range []struct {
		name string
		a    Account
		want string // field/code, space separated
	}{
		{"member", Account{Email: "a@b.c", Name: "A", Role: "firm_member", Firm: "F1", Password: "12345678"}, ""},
		{"auditor generated", Account{Email: "a@b.c", Name: "A", Role: "auditor", Generate: true}, ""},
		{"empty", Account{}, "email/required name/required role/one_of password/required"},
		{"bad email, long name", Account{Email: "nope", Name: strings.Repeat("名", 201), Role: "admin", Password: "12345678"}, "email/invalid name/too_long"},
		{"firm needed", Account{Email: "a@b.c", Name: "A", Role: "firm_admin", Password: "12345678"}, "firm/required"},
		{"firm unknown", Account{Email: "a@b.c", Name: "A", Role: "firm_admin", Firm: "F2", Password: "12345678"}, "firm/unknown"},
		{"firm not allowed", Account{Email: "a@b.c", Name: "A", Role: "auditor", Firm: "F1", Password: "12345678"}, "firm/invalid"},
		{"both passwords", Account{Email: "a@b.c", Name: "A", Role: "admin", Password: "12345678", Generate: true}, "password/invalid"},
		{"short password", Account{Email: "a@b.c", Name: "A", Role: "admin", Password: "1234"}, "password/too_short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, err := Check(tc.a, roles, firms)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range errs {
				got = append(got, e.Field+"/"+e.Code)
			}
			if strings.Join(got, " ") != tc.want {
				t.Fatalf("problems %v, want %q", got, tc.want)
			}
			if tc.a.Generate && tc.want == "" && (out.Generated == "" || out.Password != out.Generated) {
				t.Errorf("no generated password: %+v", out)
			}
			if tc.a.Role == "firm_member" && tc.want == "" && (out.FirmID == nil || *out.FirmID != 7) {
				t.Errorf("firm not resolved: %+v", out)
			}
		})
	}
	// A firm admin's member: the firm is not theirs to choose.
	if _, errs, _ := Check(Account{Email: "a@b.c", Name: "A", Role: "auditor", Password: "12345678"}, []auth.Role{auth.FirmMember}, nil); len(errs) != 1 || errs[0].Field != "role" {
		t.Errorf("team roles: %v", errs)
	}
}

func TestCheckFirm(t *testing.T) {
	for code, want := range map[string]string{
		"91350100M000100Y43": "",
		"":                   "credit_code/required",
		"91350100M00010OY43": "credit_code/invalid",
		"91350100M000100Y4":  "credit_code/length",
		"91350100M000100Y44": "credit_code/checksum",
	} {
		_, errs := CheckFirm(Firm{Name: "某公司", CreditCode: code})
		got := ""
		if len(errs) > 0 {
			got = errs[0].Field + "/" + errs[0].Code
		}
		if got != want {
			t.Errorf("%q: %q, want %q", code, got, want)
		}
	}
	if _, errs := CheckFirm(Firm{Name: " ", CreditCode: "91350100M000100Y43"}); len(errs) != 1 || errs[0].Field != "firm_name" {
		t.Errorf("no name: %v", errs)
	}
}
