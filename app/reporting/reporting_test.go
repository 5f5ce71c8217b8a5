package reporting_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/reporting"
	"selfcheck/app/scoring"
	"selfcheck/app/store"
	"selfcheck/app/testenv"
	"selfcheck/app/verify"
)

// returnedAndResubmitted runs the demo firm's campaign assessment through a
// return: every item compliant but one partial (with a plan), returned by
// the auditor, the partial fixed, resubmitted.
func returnedAndResubmitted(t *testing.T, env *testenv.Env) (id uint, firm, auditor *store.User, gap string) {
	t.Helper()
	ctx := context.Background()
	var err error
	if firm, err = env.Store.Authenticate(ctx, "firm@demo.local", store.DemoPassword); err != nil {
		t.Fatal(err)
	}
	if auditor, err = env.Store.Authenticate(ctx, "auditor@demo.local", store.DemoPassword); err != nil {
		t.Fatal(err)
	}
	camps, err := env.Store.Campaigns(ctx, firm)
	if err != nil || len(camps) == 0 {
		t.Fatalf("demo campaign: %v", err)
	}
	cat, _, err := env.Catalog.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cid := camps[0].ID
	if id, err = env.Store.CreateAssessment(ctx, firm, cat.Checklists, store.DemoProfile, &cid); err != nil {
		t.Fatal(err)
	}
	sh, err := env.Store.Sheet(ctx, firm, id)
	if err != nil {
		t.Fatal(err)
	}
	var in []store.AnswerInput
	for _, cl := range sh.Checklists {
		for _, it := range cl.Items() {
			v := scoring.Compliant
			if gap == "" {
				gap, v = it.ID, scoring.Partial
			}
			in = append(in, store.AnswerInput{ItemID: it.ID, Value: v, Note: "已核查 " + it.ID})
			if it.EvidenceRequired {
				if _, err := env.Store.AddEvidence(ctx, firm, id, store.NewEvidence{ItemID: it.ID, Name: "证明.pdf", Kind: "pdf", Data: []byte("%PDF-1.4 " + it.ID)}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if _, err := env.Store.SaveAnswers(ctx, firm, id, in); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.SavePlan(ctx, firm, id, gap, store.PlanInput{Measure: "补充弹窗关闭按钮", Owner: "产品部", Due: "2030-06-30", Status: assessment.PlanOpen}); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.Submit(ctx, firm, id); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.Review(ctx, auditor, id, store.Decision{Action: assessment.RequestChanges, Comment: "请说明整改计划的验收方式",
		Items: []store.ItemVerdict{{ItemID: gap, Verdict: store.NeedsChange, Comment: "缺少截图"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.SaveAnswers(ctx, firm, id, []store.AnswerInput{{ItemID: gap, Value: scoring.Compliant, Note: "已整改并附截图"}}); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.Submit(ctx, firm, id); err != nil {
		t.Fatal(err)
	}
	return id, firm, auditor, gap
}

// The PDF carries a code that the verification lookup resolves to the
// firm, state and the SHA-256 of exactly the bytes served; it holds the
// review history and the before/after comparison; a second PDF of the same
// content gets another code but does not supersede the first.
func TestPDFIsVerifiable(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	id, firm, auditor, _ := returnedAndResubmitted(t, env)
	svc := env.Reports
	rep, err := svc.PDF(ctx, auditor, id, "zh")
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	pdf, err := rep.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	v, err := env.Store.VerifyReport(ctx, rep.Code)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(pdf)
	if v.FirmName != "示例科技有限公司" || v.State != assessment.Resubmitted || v.PDFSHA256 != hex.EncodeToString(sum[:]) || v.SupersededBy != nil {
		t.Errorf("verified: %+v", v)
	}
	// A copy edited afterwards (one byte of the score changed) no longer
	// hashes to what the verification page names.
	edited := bytes.Clone(pdf)
	edited[len(edited)/2] ^= 1
	if es := sha256.Sum256(edited); hex.EncodeToString(es[:]) == v.PDFSHA256 {
		t.Error("an edited PDF matches the recorded hash")
	}
	if pdftotext, err := exec.LookPath("pdftotext"); err == nil {
		file := filepath.Join(t.TempDir(), "r.pdf")
		os.WriteFile(file, pdf, 0o600)
		out, err := exec.Command(pdftotext, file, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(string(out)), "")
		for _, want := range []string{verify.Format(rep.Code), testenv.PublicURL + "/verify/" + rep.Code, "请说明整改计划的验收方式", "整改前后对比", "改善的检查项"} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF lacks %q", want)
			}
		}
	} else if os.Getenv("SELFCHECK_E2E") != "" {
		t.Fatal("pdftotext not found")
	}
	time.Sleep(2 * time.Millisecond)
	again, err := svc.PDF(ctx, firm, id, "en")
	if err != nil {
		t.Fatal(err)
	}
	if again.Code == rep.Code {
		t.Error("two reports share a code")
	}
	if v, _ := env.Store.VerifyReport(ctx, rep.Code); v.SupersededBy != nil {
		t.Error("a report of unchanged content supersedes the first")
	}
	other, err := env.Store.CreateUser(ctx, store.NewUser{Email: "x@audit.cn", Name: "别的审核员", Password: "password1", Role: auth.Auditor})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PDF(ctx, other, id, "zh"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unassigned auditor got a report: %v", err)
	}
	var buf bytes.Buffer
	if _, err := svc.Export(ctx, other, id, "zh", "json", &buf); !errors.Is(err, store.ErrNotFound) || buf.Len() != 0 {
		t.Errorf("an unassigned auditor got an export: %v (%d bytes)", err, buf.Len())
	}
}

// Every export format comes out whole and readable.
func TestExports(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	id, firm, _, gap := returnedAndResubmitted(t, env)
	read := func(format string) []byte {
		t.Helper()
		var buf bytes.Buffer
		name, err := env.Reports.Export(ctx, firm, id, "zh", format, &buf)
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if !strings.HasSuffix(name, "."+reporting.Formats[format].Ext) {
			t.Errorf("%s file name %q", format, name)
		}
		return buf.Bytes()
	}
	x, err := excelize.OpenReader(bytes.NewReader(read("xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(x.GetSheetList(), " "); got != "概要 逐项结果 整改计划 国标对照" {
		t.Errorf("xlsx sheets: %s, want the summary, the items, the plans and the standards crosswalk", got)
	}
	if csv := read("csv"); !bytes.HasPrefix(csv, []byte("\xEF\xBB\xBF")) || !bytes.Contains(csv, []byte(gap)) {
		t.Error("csv: no BOM or the item is missing")
	}
	var doc map[string]any
	if err := json.Unmarshal(read("json"), &doc); err != nil {
		t.Errorf("json: %v", err)
	}
	var oscal struct {
		AR struct {
			Metadata struct {
				OSCALVersion string `json:"oscal-version"`
			} `json:"metadata"`
			Results []struct {
				Findings []json.RawMessage `json:"findings"`
			} `json:"results"`
		} `json:"assessment-results"`
	}
	if err := json.Unmarshal(read("oscal"), &oscal); err != nil || len(oscal.AR.Results) != 1 || len(oscal.AR.Results[0].Findings) == 0 || oscal.AR.Metadata.OSCALVersion == "" {
		t.Errorf("oscal: %+v %v", oscal, err)
	}
	var buf bytes.Buffer
	if _, err := env.Reports.Export(ctx, firm, id, "zh", "docx", &buf); err == nil {
		t.Error("an unknown format was accepted")
	}
}

// tool finds an external program; without it the test skips, unless
// SELFCHECK_E2E is set (as in CI), where it fails.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("SELFCHECK_E2E") != "" {
		t.Fatalf("%s not found", name)
	}
	t.Skipf("%s not found", name)
	return ""
}

// The QR code on the cover, rendered to an image and read by a barcode
// scanner, is the verification address.
func TestQRCodeScans(t *testing.T) {
	pdftoppm, zbarimg := tool(t, "pdftoppm"), tool(t, "zbarimg")
	env := testenv.New(t)
	id, _, auditor, _ := returnedAndResubmitted(t, env)
	rep, err := env.Reports.PDF(context.Background(), auditor, id, "en")
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	pdf, err := rep.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "r.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(pdftoppm, "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile", file, filepath.Join(dir, "cover")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	out, err := exec.Command(zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", filepath.Join(dir, "cover.png")).Output()
	if err != nil {
		t.Fatalf("zbarimg found no QR code on the cover: %v", err)
	}
	if got, want := strings.TrimSpace(string(out)), testenv.PublicURL+"/verify/"+rep.Code; got != want {
		t.Errorf("the QR code reads %q, want %q", got, want)
	}
}

// Two downloads of unchanged content in the same microsecond both succeed,
// with different codes.
func TestSameMomentGetsAnotherCode(t *testing.T) {
	env := testenv.New(t)
	id, firm, _, _ := returnedAndResubmitted(t, env)
	svc := *env.Reports
	at := time.Date(2021, 12, 1, 10, 0, 0, 0, time.UTC)
	svc.Now = func() time.Time { return at }
	a, err := svc.PDF(context.Background(), firm, id, "zh")
	if err != nil {
		t.Fatal(err)
	}
	b, err := svc.PDF(context.Background(), firm, id, "zh")
	if err != nil {
		t.Fatal(err)
	}
	if a.Code == b.Code {
		t.Error("two reports share a code")
	}
}

func TestFileNamePart(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"示例科技有限公司", "示例科技有限公司"},
		{"  Acme  Data\tLtd ", "Acme_Data_Ltd"},
		{`a/b\c:d*e?f"g<h>i|j`, "a_b_c_d_e_f_g_h_i_j"},
		{"bell\x07\u202eend", "bell__end"},
		{strings.Repeat("长", 50), strings.Repeat("长", reporting.MaxNamePart)},
		{"", ""},
	} {
		if got := reporting.FileNamePart(tt.in); got != tt.want {
			t.Errorf("FileNamePart(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
