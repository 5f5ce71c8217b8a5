package workflow

import (
	"context"

	"selfcheck/app/access"
	"selfcheck/app/assessment"
)

// Review records an auditor's decision on a submitted or resubmitted
// assessment of one of their campaigns (an admin: any) with the item
// verdicts, checked by assessment.Decision.Validate (in the store), and
// moves it on.
func (s *Service) Review(ctx context.Context, p access.Principal, id uint, d assessment.Decision) error {
	if err := s.Store.Review(ctx, actor(p), id, d); err != nil {
		return err
	}
	s.Log.Info("assessment reviewed", "assessment", id, "decision", d.Action, "user", p.ID)
	return nil
}

// LatestReview is the most recent decision on an assessment, with its
// item verdicts.
func (s *Service) LatestReview(ctx context.Context, p access.Principal, id uint) (LastReview, error) {
	return s.Store.LatestReview(ctx, actor(p), id)
}

// ReviewHistory is every decision on an assessment, oldest first.
func (s *Service) ReviewHistory(ctx context.Context, p access.Principal, id uint) ([]ReviewRound, error) {
	return s.Store.ReviewHistory(ctx, actor(p), id)
}

// ChangesSinceReturn is what the firm changed, item by item, since the
// assessment was last returned to it.
func (s *Service) ChangesSinceReturn(ctx context.Context, p access.Principal, id uint) (Diff, error) {
	return s.Store.ChangesSinceReturn(ctx, actor(p), id)
}

// ReviewQueue is a page of the submissions p reviews, filtered and sorted.
func (s *Service) ReviewQueue(ctx context.Context, p access.Principal, f QueueFilter) (Queue, error) {
	return s.Store.ReviewQueue(ctx, actor(p), f)
}
