package evidence

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

// entry is one file to put in a test archive.
type entry struct {
	name  string
	data  []byte
	store bool        // stored instead of deflated
	mode  fs.FileMode // zero for a regular file
	flags uint16
}

func zipOf(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Flags: e.flags}
		if e.store {
			h.Method = zip.Store
		}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		fw, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func pngBytes(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func jpegBytes(t testing.TB) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const pdfText = `%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj
trailer << /Root 1 0 R >>
%%EOF
`

const contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`

const rels = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>`

func docxBytes(t testing.TB, extra ...entry) []byte {
	t.Helper()
	return zipOf(t, append([]entry{
		{name: "[Content_Types].xml", data: []byte(contentTypes)},
		{name: "_rels/.rels", data: []byte(rels)},
		{name: "word/document.xml", data: []byte(`<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Policy</w:t></w:r></w:p></w:body></w:document>`)},
	}, extra...)...)
}

func xlsxBytes(t testing.TB) []byte {
	t.Helper()
	return zipOf(t,
		entry{name: "[Content_Types].xml", data: []byte(contentTypes)},
		entry{name: "_rels/.rels", data: []byte(rels)},
		entry{name: "xl/workbook.xml", data: []byte(`<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>`)},
		entry{name: "xl/worksheets/sheet1.xml", data: []byte(`<?xml version="1.0"?><worksheet/>`)},
	)
}

func exeBytes() []byte {
	b := make([]byte, 256)
	copy(b, "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")
	copy(b[0x80:], "PE\x00\x00")
	return b
}

// zerosBomb is a ZIP with one entry of n zero bytes, deflated; only the
// compressed bytes are ever in memory.
func zerosBomb(t testing.TB, name string, n int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	fw, err := w.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(fw, io.LimitReader(zeros{}, n)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestCheckAccepts(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		content []byte
		want    Kind
	}{
		{"pdf", "report.pdf", []byte(pdfText), PDF},
		{"png", "scan.png", pngBytes(t), PNG},
		{"jpeg", "photo.jpg", jpegBytes(t), JPEG},
		{"docx", "policy.docx", docxBytes(t), DOCX},
		{"xlsx", "register.xlsx", xlsxBytes(t), XLSX},
		{"text", "notes.txt", []byte("Meeting notes\nAll staff trained on 2024-05-01.\n"), TXT},
		{"text with BOM and CJK", "记录.txt", []byte("\xef\xbb\xbf合规自查记录\r\n"), TXT},
		{"text mentioning HTML", "notes.txt", []byte("The HTML report and the <b>bold</b> claim are in the appendix."), TXT},
		{"text starting with MZ", "mz.txt", []byte("MZ Holdings annual statement"), TXT},
		{"plain XML", "export.xml", []byte(`<?xml version="1.0"?><controls><control id="1"/></controls>`), TXT},
		{"name is a relative path", "folder/report.pdf", []byte(pdfText), PDF},
		{"name unknown to Check", "", []byte(pdfText), PDF},
		{"wrong extension is fine", "scan.pdf", pngBytes(t), PNG},
		{"zip of accepted kinds", "bundle.zip", zipOf(t,
			entry{name: "docs/", mode: fs.ModeDir | 0o755},
			entry{name: "docs/report.pdf", data: []byte(pdfText)},
			entry{name: "docs/scan.png", data: pngBytes(t), store: true},
			entry{name: "photo.jpg", data: jpegBytes(t)},
			entry{name: "policy.docx", data: docxBytes(t)},
			entry{name: "register.xlsx", data: xlsxBytes(t), store: true},
			entry{name: "readme.txt", data: []byte("see docs")},
		), ZIP},
		{"zip made on macOS", "mac.zip", zipOf(t,
			entry{name: "report.pdf", data: []byte(pdfText)},
			entry{name: "__MACOSX/._report.pdf", data: []byte("\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")},
		), ZIP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Check(tt.file, tt.content, DefaultLimits())
			if err != nil {
				t.Fatalf("Check(%q) = %v, want %s", tt.file, err, tt.want)
			}
			if got != tt.want {
				t.Errorf("Check(%q) = %s, want %s", tt.file, got, tt.want)
			}
		})
	}
}

func TestCheckRefuses(t *testing.T) {
	svg := `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="5"/></svg>`
	prologueSVG := `<?xml version="1.0" encoding="UTF-8"?>
<!-- ` + strings.Repeat("generated by a drawing tool ", 30) + ` -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg width="10" height="10"><script>alert(1)</script></svg>`
	if strings.Index(prologueSVG, "<svg") < 512 {
		t.Fatal("test SVG should put <svg past the first 512 bytes")
	}
	small := DefaultLimits()
	small.MaxBytes = 100

	tests := []struct {
		name    string
		file    string
		content []byte
		lim     Limits
		reason  string
		detail  string // a part of the detail
	}{
		{"empty", "empty.pdf", nil, Limits{}, "empty", "empty"},
		{"oversize", "big.txt", bytes.Repeat([]byte("a"), 101), small, "too_large", "limit of 100 bytes"},
		{"oversize in MiB", "big.txt", make([]byte, 2<<20+1), Limits{MaxBytes: 2 << 20}, "too_large", "limit of 2 MiB"},
		{"HTML named .txt", "notes.txt", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), Limits{}, "html", "the content is HTML, which is not accepted as evidence"},
		{"HTML after BOM and space", "notes.txt", []byte("\xef\xbb\xbf \n\t<HtMl><p>hi</p></HtMl>"), Limits{}, "html", "HTML"},
		{"HTML fragment", "notes.txt", []byte("<div onclick=x>hello</div>"), Limits{}, "html", "HTML"},
		{"script later in the text", "notes.txt", []byte("Dear team,\nplease open <script src=//evil.example/x.js></script>"), Limits{}, "html", "HTML"},
		{"SVG named .png", "chart.png", []byte(svg), Limits{}, "svg", "the content is SVG"},
		{"SVG with XML prologue", "chart.txt", []byte(prologueSVG), Limits{}, "svg", "SVG"},
		{"EXE named .pdf", "invoice.pdf", exeBytes(), Limits{}, "executable", "Windows executable"},
		{"ELF", "tool.txt", []byte("\x7fELF\x02\x01\x01\x00"), Limits{}, "executable", "ELF"},
		{"Mach-O", "tool", []byte("\xcf\xfa\xed\xfe\x07\x00\x00\x01"), Limits{}, "executable", "Mach-O"},
		{"shebang", "run.txt", []byte("#!/bin/sh\nrm -rf /\n"), Limits{}, "executable", "script"},
		{"GIF", "logo.png", []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00"), Limits{}, "unknown_type", "GIF"},
		{"RAR", "a.zip", []byte("Rar!\x1a\x07\x01\x00rest"), Limits{}, "unknown_type", "RAR"},
		{"7z", "a.zip", []byte("7z\xbc\xaf\x27\x1c\x00\x04"), Limits{}, "unknown_type", "7z"},
		{"old Word", "a.docx", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00"), Limits{}, "unknown_type", "DOC, XLS"},
		{"RTF", "a.txt", []byte(`{\rtf1\ansi hello}`), Limits{}, "unknown_type", "RTF"},
		{"invalid UTF-8", "notes.txt", []byte("caf\xe9 au lait"), Limits{}, "unknown_type", "UTF-8"},
		{"NUL bytes", "notes.txt", []byte("abc\x00def"), Limits{}, "unknown_type", "UTF-8"},
		{"UTF-16", "notes.txt", []byte("\xff\xfeh\x00i\x00"), Limits{}, "unknown_type", "UTF-16"},
		{"name with control character", "a\x00b.pdf", []byte(pdfText), Limits{}, "name", "control"},
		{"name with RTL override", "evil\u202e.pdf", []byte(pdfText), Limits{}, "name", "control"},
		{"name with backslash", `C:\evil\a.pdf`, []byte(pdfText), Limits{}, "name", "path separator"},
		{"name is ..", "..", []byte(pdfText), Limits{}, "name", "not a file name"},
		{"corrupt zip", "a.zip", []byte("PK\x03\x04 this is not really a zip"), Limits{}, "corrupt", "damaged"},
		{"macro DOCX", "policy.docx", docxBytes(t, entry{name: "word/vbaProject.bin", data: []byte("\xd0\xcf\x11\xe0")}), Limits{}, "executable", "macros"},
		{"macro-enabled content type", "policy.docx", zipOf(t,
			entry{name: "[Content_Types].xml", data: []byte(`<Types><Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>`)},
			entry{name: "word/document.xml", data: []byte("<w:document/>")},
		), Limits{}, "executable", "macro-enabled"},
		{"PPTX", "deck.pptx", zipOf(t,
			entry{name: "[Content_Types].xml", data: []byte(contentTypes)},
			entry{name: "ppt/presentation.xml", data: []byte("<p:presentation/>")},
		), Limits{}, "unknown_type", "PowerPoint"},
		{"JAR", "lib.zip", zipOf(t,
			entry{name: "META-INF/MANIFEST.MF", data: []byte("Manifest-Version: 1.0\n")},
		), Limits{}, "executable", "Java"},
		{"zip with an exe inside", "bundle.zip", zipOf(t,
			entry{name: "a/readme.txt", data: []byte("hello")},
			entry{name: "a/b.exe", data: exeBytes()},
		), Limits{}, "executable", `zip entry "a/b.exe": the content is a Windows executable`},
		{"zip with HTML inside", "bundle.zip", zipOf(t, entry{name: "x.txt", data: []byte("<html><script>1</script></html>")}), Limits{}, "html", `zip entry "x.txt"`},
		{"zip with a macro DOCX inside", "bundle.zip", zipOf(t, entry{name: "p.docx", data: docxBytes(t, entry{name: "xl/vbaProject.bin", data: []byte("x")})}), Limits{}, "executable", `zip entry "p.docx"`},
		{"nested zip", "bundle.zip", zipOf(t, entry{name: "inner.zip", data: zipOf(t, entry{name: "a.txt", data: []byte("hi")})}), Limits{}, "zip_entry", "inside a ZIP"},
		{"zip slip", "bundle.zip", zipOf(t, entry{name: "../evil.txt", data: []byte("hi")}), Limits{}, "zip_entry", `".."`},
		{"zip slip with backslashes", "bundle.zip", zipOf(t, entry{name: `docs\..\..\evil.txt`, data: []byte("hi")}), Limits{}, "zip_entry", `".."`},
		{"absolute entry", "bundle.zip", zipOf(t, entry{name: "/etc/cron.d/evil", data: []byte("hi")}), Limits{}, "zip_entry", "absolute"},
		{"drive letter entry", "bundle.zip", zipOf(t, entry{name: "C:/evil.txt", data: []byte("hi")}), Limits{}, "zip_entry", "absolute"},
		{"symlink entry", "bundle.zip", zipOf(t, entry{name: "link", data: []byte("/etc/passwd"), mode: fs.ModeSymlink | 0o777}), Limits{}, "zip_entry", "symbolic link"},
		{"duplicate entry", "bundle.zip", zipOf(t, entry{name: "a.txt", data: []byte("one")}, entry{name: "a.txt", data: []byte("two")}), Limits{}, "zip_entry", "more than once"},
		{"encrypted entry", "bundle.zip", zipOf(t, entry{name: "a.txt", data: []byte("garbage"), flags: 0x1}), Limits{}, "zip_entry", "encrypted"},
		{"zip of directories only", "bundle.zip", zipOf(t, entry{name: "a/", mode: fs.ModeDir | 0o755}), Limits{}, "empty", "no files"},
		{"empty zip entry", "bundle.zip", zipOf(t, entry{name: "a.txt"}), Limits{}, "empty", `zip entry "a.txt"`},
		{"zip entry over MaxBytes", "bundle.zip", zipOf(t, entry{name: "big.txt", data: bytes.Repeat([]byte("abcdefghij"), 20)}), Limits{MaxBytes: 150}, "too_large", `zip entry "big.txt"`},
		{"zip over MaxZipTotal", "bundle.zip", zipOf(t,
			entry{name: "a.txt", data: bytes.Repeat([]byte("a"), 600<<10)},
			entry{name: "b.txt", data: bytes.Repeat([]byte("b"), 600<<10)},
		), Limits{MaxZipTotal: 1 << 20}, "zip_bomb", "more than 1 MiB"},
		{"zip of many small bombs", "bundle.zip", zipOf(t,
			entry{name: "1.txt", data: bytes.Repeat([]byte(" "), 900<<10)},
			entry{name: "2.txt", data: bytes.Repeat([]byte(" "), 900<<10)},
		), Limits{}, "zip_bomb", "times its size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, err := Check(tt.file, tt.content, tt.lim)
			var re *RefusedError
			if !errors.As(err, &re) {
				t.Fatalf("Check(%q) = %q, %v; want a RefusedError %q", tt.file, kind, err, tt.reason)
			}
			if kind != "" {
				t.Errorf("Check(%q) returned kind %q with an error", tt.file, kind)
			}
			if re.Reason != tt.reason || !strings.Contains(re.Detail, tt.detail) {
				t.Errorf("Check(%q) = {%s: %s}, want {%s: …%s…}", tt.file, re.Reason, re.Detail, tt.reason, tt.detail)
			}
		})
	}
}

func TestCheckZipBombStaysSmall(t *testing.T) {
	bomb := zerosBomb(t, "zeros.txt", 50<<20)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := Check("bomb.zip", bomb, DefaultLimits())
	runtime.ReadMemStats(&after)

	var re *RefusedError
	if !errors.As(err, &re) || re.Reason != "zip_bomb" {
		t.Fatalf("Check(bomb) = %v, want zip_bomb", err)
	}
	// Check stops reading once the bomb passes its limits; the race
	// detector's bookkeeping adds to what it allocates, hence the margin.
	// Either way far from the 50 MiB a full decompression would take.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 40<<20 {
		t.Errorf("Check(bomb) allocated %d MiB, want well under the 50 MiB it expands to", alloc>>20)
	}
}

// A header that understates the size must not let the data through.
func TestCheckLyingHeader(t *testing.T) {
	bomb := zerosBomb(t, "zeros.txt", 50<<20)
	zr, err := zip.NewReader(bytes.NewReader(bomb), int64(len(bomb)))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := zr.File[0].OpenRaw()
	if err != nil {
		t.Fatal(err)
	}
	h := zr.File[0].FileHeader
	h.UncompressedSize64 = 1000
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	rw, err := w.CreateRaw(&h)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(rw, raw); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = Check("liar.zip", buf.Bytes(), DefaultLimits())
	var re *RefusedError
	if !errors.As(err, &re) || re.Reason != "corrupt" {
		t.Fatalf("Check(liar) = %v, want corrupt", err)
	}
}

func TestCheckTooManyEntries(t *testing.T) {
	many := make([]entry, 2000)
	for i := range many {
		many[i] = entry{name: fmt.Sprintf("f%04d.txt", i), data: []byte("x")}
	}
	tests := []struct {
		name    string
		content []byte
	}{
		{"2000 entries", zipOf(t, many...)},
		{"2000 entries in a DOCX", docxBytes(t, many...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Check("many.zip", tt.content, DefaultLimits())
			var re *RefusedError
			if !errors.As(err, &re) || re.Reason != "zip_bomb" || !strings.Contains(re.Detail, "1000") {
				t.Fatalf("Check = %v, want zip_bomb naming the limit", err)
			}
		})
	}
}

// Stored files whose bytes hold central directory signatures must not be
// mistaken for extra entries.
func TestCheckStoredDocxesAreNotExtraEntries(t *testing.T) {
	doc := docxBytes(t)
	var docs []entry
	for i := range 400 {
		docs = append(docs, entry{name: fmt.Sprintf("d%03d.docx", i), data: doc, store: true})
	}
	content := zipOf(t, docs...)
	if n := bytes.Count(content, []byte("PK\x01\x02")); n <= 1000 {
		t.Fatalf("test archive has only %d header signatures", n)
	}
	if kind, err := Check("docs.zip", content, DefaultLimits()); err != nil || kind != ZIP {
		t.Fatalf("Check = %q, %v; want zip", kind, err)
	}
}

func TestRefusedErrorMessage(t *testing.T) {
	_, err := Check("x.txt", []byte("<svg/>"), DefaultLimits())
	if err == nil || err.Error() != "evidence: refused: the content is SVG, which is not accepted as evidence" {
		t.Errorf("Error() = %v", err)
	}
}

func TestKind(t *testing.T) {
	tests := []struct {
		kind        Kind
		contentType string
		inline      bool
	}{
		{PDF, "application/pdf", true},
		{PNG, "image/png", true},
		{JPEG, "image/jpeg", true},
		{DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", false},
		{XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", false},
		{TXT, "text/plain; charset=utf-8", false},
		{ZIP, "application/zip", false},
		{Kind("gif"), "application/octet-stream", false},
	}
	for _, tt := range tests {
		if got := tt.kind.ContentType(); got != tt.contentType {
			t.Errorf("%s.ContentType() = %q, want %q", tt.kind, got, tt.contentType)
		}
		if got := tt.kind.Inline(); got != tt.inline {
			t.Errorf("%s.Inline() = %v, want %v", tt.kind, got, tt.inline)
		}
	}
}

func TestDefaultLimits(t *testing.T) {
	want := Limits{MaxBytes: 20 << 20, MaxZipEntries: 1000, MaxZipTotal: 200 << 20, MaxZipRatio: 100}
	if got := DefaultLimits(); got != want {
		t.Errorf("DefaultLimits() = %+v, want %+v", got, want)
	}
}

func TestCleanName(t *testing.T) {
	long := strings.Repeat("报", 100) + ".pdf" // 304 bytes
	tests := []struct {
		name, in, want string
	}{
		{"plain", "report.pdf", "report.pdf"},
		{"CJK kept", "合规自查报告（2024）.pdf", "合规自查报告（2024）.pdf"},
		{"RTL override", "invoice\u202Efdp.exe", "invoicefdp.exe"},
		{"isolates", "a\u2066b\u2069c.txt", "abc.txt"},
		{"path traversal", "../../etc/passwd", "passwd"},
		{"windows path", `C:\Users\me\..\secret.docx`, "secret.docx"},
		{"trailing slash", "folder/", "folder"},
		{"quotes", `my "best" 'file'.txt`, "my best file.txt"},
		{"control characters", "a\x00b\r\nc\x7f\u0085d.txt", "abcd.txt"},
		{"invalid UTF-8", "caf\xe9.txt", "caf.txt"},
		{"empty", "", "file"},
		{"only junk", "\u202e\"/", "file"},
		{"dot dot", "..", "file"},
		{"long CJK name", long, strings.Repeat("报", 65) + ".pdf"},
		{"long name without extension", strings.Repeat("a", 300), strings.Repeat("a", 200)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CleanName(tt.in)
			if got != tt.want {
				t.Errorf("CleanName(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if len(got) > 200 || !utf8.ValidString(got) {
				t.Errorf("CleanName(%q) = %q: longer than 200 bytes or invalid UTF-8", tt.in, got)
			}
		})
	}
}

var reasons = map[string]bool{
	"too_large": true, "empty": true, "unknown_type": true, "html": true, "svg": true,
	"executable": true, "zip_bomb": true, "zip_entry": true, "corrupt": true, "name": true,
}

func FuzzCheck(f *testing.F) {
	f.Add("report.pdf", []byte(pdfText))
	f.Add("scan.png", pngBytes(f))
	f.Add("photo.jpg", jpegBytes(f))
	f.Add("policy.docx", docxBytes(f))
	f.Add("register.xlsx", xlsxBytes(f))
	f.Add("notes.txt", []byte("\xef\xbb\xbf<?xml version=\"1.0\"?><svg/>"))
	f.Add("bundle.zip", zipOf(f,
		entry{name: "a/", mode: fs.ModeDir | 0o755},
		entry{name: "a/b.txt", data: []byte("hello")},
		entry{name: "c.docx", data: docxBytes(f), store: true},
	))
	f.Add("bomb.zip", zerosBomb(f, "z.txt", 2<<20))
	f.Add("a.exe", exeBytes())
	lim := Limits{MaxBytes: 1 << 20, MaxZipEntries: 50, MaxZipTotal: 4 << 20}
	f.Fuzz(func(t *testing.T, name string, content []byte) {
		kind, err := Check(name, content, lim)
		if err == nil {
			if kind.ContentType() == "application/octet-stream" {
				t.Fatalf("accepted with unknown kind %q", kind)
			}
			return
		}
		var re *RefusedError
		if !errors.As(err, &re) || !reasons[re.Reason] || re.Detail == "" || kind != "" {
			t.Fatalf("Check = %q, %#v", kind, err)
		}
		_ = CleanName(name)
	})
}

func TestSafeName(t *testing.T) {
	for _, tt := range []struct {
		name string
		kind Kind
		want string
	}{
		{"整改报告.pdf", PDF, "整改报告.pdf"},
		{"run.bat", TXT, "run.bat.txt"},
		{"photo.JPEG", JPEG, "photo.JPEG"},
		{"photo.png", JPEG, "photo.png.jpg"},
		{"../../etc/notes.txt", TXT, "notes.txt"},
		{"evil\u202etxt.exe", TXT, "eviltxt.exe.txt"},
	} {
		if got := SafeName(tt.name, tt.kind); got != tt.want {
			t.Errorf("SafeName(%q, %s) = %q, want %q", tt.name, tt.kind, got, tt.want)
		}
	}
}

func TestContentDispositionAs(t *testing.T) {
	got := ContentDispositionAs("自查报告-甲公司-2026.pdf", "selfcheck-7-20261206.pdf")
	want := `attachment; filename="selfcheck-7-20261206.pdf"; filename*=UTF-8''%E8%87%AA%E6%9F%A5%E6%8A%A5%E5%91%8A-%E7%94%B2%E5%85%AC%E5%8F%B8-2026.pdf`
	if got != want {
		t.Errorf("ContentDispositionAs =\n%s\nwant\n%s", got, want)
	}
	if got, want := ContentDispositionAs("a.pdf", ""), ContentDisposition("a.pdf"); got != want {
		t.Errorf("without an ASCII name: %s, want %s", got, want)
	}
}

func TestContentDisposition(t *testing.T) {
	got := ContentDisposition(`整改 "报告";a=b@c.pdf`)
	want := `attachment; filename="__ _____a=b@c.pdf"; filename*=UTF-8''%E6%95%B4%E6%94%B9%20%22%E6%8A%A5%E5%91%8A%22%3Ba%3Db%40c.pdf`
	if got != want {
		t.Errorf("ContentDisposition =\n%s\nwant\n%s", got, want)
	}
}
