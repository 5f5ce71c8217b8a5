package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"selfcheck/app/scoring"
)

func TestStaleVersionsConflict(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	a := ta.start(map[string]any{"themes": []string{"popups"}, "profile": []string{"app"}})
	item := a.Items[0].ID
	path := assessmentPath(a.ID, "/answers/", item)

	r := ta.request(http.MethodPut, path, ta.memberToken, map[string]any{"response": "partial", "note": "第一版", "version": 0})
	want(t, r, http.StatusOK)
	got := r.json(t)
	if got["item"] != item || got["response"] != "partial" || got["version"] != float64(1) || got["updated_by"] == nil || got["updated_at"] == nil {
		t.Fatalf("saved answer: %v", got)
	}
	// A colleague who read version 0 saves after: refused with what is stored now.
	r = ta.request(http.MethodPut, path, ta.memberToken, map[string]any{"response": "compliant", "note": "覆盖", "version": 0})
	want(t, r, http.StatusConflict, "conflict")
	cur, _ := r.errorOf(t)["current"].(map[string]any)
	if cur["version"] != float64(1) || cur["response"] != "partial" || cur["note"] != "第一版" || cur["item"] != item {
		t.Errorf("conflict shows %v, want the stored answer", cur)
	}
	// Without a version the save applies; without a note the note stays.
	r = ta.request(http.MethodPut, path, ta.memberToken, map[string]any{"response": "not_applicable"})
	want(t, r, http.StatusOK)
	if got := r.json(t); got["response"] != "not_applicable" || got["note"] != "第一版" || got["version"] != float64(2) {
		t.Errorf("answer without note: %v", got)
	}
	sh, _ := ta.store.Sheet(context.Background(), ta.member, a.ID)
	if sh.Answers[item].Value != scoring.NotApplicable {
		t.Errorf("not_applicable stored as %q, want %q", sh.Answers[item].Value, scoring.NotApplicable)
	}
	r = ta.get(assessmentPath(a.ID), ta.memberToken)
	if got := decodeAssessment(t, r); *got.Items[0].Answer.Response != "not_applicable" {
		t.Errorf("GET shows %q", *got.Items[0].Answer.Response)
	}

	plan := path + "/plan"
	r = ta.request(http.MethodPut, plan, ta.memberToken, map[string]any{"measure": "修改弹窗", "owner": "李四", "due": "2030-06-30", "version": 0})
	want(t, r, http.StatusOK)
	if p := r.json(t); p["version"] != float64(1) || p["status"] != "open" || p["due"] != "2030-06-30" || p["item"] != item {
		t.Errorf("saved plan: %v", p)
	}
	r = ta.request(http.MethodPut, plan, ta.memberToken, map[string]any{"measure": "别的", "owner": "王五", "due": "2030-07-01", "status": "done", "version": 0})
	want(t, r, http.StatusConflict, "conflict")
	if cur, _ := r.errorOf(t)["current"].(map[string]any); cur["owner"] != "李四" || cur["version"] != float64(1) {
		t.Errorf("plan conflict shows %v", cur)
	}
	r = ta.request(http.MethodPut, plan, ta.memberToken, map[string]any{"measure": "别的", "owner": "王五", "due": "2030-07-01", "status": "in_progress", "version": 1})
	want(t, r, http.StatusOK)
	if p := r.json(t); p["version"] != float64(2) || p["status"] != "in_progress" {
		t.Errorf("plan update: %v", p)
	}
}

// TestSubmitListsEveryBlocker: a submit with an unanswered item, a gap
// without a plan and required evidence missing is refused with all three.
func TestSubmitListsEveryBlocker(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	ta.uploadTestChecklist()
	a := ta.start(map[string]any{"themes": []string{"apitest"}, "profile": []string{"app"}})
	if len(a.Items) != 3 || len(a.Excluded) != 1 || a.Excluded[0].ID != "apitest-minors" || !slices.Equal(a.Excluded[0].AppliesTo, []string{"minors"}) {
		t.Fatalf("items %v, excluded %v", a.Items, a.Excluded)
	}
	if !a.Items[0].EvidenceRequired {
		t.Fatal("apitest-evidence does not require evidence")
	}
	put := func(item, response string) {
		t.Helper()
		want(t, ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", item), ta.memberToken, map[string]any{"response": response, "note": "n"}), http.StatusOK)
	}
	put("apitest-evidence", "compliant")
	put("apitest-gap", "non_compliant")
	// A draft plan: only the measure. Kept, with what it still lacks.
	r := ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/apitest-gap/plan"), ta.memberToken, map[string]any{"measure": "补充告知"})
	want(t, r, http.StatusOK)
	if p := r.json(t); p["measure"] != "补充告知" || p["version"] != float64(1) || fmt.Sprint(p["missing"]) != "[owner due]" {
		t.Errorf("draft plan: %v, want it stored with missing [owner due]", p)
	}

	r = ta.request(http.MethodPost, assessmentPath(a.ID, "/submit"), ta.memberToken, nil)
	want(t, r, http.StatusUnprocessableEntity, "incomplete")
	var out struct {
		Error struct {
			Message string `json:"message"`
			Items   []struct {
				Item        string   `json:"item"`
				Theme       string   `json:"theme"`
				Reasons     []string `json:"reasons"`
				PlanMissing []string `json:"plan_missing"`
			} `json:"items"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, it := range out.Error.Items {
		got[it.Item] = it.Reasons
		if want := map[string]string{"apitest-gap": "[owner due]"}[it.Item]; fmt.Sprint(it.PlanMissing) != want && !(want == "" && it.PlanMissing == nil) {
			t.Errorf("blocker %s: plan lacks %v, want %s", it.Item, it.PlanMissing, want)
		}
		if it.Theme != "apitest" {
			t.Errorf("blocker %s in theme %q", it.Item, it.Theme)
		}
	}
	wantReasons := map[string][]string{
		"apitest-evidence": {"evidence_missing"},
		"apitest-gap":      {"plan_missing"},
		"apitest-open":     {"unanswered"},
	}
	if len(got) != len(wantReasons) {
		t.Errorf("blockers %v, want %v", got, wantReasons)
	}
	for item, w := range wantReasons {
		if !slices.Equal(got[item], w) {
			t.Errorf("%s blocked by %v, want %v", item, got[item], w)
		}
	}
	if !strings.Contains(out.Error.Message, "3 items") {
		t.Errorf("message %q", out.Error.Message)
	}
	if got := decodeAssessment(t, ta.get(assessmentPath(a.ID), ta.memberToken)); got.State != "draft" {
		t.Errorf("state after a refused submit: %s", got.State)
	}

	// Resolve each blocker and the submit goes through.
	put("apitest-open", "compliant")
	want(t, ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/apitest-gap/plan"), ta.memberToken,
		map[string]any{"measure": "补充告知", "owner": "法务部", "due": "2030-01-31", "version": 1}), http.StatusOK)
	want(t, ta.upload(assessmentPath(a.ID, "/answers/apitest-evidence/evidence"), ta.memberToken, "archive.txt", []byte("2021 版隐私政策存档")), http.StatusCreated)
	want(t, ta.request(http.MethodPost, assessmentPath(a.ID, "/submit"), ta.memberToken, nil), http.StatusOK)
}

// TestFullWorkflow is the happy path: start in the demo campaign, answer
// every item, plan the gaps, attach evidence, submit, read the score and the
// report; then the campaign's auditor lists and reads it.
func TestFullWorkflow(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)

	r := ta.request(http.MethodPost, "/api/v1/assessments", ta.memberToken, map[string]any{"campaign": ta.campaign})
	want(t, r, http.StatusCreated)
	a := decodeAssessment(t, r)
	if loc := r.Header.Get("Location"); loc != assessmentPath(a.ID) {
		t.Errorf("Location = %q", loc)
	}
	if a.State != "draft" || a.Campaign == nil || a.Campaign.ID != ta.campaign || len(a.Themes) != 7 || len(a.Items) < 50 || a.Firm.CreditCode != "91110108MA01C8XK7H" {
		t.Fatalf("created: state %s, campaign %v, %d themes, %d items, firm %+v", a.State, a.Campaign, len(a.Themes), len(a.Items), a.Firm)
	}
	if a.Score.Overall != nil || a.Score.Answered != 0 || a.Score.Total != len(a.Items) {
		t.Errorf("score of a new assessment: %+v", a.Score)
	}
	// The demo profile leaves out items for services the firm does not run.
	if len(a.Excluded) == 0 || len(a.Excluded[0].AppliesTo) == 0 {
		t.Errorf("excluded items: %v", a.Excluded)
	}
	// The campaign can be started once.
	r = ta.request(http.MethodPost, "/api/v1/assessments", ta.memberToken, map[string]any{"campaign": ta.campaign})
	want(t, r, http.StatusConflict, "already_started")

	gap := a.Items[0].ID
	for i, it := range a.Items {
		response := "compliant"
		switch {
		case i == 0:
			response = "partial"
		case i == 1:
			response = "not_applicable"
		}
		r := ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", it.ID), ta.memberToken,
			map[string]any{"response": response, "note": "自查说明 " + it.ID, "version": 0})
		want(t, r, http.StatusOK)
	}
	r = ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", gap, "/plan"), ta.memberToken,
		map[string]any{"measure": "调整弹窗关闭按钮", "owner": "产品部", "due": "2030-03-31", "status": "in_progress"})
	want(t, r, http.StatusOK)

	content := []byte("%PDF-1.4\n整改方案\n")
	r = ta.upload(assessmentPath(a.ID, "/answers/", gap, "/evidence"), ta.memberToken, "整改方案.pdf", content)
	want(t, r, http.StatusCreated)
	ev := r.json(t)
	if ev["name"] != "整改方案.pdf" || ev["size"] != float64(len(content)) || len(ev["sha256"].(string)) != 64 || ev["kind"] != "pdf" {
		t.Errorf("evidence: %v", ev)
	}
	url, _ := ev["url"].(string)
	if r.Header.Get("Location") != url || !strings.HasPrefix(url, assessmentPath(a.ID, "/answers/", gap, "/evidence/")) {
		t.Errorf("evidence url %q, Location %q", url, r.Header.Get("Location"))
	}
	r = ta.get(url, ta.memberToken)
	want(t, r, http.StatusOK)
	if !bytes.Equal(r.Body, content) || r.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") || r.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("download: %q %v", r.Body, r.Header)
	}

	ta.attachRequired(a.ID, ta.memberToken)
	r = ta.request(http.MethodPost, assessmentPath(a.ID, "/submit"), ta.memberToken, nil)
	want(t, r, http.StatusOK)
	if got := decodeAssessment(t, r); got.State != "submitted" || got.SubmittedAt == nil {
		t.Errorf("after submit: %s %v", got.State, got.SubmittedAt)
	}

	got := decodeAssessment(t, ta.get(assessmentPath(a.ID), ta.memberToken))
	if got.State != "submitted" || got.Score.Overall == nil || *got.Score.Overall <= 0 || *got.Score.Overall >= 100 ||
		got.Score.Grade == nil || got.Score.Answered != got.Score.Total {
		t.Errorf("score after submit: %+v", got.Score)
	}
	first := got.Items[0]
	if *first.Answer.Response != "partial" || first.Answer.Version != 1 || first.Plan == nil || first.Plan.Measure != "调整弹窗关闭按钮" || len(first.Evidence) != 1 {
		t.Errorf("the gap item: %+v", first)
	}
	if got.Items[2].Plan != nil || len(got.Items[2].Evidence) != 0 {
		t.Errorf("an item without plan or evidence: %+v", got.Items[2])
	}

	// Nothing changes after submit; the refusal names the state.
	for _, w := range []struct {
		name string
		r    func() resp
	}{
		{"answer", func() resp {
			return ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", gap), ta.memberToken, map[string]any{"response": "compliant"})
		}},
		{"plan", func() resp {
			return ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", gap, "/plan"), ta.memberToken, map[string]any{"measure": "m", "owner": "o", "due": "2030-01-01"})
		}},
		{"evidence", func() resp {
			return ta.upload(assessmentPath(a.ID, "/answers/", gap, "/evidence"), ta.memberToken, "more.txt", []byte("more"))
		}},
		{"submit", func() resp { return ta.request(http.MethodPost, assessmentPath(a.ID, "/submit"), ta.memberToken, nil) }},
	} {
		t.Run("after submit "+w.name, func(t *testing.T) {
			r := w.r()
			want(t, r, http.StatusConflict, "read_only")
			e := r.errorOf(t)
			if msg, _ := e["message"].(string); !strings.Contains(msg, "submitted") || e["state"] != "submitted" {
				t.Errorf("refusal does not name the state: %v", e)
			}
		})
	}

	for _, lang := range []string{"", "?lang=en", "?lang=zh"} {
		r = ta.get(assessmentPath(a.ID, "/report.pdf"+lang), ta.memberToken)
		want(t, r, http.StatusOK)
		if !bytes.HasPrefix(r.Body, []byte("%PDF")) || r.Header.Get("Content-Type") != "application/pdf" ||
			!strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") {
			t.Errorf("report%s: %.20q %v", lang, r.Body, r.Header)
		}
	}

	var camps struct {
		Campaigns []struct {
			ID         uint `json:"id"`
			Assessment *struct {
				ID    uint   `json:"id"`
				State string `json:"state"`
			} `json:"assessment"`
			Firms []struct {
				Name string `json:"name"`
			} `json:"firms"`
		} `json:"campaigns"`
	}
	r = ta.get("/api/v1/campaigns", ta.memberToken)
	want(t, r, http.StatusOK)
	json.Unmarshal(r.Body, &camps)
	if len(camps.Campaigns) != 1 || camps.Campaigns[0].Assessment == nil || camps.Campaigns[0].Assessment.ID != a.ID ||
		camps.Campaigns[0].Assessment.State != "submitted" || camps.Campaigns[0].Firms != nil {
		t.Errorf("member's campaigns: %s", r.Body)
	}

	// The auditor assigned to the campaign lists, reads and downloads it.
	r = ta.get("/api/v1/campaigns", ta.auditorToken)
	want(t, r, http.StatusOK)
	camps.Campaigns = nil
	json.Unmarshal(r.Body, &camps)
	if len(camps.Campaigns) != 1 || len(camps.Campaigns[0].Firms) != 1 || camps.Campaigns[0].Firms[0].Name != "示例科技有限公司" {
		t.Errorf("auditor's campaigns: %s", r.Body)
	}
	r = ta.get("/api/v1/assessments", ta.auditorToken)
	want(t, r, http.StatusOK)
	var list struct {
		Assessments []struct {
			ID     uint     `json:"id"`
			State  string   `json:"state"`
			Themes []string `json:"themes"`
			URL    string   `json:"url"`
		} `json:"assessments"`
	}
	json.Unmarshal(r.Body, &list)
	if len(list.Assessments) != 1 || list.Assessments[0].ID != a.ID || list.Assessments[0].State != "submitted" ||
		len(list.Assessments[0].Themes) != 7 || list.Assessments[0].URL != assessmentPath(a.ID) {
		t.Errorf("auditor's list: %s", r.Body)
	}
	if got := decodeAssessment(t, ta.get(assessmentPath(a.ID), ta.auditorToken)); got.State != "submitted" || got.Score.Overall == nil {
		t.Errorf("auditor reads: %+v", got)
	}
	want(t, ta.get(url, ta.auditorToken), http.StatusOK)
	want(t, ta.get(assessmentPath(a.ID, "/report.pdf"), ta.auditorToken), http.StatusOK)
}

func TestCreateWithoutProfileUsesTheFirms(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	a := ta.start(map[string]any{"themes": []string{"user-rights", "popups", "popups"}})
	if len(a.Themes) != 2 || a.Themes[0].ID != "user-rights" {
		t.Errorf("themes %v: chosen order, each once", a.Themes)
	}
	r := ta.get(assessmentPath(a.ID), ta.memberToken)
	var got struct {
		Profile []string `json:"profile"`
	}
	json.Unmarshal(r.Body, &got)
	if !slices.Equal(got.Profile, []string{"app", "mini_program", "website", "important_data"}) {
		t.Errorf("profile %v, want the demo firm's", got.Profile)
	}
	r = ta.request(http.MethodPost, "/api/v1/assessments", ta.memberToken, map[string]any{"themes": []string{"popups"}, "profile": []string{}})
	if r.Status != http.StatusCreated && r.Status != http.StatusUnprocessableEntity {
		t.Errorf("empty profile: %d %s", r.Status, r.Body)
	}
	r = ta.get("/api/v1/assessments", ta.memberToken)
	want(t, r, http.StatusOK)
	if n := len(r.json(t)["assessments"].([]any)); n < 1 {
		t.Errorf("member lists %d assessments", n)
	}
}
