package twofactor

import (
	"testing"
	"time"
)

// Whatever is typed into a code field, Match and the recovery code rules
// answer without panicking, and accept nothing that is not six digits or a
// recovery code's length.
func FuzzMatch(f *testing.F) {
	for _, seed := range []string{"287082", "", "28708", "2870822", "abcde-fghjk", "\x00\xff", "１２３４５６", " 287 082 "} {
		f.Add(seed)
	}
	now := time.Unix(59, 0)
	f.Fuzz(func(t *testing.T, code string) {
		step, err := Match(rfcSecret, code, now, 0)
		if err == nil && step != Step(now) && step != Step(now)-1 && step != Step(now)+1 {
			t.Errorf("%q matched step %d", code, step)
		}
		if IsRecoveryCode(code) {
			_ = HashRecoveryCode(code)
		}
	})
}
