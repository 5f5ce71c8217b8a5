package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/workflow"
)

type homePage struct {
	Assessments []workflow.Summary
	Themes      []*checklist.Checklist // what a firm member can start with
	Titles      map[string]checklist.Text
	Tags        []checklist.TagInfo
	Profile     checklist.Profile // the firm's last declared profile
	Campaigns   []workflow.CampaignView
	Today       string
	MyItems     []myItems // firm users: their open assigned items, by assessment
	Carry       []carryChoice
}

// carryChoice offers to start a follow-up campaign's assessment from the
// firm's assessment of the campaign it follows.
type carryChoice struct {
	Campaign uint
	Name     checklist.Text
	From     uint
	State    assessment.State
}

// home lists the assessments the user may see; firm members also get the
// form to start one.
func (s *Server) home(c echo.Context) error {
	u := currentUser(c)
	list, err := s.Work.Assessments(c.Request().Context(), who(c))
	if err != nil {
		return err
	}
	cat, _, err := s.Work.Catalog(c.Request().Context())
	if err != nil {
		return err
	}
	campaigns, err := s.Work.CampaignList(c.Request().Context(), who(c))
	if err != nil {
		return err
	}
	data := homePage{Assessments: list, Titles: map[string]checklist.Text{}, Campaigns: campaigns, Today: s.today()}
	for _, cl := range cat.Checklists {
		data.Titles[cl.ID] = cl.Title
	}
	if u.Role.InFirm() {
		data.Themes = cat.Checklists
		data.Tags = checklist.Tags
		if data.Profile, err = s.Work.FirmProfile(c.Request().Context(), who(c)); err != nil {
			return err
		}
		if data.MyItems, err = s.myItems(c); err != nil {
			return err
		}
		for _, cv := range campaigns {
			if cv.AssessmentID != 0 || cv.Follows == 0 {
				continue
			}
			from, st, err := s.Work.CarrySource(c.Request().Context(), who(c), cv.ID)
			if err != nil {
				return err
			}
			if from != 0 {
				data.Carry = append(data.Carry, carryChoice{Campaign: cv.ID, Name: cv.Name, From: from, State: st})
			}
		}
	}
	return s.render(c, http.StatusOK, "home", s.T(c, "home.title"), data)
}
