package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/fault"
	"selfcheck/app/scoring"
	"selfcheck/app/workflow"
)

type queuePage struct {
	Queue     workflow.Queue
	Filter    workflow.QueueFilter
	Campaigns []workflow.CampaignView
	Themes    []*checklist.Checklist
	Grades    []scoring.Grade
	Sorts     []workflow.QueueSort
	Now       time.Time
}

// CountCap is workflow.QueueCountCap with thousands separated, for "1,000+".
func (p queuePage) CountCap() string {
	n := strconv.Itoa(workflow.QueueCountCap)
	for i := len(n) - 3; i > 0; i -= 3 {
		n = n[:i] + "," + n[i:]
	}
	return n
}

// url is the queue's address with the current filter, changed by set.
func (p queuePage) url(set func(v url.Values)) string {
	v := url.Values{}
	f := p.Filter
	if f.CampaignID != 0 {
		v.Set("campaign", strconv.FormatUint(uint64(f.CampaignID), 10))
	}
	for k, s := range map[string]string{"state": string(f.State), "grade": string(f.Grade), "theme": f.Theme, "firm": f.Firm, "sort": string(f.Sort)} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Desc {
		v.Set("desc", "1")
	}
	if f.AwaitingVerification {
		v.Set("awaiting", "1")
	}
	set(v)
	if len(v) == 0 {
		return "/review"
	}
	return "/review?" + v.Encode()
}

// PageURL links to page n with the same filter and order.
func (p queuePage) PageURL(n int) string {
	return p.url(func(v url.Values) {
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
	})
}

// SortURL orders by sort; asking again for the current order reverses it.
func (p queuePage) SortURL(sort workflow.QueueSort) string {
	return p.url(func(v url.Values) {
		v.Set("sort", string(sort))
		v.Del("desc")
		if p.Filter.Sort == sort || (p.Filter.Sort == "" && sort == workflow.SortWaiting) {
			if !p.Filter.Desc {
				v.Set("desc", "1")
			}
		}
	})
}

// queueFilter reads the filter from the query string.
func queueFilter(c echo.Context) workflow.QueueFilter {
	q := c.QueryParams()
	f := workflow.QueueFilter{
		State: assessment.State(q.Get("state")), Grade: scoring.Grade(q.Get("grade")), Theme: q.Get("theme"),
		Firm: strings.TrimSpace(q.Get("firm")), Sort: workflow.QueueSort(q.Get("sort")), Desc: q.Get("desc") == "1",
		AwaitingVerification: q.Get("awaiting") == "1",
	}
	if id, err := strconv.ParseUint(q.Get("campaign"), 10, 32); err == nil {
		f.CampaignID = uint(id)
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 0 {
		f.Page = n
	}
	return f
}

// reviewQueue lists the submissions waiting for the auditor's decision.
func (s *Server) reviewQueue(c echo.Context) error {
	ctx := c.Request().Context()
	f := queueFilter(c)
	if f.Grade != "" && !validGrade(f.Grade) {
		return fail(http.StatusBadRequest, "queue.bad_filter", s.faultMessage(c, fault.Field("grade", fault.OneOf, string(f.Grade))))
	}
	q, err := s.Work.ReviewQueue(ctx, who(c), f)
	if isFault(err) {
		return fail(http.StatusBadRequest, "queue.bad_filter", s.faultMessage(c, err))
	}
	if err != nil {
		return err
	}
	campaigns, err := s.Work.CampaignList(ctx, who(c))
	if err != nil {
		return err
	}
	cat, _, err := s.Work.Catalog(ctx)
	if err != nil {
		return err
	}
	data := queuePage{Queue: q, Filter: f, Campaigns: campaigns, Themes: cat.Checklists,
		Grades: []scoring.Grade{scoring.Excellent, scoring.Good, scoring.Pass, scoring.Fail}, Sorts: workflow.QueueSorts, Now: time.Now()}
	return s.render(c, http.StatusOK, "queue", s.T(c, "queue.title"), data)
}

func validGrade(g scoring.Grade) bool {
	switch g {
	case scoring.Excellent, scoring.Good, scoring.Pass, scoring.Fail:
		return true
	}
	return false
}
