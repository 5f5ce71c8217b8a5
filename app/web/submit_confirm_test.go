package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"selfcheck/app/store"
)

// TestSubmitAsksOnce: the form's Submit button saves and leads to a
// confirmation that shows the score, grade, gaps, the campaign and its
// auditor, and changes nothing; only the confirmation's POST, with its
// CSRF token, submits.
func TestSubmitAsksOnce(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	id := startCampaign(t, c)
	draft := func() bool { return strings.Contains(c.get("/assessments/"+id+"?filter=all").Body, `data-autosave=`) }

	// Incomplete: the confirmation lists what blocks it and offers no button.
	r := c.get("/assessments/" + id + "/submit")
	if r.Status != http.StatusOK {
		t.Fatalf("confirmation: %d", r.Status)
	}
	mustContain(t, r.Body, `id="confirm-blocked"`, "未作答", `href="/assessments/`+id+`?theme=`)
	if strings.Contains(r.Body, `id="confirm-form"`) {
		t.Error("an incomplete assessment can be confirmed")
	}

	// Every item answered, one a gap with its plan; the Submit button of
	// the form saves, then asks.
	attachRequired(t, c, id)
	page := c.get("/assessments/" + id + "?filter=all").Body
	form := url.Values{"action": {"confirm"}}
	items := itemField.FindAllStringSubmatch(page, -1)
	gap := items[0][1]
	for _, m := range items {
		form.Set("answer."+m[1], "compliant")
	}
	form.Set("answer."+gap, "partial")
	form.Set("plan.measure."+gap, "补充关闭按钮")
	form.Set("plan.owner."+gap, "张三")
	form.Set("plan.due."+gap, "2030-01-01")
	form.Set("plan.status."+gap, "open")
	r = c.post("/assessments/"+id, form)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/assessments/"+id+"/submit" {
		t.Fatalf("submit button: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	if !draft() {
		t.Fatal("the Submit button submitted without asking")
	}
	mustContain(t, c.get("/assessments/"+id+"?filter=all").Body, `name="answer.`+gap+`" value="partial" checked`)

	r = c.get("/assessments/" + id + "/submit")
	mustContain(t, r.Body, `id="submit-confirm"`, `<dd data-gaps>1</dd>`, `data-grade>`, store.DemoCampaignZH,
		"<bdi>示例审核员</bdi>", `id="confirm-form"`, `name="action" value="submit"`, `name="_csrf" value="`+c.csrf()+`"`)
	if score := regexp.MustCompile(`<dd data-score[^>]*>([0-9.]+)</dd>`).FindStringSubmatch(r.Body); score == nil || score[1] == "100.0" {
		t.Errorf("score shown: %v", score)
	}
	if !draft() {
		t.Fatal("showing the confirmation submitted")
	}

	// The confirmation's POST without a valid token does nothing.
	if r := c.post("/assessments/"+id, url.Values{"action": {"submit"}, "_csrf": {"forged-token-forged-token-forged-token-1234"}}); r.Status != http.StatusForbidden {
		t.Errorf("submit with a forged token: %d", r.Status)
	}
	if !draft() {
		t.Fatal("a forged submit went through")
	}
	if r := c.post("/assessments/"+id, url.Values{"action": {"submit"}}); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/assessments/"+id+"/score" {
		t.Fatalf("confirmed submit: %d %q", r.Status, r.Header.Get("Location"))
	}
	if draft() {
		t.Fatal("the confirmed submit did not submit")
	}
	// Once submitted there is nothing to confirm.
	if r := c.get("/assessments/" + id + "/submit"); r.Status != http.StatusConflict {
		t.Errorf("confirmation of a submitted assessment: %d", r.Status)
	}
	// In English, the same facts in English.
	en := a.client()
	en.login("firm@demo.local")
	en.post("/lang", url.Values{"lang": {"en"}, "back": {"/"}})
	id2 := start(t, en, "popups")
	body := en.get("/assessments/" + id2 + "/submit").Body
	mustContain(t, body, "Confirm the submission", "Grade", "not part of a campaign")
	if section := regexp.MustCompile(`(?s)<section class="card" id="submit-confirm">.*?<div class="error"`).FindString(body); section == "" || cjkIn(section) != "" {
		t.Errorf("the English confirmation has %q", cjkIn(section))
	}
}
