package uscc

import (
	"errors"
	"strings"
	"testing"
)

// FuzzValidate: Validate, Normalize and CheckChar never panic on any
// input; Validate answers nil or one of its three errors; a code it
// accepts is 18 characters of the alphabet ending in CheckChar of the
// first 17, is already normalized, is accepted again after being typed in
// lower case with spaces around, and stops validating when any one of its
// characters is changed.
//
// Seeds: testdata/fuzz/FuzzValidate.
func FuzzValidate(f *testing.F) {
	f.Fuzz(func(t *testing.T, code string) {
		norm := Normalize(code)
		if Normalize(norm) != norm {
			t.Errorf("Normalize(%q) = %q is not stable", code, norm)
		}
		err := Validate(code)
		if err != nil {
			if !errors.Is(err, ErrLength) && !errors.Is(err, ErrChar) && !errors.Is(err, ErrCheckSum) {
				t.Fatalf("Validate(%q) = %v, not one of its errors", code, err)
			}
		}
		if len(code) >= 17 {
			check, cerr := CheckChar(code[:17])
			if cerr == nil {
				if strings.IndexByte(charset, check) < 0 {
					t.Fatalf("CheckChar(%q) = %q, not in the alphabet", code[:17], check)
				}
				// The first 17 are fine: exactly one 18th character is right.
				for i := 0; i < len(charset); i++ {
					got := Validate(code[:17] + string(charset[i]))
					if (charset[i] == check) != (got == nil) {
						t.Errorf("Validate(%q) = %v with CheckChar %q", code[:17]+string(charset[i]), got, check)
					}
				}
			} else if errors.Is(Validate(code[:17]+"0"), ErrCheckSum) {
				t.Errorf("CheckChar(%q) refused it but Validate only found the check character wrong", code[:17])
			}
		}
		if err != nil {
			return
		}
		if len(code) != 18 || norm != code {
			t.Fatalf("Validate accepted %q, which is not 18 normalized characters", code)
		}
		if c, _ := CheckChar(code[:17]); c != code[17] {
			t.Fatalf("Validate accepted %q, whose check character should be %q", code, c)
		}
		if Validate(Normalize(" "+strings.ToLower(code)+"\t")) != nil {
			t.Errorf("%q typed in lower case with spaces does not validate after Normalize", code)
		}
		// Any one character changed is caught.
		for i := 0; i < 18; i++ {
			for j := 0; j < len(charset); j++ {
				if charset[j] == code[i] {
					continue
				}
				changed := code[:i] + string(charset[j]) + code[i+1:]
				if Validate(changed) == nil {
					t.Fatalf("%q validates, and so does %q", code, changed)
				}
			}
		}
	})
}
