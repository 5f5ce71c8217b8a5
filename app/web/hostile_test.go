package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"selfcheck/app/store"
	"selfcheck/app/tabular"
)

// Hostile values, as an attacker would type them into any text field.
const (
	xssScript = `<script>alert(1)</script>`
	xssImg    = `<img src=x onerror=alert(1)>`
	sqlFrag   = `'; DROP TABLE answers; --`
	rtlName   = "\u202Etxt.exe"
)

// formulas are cell values a spreadsheet would run: each must come out of
// an export neutralised (as text, with a leading ').
var formulas = []string{`=HYPERLINK("http://evil.example/x","click")`, `+cmd|' /C calc'!A0`, `-2+3`, `@SUM(1)`}

// hundredKB is 100 KB of text, longer than any text field takes.
var hundredKB = strings.Repeat("长文本ab", 100<<10/8+1)

// hostileFixture is a firm whose name, member, campaign, notes, plans,
// evidence file name and review hold hostile values; the assessment is
// submitted and the auditor has asked for changes.
type hostileFixture struct {
	a                       *testApp
	member, auditor, admin  *client
	id, campaign            string
	items                   []string
	firmName, campaignName  string
	notes, measures         map[string]string // by item
	reviewComment, itemNote string
	evidenceName            string
}

func newHostileFixture(t *testing.T) *hostileFixture {
	t.Helper()
	ctx := context.Background()
	a := newTestApp(t)
	f := &hostileFixture{a: a, member: a.client(), auditor: a.client(), admin: a.client(),
		notes: map[string]string{}, measures: map[string]string{}}
	f.admin.login("admin@demo.local")
	f.auditor.login("auditor@demo.local")

	// A firm, named by the admin's form.
	f.firmName = formulas[0] + xssImg + sqlFrag + rtlName
	code := validCode(t, "91330100MA2H00000")
	if r := f.admin.post("/admin/firms", url.Values{"name": {hundredKB}, "credit_code": {code}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("a 100 KB firm name: %d, want 422", r.Status)
	}
	if r := f.admin.post("/admin/firms", url.Values{"name": {f.firmName}, "credit_code": {code}}); r.Status != http.StatusSeeOther {
		t.Fatalf("create the firm: %d\n%s", r.Status, r.Body)
	}
	firm, err := a.store.FirmByCreditCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if firm.Name != f.firmName {
		t.Errorf("firm name stored as %q", firm.Name)
	}
	if r := f.admin.post("/admin/users", url.Values{"email": {"evil@firm.test"}, "name": {xssScript}, "role": {"firm_member"},
		"firm": {strconv.Itoa(int(firm.ID))}, "password": {"hostile-pass-1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("create the member: %d\n%s", r.Status, r.Body)
	}
	f.campaignName = xssImg + "专项"
	if r := f.admin.post("/admin/campaigns", url.Values{"name_zh": {f.campaignName}, "name_en": {xssScript}, "theme": {"popups"},
		"firm": {strconv.Itoa(int(firm.ID))}, "auditor": {userID(t, a, "auditor@demo.local")},
		"starts_on": {time.Now().UTC().Format("2006-01-02")}, "deadline": {"2099-12-31"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("create the campaign: %d\n%s", r.Status, r.Body)
	}

	r := f.member.post("/login", url.Values{"email": {"evil@firm.test"}, "password": {"hostile-pass-1"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("login: %d", r.Status)
	}
	f.id = startCampaign(t, f.member)
	for _, m := range itemField.FindAllStringSubmatch(f.member.get("/assessments/"+f.id+"?filter=all").Body, -1) {
		f.items = append(f.items, m[1])
	}
	notes := append([]string{xssScript, xssImg, sqlFrag, "说明" + rtlName}, formulas...)
	if len(f.items) < len(notes) {
		t.Fatalf("only %d items", len(f.items))
	}
	save := func(item string, form url.Values) resp {
		return f.member.fetch("/assessments/"+f.id+"/answers/"+item, form)
	}
	for i, item := range f.items {
		form := url.Values{"answer": {"compliant"}}
		if i < len(notes) {
			f.notes[item] = notes[i]
			form.Set("note", notes[i])
		}
		if i < 2 {
			form.Set("answer", "partial")
		}
		if r := save(item, form); r.Status != http.StatusOK {
			t.Fatalf("save %s: %d %s", item, r.Status, r.Body)
		}
	}
	// 100 KB is over the note's limit: a clear refusal, nothing stored.
	if r := save(f.items[0], url.Values{"answer": {"partial"}, "note": {hundredKB}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "说明过长") {
		t.Errorf("a 100 KB note: %d %s, want 422", r.Status, r.Body)
	}
	// As long a note as the field takes (assessment.MaxNoteLen characters) is kept whole.
	long := strings.Repeat("长", store.MaxNoteLen)
	if r := save(f.items[len(notes)], url.Values{"answer": {"compliant"}, "note": {long}}); r.Status != http.StatusOK {
		t.Errorf("a note of %d characters: %d", store.MaxNoteLen, r.Status)
	}
	f.notes[f.items[len(notes)]] = long

	plan := func(item string, measure string) resp {
		return f.member.fetch("/assessments/"+f.id+"/answers/"+item+"/plan", url.Values{"measure": {measure}, "owner": {xssImg}, "due": {"2030-01-01"}, "status": {"open"}})
	}
	f.measures[f.items[0]] = formulas[0] + xssScript
	f.measures[f.items[1]] = formulas[3] + sqlFrag
	for item, m := range f.measures {
		if r := plan(item, m); r.Status != http.StatusOK {
			t.Fatalf("plan %s: %d %s", item, r.Status, r.Body)
		}
	}
	if r := plan(f.items[0], hundredKB); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("a 100 KB plan measure: %d, want 422", r.Status)
	}

	f.evidenceName = xssImg + sqlFrag + ".pdf"
	if r := f.member.uploadJSON("/assessments/"+f.id+"/answers/"+f.items[0]+"/evidence", f.evidenceName, []byte(pdfBody)); r.Status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	if r := f.member.post("/assessments/"+f.id, url.Values{"action": {"submit"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}

	f.reviewComment = formulas[2] + xssScript + sqlFrag
	f.itemNote = formulas[1] + xssImg
	review := func(comment string) resp {
		return f.auditor.post("/assessments/"+f.id+"/review", url.Values{"decision": {"request_changes"}, "comment": {comment},
			"verdict." + f.items[0]: {"needs_change"}, "comment." + f.items[0]: {f.itemNote}})
	}
	if r := review(hundredKB); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("a 100 KB review comment: %d, want 422", r.Status)
	}
	if r := review(f.reviewComment); r.Status != http.StatusSeeOther {
		t.Fatalf("review: %d %s", r.Status, r.Body)
	}
	camps, err := a.store.Campaigns(ctx, mustUser(t, a, "evil@firm.test"))
	if err != nil || len(camps) != 1 {
		t.Fatalf("campaign: %v %v", camps, err)
	}
	f.campaign = strconv.Itoa(int(camps[0].ID))
	return f
}

const pdfBody = "%PDF-1.4\n% hostile\n%%EOF\n"

func mustUser(t *testing.T, a *testApp, email string) *store.User {
	t.Helper()
	u, err := a.store.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestHostileInputEscapedInPages: every page that shows the hostile values
// shows them as text, never as markup.
func TestHostileInputEscapedInPages(t *testing.T) {
	t.Parallel()
	f := newHostileFixture(t)
	pages := []struct {
		c     *client
		paths []string
	}{
		{f.member, []string{"/", "/assessments/" + f.id, "/assessments/" + f.id + "/score", "/assessments/" + f.id + "/timeline", "/plans"}},
		{f.auditor, []string{"/", "/review", "/assessments/" + f.id, "/assessments/" + f.id + "/review", "/assessments/" + f.id + "/score",
			"/campaigns/" + f.campaign + "/dashboard"}},
		{f.admin, []string{"/admin/firms", "/admin/users", "/admin/campaigns", "/admin/audit", "/assessments/" + f.id + "/timeline"}},
	}
	seen := ""
	for _, p := range pages {
		for _, path := range p.paths {
			r := p.c.get(path)
			if r.Status != http.StatusOK {
				t.Errorf("GET %s: %d", path, r.Status)
				continue
			}
			for _, raw := range []string{"<script>alert", "<img src=x"} {
				if strings.Contains(r.Body, raw) {
					t.Errorf("GET %s: the page holds %q as markup", path, raw)
				}
			}
			seen += r.Body
			// The dashboard's charts are SVG escaped by hand (app/chart),
			// not by html/template: the firm's name must be there, escaped.
			if strings.Contains(path, "/dashboard") && !strings.Contains(r.Body, "&lt;img src=x onerror=alert(1)&gt;") {
				t.Errorf("GET %s: the heat map lacks the escaped firm name", path)
			}
		}
	}
	// And each value is there, escaped: shown, not dropped.
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;", "DROP TABLE answers", "txt.exe", "HYPERLINK"} {
		if !strings.Contains(seen, want) {
			t.Errorf("no page shows %q", want)
		}
	}
	// The SQL fragment was stored as text: the answers are all still there.
	member := mustUser(t, f.a, "evil@firm.test")
	id, _ := strconv.Atoi(f.id)
	sh, err := f.a.store.Sheet(context.Background(), member, uint(id))
	if err != nil {
		t.Fatal(err)
	}
	for item, note := range f.notes {
		if got := sh.Answers[item].Note; got != note {
			t.Errorf("note of %s stored as %.80q, want %.80q", item, got, note)
		}
	}
	for item, m := range f.measures {
		if got := sh.Plans[item].Measure; got != m {
			t.Errorf("plan of %s stored as %q, want %q", item, got, m)
		}
	}
}

// TestHostileInputInExports: the JSON export keeps every value byte for
// byte; the PDF renders and reads back as the literal text; no cell of the
// XLSX and CSV exports, the assessment's and the campaign's, starts with
// a character that makes a formula.
func TestHostileInputInExports(t *testing.T) {
	t.Parallel()
	f := newHostileFixture(t)
	base := "/assessments/" + f.id

	t.Run("JSON", func(t *testing.T) {
		r := f.member.get(base + "/report.json")
		if r.Status != http.StatusOK {
			t.Fatalf("report.json: %d", r.Status)
		}
		var doc any
		if err := json.Unmarshal([]byte(r.Body), &doc); err != nil {
			t.Fatal(err)
		}
		strs := map[string]bool{}
		collectStrings(doc, strs)
		want := []string{f.firmName, f.reviewComment, f.itemNote}
		for _, n := range f.notes {
			want = append(want, n)
		}
		for _, m := range f.measures {
			want = append(want, m)
		}
		for _, w := range want {
			if !strs[w] {
				t.Errorf("report.json lacks %.80q byte for byte", w)
			}
		}
	})

	t.Run("PDF", func(t *testing.T) {
		pdftotext, _ := exec.LookPath("pdftotext")
		needTool(t, pdftotext, "pdftotext (poppler-utils)")
		r := f.member.get(base + "/report.pdf")
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Body, "%PDF-") {
			t.Fatalf("report.pdf: %d %.20q", r.Status, r.Body)
		}
		file := filepath.Join(t.TempDir(), "report.pdf")
		if err := os.WriteFile(file, []byte(r.Body), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(pdftotext, "-raw", file, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		text := noSpace(string(out))
		for _, w := range []string{xssScript, xssImg, sqlFrag, formulas[0], formulas[1], formulas[3], f.firmName[:len(f.firmName)-len(rtlName)],
			f.measures[f.items[0]], f.reviewComment} {
			if !strings.Contains(text, noSpace(w)) {
				t.Errorf("the PDF's text lacks %q", w)
			}
		}
	})

	exports := []struct {
		c    *client
		path string
	}{
		{f.member, base + "/report.xlsx"}, {f.member, base + "/report.csv"},
		{f.auditor, "/campaigns/" + f.campaign + "/results.xlsx"}, {f.auditor, "/campaigns/" + f.campaign + "/results.csv"},
	}
	for _, e := range exports {
		t.Run(e.path, func(t *testing.T) {
			r := e.c.get(e.path)
			if r.Status != http.StatusOK {
				t.Fatalf("%d", r.Status)
			}
			// The CSV guards a cell that starts like a formula with an
			// apostrophe; the XLSX holds the text as typed, in text cells,
			// which never run as formulas (xlsxCells checks none is one).
			var cells []string
			guard := "'"
			if strings.HasSuffix(e.path, ".xlsx") {
				cells, guard = xlsxCells(t, []byte(r.Body)), ""
			} else {
				cells = csvCells(t, r.Body)
			}
			for _, c := range cells {
				if strings.ContainsFunc(c, tabular.IsBidiControl) {
					t.Errorf("a cell holds a bidirectional control: %.80q", c)
				}
				if guard != "" && c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
					t.Errorf("a cell starts a formula: %.80q", c)
				}
			}
			joined := "\x00" + strings.Join(cells, "\x00") + "\x00"
			var want []string
			// Bidirectional controls are left out of every cell (issue 19).
			if !strings.HasSuffix(e.path, "/report.csv") { // the items' CSV has no firm column
				want = append(want, guard+tabular.StripBidi(f.firmName))
			}
			if strings.Contains(e.path, "/report.") {
				want = append(want, guard+formulas[0], guard+formulas[1], guard+formulas[2], guard+formulas[3], guard+f.measures[f.items[0]])
			}
			for _, w := range want {
				if !strings.Contains(joined, "\x00"+w+"\x00") {
					t.Errorf("no cell holds %q", w)
				}
			}
		})
	}
}

func collectStrings(v any, out map[string]bool) {
	switch v := v.(type) {
	case string:
		out[v] = true
	case []any:
		for _, x := range v {
			collectStrings(x, out)
		}
	case map[string]any:
		for _, x := range v {
			collectStrings(x, out)
		}
	}
}

func noSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// xlsxCells returns every cell of every sheet, failing on any formula.
func xlsxCells(t *testing.T, b []byte) []string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var cells []string
	for _, sheet := range x.GetSheetList() {
		rows, err := x.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for i, row := range rows {
			for j, c := range row {
				cells = append(cells, c)
				ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if fm, _ := x.GetCellFormula(sheet, ref); fm != "" {
					t.Errorf("%s!%s is a formula: %q", sheet, ref, fm)
				}
			}
		}
	}
	return cells
}

func csvCells(t *testing.T, body string) []string {
	t.Helper()
	rd := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF")))
	rd.FieldsPerRecord = -1
	recs, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var cells []string
	for _, r := range recs {
		cells = append(cells, r...)
	}
	return cells
}

// TestHostileUploads: a forged extension, HTML, SVG, a zip bomb and a name
// with a right-to-left override are refused with a message saying why, and
// nothing is stored. (TestEvidenceUploadAndDownload covers the same for the
// autosave upload with HTML, SVG and an .exe named .pdf; this covers the
// plain form and the full form too.)
func TestHostileUploads(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	id := start(t, c, "popups")
	item := itemField.FindStringSubmatch(c.get("/assessments/" + id).Body)[1]
	tests := []struct {
		name    string
		file    string
		content []byte
		want    string // in the message
	}{
		{"an .exe named .pdf", "invoice.pdf", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 200)...), "可执行"},
		{"HTML named .pdf", "report.pdf", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), "HTML"},
		{"SVG named .png", "chart.png", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), "SVG"},
		{"a zip bomb", "bundle.zip", zipBomb(t), "压缩"},
		{"a right-to-left override", "invoice" + rtlName, []byte(pdfBody), "文件名"},
		{"an RTL-disguised .exe", "photo\u202Egnp.exe", []byte(pdfBody), "文件名"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/assessments/" + id + "/answers/" + item + "/evidence"
			r := c.upload(path, "file", tt.file, tt.content)
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tt.want) {
				t.Errorf("plain form: %d, want 422 saying %q\n%.2000s", r.Status, tt.want, r.Body)
			}
			r = c.uploadJSON(path, tt.file, tt.content)
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tt.want) {
				t.Errorf("autosave: %d %s, want 422 saying %q", r.Status, r.Body, tt.want)
			}
			// The full form names the file and says why.
			r = c.upload("/assessments/"+id, "evidence."+item, tt.file, tt.content)
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, tt.want) {
				t.Errorf("full form: %d, want 422 saying %q", r.Status, tt.want)
			}
		})
	}
	if strings.Contains(c.get("/assessments/"+id).Body, "/evidence/") {
		t.Error("a refused file was stored")
	}
	u := mustUser(t, a, "firm@demo.local")
	n, _ := strconv.Atoi(id)
	sh, err := a.store.Sheet(context.Background(), u, uint(n))
	if err != nil {
		t.Fatal(err)
	}
	if len(sh.Evidence) != 0 {
		t.Errorf("refused files were stored: %v", sh.Evidence)
	}
}

// zipBomb is a small ZIP that expands a hundred times over the limit ratio.
func zipBomb(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("zeros.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, 30<<20)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestBodyOverLimitIs413: a body over the route's limit gets 413 with the
// app's error page (or JSON, for autosave.js), whether its size was sent
// in Content-Length or not (chunked), and whether the CSRF token comes in
// the form or in a header; nothing is saved.
func TestBodyOverLimitIs413(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	id := start(t, c, "popups")
	item := itemField.FindStringSubmatch(c.get("/assessments/" + id).Body)[1]
	token := c.csrf()
	limit := int64(2 << 20)
	uploadLimit := 20<<20 + limit

	type request struct {
		name, path, contentType string
		header                  map[string]string
		prefix, suffix          string
		size                    int64 // of the filler between prefix and suffix
		json                    bool
	}
	var reqs []request
	fields := url.Values{"_csrf": {token}, "answer": {"partial"}, "answer." + item: {"partial"}}.Encode() + "&note="
	// (The full form, POST /assessments/:id, takes files: its limit is 8
	// evidence files and the rest, far above these.)
	for _, path := range []string{"/assessments/" + id + "/answers/" + item, "/assessments/" + id + "/answers/" + item + "/plan", "/assessments", "/login", "/lang"} {
		reqs = append(reqs, request{name: "form " + path, path: path, contentType: "application/x-www-form-urlencoded", prefix: fields, size: limit})
	}
	reqs = append(reqs, request{name: "autosave with the token in a header", path: "/assessments/" + id + "/answers/" + item,
		contentType: "application/x-www-form-urlencoded", header: map[string]string{"X-CSRF-Token": token, "X-Requested-With": "fetch", "Accept": "application/json"},
		prefix: "answer=partial&note=", size: limit, json: true})
	reqs = append(reqs, request{name: "a body of another type", path: "/assessments/" + id + "/answers/" + item,
		contentType: "application/octet-stream", header: map[string]string{"X-CSRF-Token": token}, size: limit + 1})
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	mw.WriteField("_csrf", token)
	mw.CreateFormFile("file", "big.txt")
	head := mp.String()
	mw.Close()
	tail := strings.TrimPrefix(mp.String(), head)
	reqs = append(reqs, request{name: "upload", path: "/assessments/" + id + "/answers/" + item + "/evidence", contentType: mw.FormDataContentType(),
		prefix: head, suffix: "\r\n" + tail, size: uploadLimit})
	reqs = append(reqs, request{name: "upload with the token in a header", path: "/assessments/" + id + "/answers/" + item + "/evidence", contentType: mw.FormDataContentType(),
		header: map[string]string{"X-CSRF-Token": token, "X-Requested-With": "fetch", "Accept": "application/json"}, prefix: head, suffix: "\r\n" + tail, size: uploadLimit, json: true})

	for _, rq := range reqs {
		for _, chunked := range []bool{false, true} {
			name := rq.name + ", Content-Length"
			if chunked {
				name = rq.name + ", chunked"
			}
			t.Run(name, func(t *testing.T) {
				body := io.MultiReader(strings.NewReader(rq.prefix), &filler{n: rq.size}, strings.NewReader(rq.suffix))
				req, _ := http.NewRequest(http.MethodPost, c.base+rq.path, body)
				if chunked {
					req.ContentLength = -1
				} else {
					req.ContentLength = int64(len(rq.prefix)+len(rq.suffix)) + rq.size
				}
				req.Header.Set("Content-Type", rq.contentType)
				for k, v := range rq.header {
					req.Header.Set(k, v)
				}
				r := c.do(req)
				if r.Status != http.StatusRequestEntityTooLarge {
					t.Fatalf("%d, want 413\n%.500s", r.Status, r.Body)
				}
				if rq.json {
					var e struct{ Error string }
					if json.Unmarshal([]byte(r.Body), &e); e.Error != "提交的内容过大。" {
						t.Errorf("JSON answer %.300s", r.Body)
					}
				} else {
					mustContain(t, r.Body, "提交的内容过大。", "</html>")
				}
			})
		}
	}
	page := c.get("/assessments/" + id).Body
	if strings.Contains(page, `value="partial" checked`) || strings.Contains(page, "/evidence/") {
		t.Error("an oversize request saved something")
	}
}

// filler is n bytes of 'a'.
type filler struct{ n int64 }

func (f *filler) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), f.n)
	for i := range k {
		p[i] = 'a'
	}
	f.n -= k
	return int(k), nil
}

// A NUL, other control characters and bytes that are not UTF-8, typed or
// sent into a note, a plan and the firm's whole form, are cleaned the one
// way every path cleans text (app/clean): the save succeeds on every engine
// (PostgreSQL refuses such text with an error), the page and the CSV show
// the cleaned text, and the CSV is valid UTF-8.
func TestControlBytesAndInvalidUTF8AreCleaned(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	id := start(t, c, "popups")
	items := itemField.FindAllStringSubmatch(c.get("/assessments/"+id+"?filter=all").Body, -1)
	if len(items) < 2 {
		t.Fatal("the fill page offers fewer than two items")
	}
	item, other := items[0][1], items[1][1]
	const typed, stored = "已复核\x00第\x01二\xff段\x7f。", "已复核第二\uFFFD段。"
	if r := c.fetch("/assessments/"+id+"/answers/"+item, url.Values{"answer": {"partial"}, "note": {typed}}); r.Status != http.StatusOK {
		t.Fatalf("autosave: %d %s", r.Status, r.Body)
	}
	if r := c.fetch("/assessments/"+id+"/answers/"+item+"/plan", url.Values{"measure": {typed}, "owner": {"张\x00三"}, "due": {"2030-01-01"}, "status": {"open"}}); r.Status != http.StatusOK {
		t.Fatalf("plan: %d %s", r.Status, r.Body)
	}
	// The whole form, as a browser without JavaScript posts it.
	if r := c.post("/assessments/"+id, url.Values{"action": {"save"}, "answer." + other: {"compliant"}, "note." + other: {"整体\x00保存\xfe"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("save the form: %d %s", r.Status, r.Body)
	}
	page := c.get("/assessments/" + id)
	mustContain(t, page.Body, ">"+stored+"</textarea>", "整体保存\uFFFD", `value="张三"`)
	csv := c.get("/assessments/" + id + "/report.csv")
	if csv.Status != http.StatusOK || !utf8.ValidString(csv.Body) || strings.ContainsRune(csv.Body, 0) {
		t.Fatalf("report.csv: %d, valid UTF-8 %v", csv.Status, utf8.ValidString(csv.Body))
	}
	mustContain(t, csv.Body, stored, "整体保存\uFFFD")
}
