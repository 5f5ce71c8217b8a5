package store

import (
	"context"
	"testing"
)

// LoadCampaign is what the tests here need of a campaign the load seeder
// filled.
type LoadCampaign struct {
	ID             uint
	Admin, Auditor *User
}

// growLoad seeds a campaign of n assessments with the load seeder
// (app/store/loadseed). That package imports this one, so only the
// external test package can call it: loadseed_ext_test.go sets growLoad
// through SetLoadSeeder before any test runs.
var growLoad func(ctx context.Context, s *Store, n int) (*LoadCampaign, error)

// SetLoadSeeder gives the tests of this package the load seeder.
func SetLoadSeeder(f func(ctx context.Context, s *Store, n int) (*LoadCampaign, error)) { growLoad = f }

// seedLoad is growLoad for tests.
func seedLoad(t testing.TB, s *Store, n int) *LoadCampaign {
	t.Helper()
	lc, err := growLoad(context.Background(), s, n)
	if err != nil {
		t.Fatal(err)
	}
	return lc
}
