package workflow

import (
	"context"

	"selfcheck/app/access"
	"selfcheck/app/auth"
	"selfcheck/app/store"
)

// AuditActions lists every action of the audit log, in the filter's order.
var AuditActions = store.AuditActions

// AuditPerPage is how many audit entries a page shows.
const AuditPerPage = store.AuditPerPage

// WithRequest makes the client's address and browser known to the audit
// entries a request's use cases write.
func WithRequest(ctx context.Context, ri RequestInfo) context.Context {
	return store.WithRequest(ctx, ri)
}

// AuditLog is a page of the audit log, filtered, for an admin.
func (s *Service) AuditLog(ctx context.Context, p access.Principal, f AuditFilter) ([]AuditEvent, int64, error) {
	return s.Store.AuditLog(ctx, actor(p), f)
}

// VerifyAudit walks the audit log's hash chain.
func (s *Service) VerifyAudit(ctx context.Context, p access.Principal) (AuditReport, error) {
	if p.Role != auth.Admin {
		return AuditReport{}, ErrNotFound
	}
	return s.Store.VerifyAudit(ctx)
}
