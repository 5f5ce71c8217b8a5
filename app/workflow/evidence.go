package workflow

import (
	"context"
	"fmt"

	"selfcheck/app/access"
	"selfcheck/app/assessment"
	"selfcheck/app/evidence"
	"selfcheck/app/store"
)

// AttachEvidence checks a file by its content (app/evidence: type, size,
// archives) and attaches it to an item of an editable assessment of p's
// firm. A refused file is *evidence.RefusedError and nothing is stored.
// data may hold one byte more than the limit: the reader's way of saying
// the file is larger.
func (s *Service) AttachEvidence(ctx context.Context, p access.Principal, id uint, itemID, name string, data []byte) (assessment.Evidence, error) {
	return s.AttachEvidenceUntil(ctx, p, id, itemID, name, "", data)
}

// AttachEvidenceUntil is AttachEvidence of a document valid until a date
// (YYYY-MM-DD, or "" when it does not expire), such as a licence or a
// filing. A malformed date is refused before the file is checked.
func (s *Service) AttachEvidenceUntil(ctx context.Context, p access.Principal, id uint, itemID, name, validUntil string, data []byte) (assessment.Evidence, error) {
	until, err := assessment.ValidUntil(validUntil)
	if err != nil {
		return assessment.Evidence{}, err
	}
	if int64(len(data)) > s.MaxEvidenceBytes {
		return assessment.Evidence{}, TooLarge(s.MaxEvidenceBytes)
	}
	lim := evidence.DefaultLimits()
	lim.MaxBytes = s.MaxEvidenceBytes
	kind, err := evidence.Check(name, data, lim)
	if err != nil {
		s.Log.Info("evidence refused", "assessment", id, "item", itemID, "err", err, "user", p.ID)
		return assessment.Evidence{}, err
	}
	e, err := s.Store.AddEvidence(ctx, actor(p), id, store.NewEvidence{
		ItemID: itemID, Name: evidence.SafeName(name, kind), Kind: string(kind), Data: data, ValidUntil: until,
	})
	if err != nil {
		return e, err
	}
	s.Log.Info("evidence uploaded", "assessment", id, "item", itemID, "evidence", e.ID, "sha256", e.SHA256, "size", e.Size, "user", p.ID)
	return e, nil
}

// TooLarge refuses a file over max bytes, before it is read whole.
func TooLarge(max int64) error {
	return &evidence.RefusedError{Reason: "too_large", Detail: fmt.Sprintf("the file is larger than %d MiB", max>>20)}
}

// RemoveEvidence detaches a file from an editable assessment of p's firm.
func (s *Service) RemoveEvidence(ctx context.Context, p access.Principal, id, evidenceID uint) error {
	return s.Store.RemoveEvidence(ctx, actor(p), id, evidenceID)
}

// EvidenceFile is a file of an assessment p may see, with its content.
func (s *Service) EvidenceFile(ctx context.Context, p access.Principal, id, evidenceID uint) (assessment.Evidence, []byte, error) {
	e, data, err := s.Store.EvidenceFile(ctx, actor(p), id, evidenceID)
	if err == nil {
		s.Log.Info("evidence served", "assessment", id, "evidence", evidenceID, "user", p.ID)
	}
	return e, data, err
}

// SetEvidenceValidUntil sets, changes or clears ("") the "valid until"
// date of an evidence file of an editable assessment of p's firm.
func (s *Service) SetEvidenceValidUntil(ctx context.Context, p access.Principal, id, evidenceID uint, validUntil string) (assessment.Evidence, error) {
	until, err := assessment.ValidUntil(validUntil)
	if err != nil {
		return assessment.Evidence{}, err
	}
	e, err := s.Store.SetEvidenceValidUntil(ctx, actor(p), id, evidenceID, until)
	if err == nil {
		s.Log.Info("evidence validity set", "assessment", id, "evidence", evidenceID, "valid_until", until, "user", p.ID)
	}
	return e, err
}
