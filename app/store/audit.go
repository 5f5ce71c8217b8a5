package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"selfcheck/app/auth"
	"selfcheck/app/outbox"
)

// The audit log is append-only and hash-chained: every entry carries the
// hash of the one before, and the head row holds the last entry's sequence
// number and hash. Entries are appended inside the transaction of the action
// they record, so an acknowledged action always has its entry, and a rolled
// back one has none.

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
	AuditSubmitted          = "submitted"
	AuditReviewed           = "reviewed"
	AuditEvidenceUploaded   = "evidence_uploaded"
	AuditEvidenceDownloaded = "evidence_downloaded"
	AuditEvidenceRemoved    = "evidence_removed"
	AuditChecklistUploaded  = "checklist_uploaded"
	AuditChecklistDeleted   = "checklist_deleted"
	AuditCampaignCreated    = "campaign_created"
	AuditCampaignChanged    = "campaign_changed"
	AuditReportIssued       = "report_issued"
)

// AuditActions lists every action, in the order the log's filter offers them.
var AuditActions = []string{
	AuditLogin, AuditLoginFailed, AuditLogout, AuditPasswordChanged, AuditTokenCreated, AuditTokenRevoked,
	AuditUserCreated, AuditUserDisabled, AuditRoleChanged,
	AuditAnswerChanged, AuditPlanChanged, AuditSubmitted, AuditReviewed,
	AuditEvidenceUploaded, AuditEvidenceDownloaded, AuditEvidenceRemoved,
	AuditChecklistUploaded, AuditChecklistDeleted, AuditCampaignCreated, AuditCampaignChanged,
	AuditReportIssued,
}

// AuditEvent is one entry of the audit log. Actor is the acting account's
// email ("" for the system: the command line, start-up), or for a failed
// login the email that was tried. FirmID is the firm the event concerns.
type AuditEvent struct {
	ID       uint
	Seq      int64
	At       time.Time
	ActorID  *uint
	Actor    string
	Role     string
	FirmID   *uint
	Action   string
	Object   string
	Detail   string
	IP       string
	PrevHash string
	Hash     string
}

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
	maxAuditActor  = 254
	maxAuditObject = 200
	maxAuditDetail = 2000
	maxAuditIP     = 64
)

// clipAudit makes s storable text in every database (valid UTF-8, no NUL:
// a failed login records whatever bytes were typed) of at most n characters.
func clipAudit(s string, n int) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

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
// records. Writing the head first takes the row lock (PostgreSQL) or the
// write lock (SQLite) before the previous hash is read, so concurrent
// appends are serialised and the chain stays linear.
//
// Inside a group-commit batch (groupcommit.go) the head is read once and
// written once per batch instead: see auditTail.
func appendAudit(tx *gorm.DB, ctx context.Context, ev AuditEvent) error {
	if t := batchAuditTail(tx); t != nil {
		return t.append(tx, ctx, ev)
	}
	res := tx.Model(&auditHead{}).Where("id = ?", 1).UpdateColumn("seq", gorm.Expr("seq + 1"))
	if res.Error != nil {
		return translate(res.Error, "audit: advance head")
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("store: audit: the head row is missing")
	}
	var head auditHead
	if err := tx.First(&head, 1).Error; err != nil {
		return translate(err, "audit: read head")
	}
	ev, err := insertAudit(tx, ctx, ev, head.Seq, head.Hash)
	if err != nil {
		return err
	}
	err = tx.Model(&auditHead{}).Where("id = ?", 1).UpdateColumn("hash", ev.Hash).Error
	return translate(err, "audit: update head")
}

// insertAudit writes ev as entry seq, linked to the entry hashed prev.
func insertAudit(tx *gorm.DB, ctx context.Context, ev AuditEvent, seq int64, prev string) (AuditEvent, error) {
	ri := requestInfo(ctx)
	ev.ID = 0
	ev.Seq = seq
	// PostgreSQL keeps microseconds: hash what every database gives back.
	ev.At = time.Now().UTC().Truncate(time.Microsecond)
	ev.Actor = clipAudit(ev.Actor, maxAuditActor)
	ev.Object = clipAudit(ev.Object, maxAuditObject)
	ev.Detail = clipAudit(ev.Detail, maxAuditDetail)
	ev.IP = clipAudit(ri.IP, maxAuditIP)
	ev.PrevHash = prev
	ev.Hash = auditHash(ev)
	// Written out, not built from the model: every save appends one.
	err := tx.Exec("INSERT INTO audit_events (seq, at, actor_id, actor, role, firm_id, action, object, detail, ip, prev_hash, hash)"+
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		ev.Seq, ev.At, ev.ActorID, ev.Actor, ev.Role, ev.FirmID, ev.Action, ev.Object, ev.Detail, ev.IP, ev.PrevHash, ev.Hash).Error
	if err != nil {
		return ev, translate(err, "audit: append %s", ev.Action)
	}
	return ev, nil
}

// auditTail is the audit head as a group-commit batch has moved it. The
// batch takes the head's lock and reads it at its first append, appends
// each entry after the last one in memory, and writes the head back once,
// just before it commits (flush). A save rolled back to its savepoint puts
// the tail back as it was before the save (the committer keeps a copy), so
// the chain holds exactly the entries that commit, in order.
//
// The tail also holds the batch's outbox events (emit), written in one
// statement at flush, and put back with the entries when a save rolls back.
type auditTail struct {
	loaded bool
	dirty  bool
	seq    int64
	hash   string
	events []outbox.Event
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

func (t *auditTail) append(tx *gorm.DB, ctx context.Context, ev AuditEvent) error {
	if !t.loaded {
		// A write first, as in appendAudit: it takes the row lock
		// (PostgreSQL) before the head is read.
		res := tx.Model(&auditHead{}).Where("id = ?", 1).UpdateColumn("seq", gorm.Expr("seq"))
		if res.Error != nil {
			return translate(res.Error, "audit: lock head")
		}
		if res.RowsAffected != 1 {
			return fmt.Errorf("store: audit: the head row is missing")
		}
		var head auditHead
		if err := tx.First(&head, 1).Error; err != nil {
			return translate(err, "audit: read head")
		}
		t.loaded, t.seq, t.hash = true, head.Seq, head.Hash
	}
	ev, err := insertAudit(tx, ctx, ev, t.seq+1, t.hash)
	if err != nil {
		return err
	}
	t.seq, t.hash, t.dirty = ev.Seq, ev.Hash, true
	return nil
}

// flush writes the batch's events and the head its appends reached.
func (t *auditTail) flush(tx *gorm.DB) error {
	if err := insertEvents(tx, t.events); err != nil {
		return err
	}
	if !t.dirty {
		return nil
	}
	res := tx.Model(&auditHead{}).Where("id = ?", 1).UpdateColumns(map[string]any{"seq": t.seq, "hash": t.hash})
	if res.Error != nil {
		return translate(res.Error, "audit: update head")
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("store: audit: the head row is missing")
	}
	return nil
}

// auditHash is the SHA-256 (hex) of an entry's canonical encoding: a version
// tag and every recorded field, each as length:bytes, so no two different
// entries encode alike. The database id is not part of it.
func auditHash(ev AuditEvent) string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
		h.Write([]byte{','})
	}
	id := func(p *uint) string {
		if p == nil {
			return ""
		}
		return strconv.FormatUint(uint64(*p), 10)
	}
	field("selfcheck-audit-v1")
	field(strconv.FormatInt(ev.Seq, 10))
	field(ev.At.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano))
	field(id(ev.ActorID))
	field(ev.Actor)
	field(ev.Role)
	field(id(ev.FirmID))
	field(ev.Action)
	field(ev.Object)
	field(ev.Detail)
	field(ev.IP)
	field(ev.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}

// AuditProblem names what verification found wrong with an entry.
type AuditProblem string

// The problems.
const (
	AuditAltered    AuditProblem = "altered"
	AuditRemoved    AuditProblem = "removed"
	AuditOutOfOrder AuditProblem = "out_of_order"
)

// AuditReport is the result of VerifyAudit: OK with the number of entries,
// or the first bad entry, what is wrong with it and a sentence saying so.
type AuditReport struct {
	OK      bool
	Entries int64 // entries found good: all of them when OK
	Seq     int64 // the first bad entry
	Problem AuditProblem
	Detail  string
}

// auditBatch is how many entries verification reads at a time.
const auditBatch = 1000

// auditWindow is how far from its place verification looks for the position
// a moved entry was written at.
const auditWindow = 100

// VerifyAudit walks the audit log in sequence order, a batch at a time, and
// checks that the sequence numbers run from 1 without a gap, that every
// entry's hash recomputes and links to the entry before, and that the head
// matches the last entry (a removed tail). It reads the head first and
// checks the entries up to it, so appends made meanwhile do not count.
func (s *Store) VerifyAudit(ctx context.Context) (AuditReport, error) {
	db := s.db.WithContext(ctx)
	var head auditHead
	err := db.First(&head, 1).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return AuditReport{Problem: AuditRemoved, Detail: "the log's head row (the last entry's number and hash) was removed"}, nil
	}
	if err != nil {
		return AuditReport{}, translate(err, "audit: read head")
	}
	var prev AuditEvent // the last entry found good; Seq 0 before the first
	bad := func(seq int64, p AuditProblem, format string, args ...any) (AuditReport, error) {
		good := max(0, min(seq-1, prev.Seq))
		return AuditReport{Entries: good, Seq: seq, Problem: p, Detail: fmt.Sprintf(format, args...)}, nil
	}
	for {
		var batch []AuditEvent
		err := db.Where("seq > ? AND seq <= ?", prev.Seq, head.Seq).Order("seq").Limit(auditBatch).Find(&batch).Error
		if err != nil {
			return AuditReport{}, translate(err, "audit: read entries after #%d", prev.Seq)
		}
		for _, ev := range batch {
			want := prev.Seq + 1
			if ev.Seq != want {
				return bad(want, AuditRemoved, "entry #%d is missing (the next one is #%d)", want, ev.Seq)
			}
			if auditHash(ev) != ev.Hash {
				if from := movedFrom(ev); from != 0 {
					return bad(want, AuditOutOfOrder, "entry #%d is out of order: it was written as entry #%d", want, from)
				}
				return bad(want, AuditAltered, "entry #%d was altered: its content does not match its hash", want)
			}
			if ev.PrevHash != prev.Hash {
				return bad(want, AuditAltered, "entry #%d does not link to entry #%d: its previous hash differs", want, prev.Seq)
			}
			prev = ev
		}
		if len(batch) < auditBatch {
			break
		}
	}
	switch {
	case prev.Seq < head.Seq:
		return bad(prev.Seq+1, AuditRemoved, "entries #%d to #%d are missing (removed from the end)", prev.Seq+1, head.Seq)
	case prev.Hash != head.Hash:
		return bad(prev.Seq, AuditAltered, "entry #%d was altered: it is not the last entry the log recorded", prev.Seq)
	}
	// Entries outside 1..head were never appended: seq below 1, or above the
	// head. The highest seq is read before the head, so an append committed
	// meanwhile is covered by the head read after it.
	var span struct{ Lo, Hi int64 }
	if err := db.Model(&AuditEvent{}).Select("COALESCE(MIN(seq), 1) AS lo, COALESCE(MAX(seq), 0) AS hi").Scan(&span).Error; err != nil {
		return AuditReport{}, translate(err, "audit: read sequence range")
	}
	var now auditHead
	if err := db.First(&now, 1).Error; err != nil {
		return AuditReport{}, translate(err, "audit: read head")
	}
	switch {
	case span.Lo < 1:
		return bad(span.Lo, AuditAltered, "entry #%d was added outside the log: sequence numbers start at 1", span.Lo)
	case span.Hi > now.Seq:
		var first int64
		if err := db.Model(&AuditEvent{}).Select("MIN(seq)").Where("seq > ?", now.Seq).Scan(&first).Error; err != nil {
			return AuditReport{}, translate(err, "audit: read entries after the head")
		}
		return bad(first, AuditAltered, "entry #%d was added outside the log: the log ends at #%d", first, now.Seq)
	}
	return AuditReport{OK: true, Entries: prev.Seq}, nil
}

// movedFrom returns the sequence number near ev.Seq under which ev's content
// hashes to its stored hash (an entry moved to another place), or 0.
func movedFrom(ev AuditEvent) int64 {
	seq := ev.Seq
	for d := int64(1); d <= auditWindow; d++ {
		for _, s := range []int64{seq - d, seq + d} {
			if s < 1 {
				continue
			}
			ev.Seq = s
			if auditHash(ev) == ev.Hash {
				return s
			}
		}
	}
	return 0
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
