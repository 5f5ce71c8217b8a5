package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"selfcheck/app/store"
)

// apiTestChecklistV2 is apiTestChecklist one version on: apitest-gap
// reworded and apitest-new added.
func apiTestChecklistV2() string {
	s := strings.Replace(apiTestChecklist, `version: "1.0"`, `version: "2.0"`, 1)
	s = strings.Replace(s, "zh: 告知处理规则。", "zh: 以显著方式告知处理规则。", 1)
	return s + `      - id: apitest-new
        text:
          zh: 新增检查项。
          en: A new item.
        guidance:
          zh: 查看。
          en: Look.
        basis:
          - source: pipl
        evidence:
          zh: 截图
          en: Screenshots
        weight: 1
        severity: low
`
}

// cycleItem is the part of an item the next-cycle test reads.
type cycleItem struct {
	ID     string `json:"id"`
	Answer struct {
		Response *string `json:"response"`
		Note     string  `json:"note"`
		Version  int     `json:"version"`
	} `json:"answer"`
	Carried   bool `json:"carried"`
	Confirmed bool `json:"confirmed"`
	Revision  *struct {
		Mark    string `json:"mark"`
		OldText *struct {
			ZH string `json:"zh"`
		} `json:"old_text"`
	} `json:"revision"`
	Plan *struct {
		Measure string `json:"measure"`
		Origin  *struct {
			Assessment uint   `json:"assessment"`
			Item       string `json:"item"`
		} `json:"origin"`
	} `json:"plan"`
	Evidence []struct {
		SHA256 string `json:"sha256"`
	} `json:"evidence"`
}

func cycleItems(t *testing.T, r resp) map[string]cycleItem {
	t.Helper()
	var v struct {
		Items []cycleItem `json:"items"`
	}
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("assessment: %v: %.300s", err, r.Body)
	}
	out := map[string]cycleItem{}
	for _, it := range v.Items {
		out[it.ID] = it
	}
	return out
}

// The next cycle through the API: an admin creates a follow-up campaign
// (the same themes, firms and auditors by default); the firm starts its
// assessment from the approved one with carry_from, after a new version
// of the checklist; every carried answer is to confirm, the reworded and
// the new item are marked, the open plan keeps its origin, and submit
// waits until every carried answer is saved.
func TestNextCycleAPI(t *testing.T) {
	ta := newTestAPI(t)
	ta.uploadTestChecklist()
	ctx := context.Background()
	c1, err := ta.store.CreateCampaign(ctx, ta.admin, store.NewCampaign{NameZH: "2025 专项", Themes: []string{"apitest"}, StartsOn: "2025-01-01",
		Deadline: "2031-12-31", FirmIDs: []uint{*ta.member.FirmID}, AuditorIDs: []uint{ta.auditor.ID}})
	if err != nil {
		t.Fatal(err)
	}
	a1 := ta.start(map[string]any{"campaign": c1, "profile": []string{"app"}})
	put := func(id uint, item string, body map[string]any, status int) resp {
		t.Helper()
		r := ta.request(http.MethodPut, assessmentPath(id, "/answers/", item), ta.memberToken, body)
		want(t, r, status)
		return r
	}
	put(a1.ID, "apitest-evidence", map[string]any{"response": "compliant", "note": "有存档"}, http.StatusOK)
	put(a1.ID, "apitest-gap", map[string]any{"response": "non_compliant", "note": "未告知"}, http.StatusOK)
	put(a1.ID, "apitest-open", map[string]any{"response": "compliant"}, http.StatusOK)
	want(t, ta.request(http.MethodPut, assessmentPath(a1.ID, "/answers/apitest-gap/plan"), ta.memberToken,
		map[string]any{"measure": "更新隐私政策", "owner": "王五", "due": "2030-06-30", "status": "in_progress"}), http.StatusOK)
	ta.attachRequired(a1.ID, ta.memberToken)
	want(t, ta.request(http.MethodPost, assessmentPath(a1.ID, "/submit"), ta.memberToken, nil), http.StatusOK)
	want(t, ta.request(http.MethodPost, assessmentPath(a1.ID, "/review"), ta.auditorToken, map[string]any{"decision": "approve"}), http.StatusOK)
	before := cycleItems(t, ta.get(assessmentPath(a1.ID), ta.memberToken))

	// The checklist changes between the cycles.
	if _, err := ta.catalog.Upload(ctx, ta.admin, "apitest.yaml", []byte(apiTestChecklistV2())); err != nil {
		t.Fatal(err)
	}

	followUp := fmt.Sprintf("/api/v1/campaigns/%d/follow-up", c1)
	body := map[string]any{"name": map[string]string{"zh": "2026 专项（复查）", "en": "2026 follow-up"}, "starts_on": "2026-01-01", "deadline": "2031-12-31"}
	want(t, ta.request(http.MethodPost, followUp, ta.memberToken, body), http.StatusForbidden, "forbidden")
	want(t, ta.request(http.MethodPost, followUp, ta.auditorToken, body), http.StatusForbidden, "forbidden")
	want(t, ta.request(http.MethodPost, "/api/v1/campaigns/99999/follow-up", ta.adminToken, body), http.StatusNotFound, "not_found")
	bad := ta.request(http.MethodPost, followUp, ta.adminToken, map[string]any{"name": map[string]string{"zh": "x"}, "starts_on": "2026-02-01", "deadline": "2026-01-01"})
	want(t, bad, http.StatusUnprocessableEntity, "invalid")
	if f := bad.errorOf(t)["field"]; f != "deadline" {
		t.Errorf("bad dates refused on %v", f)
	}
	r := ta.request(http.MethodPost, followUp, ta.adminToken, body)
	want(t, r, http.StatusCreated)
	var camp struct {
		ID       uint     `json:"id"`
		Follows  uint     `json:"follows"`
		Themes   []string `json:"themes"`
		Auditors []string `json:"auditors"`
		Firms    []struct {
			Name string `json:"name"`
		} `json:"firms"`
	}
	if err := json.Unmarshal(r.Body, &camp); err != nil {
		t.Fatal(err)
	}
	if camp.Follows != c1 || !slices.Equal(camp.Themes, []string{"apitest"}) || !slices.Equal(camp.Auditors, []string{"auditor@demo.local"}) || len(camp.Firms) != 1 {
		t.Fatalf("follow-up campaign: %s", r.Body)
	}
	if loc := r.Header.Get("Location"); loc != fmt.Sprintf("/api/v1/campaigns/%d", camp.ID) {
		t.Errorf("Location %q", loc)
	}
	c2 := camp.ID

	// Carrying from what may not be carried.
	otherToken := ta.otherFirm()
	r = ta.request(http.MethodPost, "/api/v1/assessments", otherToken, map[string]any{"themes": []string{"apitest"}, "profile": []string{"app"}})
	want(t, r, http.StatusCreated)
	theirs := decodeAssessment(t, r).ID
	mine := ta.start(map[string]any{"themes": []string{"apitest"}, "profile": []string{"app"}}).ID
	start := "/api/v1/assessments"
	want(t, ta.request(http.MethodPost, start, ta.memberToken, map[string]any{"campaign": c2, "carry_from": theirs}), http.StatusNotFound, "not_found")
	want(t, ta.request(http.MethodPost, start, ta.memberToken, map[string]any{"campaign": c2, "carry_from": 0}), http.StatusNotFound, "not_found")
	r = ta.request(http.MethodPost, start, ta.memberToken, map[string]any{"campaign": c2, "carry_from": mine}, "Accept-Language", "en")
	want(t, r, http.StatusUnprocessableEntity, "invalid")
	if e := r.errorOf(t); e["field"] != "carry_from" || e["rule"] != "not_previous" || !strings.Contains(fmt.Sprint(e["message"]), "campaign") {
		t.Errorf("carry from an assessment of another campaign: %v", e)
	}
	r = ta.request(http.MethodPost, start, ta.memberToken, map[string]any{"campaign": c1, "carry_from": a1.ID})
	want(t, r, http.StatusConflict, "already_started")
	r = ta.request(http.MethodPost, start, ta.memberToken, map[string]any{"themes": []string{"apitest"}, "carry_from": a1.ID})
	want(t, r, http.StatusUnprocessableEntity, "invalid")

	// The follow-up assessment, carried over.
	r = ta.request(http.MethodPost, start, ta.memberToken, map[string]any{"campaign": c2, "carry_from": a1.ID, "profile": []string{"app"}})
	want(t, r, http.StatusCreated)
	a2 := decodeAssessment(t, r).ID
	if from := r.json(t)["carried_from"]; from != float64(a1.ID) {
		t.Errorf("carried_from %v, want %d", from, a1.ID)
	}
	items := cycleItems(t, r)
	gap := items["apitest-gap"]
	if !gap.Carried || gap.Confirmed || gap.Answer.Response == nil || *gap.Answer.Response != "non_compliant" || gap.Answer.Note != "未告知" {
		t.Errorf("carried gap: %+v", gap)
	}
	if gap.Revision == nil || gap.Revision.Mark != "changed" || gap.Revision.OldText == nil || gap.Revision.OldText.ZH != "告知处理规则。" {
		t.Errorf("reworded item's revision: %+v", gap.Revision)
	}
	if gap.Plan == nil || gap.Plan.Measure != "更新隐私政策" || gap.Plan.Origin == nil || gap.Plan.Origin.Assessment != a1.ID || gap.Plan.Origin.Item != "apitest-gap" {
		t.Errorf("carried plan: %+v", gap.Plan)
	}
	if n := items["apitest-new"]; n.Carried || n.Answer.Response != nil || n.Revision == nil || n.Revision.Mark != "new" {
		t.Errorf("new item: %+v", n)
	}
	if o := items["apitest-open"]; !o.Carried || o.Revision != nil {
		t.Errorf("unchanged item: %+v", o)
	}
	ev := items["apitest-evidence"].Evidence
	if len(ev) != 1 || ev[0].SHA256 != before["apitest-evidence"].Evidence[0].SHA256 {
		t.Errorf("carried evidence: %+v", ev)
	}
	want(t, ta.get(assessmentPath(a2), otherToken), http.StatusNotFound, "not_found")
	want(t, ta.get(assessmentPath(a2), ta.auditorToken), http.StatusNotFound, "not_found") // a draft

	// Submit lists every carried answer still to confirm.
	put(a2, "apitest-new", map[string]any{"response": "compliant"}, http.StatusOK)
	r = ta.request(http.MethodPost, assessmentPath(a2, "/submit"), ta.memberToken, nil)
	want(t, r, http.StatusUnprocessableEntity, "incomplete")
	var inc struct {
		Error struct {
			Items []struct {
				Item    string   `json:"item"`
				Reasons []string `json:"reasons"`
			} `json:"items"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &inc); err != nil {
		t.Fatal(err)
	}
	var unconfirmed []string
	for _, b := range inc.Error.Items {
		if slices.Contains(b.Reasons, "unconfirmed") {
			unconfirmed = append(unconfirmed, b.Item)
		}
	}
	if strings.Join(unconfirmed, ",") != "apitest-evidence,apitest-gap,apitest-open" {
		t.Errorf("unconfirmed blockers: %v (%s)", unconfirmed, r.Body)
	}

	// Saving unchanged confirms, as a new version; changing confirms too.
	r = put(a2, "apitest-gap", map[string]any{"response": "non_compliant", "note": "未告知", "version": 1}, http.StatusOK)
	if v := r.json(t)["version"]; v != float64(2) {
		t.Errorf("version after confirming: %v (%s)", v, r.Body)
	}
	put(a2, "apitest-evidence", map[string]any{"response": "compliant", "note": "有存档"}, http.StatusOK)
	put(a2, "apitest-open", map[string]any{"response": "partial"}, http.StatusOK)
	want(t, ta.request(http.MethodPut, assessmentPath(a2, "/answers/apitest-open/plan"), ta.memberToken,
		map[string]any{"measure": "补充撤回入口", "owner": "赵六", "due": "2031-06-30", "status": "open"}), http.StatusOK)
	items = cycleItems(t, ta.get(assessmentPath(a2), ta.memberToken))
	for _, id := range []string{"apitest-gap", "apitest-evidence", "apitest-open"} {
		if it := items[id]; !it.Carried || !it.Confirmed {
			t.Errorf("%s after saving: carried %v confirmed %v", id, it.Carried, it.Confirmed)
		}
	}
	want(t, ta.request(http.MethodPost, assessmentPath(a2, "/submit"), ta.memberToken, nil), http.StatusOK)
}
