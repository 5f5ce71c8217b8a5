package web

import (
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// The firm downloads its report; anyone holding it, logged out, can check
// it at /verify/{code}, which names the firm and the file's SHA-256; the
// other formats download from the score page's links.
func TestReportDownloadAndVerify(t *testing.T) {
	a := newTestApp(t)
	firm := a.client()
	firm.login("firm@demo.local")
	id := startCampaign(t, firm)
	if r := answerAll(t, firm, id); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.Status)
	}
	pdf := firm.get("/assessments/" + id + "/report.pdf")
	code := pdf.Header.Get("X-Verification-Code")
	if pdf.Status != http.StatusOK || !strings.HasPrefix(pdf.Body, "%PDF-") || code == "" {
		t.Fatalf("report: %d %q", pdf.Status, code)
	}
	// Saved as it reads: what, whose, which campaign, when; clients that
	// only read the plain parameter get an ASCII name.
	disp := pdf.Header.Get("Content-Disposition")
	if _, params, err := mime.ParseMediaType(disp); err != nil || !strings.HasPrefix(params["filename"], "自查报告-示例科技有限公司-") || !strings.HasSuffix(params["filename"], ".pdf") {
		t.Errorf("the report is offered as %q (%v), want 自查报告-示例科技有限公司-{campaign}-{date}.pdf", params["filename"], err)
	}
	if !regexp.MustCompile(`^attachment; filename="selfcheck-` + id + `-\d{8}\.pdf"; filename\*=UTF-8''`).MatchString(disp) {
		t.Errorf("the ASCII fallback of %q is not selfcheck-%s-{date}.pdf", disp, id)
	}
	sum := sha256.Sum256([]byte(pdf.Body))
	anon := a.client()
	v := anon.get("/verify/" + code)
	if v.Status != http.StatusOK {
		t.Fatalf("verify: %d", v.Status)
	}
	mustContain(t, v.Body, "示例科技有限公司", hex.EncodeToString(sum[:]))
	if strings.Contains(v.Body, "firm@demo.local") {
		t.Error("the verification page shows who downloaded the report")
	}
	if r := anon.get("/verify/" + strings.Repeat("0", len(code))); r.Status != http.StatusNotFound {
		t.Errorf("an unknown code: %d", r.Status)
	}
	score := firm.get("/assessments/" + id + "/score").Body
	for _, want := range []struct{ ext, ctype string }{
		{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"csv", "text/csv; charset=utf-8"},
		{"json", "application/json"},
		{"oscal.json", "application/json"},
	} {
		link := "/assessments/" + id + "/report." + want.ext
		if !strings.Contains(score, `href="`+link+`"`) {
			t.Errorf("the score page has no link to %s", link)
		}
		r := firm.get(link)
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != want.ctype || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") {
			t.Errorf("%s: %d %v", link, r.Status, r.Header)
		}
	}
	other := a.client()
	a.addFirmUser("other@firm.local", "另一家公司", "91350100M000100Y43")
	other.login("other@firm.local")
	for _, ext := range []string{"pdf", "xlsx", "oscal.json"} {
		if r := other.get("/assessments/" + id + "/report." + ext); r.Status != http.StatusNotFound {
			t.Errorf("another firm's report.%s: %d", ext, r.Status)
		}
	}
}
