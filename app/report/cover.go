package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/signintech/gopdf"

	"selfcheck/app/scoring"
)

// Sizes of the cover, in points.
const (
	titleSize   = 20.0
	headingSize = 12.5
	bodySize    = 10.0
	scoreSize   = 22.0
	labelW      = 150.0 // label column of the facts block
	dateLayout  = "2006-01-02 15:04"
)

// Columns of the theme chart.
const (
	chartLabelW  = 165.0
	chartGap     = 10.0
	chartFigureW = 60.0
	chartTrackW  = contentW - chartLabelW - chartFigureW - 2*chartGap
	chartBarH    = 11.0
)

// cover draws the first page: who, what was checked and when, the
// checklists and their versions, and how to verify the report.
func (c *doc) cover() error {
	if err := c.newPage(); err != nil {
		return err
	}
	if err := c.title(); err != nil {
		return err
	}
	if err := c.facts(); err != nil {
		return err
	}
	if err := c.checklists(); err != nil {
		return err
	}
	if err := c.scope(); err != nil {
		return err
	}
	return c.verification()
}

func (c *doc) title() error {
	if err := c.font(titleSize); err != nil {
		return err
	}
	c.gp.SetXY(marginX, c.y)
	opt := gopdf.CellOption{Align: gopdf.Center | gopdf.Top}
	c.block("H1")
	c.ink()
	if err := c.gp.CellWithOption(&gopdf.Rect{W: contentW, H: titleSize}, c.t(c.titleKey), opt); err != nil {
		return fmt.Errorf("title: %w", err)
	}
	c.y += titleSize*lineFactor + 14
	c.stroke(headerFill)
	c.gp.SetLineWidth(1)
	c.line(marginX, c.y-8, marginX+contentW, c.y-8)
	return nil
}

// facts lists the firm and the assessment as label–value rows.
func (c *doc) facts() error {
	s := c.d.Sheet
	rows := [][2]string{
		{"report.firm", s.FirmName},
		{"report.credit_code", s.CreditCode},
		{"report.assessment_no", strconv.FormatUint(uint64(s.ID), 10)},
	}
	if s.Campaign != nil {
		rows = append(rows, [2]string{"report.campaign", s.Campaign.Name.In(c.d.Lang)},
			[2]string{"report.period", c.t("report.period_value", s.Campaign.StartsOn, s.Campaign.Deadline)})
	}
	rows = append(rows, [2]string{"report.started_at", c.when(s.CreatedAt)}, [2]string{"report.state", c.stateLabel(s.State)})
	if s.SubmittedAt != nil {
		rows = append(rows, [2]string{"report.submitted_at", c.when(*s.SubmittedAt)})
	}
	rows = append(rows, [2]string{"report.generated_at", c.when(c.d.GeneratedAt)})
	for _, r := range rows {
		if err := c.labelled(c.t(r[0]), r[1]); err != nil {
			return err
		}
	}
	c.y += 8
	return nil
}

// labelled writes a grey label and its wrapped value beside it.
func (c *doc) labelled(label, value string) error {
	if err := c.font(bodySize); err != nil {
		return err
	}
	vs, err := c.m.wrap(value, contentW-labelW)
	if err != nil {
		return err
	}
	if len(vs) == 0 {
		vs = []string{c.t("report.none")}
	}
	lh := bodySize * lineFactor
	if err := c.need(lh * float64(len(vs))); err != nil {
		return err
	}
	if err := c.font(bodySize); err != nil {
		return err
	}
	c.block("P")
	c.color(grey)
	if err := c.text(marginX, c.y, label); err != nil {
		return err
	}
	c.color(black)
	h, err := c.lines(marginX+labelW, c.y, vs)
	if err != nil {
		return err
	}
	c.y += h + 2
	return nil
}

func (c *doc) heading(key string) error {
	if err := c.need(headingSize*lineFactor + bodySize*lineFactor*2); err != nil {
		return err
	}
	c.y += 4
	c.tagNext("H3")
	if err := c.para(marginX, contentW, headingSize, c.t(key)); err != nil {
		return err
	}
	c.y += 4
	return nil
}

// checklists lists the checklists the assessment froze, by id and version,
// so a reader can tell which edition of a checklist was answered.
func (c *doc) checklists() error {
	if err := c.heading("report.checklists"); err != nil {
		return err
	}
	list := c.block("L")
	for _, cl := range c.d.Sheet.Checklists {
		line := c.t("report.checklist.line", cl.ID, cl.Title.In(c.d.Lang), cl.Version)
		c.tags.into = list.Add("LI").Add("LBody")
		err := c.para(marginX, contentW, bodySize, line)
		c.tags.into = nil
		if err != nil {
			return err
		}
		c.y += 2
	}
	c.y += 8
	return nil
}

// chart draws one horizontal bar per theme, its length proportional to the
// theme's score out of 100.
func (c *doc) chart(res scoring.Result) error {
	if err := c.heading("report.themes"); err != nil {
		return err
	}
	// The chart is a figure whose alternative text reads each bar.
	var alt []string
	for i, cl := range c.d.Sheet.Checklists {
		var s *float64
		if i < len(res.Themes) && res.Themes[i].ID == cl.ID {
			s = res.Themes[i].Score
		}
		figure := c.t("report.no_score")
		if s != nil {
			figure = c.score(s)
		}
		alt = append(alt, cl.Title.In(c.d.Lang)+": "+figure)
	}
	c.tags.fig = c.block("Figure")
	c.tags.fig.Alt = strings.Join(alt, "; ")
	defer func() { c.tags.fig = nil }()
	lh := bodySize * lineFactor
	for i, cl := range c.d.Sheet.Checklists {
		if err := c.font(bodySize); err != nil {
			return err
		}
		label, err := c.m.wrap(cl.Title.In(c.d.Lang), chartLabelW)
		if err != nil {
			return err
		}
		h := max(float64(len(label))*lh, chartBarH+4)
		if err := c.need(h); err != nil {
			return err
		}
		if err := c.font(bodySize); err != nil {
			return err
		}
		if _, err := c.lines(marginX, c.y, label); err != nil {
			return err
		}
		trackX := marginX + chartLabelW + chartGap
		barY := c.y + (lh-chartBarH)/2
		c.fill(trackGrey)
		c.rect(trackX, barY, chartTrackW, chartBarH, "F")
		var s *float64
		if i < len(res.Themes) && res.Themes[i].ID == cl.ID {
			s = res.Themes[i].Score
		}
		figure := c.t("report.no_score")
		if s != nil {
			v := min(max(*s, 0), 100)
			if v > 0 {
				c.fill(barColor(v))
				c.rect(trackX, barY, chartTrackW*v/100, chartBarH, "F")
			}
			figure = c.score(s)
		} else {
			c.color(grey)
		}
		if err := c.textRight(trackX+chartTrackW+chartGap, c.y, chartFigureW, figure); err != nil {
			return err
		}
		c.color(black)
		c.y += h + 6
	}
	return nil
}

// when prints a moment in the report's time zone, with the zone named so a
// reader abroad is not misled.
func (c *doc) when(t time.Time) string {
	loc := c.d.Location
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format(dateLayout + " MST")
}
