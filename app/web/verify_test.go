package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"selfcheck/app/scoring"
	"selfcheck/app/store"
	"selfcheck/app/verify"
)

const secretNote = "内部备注：不得出现在验证页上"

// verifyFixture is the demo firm's campaign assessment, answered (with a
// note) and submitted, and the firm member who did it.
type verifyFixture struct {
	a      *testApp
	member *store.User
	id     uint
}

func newVerifyFixture(t *testing.T) *verifyFixture {
	t.Helper()
	a := newTestApp(t)
	ctx := context.Background()
	firm := a.client()
	firm.login("firm@demo.local")
	idText := startCampaign(t, firm)
	id64, _ := strconv.ParseUint(idText, 10, 64)
	id := uint(id64)
	u, err := a.store.Authenticate(ctx, "firm@demo.local", store.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	sh, err := a.store.Sheet(ctx, u, id)
	if err != nil {
		t.Fatal(err)
	}
	var inputs []store.AnswerInput
	for _, cl := range sh.Checklists {
		for _, it := range cl.Items() {
			in := store.AnswerInput{ItemID: it.ID, Value: scoring.Compliant}
			if len(inputs) == 0 {
				in.Note = secretNote
			}
			inputs = append(inputs, in)
		}
	}
	if _, err := a.store.SaveAnswers(ctx, u, id, inputs); err != nil {
		t.Fatal(err)
	}
	for _, cl := range sh.Checklists {
		for _, it := range cl.Items() {
			if it.EvidenceRequired {
				if _, err := a.store.AddEvidence(ctx, u, id, store.NewEvidence{ItemID: it.ID, Name: "证明.pdf", Kind: "pdf", Data: []byte("%PDF-1.4 " + it.ID)}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := a.store.Submit(ctx, u, id); err != nil {
		t.Fatal(err)
	}
	return &verifyFixture{a: a, member: u, id: id}
}

// issue records a report of the assessment as it stands, of content c,
// generated at at, the way the PDF handler does.
func (f *verifyFixture) issue(t *testing.T, c string, at time.Time) store.IssuedReport {
	t.Helper()
	ctx := context.Background()
	sh, err := f.a.store.Sheet(ctx, f.member, f.id)
	if err != nil {
		t.Fatal(err)
	}
	hash := func(s string) string { sum := sha256.Sum256([]byte(s)); return hex.EncodeToString(sum[:]) }
	score := 100.0
	r := store.IssuedReport{
		AssessmentID: f.id, FirmName: sh.FirmName, CreditCode: sh.CreditCode, State: sh.State,
		Score: &score, Grade: scoring.Excellent, Lang: "zh",
		ContentHash: hash(c), PDFSHA256: hash("%PDF " + c + at.String()), GeneratedAt: at,
	}
	r.Code = verify.Code(r.ContentHash, at)
	if err := f.a.store.RecordReport(ctx, f.member, r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestVerifyPageShowsTheReport(t *testing.T) {
	f := newVerifyFixture(t)
	r := f.issue(t, "v1", time.Date(2026, 3, 1, 9, 30, 15, 0, time.UTC))
	firm := f.a.client()
	firm.login("firm@demo.local")
	auditor := f.a.client()
	auditor.login("auditor@demo.local")
	for name, c := range map[string]*client{"logged out": f.a.client(), "firm member": firm, "auditor": auditor} {
		for _, path := range []string{"/verify/" + r.Code, "/verify/" + verify.Format(r.Code), "/verify/" + strings.ToLower(verify.Format(r.Code))} {
			resp := c.get(path)
			if resp.Status != http.StatusOK {
				t.Fatalf("%s: GET %s: %d\n%s", name, path, resp.Status, resp.Body)
			}
			mustContain(t, html.UnescapeString(resp.Body), store.DemoFirmName, "#"+strconv.Itoa(int(f.id)), "已提交", "100.0", "优秀",
				"2026-03-01 09:30:15 (UTC+00:00)", r.PDFSHA256, verify.Format(r.Code),
				"sha256sum report.pdf", "shasum -a 256 report.pdf", "certutil -hashfile report.pdf SHA256",
				`id="current"`)
			// Nothing else: no answers or notes, no people, not even the
			// firm's credit code.
			for _, leak := range []string{secretNote, f.member.Email, f.member.Name, store.DemoCreditCode, `id="superseded"`} {
				if name == "logged out" && strings.Contains(resp.Body, leak) {
					t.Errorf("%s: GET %s shows %q", name, path, leak)
				}
			}
			if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("X-Robots-Tag") != "noindex" {
				t.Errorf("%s: headers %v", name, resp.Header)
			}
		}
	}
	// In English too.
	en := f.a.client()
	en.lang = "en"
	mustContain(t, en.get("/verify/"+r.Code).Body, "Report verification", "Submitted", "Excellent", "report.pdf")
}

func TestVerifyPageShowsSupersession(t *testing.T) {
	f := newVerifyFixture(t)
	first := f.issue(t, "v1", time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	same := f.issue(t, "v1", time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	c := f.a.client()
	if body := c.get("/verify/" + first.Code).Body; strings.Contains(body, `id="superseded"`) {
		t.Error("a later report of the same content supersedes")
	}
	newer := f.issue(t, "v2", time.Date(2026, 3, 2, 8, 5, 0, 0, time.UTC))
	for _, r := range []store.IssuedReport{first, same} {
		body := html.UnescapeString(c.get("/verify/" + r.Code).Body)
		mustContain(t, body, `id="superseded"`, "2026-03-02 08:05:00 (UTC+00:00)")
		// The newer report is named by its time, not by its code.
		for _, leak := range []string{newer.Code, verify.Format(newer.Code), newer.PDFSHA256} {
			if strings.Contains(body, leak) {
				t.Errorf("the superseded report's page shows the newer one's %q", leak)
			}
		}
	}
	if body := c.get("/verify/" + newer.Code).Body; strings.Contains(body, `id="superseded"`) {
		t.Error("the newest report is marked superseded")
	}
}

// An unknown code and a malformed one get the same 404 page: the answer
// says only whether the code was issued.
func TestVerifyPageRejectsUnknownCodes(t *testing.T) {
	f := newVerifyFixture(t)
	r := f.issue(t, "v1", time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	c := f.a.client()
	unknown := verify.Code(r.ContentHash, r.GeneratedAt.Add(time.Second))
	var bodies []string
	for _, code := range []string{unknown, "nonsense", r.Code + "0", r.Code[:19], "UUUUUUUUUUUUUUUUUUUU", "%27%20OR%201%3D1", strings.Repeat("A", 5000)} {
		resp := c.get("/verify/" + code)
		if resp.Status != http.StatusNotFound {
			t.Errorf("GET /verify/%.40s: %d, want 404", code, resp.Status)
			continue
		}
		if strings.Contains(resp.Body, store.DemoFirmName) {
			t.Errorf("GET /verify/%.40s: the 404 page names the firm", code)
		}
		if !strings.Contains(resp.Body, "您手中的文件不是本系统签发的报告") {
			t.Errorf("GET /verify/%.40s: the 404 page does not say the document is not a report of this system", code)
		}
		// The page repeats its own path (the language switch returns to
		// it); apart from that, every 404 is the same.
		body := resp.Body
		for _, form := range []string{code, mustUnescape(t, code)} {
			body = strings.ReplaceAll(body, html.EscapeString(form), "CODE")
		}
		bodies = append(bodies, body)
		if body != bodies[0] {
			t.Errorf("GET /verify/%.40s: the 404 page differs from that of an unknown code", code)
		}
	}
	if resp := c.get("/verify/"); resp.Status != http.StatusNotFound {
		t.Errorf("GET /verify/: %d", resp.Status)
	}
}

func mustUnescape(t *testing.T, s string) string {
	t.Helper()
	u, err := url.PathUnescape(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
