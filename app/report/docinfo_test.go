package report

import (
	"bytes"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// writePDF renders d and writes it to a temp file, returning its bytes and
// path.
func writePDF(t *testing.T, d Data) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := testRenderer(t).PDF(&buf, d); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), file
}

// run runs a tool and returns its output, failing the test on an error.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestPDFDocumentInfo reads the document information back with tools that
// follow the standard (pdfinfo, qpdf, pdffonts): every Info field in either
// language, the XMP metadata repeating them, the catalog's language and
// viewer preferences, the document ID in the trailer, and the subset font's
// tagged name. The same data renders to the same bytes, so an issued
// report's recorded SHA-256 can be reproduced.
func TestPDFDocumentInfo(t *testing.T) {
	pdfinfo, qpdf, pdffonts := poppler(t, "pdfinfo"), poppler(t, "qpdf"), poppler(t, "pdffonts")
	for _, tc := range []struct {
		lang, pdfLang, title, subject, keyword string
	}{
		{"zh", "zh-CN", "合规自查报告 - 北京示例网络科技有限公司", "合规自查报告", "弹窗信息骚扰与欺骗误导用户专项自查"},
		{"en", "en", "Compliance self-examination report - 北京示例网络科技有限公司", "Compliance self-examination report", "Pop-ups that harass or mislead users"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			d := fullData(t, tc.lang)
			pdf, file := writePDF(t, d)
			run(t, qpdf, "--check", file)

			info := run(t, pdfinfo, "-isodates", file)
			for _, want := range []string{
				"Title:           " + tc.title + "\n",
				"Author:          北京示例网络科技有限公司\n",
				"Subject:         " + tc.subject + "\n",
				"Creator:         Selfcheck\n",
				"Producer:        Selfcheck\n",
				"CreationDate:    2021-12-01T10:15:00Z\n",
				"Metadata Stream: yes\n",
			} {
				if !strings.Contains(info, want) {
					t.Errorf("pdfinfo lacks %q:\n%s", want, info)
				}
			}
			if !regexp.MustCompile(`(?m)^Keywords: .*` + regexp.QuoteMeta(tc.keyword)).MatchString(info) {
				t.Errorf("pdfinfo keywords lack %q:\n%s", tc.keyword, info)
			}

			meta := run(t, pdfinfo, "-meta", file)
			for _, want := range []string{
				`<rdf:li xml:lang="x-default">` + tc.title + `</rdf:li>`,
				`<rdf:li>北京示例网络科技有限公司</rdf:li>`,
				`<rdf:li>` + tc.pdfLang + `</rdf:li>`,
				`<xmp:CreateDate>2021-12-01T10:15:00Z</xmp:CreateDate>`,
				`<xmp:CreatorTool>Selfcheck</xmp:CreatorTool>`,
				`<pdf:Producer>Selfcheck</pdf:Producer>`,
			} {
				if !strings.Contains(meta, want) {
					t.Errorf("XMP metadata lacks %q:\n%s", want, meta)
				}
			}

			catalog := run(t, qpdf, "--show-object=1", file)
			for _, want := range []string{"/Lang (" + tc.pdfLang + ")", "/ViewerPreferences << /DisplayDocTitle true >>", "/Metadata "} {
				if !strings.Contains(catalog, want) {
					t.Errorf("catalog lacks %q: %s", want, catalog)
				}
			}
			id := hex.EncodeToString(documentID(d))
			if trailer := run(t, qpdf, "--show-object=trailer", file); !strings.Contains(trailer, "/ID [ <"+id+"> <"+id+"> ]") ||
				!regexp.MustCompile(`/Info \d+ 0 R`).MatchString(trailer) {
				t.Errorf("trailer lacks /ID <%s> or an /Info reference: %s", id, trailer)
			}
			if fonts := run(t, pdffonts, file); !regexp.MustCompile(`(?m)^[A-Z]{6}\+wqy +CID TrueType +Identity-H +yes +yes +yes`).MatchString(fonts) {
				t.Errorf("the font is not named as an embedded subset:\n%s", fonts)
			}

			again, _ := writePDF(t, d)
			if !bytes.Equal(pdf, again) {
				t.Error("the same data rendered to different bytes")
			}
			other := d
			other.Verify.Code = "AAAA-BBBB-CCCC-DDDD-EEEE"
			if bytes.Equal(documentID(other), documentID(d)) {
				t.Error("reports with different verification codes share a document ID")
			}
		})
	}
}
