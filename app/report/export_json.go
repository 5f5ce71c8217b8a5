package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// jsonFormat names the document and its version, so a reader can tell this
// JSON from others and notice a change of shape.
const (
	jsonFormat        = "selfcheck-report"
	jsonFormatVersion = 1
)

// JSON writes the report's content as indented JSON: the assessment (firm,
// state, dates, profile, campaign), the overall result, each theme's score,
// every item in checklist order with its checklist text in both languages
// ({"zh": …, "en": …}, "en" left out where the checklist has none), legal
// basis, answer code (compliant, partial, non_compliant, na; null when not
// answered), note, rectification plan and evidence files (name, size,
// SHA-256), the items left out by the firm's profile, the review history,
// and the verification code when set.
//
// Field names are English snake_case and stable; times are RFC 3339 in UTC.
// Nothing depends on the report's language. The output is deterministic:
// the same Data gives the same bytes (slices keep checklist order, maps are
// only looked up, never ranged over).
func JSON(w io.Writer, d Data) error {
	if err := exportCheck(d, false); err != nil {
		return err
	}
	b, err := xMarshal(jsonDoc(d, false), "  ")
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("report: write json: %w", err)
	}
	return nil
}

// Canonical returns the content that identifies a report, for hashing into
// its verification code: the JSON document without generated_at, without
// the verification block and without the plans' overdue flags (which
// follow from the generation date), compact and without a trailing
// newline. It depends on no language, time zone or generation time, so two
// reports of the same assessment in the same state share it, whatever
// language they were printed in.
func Canonical(d Data) ([]byte, error) {
	if err := exportCheck(d, false); err != nil {
		return nil, err
	}
	return xMarshal(jsonDoc(d, true), "")
}

// xMarshal encodes v without HTML escaping (notes are shown as typed),
// indented when indent is set; canonical output (no indent) ends without a
// newline.
func xMarshal(v any, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("report: json: %w", err)
	}
	b := buf.Bytes()
	if indent == "" {
		b = bytes.TrimSuffix(b, []byte("\n"))
	}
	return b, nil
}

// jsonReport is the JSON document.
type jsonReport struct {
	Format        string            `json:"format"`
	FormatVersion int               `json:"format_version"`
	GeneratedAt   *time.Time        `json:"generated_at,omitempty"`
	Verification  *jsonVerification `json:"verification,omitempty"`
	Assessment    jsonAssessment    `json:"assessment"`
	Result        jsonResult        `json:"result"`
	Themes        []jsonTheme       `json:"themes"`
	Items         []jsonItem        `json:"items"`
	Excluded      []jsonExcluded    `json:"excluded"`
	Reviews       []jsonReview      `json:"reviews"`
	Comments      *[]jsonComment    `json:"comments,omitempty"`
}

type jsonVerification struct {
	Code string `json:"code"`
	URL  string `json:"url,omitempty"`
}

type jsonAssessment struct {
	ID          uint          `json:"id"`
	Firm        jsonFirm      `json:"firm"`
	State       string        `json:"state"`
	CreatedAt   *time.Time    `json:"created_at"`
	SubmittedAt *time.Time    `json:"submitted_at"`
	Profile     []string      `json:"profile"`
	Campaign    *jsonCampaign `json:"campaign"`
}

type jsonFirm struct {
	Name       string `json:"name"`
	CreditCode string `json:"credit_code"`
}

type jsonCampaign struct {
	ID       uint           `json:"id"`
	Name     checklist.Text `json:"name"`
	Themes   []string       `json:"themes"`
	StartsOn string         `json:"starts_on"`
	Deadline string         `json:"deadline"`
}

type jsonResult struct {
	Score        *float64 `json:"score"` // null: nothing to score yet
	Grade        *string  `json:"grade"` // excellent, good, pass, fail; null without a score
	CriticalFail bool     `json:"critical_fail"`
	Answered     int      `json:"answered"`
	Total        int      `json:"total"`
	Gaps         int      `json:"gaps"`
}

type jsonTheme struct {
	ID       string         `json:"id"`
	Version  string         `json:"version"`
	Title    checklist.Text `json:"title"`
	Score    *float64       `json:"score"`
	Weight   int            `json:"weight"`
	Answered int            `json:"answered"`
	Total    int            `json:"total"`
	Gaps     int            `json:"gaps"`
}

type jsonItem struct {
	Theme            string         `json:"theme"`
	Section          string         `json:"section"`
	ID               string         `json:"id"`
	Text             checklist.Text `json:"text"`
	Guidance         checklist.Text `json:"guidance,omitzero"`
	EvidenceExpected checklist.Text `json:"evidence_expected,omitzero"`
	Basis            []jsonBasis    `json:"basis"`
	Refs             []jsonRef      `json:"refs"`
	Severity         string         `json:"severity"`
	Weight           int            `json:"weight"`
	EvidenceRequired bool           `json:"evidence_required"`
	Answer           *string        `json:"answer"` // null: not answered
	Note             string         `json:"note"`
	AnswerVersion    int            `json:"answer_version"`
	AnsweredAt       *time.Time     `json:"answered_at"`
	AnsweredBy       string         `json:"answered_by"`
	Plan             *jsonPlan      `json:"plan"`
	Evidence         []jsonEvidence `json:"evidence"`
}

type jsonBasis struct {
	Source  string         `json:"source"`
	Title   checklist.Text `json:"title"`
	Article checklist.Text `json:"article,omitzero"`
}

type jsonPlan struct {
	Measure   string     `json:"measure"`
	Owner     string     `json:"owner"`
	Due       string     `json:"due"`
	Status    string     `json:"status"`
	Overdue   *bool      `json:"overdue,omitempty"` // on generated_at's date; not in Canonical
	UpdatedAt *time.Time `json:"updated_at"`
	UpdatedBy string     `json:"updated_by"`
}

type jsonEvidence struct {
	Name       string     `json:"name"`
	Size       int64      `json:"size"`
	SHA256     string     `json:"sha256"`
	Kind       string     `json:"kind"`
	UploadedAt *time.Time `json:"uploaded_at"`
	UploadedBy string     `json:"uploaded_by"`
	// ValidUntil and Validity (as of the generation day) are left out for
	// a document that does not expire, so the canonical content, and with
	// it the verification code, of a report without such dates is as before.
	ValidUntil string `json:"valid_until,omitempty"`
	Validity   string `json:"validity,omitempty"`
}

type jsonExcluded struct {
	Theme     string         `json:"theme"`
	ID        string         `json:"id"`
	Text      checklist.Text `json:"text"`
	AppliesTo []string       `json:"applies_to"`
}

type jsonReview struct {
	State    string        `json:"state"`
	Comment  string        `json:"comment"`
	Reviewer string        `json:"reviewer"`
	At       *time.Time    `json:"at"`
	Items    []jsonVerdict `json:"items"`
}

type jsonVerdict struct {
	ItemID  string `json:"item_id"`
	Verdict string `json:"verdict"`
	Comment string `json:"comment"`
}

// jsonDoc builds the document; canonical leaves out what depends on the
// generation (time, verification code, overdue flags).
func jsonDoc(d Data, canonical bool) jsonReport {
	s := d.Sheet
	res := s.Result()
	doc := jsonReport{
		Format:        jsonFormat,
		FormatVersion: jsonFormatVersion,
		Assessment: jsonAssessment{
			ID:          s.ID,
			Firm:        jsonFirm{Name: s.FirmName, CreditCode: s.CreditCode},
			State:       string(s.State),
			CreatedAt:   xTime(s.CreatedAt),
			SubmittedAt: xTimePtr(s.SubmittedAt),
			Profile:     []string{},
		},
		Result: jsonResult{
			Score:        xScorePtr(res.Score),
			CriticalFail: res.CriticalFail,
			Answered:     res.Answered,
			Total:        res.Total,
		},
		Themes:   []jsonTheme{},
		Items:    []jsonItem{},
		Excluded: []jsonExcluded{},
		Reviews:  []jsonReview{},
	}
	if !canonical {
		doc.Comments = jsonComments(d)
		doc.GeneratedAt = xTime(d.GeneratedAt)
		if d.Verify.Code != "" {
			doc.Verification = &jsonVerification{Code: d.Verify.Code, URL: d.Verify.URL}
		}
	}
	if res.Grade != scoring.NoGrade {
		g := string(res.Grade)
		doc.Result.Grade = &g
	}
	for _, t := range s.Profile.List() {
		doc.Assessment.Profile = append(doc.Assessment.Profile, string(t))
	}
	if c := s.Campaign; c != nil {
		doc.Assessment.Campaign = &jsonCampaign{ID: c.ID, Name: c.Name, Themes: append([]string{}, c.Themes...),
			StartsOn: c.StartsOn, Deadline: c.Deadline}
	}
	for i, cl := range s.Checklists {
		tr := res.Themes[i]
		doc.Themes = append(doc.Themes, jsonTheme{ID: cl.ID, Version: cl.Version, Title: cl.Title,
			Score: xScorePtr(tr.Score), Weight: tr.Weight, Answered: tr.Answered, Total: tr.Total, Gaps: tr.Gaps})
		doc.Result.Gaps += tr.Gaps
	}
	today := exportToday(d)
	for _, x := range exportItems(s) {
		doc.Items = append(doc.Items, jsonItemOf(x, canonical, today))
	}
	for _, ref := range s.Excluded {
		e := jsonExcluded{ID: ref.Item.ID, Text: ref.Item.Text, AppliesTo: []string{}}
		if ref.Checklist != nil {
			e.Theme = ref.Checklist.ID
		}
		for _, t := range ref.Item.AppliesTo {
			e.AppliesTo = append(e.AppliesTo, string(t))
		}
		doc.Excluded = append(doc.Excluded, e)
	}
	for _, r := range d.Reviews {
		jr := jsonReview{State: string(r.State), Comment: r.Comment, Reviewer: r.Reviewer, At: xTime(r.At), Items: []jsonVerdict{}}
		for _, v := range r.Items {
			jr.Items = append(jr.Items, jsonVerdict{ItemID: v.ItemID, Verdict: v.Verdict, Comment: v.Comment})
		}
		doc.Reviews = append(doc.Reviews, jr)
	}
	return doc
}

func jsonItemOf(x exportItem, canonical bool, today string) jsonItem {
	ji := jsonItem{
		Theme:            x.cl.ID,
		Section:          x.section,
		ID:               x.it.ID,
		Text:             x.it.Text,
		Guidance:         x.it.Guidance,
		EvidenceExpected: x.it.Evidence,
		Basis:            []jsonBasis{},
		Refs:             jsonRefs(x.it.Refs),
		Severity:         string(x.it.Severity),
		Weight:           x.it.Weight,
		EvidenceRequired: x.it.EvidenceRequired,
		Note:             x.answer.Note,
		AnswerVersion:    x.answer.Version,
		AnsweredAt:       xTime(x.answer.UpdatedAt),
		AnsweredBy:       x.answer.UpdatedBy,
		Evidence:         []jsonEvidence{},
	}
	if x.answer.Value != scoring.Unanswered {
		a := string(x.answer.Value)
		ji.Answer = &a
	}
	for _, b := range x.it.Basis {
		ji.Basis = append(ji.Basis, jsonBasis{Source: b.Source, Title: x.cl.Source(b.Source).Title, Article: b.Article})
	}
	if x.hasPlan {
		p := x.plan
		ji.Plan = &jsonPlan{Measure: p.Measure, Owner: p.Owner, Due: p.Due, Status: string(p.Status),
			UpdatedAt: xTime(p.UpdatedAt), UpdatedBy: p.UpdatedBy}
		if !canonical {
			overdue := p.Overdue(today)
			ji.Plan.Overdue = &overdue
		}
	}
	for _, e := range x.evidence {
		je := jsonEvidence{Name: e.Name, Size: e.Size, SHA256: e.SHA256, Kind: e.Kind,
			UploadedAt: xTime(e.UploadedAt), UploadedBy: e.UploadedBy, ValidUntil: e.ValidUntil}
		if !canonical {
			je.Validity = string(e.Validity(today))
		}
		ji.Evidence = append(ji.Evidence, je)
	}
	return ji
}

// xTime returns t in UTC, or nil for the zero time (shown as null).
func xTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func xTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	return xTime(*t)
}

// xScorePtr rounds a score to two decimals for reading; nil stays nil.
func xScorePtr(s *float64) *float64 {
	if s == nil {
		return nil
	}
	v := xRound(*s, 2)
	return &v
}
