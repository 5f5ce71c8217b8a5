package web

import (
	"bytes"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"selfcheck/app/submission"
)

// The firm downloads the submission package of its submitted assessment
// from the score page; it verifies offline against the key /verify/key
// shows (in either language, logged out), and holds the evidence the firm
// attached. Its auditor gets it too; another firm gets 404.
func TestSubmissionPackage(t *testing.T) {
	a := newTestApp(t)
	firm := a.client()
	firm.login("firm@demo.local")
	id := startCampaign(t, firm)
	if r := answerAll(t, firm, id); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.Status)
	}
	mustContain(t, firm.get("/assessments/"+id+"/score").Body, `href="/assessments/`+id+`/package.zip"`, "报送包")

	r := firm.get("/assessments/" + id + "/package.zip")
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/zip" ||
		!strings.Contains(r.Header.Get("Content-Disposition"), ".package.zip") || r.Header.Get("X-Verification-Code") == "" {
		t.Fatalf("package: %d %v", r.Status, r.Header)
	}
	anon := a.client()
	page := anon.get("/verify/key")
	if page.Status != http.StatusOK {
		t.Fatalf("/verify/key: %d", page.Status)
	}
	m := regexpKey.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("/verify/key shows no key:\n%s", page.Body)
	}
	// The page escapes "+" as &#43;, which a browser shows (and copies) as "+".
	keyText := html.UnescapeString(m[1])
	key, err := submission.ParsePublicKey(keyText)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, page.Body, "报送包签名公钥", submission.Fingerprint(key), "selfcheck package verify --key")
	anon.lang = "en"
	mustContain(t, anon.get("/verify/key").Body, "Submission package signing key", m[1])
	if keyText != submission.KeyText(key) {
		t.Errorf("the page shows %q, the key is %q", keyText, submission.KeyText(key))
	}

	v, err := submission.Verify(bytes.NewReader([]byte(r.Body)), int64(len(r.Body)), key)
	if err != nil {
		t.Fatalf("the package does not verify with the key /verify/key shows: %v", err)
	}
	if v.Manifest.Firm.Name != "示例科技有限公司" || v.Manifest.VerificationCodes[0] != r.Header.Get("X-Verification-Code") {
		t.Errorf("manifest: %+v", v.Manifest)
	}
	evidence := 0
	for _, f := range v.Manifest.Files {
		if strings.HasPrefix(f.Path, "evidence/") {
			evidence++
		}
	}
	if evidence == 0 || len(v.Manifest.Evidence) == 0 {
		t.Errorf("the package holds no evidence: %+v", v.Manifest.Files)
	}
	if code := v.Manifest.VerificationCodes[0]; anon.get("/verify/"+code).Status != http.StatusOK {
		t.Errorf("the package's report code %s does not verify", code)
	}

	auditor := a.client()
	auditor.login("auditor@demo.local")
	if r := auditor.get("/assessments/" + id + "/package.zip"); r.Status != http.StatusOK {
		t.Errorf("the auditor's package: %d", r.Status)
	}
	other := a.client()
	a.addFirmUser("other@firm.local", "另一家公司", "91350100M000100Y43")
	other.login("other@firm.local")
	if r := other.get("/assessments/" + id + "/package.zip"); r.Status != http.StatusNotFound || strings.Contains(r.Body, "示例") {
		t.Errorf("another firm's package: %d", r.Status)
	}
}

var regexpKey = regexp.MustCompile(`<code id="public-key">([A-Za-z0-9+/=&#;]+)</code>`)
