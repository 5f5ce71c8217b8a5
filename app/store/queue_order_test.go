package store

import (
	"context"
	"reflect"
	"testing"

	"selfcheck/app/assessment"
	"selfcheck/app/scoring"
)

// TestOrderedQueuePageMatchesSorted checks that the queue's pages read in
// index order, campaign by campaign and state by state and merged, are the
// pages the database's ORDER BY gives, for auditors and admins, one
// campaign or all, every order, direction and a few filters.
func TestOrderedQueuePageMatchesSorted(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	var lcs []*LoadCampaign
	for _, n := range []int{500, 300} {
		lcs = append(lcs, seedLoad(t, s, n))
	}
	// A few unscored submissions, which sort last by score.
	if err := s.db.Exec("UPDATE assessments SET score = NULL WHERE id % 97 = 0").Error; err != nil {
		t.Fatal(err)
	}
	for _, actor := range []*User{lcs[0].Auditor, lcs[0].Admin} {
		for _, campaign := range []uint{lcs[0].ID, 0} {
			for _, f := range []QueueFilter{
				{}, {Grade: scoring.Fail}, {Theme: "bench-3"}, {State: assessment.Resubmitted}, {Firm: "科技001"}, {Firm: "有限"},
			} {
				for _, sort := range []QueueSort{SortWaiting, SortScore, SortCritical} {
					for _, desc := range []bool{false, true} {
						for page := 1; page <= 3; page++ {
							f := f
							f.CampaignID, f.Sort, f.Desc, f.Page = campaign, sort, desc, page
							waiting := []string{string(assessment.Submitted), string(assessment.Resubmitted)}
							if f.State != "" {
								waiting = []string{string(f.State)}
							}
							if parts, err := s.queueParts(ctx, actor, f, waiting, nil); err != nil || parts == nil {
								t.Fatalf("%+v: no ordered parts (%v)", f, err)
							}
							got, err := s.ReviewQueue(ctx, actor, f)
							if err != nil {
								t.Fatal(err)
							}
							want, err := sortedQueuePage(s.queueQuery(ctx, actor, f, waiting, nil), f, page)
							if err != nil {
								t.Fatal(err)
							}
							gotIDs := []uint{}
							for _, r := range got.Rows {
								gotIDs = append(gotIDs, r.ID)
							}
							if !reflect.DeepEqual(gotIDs, ids(want)) {
								t.Errorf("%s %+v:\n ordered %v\n sorted  %v", actor.Role, f, gotIDs, ids(want))
							}
						}
					}
				}
			}
		}
	}
}

func ids(rows []queueRow) []uint {
	out := []uint{}
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}
