package assessment

// Parts says which parts of a Sheet its loader filled. Every load fills ID,
// FirmID, State, Checklists and each answer's Value: enough to score the
// sheet and count its progress. Loads for hot paths (the progress counts
// after a save, an autosave) leave the rest out; a part left out is empty
// (empty strings, zero times, nil pointers and slices, empty maps), so a
// caller that needs a part checks Has instead of reading an empty map as
// "no plans". Only gives, from a whole sheet, what a load of some parts
// holds, which is how the store's tests keep each load honest.
type Parts uint8

// The parts a load may leave out.
const (
	// PartFirm: FirmName, CreditCode and Campaign, read from other tables.
	PartFirm Parts = 1 << iota
	// PartDetails: CreatedAt, SubmittedAt, Profile, Excluded, CarriedFrom,
	// and each answer's Note, Version, UpdatedAt, Carried and Confirmed.
	PartDetails
	// PartAuthors: who last saved each answer and plan, who uploaded each file.
	PartAuthors
	// PartPlans: Plans.
	PartPlans
	// PartEvidence: Evidence.
	PartEvidence
)

// The loads of a sheet.
const (
	// WholeSheet is every part: the pages, the API's sheet, reports.
	WholeSheet = PartFirm | PartDetails | PartAuthors | PartPlans | PartEvidence
	// AnswerParts is what an autosave checks a save against: the answers
	// with their versions, the profile and the dates, no names.
	AnswerParts = PartDetails
	// ProgressParts is what the score and the progress counts need.
	ProgressParts Parts = 0
)

// Has reports whether the sheet holds every part of p.
func (s *Sheet) Has(p Parts) bool { return s.Parts&p == p }

// Only is a copy of s holding only the parts p (and what every load holds).
func (s *Sheet) Only(p Parts) *Sheet {
	o := &Sheet{Parts: s.Parts & p, ID: s.ID, FirmID: s.FirmID, State: s.State, Checklists: s.Checklists,
		Answers: make(map[string]Answer, len(s.Answers)), Plans: map[string]Plan{}, Evidence: map[string][]Evidence{}}
	if p&PartFirm != 0 {
		o.FirmName, o.CreditCode, o.Campaign = s.FirmName, s.CreditCode, s.Campaign
	}
	if p&PartDetails != 0 {
		o.CreatedAt, o.SubmittedAt, o.Profile, o.Excluded, o.CarriedFrom = s.CreatedAt, s.SubmittedAt, s.Profile, s.Excluded, s.CarriedFrom
	}
	for id, a := range s.Answers {
		if p&PartDetails == 0 {
			a = Answer{Value: a.Value, UpdatedBy: a.UpdatedBy}
		}
		if p&PartAuthors == 0 {
			a.UpdatedBy = ""
		}
		o.Answers[id] = a
	}
	if p&PartPlans != 0 {
		for id, pl := range s.Plans {
			if p&PartAuthors == 0 {
				pl.UpdatedBy = ""
			}
			o.Plans[id] = pl
		}
	}
	if p&PartEvidence != 0 {
		for id, files := range s.Evidence {
			kept := make([]Evidence, len(files))
			for i, f := range files {
				if p&PartAuthors == 0 {
					f.UploadedBy = ""
				}
				kept[i] = f
			}
			o.Evidence[id] = kept
		}
	}
	return o
}
