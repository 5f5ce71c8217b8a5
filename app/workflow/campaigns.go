package workflow

import (
	"context"
	"io"

	"selfcheck/app/access"
	"selfcheck/app/assessment"
)

// Campaign is a campaign p takes part in or reviews (an admin: any).
func (s *Service) Campaign(ctx context.Context, p access.Principal, id uint) (assessment.Campaign, error) {
	return s.Store.Campaign(ctx, actor(p), id)
}

// Campaigns lists every campaign with its firms and auditors, for admins;
// others get those they take part in or review.
func (s *Service) Campaigns(ctx context.Context, p access.Principal) ([]CampaignView, error) {
	return s.Store.Campaigns(ctx, actor(p))
}

// CampaignList lists the campaigns of p's home page and review queue, with
// the state of p's firm's assessment in each.
func (s *Service) CampaignList(ctx context.Context, p access.Principal) ([]CampaignView, error) {
	return s.Store.CampaignList(ctx, actor(p))
}

// CreateCampaign creates a campaign (admins), checked by
// NewCampaign.Validate.
func (s *Service) CreateCampaign(ctx context.Context, p access.Principal, n NewCampaign) (uint, error) {
	id, err := s.Store.CreateCampaign(ctx, actor(p), n)
	if err == nil {
		s.Log.Info("campaign created", "campaign", id, "user", p.ID)
	}
	return id, err
}

// AssignAuditors sets the auditors of a campaign (admins); access follows
// at once.
func (s *Service) AssignAuditors(ctx context.Context, p access.Principal, campaignID uint, auditorIDs []uint) error {
	err := s.Store.AssignAuditors(ctx, actor(p), campaignID, auditorIDs)
	if err == nil {
		s.Log.Info("campaign auditors assigned", "campaign", campaignID, "auditors", auditorIDs, "user", p.ID)
	}
	return err
}

// Dashboard is a campaign's dashboard, for its auditors and admins.
func (s *Service) Dashboard(ctx context.Context, p access.Principal, campaignID uint, opts DashboardOptions) (*Dashboard, error) {
	return s.Store.CampaignDashboard(ctx, actor(p), campaignID, opts)
}

// CampaignResults streams a campaign's results, one row per firm × item.
func (s *Service) CampaignResults(ctx context.Context, p access.Principal, campaignID uint, fn func(ResultRow) error) error {
	return s.Store.CampaignResults(ctx, actor(p), campaignID, fn)
}

// SetCampaignFirms sets the firms taking part in a campaign (admins). A
// firm that has started the campaign's assessment cannot be dropped.
func (s *Service) SetCampaignFirms(ctx context.Context, p access.Principal, campaignID uint, firmIDs []uint) error {
	err := s.Store.SetCampaignFirms(ctx, actor(p), campaignID, firmIDs)
	if err == nil {
		s.Log.Info("campaign firms set", "campaign", campaignID, "firms", len(firmIDs), "user", p.ID)
	}
	return err
}

// ExportResults streams a campaign's results as csv or xlsx, in lang, to
// the writer open returns once the file's name and type are known.
func (s *Service) ExportResults(ctx context.Context, p access.Principal, campaignID uint, lang, format string, open func(name, contentType string) io.Writer) error {
	return s.Reports.CampaignResults(ctx, actor(p), campaignID, lang, format, open)
}
