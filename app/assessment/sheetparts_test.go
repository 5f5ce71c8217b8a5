package assessment

import (
	"reflect"
	"testing"
	"time"

	"selfcheck/app/scoring"
)

func TestSheetOnly(t *testing.T) {
	at := time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC)
	whole := &Sheet{Parts: WholeSheet, ID: 1, FirmID: 2, FirmName: "甲", State: Draft, CreatedAt: at,
		Answers:  map[string]Answer{"i": {Value: scoring.Partial, Note: "n", Version: 2, UpdatedAt: at, UpdatedBy: "张三"}},
		Plans:    map[string]Plan{"i": {Measure: "m", UpdatedBy: "张三"}},
		Evidence: map[string][]Evidence{"i": {{UploadedBy: "张三"}}}}
	if got := whole.Only(WholeSheet); !reflect.DeepEqual(got, whole) {
		t.Errorf("Only(WholeSheet) = %+v", got)
	}
	p := whole.Only(ProgressParts)
	want := &Sheet{ID: 1, FirmID: 2, State: Draft, Answers: map[string]Answer{"i": {Value: scoring.Partial}},
		Plans: map[string]Plan{}, Evidence: map[string][]Evidence{}}
	if !reflect.DeepEqual(p, want) || p.Has(PartDetails) || !whole.Has(PartPlans|PartEvidence) {
		t.Errorf("Only(ProgressParts) = %+v", p)
	}
	if a := whole.Only(AnswerParts); a.Answers["i"].UpdatedBy != "" || a.Answers["i"].Version != 2 || a.CreatedAt != at || a.FirmName != "" {
		t.Errorf("Only(AnswerParts) = %+v", a)
	}
}
