// Package uscc validates China's unified social credit code (统一社会信用代码),
// the 18-character identifier of every registered organisation, as defined by
// GB 32100-2015.
package uscc

import (
	"errors"
	"fmt"
	"strings"
)

// charset is the code's alphabet: digits and capitals without I, O, S, V, Z.
// A character's value is its index.
const charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// weights of positions 1–17 are 3^(i-1) mod 31, per GB 32100-2015 §5.
var weights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// Errors Validate may return, wrapped with detail.
var (
	ErrLength   = errors.New("统一社会信用代码应为18位 / the code must be 18 characters")
	ErrChar     = errors.New("含有不允许的字符 / contains a character not allowed")
	ErrCheckSum = errors.New("校验码不正确 / the check character is wrong")
)

// Normalize upper-cases the code and removes surrounding spaces.
func Normalize(code string) string {
	return strings.ToUpper(strings.TrimSpace(code))
}

// CheckChar computes the 18th character from the first 17.
func CheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, ErrLength
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(charset, first17[i])
		if v < 0 {
			return 0, fmt.Errorf("%w: %q at position %d", ErrChar, first17[i], i+1)
		}
		sum += v * weights[i]
	}
	return charset[(31-sum%31)%31], nil
}

// Validate checks length, alphabet and check character of a normalized code.
func Validate(code string) error {
	if len(code) != 18 {
		return ErrLength
	}
	want, err := CheckChar(code[:17])
	if err != nil {
		return err
	}
	if strings.IndexByte(charset, code[17]) < 0 {
		return fmt.Errorf("%w: %q at position 18", ErrChar, code[17])
	}
	if code[17] != want {
		return ErrCheckSum
	}
	return nil
}
