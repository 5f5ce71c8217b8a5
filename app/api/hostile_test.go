package api

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"selfcheck/app/auth"
	"selfcheck/app/store"
)

// Hostile values, as an attacker would send them in any text field.
var hostile = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`'; DROP TABLE answers; --`,
	"说明\u202Etxt.exe",
	`=HYPERLINK("http://evil.example/x","click")`,
	`+cmd|' /C calc'!A0`,
	`-2+3`,
	`@SUM(1)`,
}

// hundredKB is 100 KB of text, longer than any text field takes.
var hundredKB = strings.Repeat("长文本ab", 100<<10/8+1)

// TestHostileInputKeptIntact: what the API is sent comes back byte for byte
// in its JSON (answers, plans, reviews, the firm's name) and in the JSON
// export; the CSV export neutralises formulas; text over a field's limit is
// a clear 422 that stores nothing.
func TestHostileInputKeptIntact(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	ctx := context.Background()
	firmName := hostile[4] + hostile[1] + hostile[2] + "\u202Etxt.exe"
	firm, err := ta.store.CreateFirm(ctx, firmName, "91350100M000100Y43")
	if err != nil {
		t.Fatal(err)
	}
	u, err := ta.store.CreateUser(ctx, store.NewUser{Email: "evil@firm.test", Name: hostile[0], Password: "hostile-pass-1", Role: auth.FirmMember, FirmID: &firm.ID})
	if err != nil {
		t.Fatal(err)
	}
	token, err := ta.store.CreateToken(ctx, u.ID, hostile[1])
	if err != nil {
		t.Fatal(err)
	}
	r := ta.request(http.MethodPost, "/api/v1/assessments", token, map[string]any{"themes": []string{"popups"}, "profile": []string{"app"}})
	want(t, r, http.StatusCreated)
	a := decodeAssessment(t, r)
	if a.Firm.Name != firmName {
		t.Errorf("firm name %q, want %q", a.Firm.Name, firmName)
	}
	if len(a.Items) < len(hostile)+1 {
		t.Fatalf("only %d items", len(a.Items))
	}

	notes := map[string]string{}
	for i, it := range a.Items {
		body := map[string]any{"response": "compliant"}
		if i < len(hostile) {
			body["note"], notes[it.ID] = hostile[i], hostile[i]
		}
		if i < 2 {
			body["response"] = "partial"
		}
		r := ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", it.ID), token, body)
		want(t, r, http.StatusOK)
		var saved struct{ Note string }
		json.Unmarshal(r.Body, &saved)
		if saved.Note != notes[it.ID] {
			t.Errorf("the saved answer's note is %q, want %q", saved.Note, notes[it.ID])
		}
	}
	first, second := a.Items[0].ID, a.Items[1].ID
	measures := map[string]string{first: hostile[4] + hostile[0], second: hostile[7] + hostile[2]}
	for item, m := range measures {
		want(t, ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", item, "/plan"), token,
			map[string]any{"measure": m, "owner": hostile[1], "due": "2030-01-01"}), http.StatusOK)
	}

	// Over the limits: 422 naming the field, nothing stored.
	for _, tt := range []struct {
		name, method, path string
		body               map[string]any
		field              string
	}{
		{"note", http.MethodPut, assessmentPath(a.ID, "/answers/", first), map[string]any{"response": "partial", "note": hundredKB}, "note"},
		{"plan measure", http.MethodPut, assessmentPath(a.ID, "/answers/", first, "/plan"), map[string]any{"measure": hundredKB, "owner": "o", "due": "2030-01-01"}, "measure"},
		{"plan owner", http.MethodPut, assessmentPath(a.ID, "/answers/", first, "/plan"), map[string]any{"measure": "m", "owner": hundredKB, "due": "2030-01-01"}, "owner"}, // the field that is too long, by name
	} {
		t.Run("100 KB "+tt.name, func(t *testing.T) {
			r := ta.request(tt.method, tt.path, token, tt.body)
			want(t, r, http.StatusUnprocessableEntity, "invalid")
			if f := r.errorOf(t)["field"]; f != tt.field {
				t.Errorf("field %v, want %s", f, tt.field)
			}
		})
	}

	evidenceName := hostile[1] + ".txt"
	up := ta.upload(assessmentPath(a.ID, "/answers/", first, "/evidence"), token, evidenceName, []byte("截图说明"))
	want(t, up, http.StatusCreated)
	if name, _ := up.json(t)["name"].(string); name != evidenceName {
		t.Errorf("evidence name %q, want %q", name, evidenceName)
	}
	want(t, ta.request(http.MethodPost, assessmentPath(a.ID, "/submit"), token, nil), http.StatusOK)

	// The demo auditor does not review this campaign-less assessment; the admin does.
	comment, itemComment := hostile[6]+hostile[0]+hostile[2], hostile[5]+hostile[1]
	review := func(comment string) resp {
		return ta.request(http.MethodPost, assessmentPath(a.ID, "/review"), ta.adminToken, map[string]any{"decision": "request_changes", "comment": comment,
			"items": []map[string]any{{"item": first, "verdict": "needs_change", "comment": itemComment}}})
	}
	r = review(hundredKB)
	want(t, r, http.StatusUnprocessableEntity, "invalid")
	want(t, review(comment), http.StatusOK)

	r = ta.get(assessmentPath(a.ID), token)
	want(t, r, http.StatusOK)
	var got struct {
		Firm  struct{ Name string }
		Items []struct {
			ID     string
			Answer struct{ Note string }
			Plan   *struct{ Measure, Owner string }
		}
		Reviews []struct {
			Comment string
			Items   []struct{ Comment string }
		}
	}
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Firm.Name != firmName {
		t.Errorf("firm name %q", got.Firm.Name)
	}
	for _, it := range got.Items {
		if it.Answer.Note != notes[it.ID] {
			t.Errorf("note of %s is %q, want %q", it.ID, it.Answer.Note, notes[it.ID])
		}
		if m, ok := measures[it.ID]; ok && (it.Plan == nil || it.Plan.Measure != m || it.Plan.Owner != hostile[1]) {
			t.Errorf("plan of %s is %+v, want %q", it.ID, it.Plan, m)
		}
	}
	if len(got.Reviews) != 1 || got.Reviews[0].Comment != comment || len(got.Reviews[0].Items) != 1 || got.Reviews[0].Items[0].Comment != itemComment {
		t.Errorf("reviews %+v, want the comment %q and %q", got.Reviews, comment, itemComment)
	}
	// The JSON API never answers with HTML, so nothing there is escaped for
	// a browser: its Content-Type says JSON and nosniff stops guessing.
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", r.Header)
	}

	t.Run("JSON export", func(t *testing.T) {
		r := ta.get(assessmentPath(a.ID, "/report.json"), token)
		want(t, r, http.StatusOK)
		var doc any
		if err := json.Unmarshal(r.Body, &doc); err != nil {
			t.Fatal(err)
		}
		strs := map[string]bool{}
		collectStrings(doc, strs)
		for _, w := range append(append([]string{firmName, comment, itemComment}, hostile...), measures[first], measures[second]) {
			if !strs[w] {
				t.Errorf("report.json lacks %q byte for byte", w)
			}
		}
	})
	t.Run("CSV export", func(t *testing.T) {
		r := ta.get(assessmentPath(a.ID, "/report.csv"), token)
		want(t, r, http.StatusOK)
		rd := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\uFEFF"))))
		rd.FieldsPerRecord = -1
		recs, err := rd.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		cells := map[string]bool{}
		for _, rec := range recs {
			for _, c := range rec {
				cells[c] = true
				if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
					t.Errorf("a cell starts a formula: %q", c)
				}
			}
		}
		for _, f := range hostile[4:] {
			if !cells["'"+f] {
				t.Errorf("no cell holds %q", "'"+f)
			}
		}
	})
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

// TestHostileUploads: a forged extension, HTML, SVG, a zip bomb and a name
// hiding its extension behind a right-to-left override are refused with
// 422, the reason and a detail, and nothing is stored. (TestInvalidValues
// covers HTML named .pdf; these are the rest.)
func TestHostileUploads(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	a := ta.start(map[string]any{"themes": []string{"popups"}, "profile": []string{"app"}})
	path := assessmentPath(a.ID, "/answers/", a.Items[0].ID, "/evidence")
	for _, tt := range []struct {
		name, file string
		content    []byte
		reason     string
	}{
		{"an .exe named .pdf", "invoice.pdf", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 200)...), "executable"},
		{"HTML named .txt", "notes.txt", []byte("<html><body onload=alert(1)>hi</body></html>"), "html"},
		{"SVG named .png", "chart.png", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), "svg"},
		{"a zip bomb", "bundle.zip", zipBomb(t), "zip_bomb"},
		{"an RTL-disguised .exe", "photo\u202Egnp.exe", []byte("%PDF-1.4\n%%EOF\n"), "name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := ta.upload(path, ta.memberToken, tt.file, tt.content)
			want(t, r, http.StatusUnprocessableEntity, "evidence_refused")
			e := r.errorOf(t)
			if e["reason"] != tt.reason || e["detail"] == "" {
				t.Errorf("reason %v, detail %v; want %s", e["reason"], e["detail"], tt.reason)
			}
		})
	}
	sh, err := ta.store.Sheet(context.Background(), ta.member, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(sh.Evidence) != 0 {
		t.Errorf("refused files were stored: %v", sh.Evidence)
	}
}

// zipBomb is a small ZIP that expands far past the ratio limit.
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

// TestUploadOverLimitIs413: an upload body over the limit (the evidence
// limit and 1 MiB) is a 413 whether its size was sent in Content-Length or
// not. (TestMalformedRequests covers JSON bodies both ways;
// TestEvidenceSizeLimits an upload with Content-Length.)
func TestUploadOverLimitIs413(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	a := ta.start(map[string]any{"themes": []string{"popups"}, "profile": []string{"app"}})
	path := assessmentPath(a.ID, "/answers/", a.Items[0].ID, "/evidence")
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	mw.WriteField("note", "first a small field")
	mw.CreateFormFile("other", "padding.txt") // a part that is not "file", skipped while read
	prefix := head.String()
	mw.Close()
	tail := strings.TrimPrefix(head.String(), prefix)
	size := int64(21<<20) + 1
	for _, chunked := range []bool{false, true} {
		body := io.MultiReader(strings.NewReader(prefix), io.LimitReader(zeros{}, size), strings.NewReader("\r\n"+tail))
		req, _ := http.NewRequest(http.MethodPost, ta.url+path, body)
		req.ContentLength = int64(len(prefix)+2+len(tail)) + size
		if chunked {
			req.ContentLength = -1
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+ta.memberToken)
		want(t, ta.send(req), http.StatusRequestEntityTooLarge, "too_large")
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// A NUL or another control character escaped in JSON (\u0000) is cleaned as
// the web's forms clean it (app/clean): the save succeeds on every engine,
// PostgreSQL included, and the stored note is what the response says.
func TestEscapedControlCharactersAreCleaned(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	a := ta.start(map[string]any{"themes": []string{"popups"}, "profile": []string{"app"}})
	item := a.Items[0].ID
	r := ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", item), ta.memberToken,
		map[string]any{"response": "partial", "note": "已复核\x00第\x01二段\u0085。"})
	want(t, r, http.StatusOK)
	var saved struct{ Note string }
	if err := json.Unmarshal(r.Body, &saved); err != nil || saved.Note != "已复核第二段。" {
		t.Errorf("saved note %q (%v), want the text without its control characters", saved.Note, err)
	}
	r = ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", item, "/plan"), ta.memberToken,
		map[string]any{"measure": "整改\x00措施", "owner": "张\x00三", "due": "2030-01-01", "status": "open"})
	want(t, r, http.StatusOK)
	got := decodeAssessment(t, ta.get(assessmentPath(a.ID), ta.memberToken))
	for _, it := range got.Items {
		if it.ID != item {
			continue
		}
		if it.Answer.Note != "已复核第二段。" {
			t.Errorf("stored note %q", it.Answer.Note)
		}
		if it.Plan == nil || it.Plan.Measure != "整改措施" {
			t.Errorf("stored plan %+v", it.Plan)
		}
	}
}
