package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/audit"
	"selfcheck/app/auth"
	"selfcheck/app/outbox"
)

// The audit log's rows. Its hash chain (linking, hashing, verification) is
// app/audit; the store implements its Chain and Log over the audit_events
// table and the head row, and appends inside the transaction of the action
// an entry records.

// Audit actions: stable names, stored in the log and filtered on.
const (
	AuditLogin              = "login"
	AuditLoginFailed        = "login_failed"
	AuditLogout             = "logout"
	AuditPasswordChanged    = "password_changed"
	AuditTokenCreated       = "token_created"
	AuditTokenRevoked       = "token_revoked"
	AuditUserCreated        = "user_created"
	AuditUserDisabled       = "user_disabled"
	AuditRoleChanged        = "role_changed"
	AuditAnswerChanged      = "answer_changed"
	AuditPlanChanged        = "plan_changed"
	AuditPlanVerified       = "plan_verified" // an auditor accepted or reopened a plan
	AuditSubmitted          = "submitted"
	AuditReviewed           = "reviewed"
	AuditEvidenceUploaded   = "evidence_uploaded"
	AuditEvidenceDownloaded = "evidence_downloaded"
	AuditEvidenceRemoved    = "evidence_removed"
	AuditEvidenceChanged    = "evidence_changed" // its "valid until" date
	AuditChecklistUploaded  = "checklist_uploaded"
	AuditChecklistDeleted   = "checklist_deleted"
	AuditCampaignCreated    = "campaign_created"
	AuditCampaignChanged    = "campaign_changed"
	AuditReportIssued       = "report_issued"
	Audit2FAEnabled         = "2fa_enabled"  // an authenticator confirmed
	Audit2FADisabled        = "2fa_disabled" // turned off with password and code
	Audit2FAPassed          = "2fa_passed"   // a sign-in's code (or recovery code) accepted
	Audit2FAFailed          = "2fa_failed"   // a code refused
)

// AuditActions lists every action, in the order the log's filter offers them.
var AuditActions = []string{
	AuditLogin, AuditLoginFailed, AuditLogout, AuditPasswordChanged, AuditTokenCreated, AuditTokenRevoked,
	AuditUserCreated, AuditUserDisabled, AuditRoleChanged,
	AuditAnswerChanged, AuditPlanChanged, AuditPlanVerified, AuditSubmitted, AuditReviewed,
	AuditEvidenceUploaded, AuditEvidenceDownloaded, AuditEvidenceRemoved, AuditEvidenceChanged,
	AuditChecklistUploaded, AuditChecklistDeleted, AuditCampaignCreated, AuditCampaignChanged,
	AuditReportIssued,
	Audit2FAEnabled, Audit2FADisabled, Audit2FAPassed, Audit2FAFailed,
}

// AuditEvent is one entry of the audit log (audit.Entry), stored in audit_events.
type AuditEvent audit.Entry

// auditHead is the single row (id 1) holding the last entry's seq and hash.
type auditHead struct {
	ID   uint
	Seq  int64
	Hash string
}

// RequestInfo is what the store records of the request behind an action.
type RequestInfo struct {
	IP        string
	UserAgent string
}

type requestKey struct{}

// WithRequest attaches the request's metadata to ctx, for the audit log.
func WithRequest(ctx context.Context, ri RequestInfo) context.Context {
	return context.WithValue(ctx, requestKey{}, ri)
}

func requestInfo(ctx context.Context) RequestInfo {
	ri, _ := ctx.Value(requestKey{}).(RequestInfo)
	return ri
}

// Bounds of the free-text fields of an entry, in characters.
const (
	maxAuditActor = audit.MaxActor
	maxAuditIP    = audit.MaxIP
)

// clipAudit makes s storable text of at most n characters (audit.Clip).
func clipAudit(s string, n int) string { return audit.Clip(s, n) }

// auditBy starts an entry acted by u (nil: the system).
func auditBy(u *User, action, object, detail string) AuditEvent {
	ev := AuditEvent{Action: action, Object: object, Detail: detail}
	if u != nil {
		id := u.ID
		ev.ActorID, ev.Actor, ev.Role, ev.FirmID = &id, u.Email, string(u.Role), u.FirmID
	}
	return ev
}

// inFirm sets the firm an entry concerns.
func (ev AuditEvent) inFirm(firmID uint) AuditEvent {
	ev.FirmID = &firmID
	return ev
}

// appendAudit adds ev to the log inside tx, the transaction of the action it
// records (audit.Append). Inside a group-commit batch (groupcommit.go) the
// entries of all its saves are linked and stored at once, just before the
// batch commits: see auditTail.
func appendAudit(tx *gorm.DB, ctx context.Context, ev AuditEvent) error {
	ev.IP = requestInfo(ctx).IP
	if t := batchAuditTail(tx); t != nil {
		t.Append(audit.Entry(ev), time.Now())
		return nil
	}
	return audit.Append(auditChain{tx}, audit.Entry(ev), time.Now())
}

// auditChain is the log inside one transaction.
type auditChain struct{ tx *gorm.DB }

// LockHead writes the head before reading it: the write takes the row lock
// (PostgreSQL) or the write lock (SQLite) before the previous hash is read.
func (c auditChain) LockHead() (audit.Head, error) {
	res := c.tx.Model(&auditHead{}).Where("id = ?", 1).UpdateColumn("seq", gorm.Expr("seq"))
	if res.Error != nil {
		return audit.Head{}, translate(res.Error, "audit: lock head")
	}
	if res.RowsAffected != 1 {
		return audit.Head{}, fmt.Errorf("store: audit: the head row is missing")
	}
	var head auditHead
	if err := c.tx.First(&head, 1).Error; err != nil {
		return audit.Head{}, translate(err, "audit: read head")
	}
	return audit.Head{Seq: head.Seq, Hash: head.Hash}, nil
}

// Insert is written out, not built from the model: every save appends one.
func (c auditChain) Insert(entries []audit.Entry) error {
	err := insertChunked(c.tx, "INSERT INTO audit_events (seq, at, actor_id, actor, role, firm_id, action, object, detail, ip, prev_hash, hash)",
		"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", len(entries), func(i int) []any {
			e := entries[i]
			return []any{e.Seq, e.At, e.ActorID, e.Actor, e.Role, e.FirmID, e.Action, e.Object, e.Detail, e.IP, e.PrevHash, e.Hash}
		})
	return translate(err, "audit: append %d entries", len(entries))
}

func (c auditChain) SetHead(h audit.Head) error {
	res := c.tx.Model(&auditHead{}).Where("id = ?", 1).UpdateColumns(map[string]any{"seq": h.Seq, "hash": h.Hash})
	if res.Error != nil {
		return translate(res.Error, "audit: update head")
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("store: audit: the head row is missing")
	}
	return nil
}

// auditTail is the audit entries of a group-commit batch (audit.Tail),
// linked after the head and stored at flush, the batch's last statements:
// the head's row lock, which every writer on every instance waits for, is
// held only from there to the commit. The committer keeps a copy of the
// tail before each save and puts it back when the save rolls back to its
// savepoint.
//
// The tail also holds the batch's outbox events (emit) and history rows
// (recordChanges), written at flush in as few statements as they fit, and
// put back with the entries when a save rolls back.
type auditTail struct {
	audit.Tail
	events  []outbox.Event
	changes []Change
}

type auditTailKey struct{}

// batchAuditTail is the tail of the batch tx belongs to, or nil outside a batch.
func batchAuditTail(tx *gorm.DB) *auditTail {
	if tx.Statement == nil || tx.Statement.Context == nil {
		return nil
	}
	t, _ := tx.Statement.Context.Value(auditTailKey{}).(*auditTail)
	return t
}

// flush writes the batch's history, events and audit entries, the audit
// head last: its row lock is then held only until the commit.
func (t *auditTail) flush(tx *gorm.DB) error {
	if err := insertChanges(tx, t.changes); err != nil {
		return translate(err, "record %d changes", len(t.changes))
	}
	if err := insertEvents(tx, t.events); err != nil {
		return err
	}
	return t.Flush(auditChain{tx})
}

// AuditProblem names what verification found wrong with an entry.
type AuditProblem = audit.Problem

// The problems.
const (
	AuditAltered    = audit.Altered
	AuditRemoved    = audit.Removed
	AuditOutOfOrder = audit.OutOfOrder
)

// AuditReport is the result of VerifyAudit.
type AuditReport = audit.Report

// VerifyAudit verifies the audit log's chain (audit.Verify).
func (s *Store) VerifyAudit(ctx context.Context) (AuditReport, error) {
	return audit.Verify(ctx, auditLog{s.db.WithContext(ctx)})
}

// auditLog is the log as verification reads it.
type auditLog struct{ db *gorm.DB }

func (l auditLog) Head(context.Context) (audit.Head, bool, error) {
	var head auditHead
	err := l.db.First(&head, 1).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return audit.Head{}, false, nil
	}
	if err != nil {
		return audit.Head{}, false, translate(err, "audit: read head")
	}
	return audit.Head{Seq: head.Seq, Hash: head.Hash}, true, nil
}

func (l auditLog) Entries(_ context.Context, after, upTo int64, limit int) ([]audit.Entry, error) {
	var rows []AuditEvent
	err := l.db.Where("seq > ? AND seq <= ?", after, upTo).Order("seq").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "audit: read entries after #%d", after)
	}
	out := make([]audit.Entry, len(rows))
	for i, r := range rows {
		out[i] = audit.Entry(r)
	}
	return out, nil
}

func (l auditLog) Span(context.Context) (lo, hi int64, err error) {
	var span struct{ Lo, Hi int64 }
	if err := l.db.Model(&AuditEvent{}).Select("COALESCE(MIN(seq), 1) AS lo, COALESCE(MAX(seq), 0) AS hi").Scan(&span).Error; err != nil {
		return 0, 0, translate(err, "audit: read sequence range")
	}
	return span.Lo, span.Hi, nil
}

func (l auditLog) FirstAfter(_ context.Context, seq int64) (int64, error) {
	var first int64
	if err := l.db.Model(&AuditEvent{}).Select("MIN(seq)").Where("seq > ?", seq).Scan(&first).Error; err != nil {
		return 0, translate(err, "audit: read entries after the head")
	}
	return first, nil
}

// AuditFilter selects entries of the audit log. Zero fields select all.
type AuditFilter struct {
	Action  string
	Actor   string // part of the actor's email, any case
	FirmID  uint
	From    time.Time // entries at or after
	Until   time.Time // entries before
	Page    int       // from 1
	PerPage int       // default AuditPerPage
}

// AuditPerPage is the default page size of AuditLog.
const AuditPerPage = 50

// AuditLog returns one page of the entries matching f, newest first, and how
// many match in all. Only admins may read the log.
func (s *Store) AuditLog(ctx context.Context, actor *User, f AuditFilter) ([]AuditEvent, int64, error) {
	if actor == nil || actor.Role != auth.Admin {
		return nil, 0, fmt.Errorf("store: audit log: %w", ErrNotFound)
	}
	if !storable(f.Action, f.Actor) {
		return nil, 0, nil // no entry holds such text: nothing matches
	}
	q := s.db.WithContext(ctx).Model(&AuditEvent{})
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if a := strings.ToLower(strings.TrimSpace(f.Actor)); a != "" {
		q = q.Where(`LOWER(actor) LIKE ? ESCAPE '\'`, "%"+escapeLike(a)+"%")
	}
	if f.FirmID != 0 {
		q = q.Where("firm_id = ?", f.FirmID)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if !f.Until.IsZero() {
		q = q.Where("at < ?", f.Until.UTC())
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "count audit entries")
	}
	per := f.PerPage
	if per <= 0 {
		per = AuditPerPage
	}
	page := max(f.Page, 1)
	var out []AuditEvent
	err := q.Order("seq DESC").Limit(per).Offset((page - 1) * per).Find(&out).Error
	return out, total, translate(err, "list audit entries")
}

// auditUserAgent describes the request's browser, for the detail of a login.
func auditUserAgent(ctx context.Context) string {
	if ua := requestInfo(ctx).UserAgent; ua != "" {
		return "user agent: " + clipAudit(ua, 300)
	}
	return ""
}

// auditDetail joins the non-empty parts of an entry's detail.
func auditDetail(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "; ")
}

// auditValue shows an empty old or new value in an entry's detail.
func auditValue(v string) string {
	if v == "" {
		return "(none)"
	}
	return v
}

// auditAnswerChanges records one entry and one answer.saved event per item
// whose answer or note changed: the answer as old → new, a note only as
// changed (the history keeps its text).
func auditAnswerChanges(tx *gorm.DB, ctx context.Context, actor *User, id uint, changes []Change) error {
	var order []string
	details := map[string][]string{}
	events := map[string]map[string]any{}
	for _, c := range changes {
		if _, seen := details[c.ItemID]; !seen {
			order = append(order, c.ItemID)
			events[c.ItemID] = map[string]any{}
		}
		switch c.Field {
		case "answer":
			details[c.ItemID] = append(details[c.ItemID], "answer: "+auditValue(c.OldValue)+" → "+auditValue(c.NewValue))
			events[c.ItemID]["answer"] = c.NewValue
		default:
			details[c.ItemID] = append(details[c.ItemID], c.Field+" changed")
			events[c.ItemID][c.Field+"_changed"] = true
		}
	}
	for _, item := range order {
		ev := auditBy(actor, AuditAnswerChanged, fmt.Sprintf("assessment:%d item:%s", id, item), strings.Join(details[item], "; "))
		if err := appendAudit(tx, ctx, ev); err != nil {
			return err
		}
		if err := emit(tx, eventBy(actor, outbox.AnswerSaved, id, item, events[item])); err != nil {
			return err
		}
	}
	return nil
}
