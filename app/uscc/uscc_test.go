package uscc

import (
	"errors"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		code string
		want error
	}{
		// Published codes of real organisations.
		{"91350100M000100Y43", nil},
		{"91110000802100433B", nil},
		{"91350100M000100Y44", ErrCheckSum},
		{"91110000802100433A", ErrCheckSum},
		{"91350100M000100Y4", ErrLength},
		{"", ErrLength},
		{"91350100M000100I43", ErrChar}, // I is not in the alphabet
		{"9135010OM000100Y43", ErrChar}, // nor is O
		{"91350100m000100Y43", ErrChar}, // Validate expects Normalize first
		{"91350100M000100Y4中", ErrLength},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			err := Validate(tt.code)
			if !errors.Is(err, tt.want) {
				t.Errorf("Validate(%q) = %v, want %v", tt.code, err, tt.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	if got := Normalize(" 91350100m000100y43 "); Validate(got) != nil {
		t.Errorf("Normalize gave %q, which does not validate", got)
	}
}
