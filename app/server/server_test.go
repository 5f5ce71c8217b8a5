package server

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestLimitMemory(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	for _, tc := range []struct {
		name    string
		env     string
		mib     int
		want    int64
		fromEnv bool
	}{
		{"the default", "", DefaultMemoryLimitMiB, DefaultMemoryLimitMiB << 20, false},
		{"none", "", 0, math.MaxInt64, false},
		// The runtime read GOMEMLIMIT at start; LimitMemory leaves it be.
		{"GOMEMLIMIT wins", "123MiB", 64, 123 << 20, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GOMEMLIMIT", tc.env)
			if tc.fromEnv {
				debug.SetMemoryLimit(tc.want)
			}
			got, fromEnv := LimitMemory(tc.mib)
			if got != tc.want || fromEnv != tc.fromEnv || debug.SetMemoryLimit(-1) != tc.want {
				t.Errorf("LimitMemory(%d) = %d, %v; runtime has %d; want %d, %v", tc.mib, got, fromEnv, debug.SetMemoryLimit(-1), tc.want, tc.fromEnv)
			}
		})
	}
}
