package report

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"selfcheck/app/assessment"
	"selfcheck/app/evidence"
	"selfcheck/app/scoring"
)

// OSCALVersion is the OSCAL release the OSCAL export conforms to.
const OSCALVersion = "1.1.2"

// oscalNS qualifies Selfcheck's own property names (props "ns").
const oscalNS = "urn:selfcheck:oscal"

// OSCAL writes the report as an OSCAL 1.1.2 assessment-results document in
// JSON, so that the results travel into GRC tools that read OSCAL. The
// mapping is documented field by field in docs/OSCAL.md; in short:
//
//   - every item answered compliant, partially compliant, non-compliant or
//     not at all becomes one finding whose target is the item
//     (type objective-id, target-id the item id) with status satisfied
//     (compliant) or not-satisfied (the rest); items answered not applicable
//     get no finding and are listed in reviewed-controls' exclude-controls,
//     with the items the firm's profile left out;
//   - the firm's note and evidence files become an observation (method
//     EXAMINE) whose relevant-evidence points at back-matter resources
//     carrying each file's name, size and SHA-256;
//   - each gap becomes a risk, linked from its finding, whose remediation is
//     the rectification plan (lifecycle planned, or completed when done),
//     with the owner and due date as a milestone task.
//
// Text is in the report's language, escaped as Markdown where OSCAL reads
// markup. Every UUID is a name-based UUID (version 5) of the assessment and
// the item, so the same Data gives the same document byte for byte and a
// finding keeps its UUID from one export to the next.
//
// The model follows the OSCAL 1.1.2 JSON schema (oscal_complete_schema.json
// of release v1.1.2: definitions assessment-results, result, finding,
// finding-target, observation, risk, response, task, metadata, property,
// back-matter resource).
func OSCAL(w io.Writer, d Data) error {
	if err := exportCheck(d, true); err != nil {
		return err
	}
	doc, err := oscalDocument(d)
	if err != nil {
		return err
	}
	b, err := xMarshal(doc, "  ")
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("report: write oscal: %w", err)
	}
	return nil
}

// The OSCAL JSON model, the parts of it the export fills. Optional arrays
// are left out when empty: the schema requires at least one element in any
// array present.

type oscalDoc struct {
	AssessmentResults oscalAR `json:"assessment-results"`
}

type oscalAR struct {
	UUID       string           `json:"uuid"`
	Metadata   oscalMetadata    `json:"metadata"`
	ImportAP   oscalImportAP    `json:"import-ap"`
	Results    []oscalResult    `json:"results"`
	BackMatter *oscalBackMatter `json:"back-matter,omitempty"`
}

type oscalMetadata struct {
	Title              string                  `json:"title"`
	LastModified       string                  `json:"last-modified"`
	Version            string                  `json:"version"`
	OSCALVersion       string                  `json:"oscal-version"`
	Props              []oscalProp             `json:"props,omitempty"`
	Links              []oscalLink             `json:"links,omitempty"`
	Roles              []oscalRole             `json:"roles,omitempty"`
	Parties            []oscalParty            `json:"parties,omitempty"`
	ResponsibleParties []oscalResponsibleParty `json:"responsible-parties,omitempty"`
}

type oscalProp struct {
	Name  string `json:"name"`
	NS    string `json:"ns,omitempty"`
	Value string `json:"value"`
}

type oscalLink struct {
	Href string `json:"href"`
	Rel  string `json:"rel,omitempty"`
	Text string `json:"text,omitempty"`
}

type oscalRole struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type oscalParty struct {
	UUID  string      `json:"uuid"`
	Type  string      `json:"type"`
	Name  string      `json:"name,omitempty"`
	Props []oscalProp `json:"props,omitempty"`
}

type oscalResponsibleParty struct {
	RoleID     string   `json:"role-id"`
	PartyUUIDs []string `json:"party-uuids"`
}

type oscalImportAP struct {
	Href    string `json:"href"`
	Remarks string `json:"remarks,omitempty"`
}

type oscalResult struct {
	UUID             string                `json:"uuid"`
	Title            string                `json:"title"`
	Description      string                `json:"description"`
	Start            string                `json:"start"`
	End              string                `json:"end,omitempty"`
	Props            []oscalProp           `json:"props,omitempty"`
	ReviewedControls oscalReviewedControls `json:"reviewed-controls"`
	Observations     []oscalObservation    `json:"observations,omitempty"`
	Risks            []oscalRisk           `json:"risks,omitempty"`
	Findings         []oscalFinding        `json:"findings,omitempty"`
}

type oscalReviewedControls struct {
	ControlSelections []oscalControlSelection `json:"control-selections"`
}

type oscalControlSelection struct {
	Description     string               `json:"description,omitempty"`
	IncludeControls []oscalSelectControl `json:"include-controls,omitempty"`
	ExcludeControls []oscalSelectControl `json:"exclude-controls,omitempty"`
	Remarks         string               `json:"remarks,omitempty"`
}

type oscalSelectControl struct {
	ControlID string `json:"control-id"`
}

type oscalFinding struct {
	UUID                string            `json:"uuid"`
	Title               string            `json:"title"`
	Description         string            `json:"description"`
	Props               []oscalProp       `json:"props,omitempty"`
	Target              oscalTarget       `json:"target"`
	RelatedObservations []oscalRelatedObs `json:"related-observations,omitempty"`
	RelatedRisks        []oscalRelatedRsk `json:"related-risks,omitempty"`
}

type oscalTarget struct {
	Type                 string           `json:"type"`
	TargetID             string           `json:"target-id"`
	Status               oscalStatus      `json:"status"`
	ImplementationStatus *oscalImplStatus `json:"implementation-status,omitempty"`
}

type oscalStatus struct {
	State   string `json:"state"`
	Reason  string `json:"reason,omitempty"`
	Remarks string `json:"remarks,omitempty"`
}

type oscalImplStatus struct {
	State string `json:"state"`
}

type oscalRelatedObs struct {
	ObservationUUID string `json:"observation-uuid"`
}

type oscalRelatedRsk struct {
	RiskUUID string `json:"risk-uuid"`
}

type oscalObservation struct {
	UUID             string             `json:"uuid"`
	Title            string             `json:"title,omitempty"`
	Description      string             `json:"description"`
	Props            []oscalProp        `json:"props,omitempty"`
	Methods          []string           `json:"methods"`
	Types            []string           `json:"types,omitempty"`
	Origins          []oscalOrigin      `json:"origins,omitempty"`
	RelevantEvidence []oscalRelEvidence `json:"relevant-evidence,omitempty"`
	Collected        string             `json:"collected"`
}

type oscalOrigin struct {
	Actors []oscalActor `json:"actors"`
}

type oscalActor struct {
	Type      string `json:"type"`
	ActorUUID string `json:"actor-uuid"`
	RoleID    string `json:"role-id,omitempty"`
}

type oscalRelEvidence struct {
	Href        string      `json:"href,omitempty"`
	Description string      `json:"description"`
	Props       []oscalProp `json:"props,omitempty"`
}

type oscalRisk struct {
	UUID                string            `json:"uuid"`
	Title               string            `json:"title"`
	Description         string            `json:"description"`
	Statement           string            `json:"statement"`
	Props               []oscalProp       `json:"props,omitempty"`
	Status              string            `json:"status"`
	Deadline            string            `json:"deadline,omitempty"`
	Remediations        []oscalResponse   `json:"remediations,omitempty"`
	RelatedObservations []oscalRelatedObs `json:"related-observations,omitempty"`
}

type oscalResponse struct {
	UUID        string      `json:"uuid"`
	Lifecycle   string      `json:"lifecycle"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Props       []oscalProp `json:"props,omitempty"`
	Tasks       []oscalTask `json:"tasks,omitempty"`
}

type oscalTask struct {
	UUID    string       `json:"uuid"`
	Type    string       `json:"type"`
	Title   string       `json:"title"`
	Timing  *oscalTiming `json:"timing,omitempty"`
	Remarks string       `json:"remarks,omitempty"`
}

type oscalTiming struct {
	OnDate oscalOnDate `json:"on-date"`
}

type oscalOnDate struct {
	Date string `json:"date"`
}

type oscalBackMatter struct {
	Resources []oscalResource `json:"resources"`
}

type oscalResource struct {
	UUID        string       `json:"uuid"`
	Title       string       `json:"title,omitempty"`
	Description string       `json:"description,omitempty"`
	Props       []oscalProp  `json:"props,omitempty"`
	Rlinks      []oscalRlink `json:"rlinks,omitempty"`
}

type oscalRlink struct {
	Href      string      `json:"href"`
	MediaType string      `json:"media-type,omitempty"`
	Hashes    []oscalHash `json:"hashes,omitempty"`
}

type oscalHash struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"value"`
}

// oscalBuilder carries what the parts of the document share.
type oscalBuilder struct {
	d     Data
	base  string // the assessment's part of every UUID name
	start string // the result's start, the fallback for other times
	firm  string // the firm's party UUID
	res   []oscalResource
	seen  map[string]bool // back-matter resources added
}

// uuid returns the document's UUID for the named thing.
func (b *oscalBuilder) uuid(parts ...string) string {
	return uuidV5(oscalNamespace, b.base+"/"+strings.Join(parts, "/"))
}

func (b *oscalBuilder) prop(name, value string) []oscalProp {
	if v := oscalString(value); v != "" {
		return []oscalProp{{Name: name, NS: oscalNS, Value: v}}
	}
	return nil
}

func oscalDocument(d Data) (oscalDoc, error) {
	s := d.Sheet
	canon, err := Canonical(d)
	if err != nil {
		return oscalDoc{}, err
	}
	sum := sha256.Sum256(canon)
	b := &oscalBuilder{
		d:    d,
		base: fmt.Sprintf("assessment/%s/%d/%s", s.CreditCode, s.ID, oscalTime(s.CreatedAt, "")),
		seen: map[string]bool{},
	}
	generated := oscalTime(d.GeneratedAt, oscalTime(s.CreatedAt, oscalTime(time.Unix(0, 0), "")))
	b.start = oscalTime(s.CreatedAt, generated)
	b.firm = b.uuid("party", "firm")

	md := oscalMetadata{
		Title:        oscalLine(d.T("export.oscal.title", s.FirmName)),
		LastModified: generated,
		Version:      hex.EncodeToString(sum[:8]),
		OSCALVersion: OSCALVersion,
		Roles:        []oscalRole{{ID: "prepared-by", Title: d.T("export.oscal.prepared_by")}},
		Parties: []oscalParty{{UUID: b.firm, Type: "organization", Name: oscalString(s.FirmName),
			Props: b.prop("credit-code", s.CreditCode)}},
		ResponsibleParties: []oscalResponsibleParty{{RoleID: "prepared-by", PartyUUIDs: []string{b.firm}}},
	}
	md.Props = append(md.Props, b.prop("assessment-id", strconv.FormatUint(uint64(s.ID), 10))...)
	md.Props = append(md.Props, b.prop("assessment-state", string(s.State))...)
	md.Props = append(md.Props, b.prop("verification-code", d.Verify.Code)...)
	if d.Verify.URL != "" {
		md.Links = []oscalLink{{Href: d.Verify.URL, Rel: "alternate", Text: oscalLine(d.T("export.verification_code"))}}
	}

	plan := b.planResource()
	doc := oscalDoc{AssessmentResults: oscalAR{
		UUID:     b.uuid("assessment-results"),
		Metadata: md,
		ImportAP: oscalImportAP{Href: "#" + plan.UUID},
		Results:  []oscalResult{b.result()},
	}}
	// The plan resource first, then the evidence files in item order.
	doc.AssessmentResults.BackMatter = &oscalBackMatter{Resources: append([]oscalResource{plan}, b.res...)}
	return doc, nil
}

// planResource stands in for the assessment plan, which Selfcheck has no
// OSCAL document for: the checklists (id and version) the firm examined
// itself against, and the campaign.
func (b *oscalBuilder) planResource() oscalResource {
	d, s := b.d, b.d.Sheet
	var names []string
	r := oscalResource{UUID: b.uuid("plan")}
	lp, rp, sep := "（", "）", "；"
	if d.Lang == "en" {
		lp, rp, sep = " (", ")", "; "
	}
	for _, cl := range s.Checklists {
		names = append(names, cl.Title.In(d.Lang)+lp+cl.ID+" "+cl.Version+rp)
		r.Props = append(r.Props, b.prop("checklist", cl.ID+" "+cl.Version)...)
	}
	r.Title = oscalLine(d.T("export.oscal.plan", strings.Join(names, sep)))
	if s.Campaign != nil {
		r.Props = append(r.Props, b.prop("campaign", s.Campaign.Name.In(d.Lang))...)
	}
	return r
}

// result is the one set of results: the self-examination as it stands.
func (b *oscalBuilder) result() oscalResult {
	d, s := b.d, b.d.Sheet
	res := s.Result()
	gaps := 0
	for _, t := range res.Themes {
		gaps += t.Gaps
	}
	r := oscalResult{
		UUID:        b.uuid("result"),
		Title:       oscalLine(d.T("export.oscal.result_title", s.ID)),
		Description: oscalMarkdown(d.T("export.oscal.result_description", s.FirmName, res.Total, res.Answered, gaps)),
		Start:       b.start,
	}
	if s.SubmittedAt != nil && !s.SubmittedAt.Before(s.CreatedAt) {
		r.End = oscalTime(*s.SubmittedAt, "")
	}
	if res.Score != nil {
		r.Props = append(r.Props, b.prop("score", strconv.FormatFloat(*res.Score, 'f', 1, 64))...)
	}
	r.Props = append(r.Props, b.prop("grade", string(res.Grade))...)
	r.Props = append(r.Props, b.prop("critical-fail", strconv.FormatBool(res.CriticalFail))...)

	sel := oscalControlSelection{}
	var naIDs, leftIDs []string
	for _, x := range exportItems(s) {
		obs := b.observation(x)
		if obs != nil {
			r.Observations = append(r.Observations, *obs)
		}
		if x.answer.Value == scoring.NotApplicable {
			sel.ExcludeControls = append(sel.ExcludeControls, oscalSelectControl{ControlID: oscalToken(x.it.ID)})
			naIDs = append(naIDs, x.it.ID)
			continue
		}
		sel.IncludeControls = append(sel.IncludeControls, oscalSelectControl{ControlID: oscalToken(x.it.ID)})
		risk := b.risk(x, obs)
		if risk != nil {
			r.Risks = append(r.Risks, *risk)
		}
		r.Findings = append(r.Findings, b.finding(x, obs, risk))
	}
	for _, ref := range s.Excluded {
		sel.ExcludeControls = append(sel.ExcludeControls, oscalSelectControl{ControlID: oscalToken(ref.Item.ID)})
		leftIDs = append(leftIDs, ref.Item.ID)
	}
	var remarks []string
	if len(naIDs) > 0 {
		remarks = append(remarks, d.T("export.oscal.na", strings.Join(naIDs, ", ")))
	}
	if len(leftIDs) > 0 {
		remarks = append(remarks, d.T("export.oscal.excluded", strings.Join(leftIDs, ", ")))
	}
	sel.Remarks = oscalMarkdown(strings.Join(remarks, "\n\n"))
	r.ReviewedControls.ControlSelections = []oscalControlSelection{sel}
	return r
}

// finding states the firm's conclusion on one item.
func (b *oscalBuilder) finding(x exportItem, obs *oscalObservation, risk *oscalRisk) oscalFinding {
	d := b.d
	f := oscalFinding{
		UUID:        b.uuid("finding", x.it.ID),
		Title:       oscalLine(x.it.ID + " " + x.it.Text.In(d.Lang)),
		Description: oscalMarkdown(d.T("export.oscal.finding_description", xAnswer(d, x.answer.Value))),
		Target:      oscalTarget{Type: "objective-id", TargetID: oscalToken(x.it.ID)},
	}
	f.Props = append(f.Props, b.prop("answer", xAnswerCode(x.answer.Value))...)
	f.Props = append(f.Props, b.prop("theme", x.cl.ID)...)
	f.Props = append(f.Props, b.prop("severity", string(x.it.Severity))...)
	f.Props = append(f.Props, b.prop("weight", strconv.Itoa(x.it.Weight))...)
	f.Props = append(f.Props, b.refProps(x.it.Refs)...)
	switch x.answer.Value {
	case scoring.Compliant:
		f.Target.Status = oscalStatus{State: "satisfied", Reason: "pass"}
		f.Target.ImplementationStatus = &oscalImplStatus{State: "implemented"}
	case scoring.Partial:
		f.Target.Status = oscalStatus{State: "not-satisfied", Reason: "fail"}
		f.Target.ImplementationStatus = &oscalImplStatus{State: "partial"}
	case scoring.NonCompliant:
		f.Target.Status = oscalStatus{State: "not-satisfied", Reason: "fail"}
		if x.hasPlan {
			f.Target.ImplementationStatus = &oscalImplStatus{State: "planned"}
		}
	default: // not answered: nothing shows the objective is met
		f.Target.Status = oscalStatus{State: "not-satisfied", Reason: "other",
			Remarks: oscalMarkdown(xAnswer(d, x.answer.Value))}
	}
	if obs != nil {
		f.RelatedObservations = []oscalRelatedObs{{ObservationUUID: obs.UUID}}
	}
	if risk != nil {
		f.RelatedRisks = []oscalRelatedRsk{{RiskUUID: risk.UUID}}
	}
	return f
}

// observation records the firm's note and evidence files on an item, or
// is nil when it has neither.
func (b *oscalBuilder) observation(x exportItem) *oscalObservation {
	d := b.d
	note := strings.TrimSpace(x.answer.Note)
	if note == "" && len(x.evidence) == 0 {
		return nil
	}
	o := &oscalObservation{
		UUID:        b.uuid("observation", x.it.ID),
		Title:       oscalLine(x.it.ID),
		Description: oscalMarkdown(note),
		Props:       b.prop("item", x.it.ID),
		Methods:     []string{"EXAMINE"},
		Types:       []string{"control-objective"},
		Origins:     []oscalOrigin{{Actors: []oscalActor{{Type: "party", ActorUUID: b.firm, RoleID: "prepared-by"}}}},
		Collected:   oscalTime(x.answer.UpdatedAt, b.start),
	}
	if note == "" {
		o.Description = oscalMarkdown(d.T("export.oscal.evidence_only"))
	}
	for i, e := range x.evidence {
		key := strconv.FormatUint(uint64(e.ID), 10)
		if e.ID == 0 {
			key = e.SHA256 + "-" + strconv.Itoa(i)
		}
		r := b.evidenceResource(b.uuid("evidence", x.it.ID, key), e)
		o.RelevantEvidence = append(o.RelevantEvidence, oscalRelEvidence{
			Href:        "#" + r,
			Description: oscalMarkdown(d.T("export.oscal.evidence", e.Name, e.Size)),
		})
	}
	return o
}

// evidenceResource adds a back-matter resource for an evidence file: its
// name, size and kind, and a link by content (RFC 6920 "ni" URI) with its
// SHA-256, so that a reader holding the file can check it. It returns the
// resource's UUID.
func (b *oscalBuilder) evidenceResource(id string, e assessment.Evidence) string {
	if b.seen[id] {
		return id
	}
	b.seen[id] = true
	r := oscalResource{UUID: id, Title: oscalLine(e.Name)}
	r.Props = append(r.Props, b.prop("size", strconv.FormatInt(e.Size, 10))...)
	r.Props = append(r.Props, b.prop("kind", e.Kind)...)
	if sum, err := hex.DecodeString(e.SHA256); err == nil && len(sum) == sha256.Size {
		r.Rlinks = []oscalRlink{{
			Href:      "ni:///sha-256;" + base64.RawURLEncoding.EncodeToString(sum),
			MediaType: evidence.Kind(e.Kind).ContentType(),
			Hashes:    []oscalHash{{Algorithm: "SHA-256", Value: strings.ToLower(e.SHA256)}},
		}}
	}
	b.res = append(b.res, r)
	return id
}

// risk describes a gap and its rectification plan, or is nil for an item
// that is not a gap.
func (b *oscalBuilder) risk(x exportItem, obs *oscalObservation) *oscalRisk {
	d := b.d
	if !x.answer.Value.IsGap() {
		return nil
	}
	basis := x.cl.BasisText(x.it, d.Lang)
	if basis == "" {
		basis = d.T("export.none")
	}
	r := &oscalRisk{
		UUID:        b.uuid("risk", x.it.ID),
		Title:       oscalLine(x.it.ID + " " + x.it.Text.In(d.Lang)),
		Description: oscalMarkdown(d.T("export.oscal.finding_description", xAnswer(d, x.answer.Value))),
		Statement:   oscalMarkdown(d.T("export.oscal.risk_statement", xSeverity(d, x.it.Severity), x.it.Weight, basis)),
		Props:       b.prop("severity", string(x.it.Severity)),
		Status:      "open",
	}
	if obs != nil {
		r.RelatedObservations = []oscalRelatedObs{{ObservationUUID: obs.UUID}}
	}
	if !x.hasPlan {
		return r
	}
	p := x.plan
	switch p.Status {
	case assessment.PlanInProgress:
		r.Status = "remediating"
	case assessment.PlanDone, assessment.PlanVerified:
		r.Status = "closed"
	}
	due := b.dueDate(p.Due)
	r.Deadline = due
	measure := strings.TrimSpace(p.Measure)
	if measure == "" {
		measure = d.T("export.none")
	}
	resp := oscalResponse{
		UUID:        b.uuid("response", x.it.ID),
		Lifecycle:   "planned",
		Title:       oscalLine(d.T("export.oscal.response_title")),
		Description: oscalMarkdown(measure),
	}
	if p.Status.Finished() {
		resp.Lifecycle = "completed"
	}
	resp.Props = append(resp.Props, b.prop("plan-status", string(p.Status))...)
	resp.Props = append(resp.Props, b.prop("owner", p.Owner)...)
	if due != "" || strings.TrimSpace(p.Owner) != "" {
		t := oscalTask{UUID: b.uuid("task", x.it.ID), Type: "milestone", Title: oscalLine(d.T("export.oscal.task_title"))}
		if due != "" {
			t.Timing = &oscalTiming{OnDate: oscalOnDate{Date: due}}
		}
		if owner := strings.TrimSpace(p.Owner); owner != "" {
			t.Remarks = oscalMarkdown(d.T("export.oscal.owner", owner))
		}
		resp.Tasks = []oscalTask{t}
	}
	r.Remediations = []oscalResponse{resp}
	return r
}

// dueDate turns a plan's due date (YYYY-MM-DD) into the end of that day in
// the report's zone, in UTC; "" when it is not a date.
func (b *oscalBuilder) dueDate(due string) string {
	day, err := time.ParseInLocation(assessment.DateLayout, due, exportZone(b.d))
	if err != nil {
		return ""
	}
	return oscalTime(day.AddDate(0, 0, 1).Add(-time.Second), "")
}

// oscalTime formats t as an OSCAL date-time with time zone (RFC 3339, UTC),
// or returns fallback for the zero time.
func oscalTime(t time.Time, fallback string) string {
	if t.IsZero() {
		return fallback
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// oscalString fits text to OSCAL's string type: whitespace runs become one
// space, none leading or trailing.
func oscalString(s string) string { return strings.Join(strings.Fields(s), " ") }

// oscalLine is one line of markup (titles): oscalString, Markdown-escaped.
func oscalLine(s string) string { return oscalMarkdown(oscalString(s)) }

// mdInline escapes the characters that make Markdown (CommonMark) markup
// anywhere in a line: emphasis, code, links, HTML, entities, tables,
// strike-through. mdLead matches what makes markup at the start of a line:
// an ATX heading, a list item, a thematic break or setext underline (quotes
// start with ">", which mdInline escapes).
var (
	mdInline = strings.NewReplacer(`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
		`<`, `\<`, `>`, `\>`, `|`, `\|`, `~`, `\~`, `&`, `\&`)
	mdLead = regexp.MustCompile(`^ {0,3}(#{1,6}(?:[ \t]|$)|[-+](?:[ \t]|$)|[0-9]{1,9}[.)](?:[ \t]|$)|=+[ \t]*$|-+[ \t]*$)`)
)

// oscalMarkdown escapes plain text for OSCAL's markup fields (Markdown in
// JSON), so that a note reads as typed in any OSCAL tool instead of turning
// into headings, links or HTML. Line breaks are kept.
func oscalMarkdown(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		l = mdInline.Replace(strings.TrimRight(l, "\r"))
		if m := mdLead.FindStringSubmatchIndex(l); m != nil {
			i := m[2] // the marker; for an ordered list item, its "." or ")"
			if l[i] >= '0' && l[i] <= '9' {
				i += strings.IndexAny(l[i:], ".)")
			}
			l = l[:i] + `\` + l[i:]
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

// tokenPattern is OSCAL's token type (an XML NCName): checklist item ids
// are lowercase letters, digits and hyphens, and may start with a digit,
// which a token may not.
var tokenPattern = regexp.MustCompile(`^(\pL|_)(\pL|\pN|[.\-_])*$`)

// oscalToken returns id as an OSCAL token: unchanged when it is one,
// otherwise prefixed with "_" (after replacing characters a token cannot
// hold with "_").
func oscalToken(id string) string {
	if tokenPattern.MatchString(id) {
		return id
	}
	t := []rune("_")
	for _, r := range id {
		if r == '.' || r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r) {
			t = append(t, r)
		} else {
			t = append(t, '_')
		}
	}
	return string(t)
}

// oscalNamespace is the name space of every UUID in an OSCAL export: the
// version 5 UUID of "urn:selfcheck:oscal" in RFC 4122's URL name space.
var oscalNamespace = uuidBytes(uuidV5(nsURL, "urn:selfcheck:oscal"))

// nsURL is RFC 4122's name space for URLs (6ba7b811-9dad-11d1-80b4-00c04fd430c8).
var nsURL = [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// uuidV5 returns the name-based UUID (RFC 4122 version 5, SHA-1) of name in
// name space ns: the same name always gives the same UUID.
func uuidV5(ns [16]byte, name string) string {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// uuidBytes parses a UUID written by uuidV5.
func uuidBytes(s string) [16]byte {
	var u [16]byte
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(b) != 16 {
		panic("report: bad uuid " + s)
	}
	copy(u[:], b)
	return u
}
