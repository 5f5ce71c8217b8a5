package store_test

import (
	"context"

	"selfcheck/app/store"
	"selfcheck/app/store/loadseed"
)

func init() {
	store.SetLoadSeeder(func(ctx context.Context, s *store.Store, n int) (*store.LoadCampaign, error) {
		lc, err := loadseed.Seed(ctx, s)
		if err != nil {
			return nil, err
		}
		if err := loadseed.Grow(ctx, s, lc, n); err != nil {
			return nil, err
		}
		return &store.LoadCampaign{ID: lc.ID, Admin: lc.Admin, Auditor: lc.Auditor}, nil
	})
}
