// Package scoring computes an assessment's score and grade from its answers.
//
// The formula (also in the README):
//   - an item scores 1 when compliant, 0.5 when partially compliant and 0
//     when non-compliant; not-applicable and unanswered items are left out;
//   - a theme's score is the weight-averaged item score × 100 over its
//     applicable items; a theme whose items are all not applicable has no score;
//   - the overall score averages the theme scores, each weighted by the sum of
//     its applicable item weights (so it equals the weighted average over all
//     applicable items);
//   - the grade follows the overall score: ≥ 90 excellent, ≥ 75 good, ≥ 60
//     pass, below 60 fail; any critical item answered non-compliant makes the
//     grade fail whatever the score (一票否决).
package scoring

// Answer is a firm's answer to one checklist item.
type Answer string

// The answers. The empty Answer means not answered yet.
const (
	Unanswered    Answer = ""
	Compliant     Answer = "compliant"
	Partial       Answer = "partial"
	NonCompliant  Answer = "non_compliant"
	NotApplicable Answer = "na"
)

// Answers lists the valid answers in the order the form shows them.
var Answers = []Answer{Compliant, Partial, NonCompliant, NotApplicable}

// Valid reports whether a is one of Answers.
func (a Answer) Valid() bool {
	for _, v := range Answers {
		if a == v {
			return true
		}
	}
	return false
}

// IsGap reports whether the answer leaves something to rectify.
func (a Answer) IsGap() bool { return a == Partial || a == NonCompliant }

// points returns the item score and whether the item counts at all.
func (a Answer) points() (float64, bool) {
	switch a {
	case Compliant:
		return 1, true
	case Partial:
		return 0.5, true
	case NonCompliant:
		return 0, true
	}
	return 0, false
}

// Grade is the verdict on the overall score.
type Grade string

// The grades. NoGrade means there is nothing to score yet.
const (
	NoGrade   Grade = ""
	Excellent Grade = "excellent"
	Good      Grade = "good"
	Pass      Grade = "pass"
	Fail      Grade = "fail"
)

// GradeFor returns the grade band of a score between 0 and 100.
func GradeFor(score float64) Grade {
	switch {
	case score >= 90:
		return Excellent
	case score >= 75:
		return Good
	case score >= 60:
		return Pass
	}
	return Fail
}

// Item is what scoring needs to know of one checklist item.
type Item struct {
	Weight   int
	Critical bool
	Answer   Answer
}

// Theme is one checklist's items.
type Theme struct {
	ID    string
	Items []Item
}

// ThemeResult is the outcome for one theme. Score is nil when the theme has
// no applicable answered item, which is not the same as scoring 0.
type ThemeResult struct {
	ID       string
	Score    *float64
	Weight   int // sum of weights of the items that counted
	Answered int
	Total    int
	Gaps     int
}

// Result is the outcome for a whole assessment.
type Result struct {
	Themes       []ThemeResult
	Score        *float64
	Grade        Grade
	CriticalFail bool
	Answered     int
	Total        int
}

// Complete reports whether every item has an answer.
func (r Result) Complete() bool { return r.Answered == r.Total }

// Compute scores themes in the order given.
func Compute(themes []Theme) Result {
	var (
		r              Result
		sumW, sumScore float64
	)
	for _, t := range themes {
		tr := ThemeResult{ID: t.ID, Total: len(t.Items)}
		var tw, ts float64
		for _, it := range t.Items {
			if it.Answer != Unanswered {
				tr.Answered++
			}
			if it.Answer.IsGap() {
				tr.Gaps++
			}
			if it.Critical && it.Answer == NonCompliant {
				r.CriticalFail = true
			}
			p, counts := it.Answer.points()
			if !counts {
				continue
			}
			tw += float64(it.Weight)
			ts += float64(it.Weight) * p
		}
		if tw > 0 {
			s := ts / tw * 100
			tr.Score = &s
			tr.Weight = int(tw)
			sumW += tw
			sumScore += ts
		}
		r.Answered += tr.Answered
		r.Total += tr.Total
		r.Themes = append(r.Themes, tr)
	}
	if sumW > 0 {
		s := sumScore / sumW * 100
		r.Score = &s
		r.Grade = GradeFor(s)
	}
	if r.CriticalFail {
		r.Grade = Fail
	}
	return r
}
