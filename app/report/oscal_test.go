package report

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"selfcheck/app/scoring"
)

// The patterns of the OSCAL 1.1.2 JSON schema for UUIDs (version 4 or 5,
// RFC 4122 variant), date-times with a time zone and tokens.
var (
	oscalUUID     = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[45][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$`)
	oscalDateTime = regexp.MustCompile(`^(19|2[0-9])[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$`)
	oscalTok      = regexp.MustCompile(`^(\pL|_)(\pL|\pN|[.\-_])*$`)
)

// renderOSCAL renders the test assessment and decodes it both into the
// export's model and as generic JSON.
func renderOSCAL(t *testing.T, lang string) ([]byte, oscalDoc, map[string]any) {
	t.Helper()
	return renderOSCALData(t, exportData(t, exportSheet(), lang))
}

// renderOSCALData is renderOSCAL for given Data.
func renderOSCALData(t *testing.T, d Data) ([]byte, oscalDoc, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	if err := OSCAL(&buf, d); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(buf.Bytes()))
	dec.DisallowUnknownFields()
	var doc oscalDoc
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), doc, raw
}

// oscalAt walks a decoded JSON value along keys and array indexes.
func oscalAt(v any, path ...any) (any, bool) {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[k]; !ok {
				return nil, false
			}
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				return nil, false
			}
			v = a[k]
		}
	}
	return v, true
}

func TestOSCALRequiredStructure(t *testing.T) {
	_, _, raw := renderOSCAL(t, "zh")
	ar := []any{"assessment-results"}
	res := append(ar, "results", 0)
	for _, path := range [][]any{
		append(ar, "uuid"),
		append(ar, "metadata", "title"),
		append(ar, "metadata", "last-modified"),
		append(ar, "metadata", "version"),
		append(ar, "metadata", "oscal-version"),
		append(ar, "import-ap", "href"),
		append(res, "uuid"),
		append(res, "title"),
		append(res, "description"),
		append(res, "start"),
		append(res, "reviewed-controls", "control-selections", 0, "include-controls", 0, "control-id"),
		append(res, "findings", 0, "target", "status", "state"),
		append(res, "observations", 0, "methods", 0),
		append(res, "risks", 0, "remediations", 0, "lifecycle"),
	} {
		v, ok := oscalAt(raw, path...)
		if s, isString := v.(string); !ok || !isString || s == "" {
			t.Errorf("%v: missing or empty (%v)", path, v)
		}
	}
	if v, _ := oscalAt(raw, append(ar, "metadata", "oscal-version")...); v != "1.1.2" {
		t.Errorf("oscal-version = %v", v)
	}

	// Every array present holds at least one element, as the schema
	// requires, and every UUID is a valid RFC 4122 UUID.
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if k == "uuid" || strings.HasSuffix(k, "-uuid") {
					if s, _ := c.(string); !oscalUUID.MatchString(s) {
						t.Errorf("%s.%s = %v is not an RFC 4122 UUID", path, k, c)
					}
				}
				walk(path+"."+k, c)
			}
		case []any:
			if len(x) == 0 {
				t.Errorf("%s is an empty array", path)
			}
			for _, c := range x {
				walk(path+"[]", c)
			}
		}
	}
	walk("", raw)
}

func TestOSCALMapping(t *testing.T) {
	_, doc, _ := renderOSCAL(t, "en")
	s := exportSheet()
	ar := doc.AssessmentResults
	r := ar.Results[0]

	// Date-times carry a time zone.
	times := []string{ar.Metadata.LastModified, r.Start, r.End}
	for _, o := range r.Observations {
		times = append(times, o.Collected)
	}
	for _, rk := range r.Risks {
		if rk.Deadline != "" {
			times = append(times, rk.Deadline)
		}
		for _, rm := range rk.Remediations {
			for _, tk := range rm.Tasks {
				if tk.Timing != nil {
					times = append(times, tk.Timing.OnDate.Date)
				}
			}
		}
	}
	for _, tm := range times {
		if !oscalDateTime.MatchString(tm) {
			t.Errorf("date-time %q does not match the OSCAL pattern", tm)
		}
	}

	// The import-ap and every piece of relevant evidence point at a
	// back-matter resource; evidence resources carry the file's SHA-256.
	resources := map[string]oscalResource{}
	for _, res := range ar.BackMatter.Resources {
		resources[res.UUID] = res
	}
	if _, ok := resources[strings.TrimPrefix(ar.ImportAP.Href, "#")]; !ok || !strings.HasPrefix(ar.ImportAP.Href, "#") {
		t.Errorf("import-ap href %q does not point at a back-matter resource", ar.ImportAP.Href)
	}

	// One finding per item except those answered not applicable, which are
	// excluded; satisfied and not-satisfied follow the answers.
	findings := map[string]oscalFinding{}
	for _, f := range r.Findings {
		if f.Target.Type != "objective-id" || !oscalTok.MatchString(f.Target.TargetID) {
			t.Errorf("finding target %+v", f.Target)
		}
		if _, dup := findings[f.Target.TargetID]; dup {
			t.Errorf("item %s has two findings", f.Target.TargetID)
		}
		findings[f.Target.TargetID] = f
	}
	excluded := map[string]bool{}
	for _, c := range r.ReviewedControls.ControlSelections[0].ExcludeControls {
		excluded[c.ControlID] = true
	}
	included := map[string]bool{}
	for _, c := range r.ReviewedControls.ControlSelections[0].IncludeControls {
		included[c.ControlID] = true
	}
	wantState := map[string]int{}
	gotState := map[string]int{}
	for _, id := range itemIDs(s) {
		a := s.Answers[id].Value
		tok := oscalToken(id)
		_, has := findings[tok]
		if a == scoring.NotApplicable {
			if has || !excluded[tok] || included[tok] {
				t.Errorf("%s (not applicable): finding %v, excluded %v, included %v", id, has, excluded[tok], included[tok])
			}
			continue
		}
		if !has || !included[tok] {
			t.Errorf("%s: finding %v, included %v", id, has, included[tok])
			continue
		}
		if a == scoring.Compliant {
			wantState["satisfied"]++
		} else {
			wantState["not-satisfied"]++
		}
		gotState[findings[tok].Target.Status.State]++
	}
	if len(findings) != len(itemIDs(s))-1 || gotState["satisfied"] != wantState["satisfied"] || gotState["not-satisfied"] != wantState["not-satisfied"] {
		t.Errorf("%d findings, states %v, want %v", len(findings), gotState, wantState)
	}
	if !excluded["pp-sdk"] {
		t.Error("the item left out by the profile is not excluded")
	}
	if _, ok := findings["_9-first"]; !ok {
		t.Error(`item "9-first" should be targeted as the token "_9-first"`)
	}

	observations := map[string]oscalObservation{}
	for _, o := range r.Observations {
		observations[o.UUID] = o
		if len(o.Methods) != 1 || o.Methods[0] != "EXAMINE" || o.Description == "" {
			t.Errorf("observation %s: methods %v description %q", o.Title, o.Methods, o.Description)
		}
		for _, e := range o.RelevantEvidence {
			res, ok := resources[strings.TrimPrefix(e.Href, "#")]
			if !ok || len(res.Rlinks) != 1 || len(res.Rlinks[0].Hashes) != 1 || res.Rlinks[0].Hashes[0].Algorithm != "SHA-256" {
				t.Errorf("evidence %q: resource %+v", e.Href, res)
			}
		}
	}
	ap01 := observations[findings["ap-01"].RelatedObservations[0].ObservationUUID]
	if len(ap01.RelevantEvidence) != 2 || !strings.Contains(ap01.RelevantEvidence[0].Description, "policy.pdf (1234 bytes)") {
		t.Errorf("ap-01 evidence = %+v", ap01.RelevantEvidence)
	}
	if res := resources[strings.TrimPrefix(ap01.RelevantEvidence[0].Href, "#")]; res.Rlinks[0].Hashes[0].Value != s.Evidence["ap-01"][0].SHA256 {
		t.Errorf("ap-01 evidence hash = %+v", res.Rlinks[0])
	}
	// Notes are escaped as Markdown: no HTML, no link, no heading.
	ap03 := observations[findings["ap-03"].RelatedObservations[0].ObservationUUID]
	if want := `\<script\>alert(1)\</script\> \*粗体\* \[link\](http://x)` + "\n" + `\# 标题` + "\n" + `1\. 列表`; ap03.Description != want {
		t.Errorf("ap-03 description = %q, want %q", ap03.Description, want)
	}

	// Each gap is a risk linked from its finding; plans are its remediation.
	risks := map[string]oscalRisk{}
	for _, rk := range r.Risks {
		risks[rk.UUID] = rk
	}
	if len(risks) != len(s.Gaps()) {
		t.Errorf("%d risks, want one per gap (%d)", len(risks), len(s.Gaps()))
	}
	for _, tt := range []struct {
		id, status, lifecycle string
		task                  bool
	}{
		{"ap-02", "remediating", "planned", true},
		{"ap-03", "open", "planned", true},
		{"pp-01", "closed", "completed", false},
	} {
		f := findings[tt.id]
		if len(f.RelatedRisks) != 1 {
			t.Errorf("%s: related risks %v", tt.id, f.RelatedRisks)
			continue
		}
		rk, ok := risks[f.RelatedRisks[0].RiskUUID]
		if !ok || rk.Status != tt.status || len(rk.Remediations) != 1 || rk.Remediations[0].Lifecycle != tt.lifecycle ||
			(len(rk.Remediations[0].Tasks) == 1) != tt.task {
			t.Errorf("%s: risk %+v", tt.id, rk)
		}
	}
	task := risks[findings["ap-02"].RelatedRisks[0].RiskUUID].Remediations[0].Tasks[0]
	// Due 2021-11-30 is that day's end in the report's zone (UTC+8).
	if task.Timing == nil || task.Timing.OnDate.Date != "2021-11-30T15:59:59Z" || task.Remarks != "Owner: 李四" {
		t.Errorf("ap-02 task = %+v", task)
	}
	if len(findings["ap-01"].RelatedRisks) != 0 {
		t.Error("a compliant item has a risk")
	}
}

func TestOSCALStable(t *testing.T) {
	first, zh, _ := renderOSCAL(t, "zh")
	again, _, _ := renderOSCAL(t, "zh")
	if !bytes.Equal(first, again) {
		t.Fatal("two renderings of the same Data differ")
	}
	// UUIDs name the assessment and the item: the language (or the time of
	// generation) does not change them.
	_, en, _ := renderOSCAL(t, "en")
	if zh.AssessmentResults.UUID != en.AssessmentResults.UUID || zh.AssessmentResults.Results[0].UUID != en.AssessmentResults.Results[0].UUID {
		t.Error("document UUIDs depend on the language")
	}
	seen := map[string]bool{}
	for i, f := range zh.AssessmentResults.Results[0].Findings {
		if f.UUID != en.AssessmentResults.Results[0].Findings[i].UUID {
			t.Errorf("finding %s: UUID depends on the language", f.Target.TargetID)
		}
		if seen[f.UUID] {
			t.Errorf("finding UUID %s used twice", f.UUID)
		}
		seen[f.UUID] = true
	}
}

func TestUUIDv5(t *testing.T) {
	nsDNS := uuidBytes("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
	// The value Python's uuid.uuid5(uuid.NAMESPACE_DNS, "www.example.com") gives.
	if got := uuidV5(nsDNS, "www.example.com"); got != "2ed6657d-e927-568b-95e1-2665a8aea6a2" {
		t.Errorf("uuidV5 = %s", got)
	}
	if got := uuidV5(nsURL, "urn:selfcheck:oscal"); got != "537610fe-a0a0-507e-a53e-352820bd5093" {
		t.Errorf("name space = %s", got)
	}
}

func TestOSCALMarkdown(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"plain 文本 2021-12-31.", "plain 文本 2021-12-31."},
		{"*a* _b_ `c`", `\*a\* \_b\_ \` + "`c\\`"},
		{"<b>x</b> & [l](u)", `\<b\>x\</b\> \& \[l\](u)`},
		{"# h\n- item\n+ item\n  3) x\n===", "\\# h\n\\- item\n\\+ item\n  3\\) x\n\\==="},
		{`a\b`, `a\\b`},
		{"=evil.png\n-3 °C\n#tag\n---\n 12. x", "=evil.png\n-3 °C\n#tag\n\\---\n 12\\. x"},
	} {
		if got := oscalMarkdown(tt.in); got != tt.want {
			t.Errorf("oscalMarkdown(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"ds-01", "ds-01"}, {"9-first", "_9-first"}, {"a b", "_a_b"},
	} {
		if got := oscalToken(tt.in); got != tt.want {
			t.Errorf("oscalToken(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
