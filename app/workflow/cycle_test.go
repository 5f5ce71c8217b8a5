package workflow_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"selfcheck/app/assessment"
	"selfcheck/app/fault"
	"selfcheck/app/workflow"
)

// A follow-up campaign takes the earlier campaign's themes, firms and
// auditors unless others are given; only admins create one; carry_from
// needs a campaign.
func TestFollowUpCampaign(t *testing.T) {
	f := newFlow(t)
	ctx := context.Background()
	admin, member, auditor := f.who("admin@demo.local"), f.who("firm@demo.local"), f.who("auditor@demo.local")
	c1 := f.campaign(admin)
	views, err := f.Campaigns(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	var earlier workflow.CampaignView
	for _, v := range views {
		if v.ID == c1 {
			earlier = v
		}
	}
	fu := workflow.FollowUp{NameZH: "复查", StartsOn: "2030-01-01", Deadline: "2030-06-30"}
	if _, err := f.FollowUpCampaign(ctx, member, c1, fu); !errors.Is(err, fault.ErrForbidden) {
		t.Errorf("a firm member: %v", err)
	}
	if _, err := f.FollowUpCampaign(ctx, auditor, c1, fu); !errors.Is(err, fault.ErrForbidden) {
		t.Errorf("an auditor: %v", err)
	}
	if _, err := f.FollowUpCampaign(ctx, admin, 99999, fu); !errors.Is(err, workflow.ErrNotFound) {
		t.Errorf("no such campaign: %v", err)
	}
	c2, err := f.FollowUpCampaign(ctx, admin, c1, fu)
	if err != nil {
		t.Fatal(err)
	}
	views, err = f.Campaigns(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range views {
		if v.ID != c2 {
			continue
		}
		if v.Follows != c1 || !slices.Equal(v.Themes, earlier.Themes) || len(v.Firms) != len(earlier.Firms) || len(v.Auditors) != len(earlier.Auditors) {
			t.Errorf("follow-up %+v of %+v", v, earlier)
		}
	}
	// Other themes and no firms, when given.
	fu.Themes, fu.FirmIDs = []string{"deceiving"}, []uint{}
	c3, err := f.FollowUpCampaign(ctx, admin, c1, fu)
	if err != nil {
		t.Fatal(err)
	}
	camp, err := f.Campaign(ctx, admin, c3)
	if err != nil || camp.Follows != c1 || !slices.Equal(camp.Themes, []string{"deceiving"}) {
		t.Errorf("follow-up with other themes: %+v %v", camp, err)
	}
	_, err = f.StartAssessment(ctx, member, workflow.StartInput{Themes: []string{"popups"}, CarryFrom: 1})
	wantField(t, err, "carry_from", assessment.CarryNoFollowUp)
}
