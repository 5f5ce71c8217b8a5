package web

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"selfcheck/app/submission"
)

// The rectification report (整改报告): a gap with its finding and plan, read
// back with pdftotext; its code verifies at /verify/{code}; the submission
// package carries it with its code; another firm gets 404.
func TestRectificationReport(t *testing.T) {
	a := newTestApp(t)
	firm := a.client()
	firm.login("firm@demo.local")
	id := startCampaign(t, firm)
	item := itemField.FindStringSubmatch(firm.get("/assessments/" + id + "?filter=all").Body)[1]
	if r := firm.fetch("/assessments/"+id+"/answers/"+item, url.Values{"answer": {"non_compliant"}, "note": {"未提供撤回同意的入口"}}); r.Status != http.StatusOK {
		t.Fatalf("answer: %d %s", r.Status, r.Body)
	}
	plan := url.Values{"measure": {"上线撤回同意功能"}, "owner": {"张三"}, "due": {"2020-01-31"}, "status": {"in_progress"}}
	if r := firm.fetch("/assessments/"+id+"/answers/"+item+"/plan", plan); r.Status != http.StatusOK {
		t.Fatalf("plan: %d %s", r.Status, r.Body)
	}
	mustContain(t, firm.get("/assessments/"+id+"/score").Body, `href="/assessments/`+id+`/rectification.pdf"`)

	r := firm.get("/assessments/" + id + "/rectification.pdf")
	code := r.Header.Get("X-Verification-Code")
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Body, "%PDF-") || code == "" ||
		!strings.Contains(r.Header.Get("Content-Disposition"), ".rectification.pdf") {
		t.Fatalf("rectification report: %d %v", r.Status, r.Header)
	}
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext (poppler-utils) is needed to read the report back")
	}
	file := filepath.Join(t.TempDir(), "rectification.pdf")
	os.WriteFile(file, []byte(r.Body), 0o600)
	out, err := exec.Command(tool, file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), "")
	for _, w := range []string{"整改报告", "示例科技有限公司", "整改概况", "发现问题", "问题与整改措施", item,
		"不符合", "未提供撤回同意的入口", "上线撤回同意功能", "张三", "2020-01-31", "进行中", "已逾期", strings.ReplaceAll(code, "-", "")} {
		if !strings.Contains(strings.ReplaceAll(text, "-", ""), strings.ReplaceAll(w, "-", "")) {
			t.Errorf("the rectification report lacks %q", w)
		}
	}
	anon := a.client()
	if v := anon.get("/verify/" + code); v.Status != http.StatusOK {
		t.Errorf("verify the rectification report's code: %d", v.Status)
	}

	pkg := firm.get("/assessments/" + id + "/package.zip")
	v, err := submission.Verify(bytes.NewReader([]byte(pkg.Body)), int64(len(pkg.Body)), nil)
	if err != nil {
		t.Fatalf("package: %v", err)
	}
	has := false
	for _, f := range v.Manifest.Files {
		has = has || f.Path == "rectification.pdf"
	}
	if !has || len(v.Manifest.VerificationCodes) != 2 {
		t.Errorf("the package lacks the rectification report: %+v", v.Manifest)
	}

	other := a.client()
	a.addFirmUser("other@firm.local", "另一家公司", "91350100M000100Y43")
	other.login("other@firm.local")
	if r := other.get("/assessments/" + id + "/rectification.pdf"); r.Status != http.StatusNotFound {
		t.Errorf("another firm's rectification report: %d", r.Status)
	}
}
