package web

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// uploadUntil posts a file with a "valid until" date, as the fill-in
// page's script does.
func (c *client) uploadUntil(path, name, until string, content []byte) resp {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("valid_until", until)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", c.csrf())
	req.Header.Set("X-Requested-With", "fetch")
	req.Header.Set("Accept", "application/json")
	return c.do(req)
}

// Evidence valid until a date: set at upload and changed later by the
// firm; expired and expiring (30 days) files flagged on the fill-in page,
// the review page, the campaign dashboard and in the PDF report; a bad date
// refused with a message naming it; another firm gets 404.
func TestEvidenceValidity(t *testing.T) {
	a := newTestApp(t)
	firm := a.client()
	firm.login("firm@demo.local")
	campaign := campaignOption.FindStringSubmatch(firm.get("/").Body)[1]
	id := startCampaign(t, firm)
	item := itemField.FindStringSubmatch(firm.get("/assessments/" + id + "?filter=all").Body)[1]
	day := func(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format("2006-01-02") }
	expired, expiring, valid := day(-5), day(10), day(100)

	upload := func(name, until string) string {
		t.Helper()
		r := firm.uploadUntil("/assessments/"+id+"/answers/"+item+"/evidence", name, until, []byte("证照 "+name))
		if r.Status != http.StatusCreated {
			t.Fatalf("upload %s valid until %q: %d %s", name, until, r.Status, r.Body)
		}
		var out struct {
			ID         int    `json:"id"`
			ValidUntil string `json:"valid_until"`
		}
		json.Unmarshal([]byte(r.Body), &out)
		if out.ValidUntil != until {
			t.Errorf("%s: valid until %q, want %q", name, out.ValidUntil, until)
		}
		return itoa(out.ID)
	}
	lapsed := upload("营业执照.txt", expired)
	soon := upload("ICP备案.txt", expiring)
	later := upload("等保测评报告.txt", valid)
	upload("说明.txt", "")

	r := firm.uploadUntil("/assessments/"+id+"/answers/"+item+"/evidence", "坏日期.txt", "2027-02-30", []byte("x"))
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "有效期须为 YYYY-MM-DD") {
		t.Errorf("a bad date at upload: %d %s", r.Status, r.Body)
	}

	page := firm.get("/assessments/" + id + "?filter=all").Body
	mustContain(t, page, `data-validity="expired"`, "已过期：有效期至 "+expired, `data-validity="expiring"`, "即将到期：有效期至 "+expiring,
		`data-validity="valid"`, "有效期至 "+valid, `action="/assessments/`+id+`/evidence/`+later+`/valid-until"`, `name="valid_until.`+item+`"`)

	// Changed later: the expiring licence is renewed, the valid report lapses.
	if r := firm.post("/assessments/"+id+"/evidence/"+soon+"/valid-until", url.Values{"valid_until": {valid}}); r.Status != http.StatusSeeOther {
		t.Fatalf("renew: %d %s", r.Status, r.Body)
	}
	if r := firm.post("/assessments/"+id+"/evidence/"+later+"/valid-until", url.Values{"valid_until": {day(0)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("shorten: %d %s", r.Status, r.Body)
	}
	if r := firm.post("/assessments/"+id+"/evidence/"+lapsed+"/valid-until", url.Values{"valid_until": {"明年"}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "有效期须为") {
		t.Errorf("a bad date: %d", r.Status)
	}
	page = firm.get("/assessments/" + id + "?filter=all").Body
	mustContain(t, page, "即将到期：有效期至 "+day(0), "有效期至 "+valid, "已过期：有效期至 "+expired)
	if strings.Contains(page, "即将到期：有效期至 "+expiring) {
		t.Error("the renewed licence is still flagged")
	}
	mustContain(t, firm.get("/assessments/"+id+"/timeline").Body, "证据有效期")

	other := a.client()
	a.addFirmUser("other@firm.local", "另一家公司", "91350100M000100Y43")
	other.login("other@firm.local")
	if r := other.post("/assessments/"+id+"/evidence/"+lapsed+"/valid-until", url.Values{"valid_until": {valid}}); r.Status != http.StatusNotFound {
		t.Errorf("another firm: %d", r.Status)
	}

	if r := answerAll(t, firm, id); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.Status)
	}
	if r := firm.post("/assessments/"+id+"/evidence/"+lapsed+"/valid-until", url.Values{"valid_until": {valid}}); r.Status != http.StatusConflict {
		t.Errorf("a submitted assessment's evidence: %d", r.Status)
	}
	auditor := a.client()
	auditor.login("auditor@demo.local")
	mustContain(t, auditor.get("/assessments/"+id+"/review").Body, `data-validity="expired"`, "已过期：有效期至 "+expired, "即将到期：有效期至 "+day(0))
	dash := auditor.get("/campaigns/" + campaign + "/dashboard").Body
	mustContain(t, dash, `id="dash-lapsing"`, "已过期 1 份", "30 天内到期 1 份", "营业执照.txt", "等保测评报告.txt")

	pdf := firm.get("/assessments/" + id + "/report.pdf")
	if pdf.Status != http.StatusOK {
		t.Fatalf("report: %d", pdf.Status)
	}
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext (poppler-utils) is needed to read the report back")
	}
	file := filepath.Join(t.TempDir(), "report.pdf")
	os.WriteFile(file, []byte(pdf.Body), 0o600)
	out, err := exec.Command(tool, file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), "")
	for _, w := range []string{"已过期：有效期至" + expired, "即将到期：有效期至" + day(0), "有效期至" + valid} {
		if !strings.Contains(text, w) {
			t.Errorf("the PDF lacks %q", w)
		}
	}
}
