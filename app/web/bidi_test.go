package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Issue 19, finding 7: a note or a plan's owner holding a right-to-left
// override is shown isolated (<bdi>, or dir="auto" on a field), so it
// cannot reorder the rest of the line it sits in; and an evidence PDF
// viewed in the browser is sandboxed like every other inline file, so a
// script in it cannot run with the site's origin.
func TestUserTextIsIsolatedAndPDFViewsSandboxed(t *testing.T) {
	a := newTestApp(t)
	firm := a.client()
	firm.login("firm@demo.local")
	id := startCampaign(t, firm)
	m := itemField.FindStringSubmatch(firm.get("/assessments/" + id).Body)
	if m == nil {
		t.Fatal("no item on the assessment page")
	}
	item := m[1]
	note := "付款给\u202Elive\u202C，见附件"
	owner := "\u202E张三"
	if r := firm.fetch("/assessments/"+id+"/answers/"+item, url.Values{"answer": {"non_compliant"}, "note": {note}}); r.Status != http.StatusOK {
		t.Fatalf("save: %d %s", r.Status, r.Body)
	}
	if r := firm.fetch("/assessments/"+id+"/answers/"+item+"/plan", url.Values{"measure": {"措施"}, "owner": {owner}, "due": {"2030-01-01"}, "status": {"open"}}); r.Status != http.StatusOK {
		t.Fatalf("plan: %d %s", r.Status, r.Body)
	}
	fill := firm.get("/assessments/" + id).Body
	mustContain(t, fill, `<textarea dir="auto" name="note.`+item+`"`, `<input type="text" dir="auto" name="plan.owner.`+item+`"`)
	mustContain(t, firm.get("/assessments/"+id+"/score").Body, "<bdi>"+note+"</bdi>")
	mustContain(t, firm.get("/plans").Body, "<bdi>"+owner+"</bdi>")

	var up struct{ URL string }
	if r := firm.uploadJSON("/assessments/"+id+"/answers/"+item+"/evidence", "证据.pdf", []byte("%PDF-1.4\n% two\n%%EOF\n")); r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	} else if err := json.Unmarshal([]byte(r.Body), &up); err != nil {
		t.Fatal(err)
	}
	v := firm.get(up.URL + "/view")
	csp := v.Header.Get("Content-Security-Policy")
	if v.Status != http.StatusOK || v.Header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(v.Header.Get("Content-Disposition"), "inline;") || !strings.Contains(csp, "sandbox") {
		t.Errorf("PDF view: %d %q CSP %q", v.Status, v.Header.Get("Content-Type"), csp)
	}
}
