package reporting

import (
	"context"
	"encoding/json"
	"fmt"

	"selfcheck/app/assessment"
	"selfcheck/app/report"
	"selfcheck/app/store"
)

// RectificationPDF issues the rectification report (整改报告) of assessment
// id for actor, in lang, recorded for verification like the main report:
// its code derives from the canonical content marked as a rectification
// report, so it never equals the main report's code of the same content.
func (s *Service) RectificationPDF(ctx context.Context, actor *store.User, id uint, lang string) (Issued, error) {
	leave, err := s.enter(ctx)
	if err != nil {
		return Issued{}, err
	}
	defer leave()
	d, err := s.Data(ctx, actor, id, lang)
	if err != nil {
		return Issued{}, err
	}
	return s.rectification(ctx, actor, d)
}

// rectification issues the rectification report of d, inside the gate its
// caller passed.
func (s *Service) rectification(ctx context.Context, actor *store.User, d report.Data) (Issued, error) {
	recs, err := s.Store.PlanRecords(ctx, actor, d.Sheet.ID)
	if err != nil {
		return Issued{}, err
	}
	d.PlanLog, d.PlanFiles = recs.Entries, recs.Evidence
	content, err := report.Canonical(d)
	if err != nil {
		return Issued{}, fmt.Errorf("reporting: canonical content of assessment %d: %w", d.Sheet.ID, err)
	}
	// The plans' logs and files are part of what the code vouches for:
	// json.Marshal orders the maps' keys, so the same record hashes alike.
	record, err := json.Marshal(struct {
		Log   map[string][]assessment.PlanEntry
		Files map[string][]assessment.Evidence
	}{recs.Entries, recs.Evidence})
	if err != nil {
		return Issued{}, fmt.Errorf("reporting: rectification record of assessment %d: %w", d.Sheet.ID, err)
	}
	hash := sha256Hex(append(append(append([]byte("rectification\x00"), content...), 0), record...))
	return s.issueRetrying(ctx, actor, d, hash, s.Renderer.RectificationPDF, "rectification.pdf")
}
