package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"selfcheck/app/workflow"

	"github.com/labstack/echo/v4"
)

// auditContext hands the client's address and browser to the store, which
// records them with every audit log entry the request makes.
func (s *Server) auditContext(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		c.SetRequest(r.WithContext(workflow.WithRequest(r.Context(), workflow.RequestInfo{IP: c.RealIP(), UserAgent: r.UserAgent()})))
		return next(c)
	}
}

// auditForm is the log's filter as typed, to fill the form again.
type auditForm struct {
	Action string
	Actor  string
	Firm   uint
	From   string // YYYY-MM-DD
	To     string // YYYY-MM-DD, inclusive
}

// auditRow is an entry as the page shows it.
type auditRow struct {
	workflow.AuditEvent
	When        string
	ActionLabel string
	RoleLabel   string
	FirmName    string
}

// auditOption is an action the filter offers.
type auditOption struct {
	Value, Label string
}

type auditPage struct {
	Form    auditForm
	Actions []auditOption
	Firms   []workflow.Firm
	Rows    []auditRow
	Total   int64
	Page    int
	Pages   int
	Errors  []string
	Verify  *workflow.AuditReport // set when the admin asked to verify the chain
	Problem string                // the broken entry's problem, in the page's language
}

// url links to the log with the same filter, changed by set.
func (p auditPage) url(set func(v url.Values)) string {
	v := url.Values{}
	f := p.Form
	for k, s := range map[string]string{"action": f.Action, "actor": f.Actor, "from": f.From, "to": f.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Firm != 0 {
		v.Set("firm", strconv.FormatUint(uint64(f.Firm), 10))
	}
	set(v)
	if len(v) == 0 {
		return "/admin/audit"
	}
	return "/admin/audit?" + v.Encode()
}

// PageURL links to page n of the filtered log.
func (p auditPage) PageURL(n int) string {
	return p.url(func(v url.Values) {
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
	})
}

// VerifyURL runs the chain verification, keeping the filter and page.
func (p auditPage) VerifyURL() string {
	return p.url(func(v url.Values) {
		if p.Page > 1 {
			v.Set("page", strconv.Itoa(p.Page))
		}
		v.Set("verify", "1")
	})
}

// adminAudit lists the audit log, newest first, filtered by action, actor,
// firm and date range; with verify=1 it also checks the hash chain.
func (s *Server) adminAudit(c echo.Context) error {
	ctx := c.Request().Context()
	q := c.QueryParams()
	data := auditPage{Form: auditForm{
		Action: strings.TrimSpace(q.Get("action")), Actor: strings.TrimSpace(q.Get("actor")),
		From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")),
	}, Page: 1}
	if len([]rune(data.Form.Actor)) > 254 {
		data.Form.Actor = string([]rune(data.Form.Actor)[:254])
	}
	filter := workflow.AuditFilter{Action: data.Form.Action, Actor: data.Form.Actor}
	if id, err := strconv.ParseUint(q.Get("firm"), 10, 32); err == nil {
		data.Form.Firm, filter.FirmID = uint(id), uint(id)
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 0 {
		data.Page, filter.Page = n, n
	}
	// Dates are days in the configured time zone, the one the page shows.
	loc := s.Config.Location
	for _, d := range []struct {
		value string
		into  *time.Time
		next  bool
	}{{data.Form.From, &filter.From, false}, {data.Form.To, &filter.Until, true}} {
		if d.value == "" {
			continue
		}
		day, err := time.ParseInLocation("2006-01-02", d.value, loc)
		if err != nil {
			data.Errors = append(data.Errors, s.T(c, "audit.error.date", d.value))
			continue
		}
		if d.next {
			day = day.AddDate(0, 0, 1)
		}
		*d.into = day
	}
	var err error
	if data.Firms, err = s.Work.Firms(ctx, who(c)); err != nil {
		return err
	}
	names := make(map[uint]string, len(data.Firms))
	for _, f := range data.Firms {
		names[f.ID] = f.Name
	}
	for _, a := range workflow.AuditActions {
		data.Actions = append(data.Actions, auditOption{Value: a, Label: s.auditAction(c, a)})
	}
	status := http.StatusOK
	if len(data.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	} else {
		entries, total, err := s.Work.AuditLog(ctx, who(c), filter)
		if err != nil {
			return err
		}
		data.Total = total
		data.Pages = int((total + workflow.AuditPerPage - 1) / workflow.AuditPerPage)
		for _, ev := range entries {
			row := auditRow{AuditEvent: ev, When: ev.At.In(loc).Format("2006-01-02 15:04:05"), ActionLabel: s.auditAction(c, ev.Action)}
			if ev.Role != "" {
				row.RoleLabel = s.T(c, "role."+ev.Role)
			}
			if ev.FirmID != nil {
				row.FirmName = names[*ev.FirmID]
			}
			data.Rows = append(data.Rows, row)
		}
	}
	if q.Get("verify") == "1" {
		report, err := s.Work.VerifyAudit(ctx, who(c))
		if err != nil {
			return err
		}
		data.Verify = &report
		if !report.OK {
			data.Problem = s.T(c, "audit.problem."+string(report.Problem))
			s.Log.Warn("audit log broken", "seq", report.Seq, "problem", report.Problem, "detail", report.Detail)
		}
	}
	return s.render(c, status, "admin_audit", s.T(c, "audit.title"), data)
}

// auditAction names an action in the request's language; an action without
// a translation shows as stored.
func (s *Server) auditAction(c echo.Context, action string) string {
	if key := "audit.action." + action; s.Messages.Has(key) {
		return s.T(c, key)
	}
	return action
}
