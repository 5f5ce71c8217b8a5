package workflow

import (
	"context"

	"selfcheck/app/access"
	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/fault"
)

// FollowUp is what an admin chooses for a follow-up campaign. Themes,
// FirmIDs and AuditorIDs nil mean those of the earlier campaign.
type FollowUp struct {
	NameZH, NameEN     string
	StartsOn, Deadline string
	Themes             []string
	FirmIDs            []uint
	AuditorIDs         []uint
}

// FollowUpCampaign creates a campaign that repeats campaign id (admins):
// by default with its themes, firms and auditors. The firms' assessments
// in it may then start from their assessments of campaign id.
func (s *Service) FollowUpCampaign(ctx context.Context, p access.Principal, id uint, f FollowUp) (uint, error) {
	if p.Role != auth.Admin {
		return 0, fault.Forbidden("follow-up campaign: %s is not an admin", p.Role)
	}
	rows, err := s.Store.Campaigns(ctx, actor(p))
	if err != nil {
		return 0, err
	}
	var earlier *CampaignView
	for i := range rows {
		if rows[i].ID == id {
			earlier = &rows[i]
		}
	}
	if earlier == nil {
		return 0, ErrNotFound
	}
	n := NewCampaign{NameZH: f.NameZH, NameEN: f.NameEN, StartsOn: f.StartsOn, Deadline: f.Deadline,
		Themes: f.Themes, FirmIDs: f.FirmIDs, AuditorIDs: f.AuditorIDs}
	if n.Themes == nil {
		n.Themes = earlier.Themes
	}
	if n.FirmIDs == nil {
		for _, firm := range earlier.Firms {
			n.FirmIDs = append(n.FirmIDs, firm.ID)
		}
	}
	if n.AuditorIDs == nil {
		for _, u := range earlier.Auditors {
			if u.DisabledAt == nil {
				n.AuditorIDs = append(n.AuditorIDs, u.ID)
			}
		}
	}
	newID, err := s.Store.FollowUpCampaign(ctx, actor(p), id, n)
	if err == nil {
		s.Log.Info("follow-up campaign created", "campaign", newID, "follows", id, "user", p.ID)
	}
	return newID, err
}

// CarrySource is p's firm's assessment that a new assessment of campaign
// campaignID may start from, with its state; 0 when there is none.
func (s *Service) CarrySource(ctx context.Context, p access.Principal, campaignID uint) (uint, assessment.State, error) {
	return s.Store.CarrySource(ctx, actor(p), campaignID)
}

// Revisions marks the items of a carried-over assessment that are new or
// whose text changed since the assessment it was carried over from; nil
// for one not carried over.
func (s *Service) Revisions(ctx context.Context, p access.Principal, id uint) (map[string]assessment.Revision, error) {
	return s.Store.Revisions(ctx, actor(p), id)
}
