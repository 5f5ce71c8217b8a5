package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/scoring"
)

func TestAuthentication(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	ctx := context.Background()

	revoked, err := ta.store.CreateToken(ctx, ta.member.ID, "revoked")
	if err != nil {
		t.Fatal(err)
	}
	toks, _ := ta.store.Tokens(ctx, ta.member.ID)
	if err := ta.store.RevokeToken(ctx, ta.member.ID, toks[0].ID); err != nil {
		t.Fatal(err)
	}
	leaver, leaverToken := ta.user("firmadmin@demo.local")
	if err := ta.store.DisableUser(ctx, ta.admin, leaver.ID); err != nil {
		t.Fatal(err)
	}
	session, err := ta.store.CreateSession(ctx, ta.member.ID)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		header []string
	}{
		{"no token", nil},
		{"empty bearer", []string{"Authorization", "Bearer "}},
		{"other scheme", []string{"Authorization", "Basic " + ta.memberToken}},
		{"token without scheme", []string{"Authorization", ta.memberToken}},
		{"unknown token", []string{"Authorization", "Bearer sc_not-a-token"}},
		{"revoked token", []string{"Authorization", "Bearer " + revoked}},
		{"disabled user", []string{"Authorization", "Bearer " + leaverToken}},
		// The web session is no way into the API.
		{"session cookie only", []string{"Cookie", "selfcheck_session=" + session}},
	}
	var message any
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/api/v1/assessments", "/api/v1/checklists"} {
				r := ta.request(http.MethodGet, path, "", nil, tt.header...)
				want(t, r, http.StatusUnauthorized, "unauthorized")
				if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate = %q", r.Header.Get("WWW-Authenticate"))
				}
				msg := r.errorOf(t)["message"]
				if message == nil {
					message = msg
				} else if msg != message {
					t.Errorf("message %q differs from %q: the answers must not tell the cases apart", msg, message)
				}
			}
		})
	}
	// A write with only the session cookie is refused too, before any CSRF question.
	r := ta.request(http.MethodPost, "/api/v1/assessments", "", map[string]any{"themes": []string{"popups"}}, "Cookie", "selfcheck_session="+session)
	want(t, r, http.StatusUnauthorized, "unauthorized")

	r = ta.get("/api/v1/assessments", ta.memberToken)
	want(t, r, http.StatusOK)
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q", r.Header.Get("Cache-Control"))
	}
}

func TestOpenAPIIsPublicAndValidJSON(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	r := ta.get("/api/v1/openapi.json", "")
	want(t, r, http.StatusOK)
	doc := r.json(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.0.") {
		t.Errorf("openapi = %v", doc["openapi"])
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("Content-Type = %q", r.Header.Get("Content-Type"))
	}
}

// TestRoutesMatchOpenAPI keeps openapi.json and the registered routes equal:
// a route missing from the description fails, and so does a described
// operation that no route serves.
func TestRoutesMatchOpenAPI(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`:([A-Za-z0-9_]+)`)
	registered := map[string]bool{}
	for _, r := range ta.echo.Routes() {
		if !strings.HasPrefix(r.Path, Prefix+"/") || strings.HasPrefix(r.Method, "echo_") {
			continue
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		key := strings.ToLower(r.Method) + " " + path
		registered[key] = true
		if _, ok := doc.Paths[path][strings.ToLower(r.Method)]; !ok {
			t.Errorf("route %s %s is not in openapi.json", r.Method, path)
		}
	}
	if len(registered) != len(ta.api.Routes()) {
		t.Errorf("%d routes registered under %s, %d in the table", len(registered), Prefix, len(ta.api.Routes()))
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			if !registered[method+" "+path] {
				t.Errorf("openapi.json describes %s %s, which no route serves", strings.ToUpper(method), path)
			}
		}
	}
}

// Every operation that takes a token says what a refused token gets (401)
// and what an address past the throttling limit gets (429, Retry-After),
// since any of them may answer either.
func TestOpenAPIDescribesRefusals(t *testing.T) {
	t.Parallel()
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
		Components struct {
			Responses map[string]struct {
				Headers map[string]json.RawMessage `json:"headers"`
			} `json:"responses"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	ta := newTestAPI(t)
	param := regexp.MustCompile(`:([A-Za-z0-9_]+)`)
	declared := map[string]route{}
	for _, r := range ta.api.Routes() {
		declared[strings.ToLower(r.Method)+" "+Prefix+param.ReplaceAllString(r.Path, "{$1}")] = r
	}
	checked := 0
	for path, ops := range doc.Paths {
		for method, op := range ops {
			r, ok := declared[method+" "+path]
			if !ok || r.Who == nil {
				continue
			}
			checked++
			for _, code := range []string{"401", "429"} {
				if _, ok := op.Responses[code]; !ok {
					t.Errorf("%s %s does not describe %s", strings.ToUpper(method), path, code)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no operation that takes a token was found")
	}
	if _, ok := doc.Components.Responses["TooManyRequests"].Headers["Retry-After"]; !ok {
		t.Error("the 429 response does not describe Retry-After")
	}
}

func TestEveryRouteDeclaresAccess(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	declared := map[string]route{}
	for _, r := range ta.api.Routes() {
		declared[r.Method+" "+Prefix+r.Path] = r
	}
	for _, r := range ta.echo.Routes() {
		if !strings.HasPrefix(r.Path, Prefix) || strings.HasPrefix(r.Method, "echo_") {
			continue
		}
		d, ok := declared[r.Method+" "+r.Path]
		if !ok {
			t.Errorf("route %s %s has no access declaration", r.Method, r.Path)
			continue
		}
		if d.Who == nil && r.Path != Prefix+"/openapi.json" {
			t.Errorf("route %s %s is open to anyone", r.Method, r.Path)
		}
		// Only firm users change an assessment's content; reviewers only read,
		// except to record a decision, which firm users may not. (Admins
		// write campaigns, firms and accounts, outside /assessments.)
		reviewers := slices.Contains(d.Who, auth.Auditor) || slices.Contains(d.Who, auth.Admin)
		firm := slices.Contains(d.Who, auth.FirmMember) || slices.Contains(d.Who, auth.FirmAdmin)
		// Comments are a discussion between the firm and its reviewers, not
		// the assessment's content: both sides write them.
		comments := strings.HasSuffix(r.Path, "/comments") || strings.Contains(r.Path, "/comments/")
		if comments {
			continue
		}
		if r.Path == Prefix+"/assessments/:id/review" || r.Path == Prefix+"/assessments/:id/plans/:item/verify" {
			if firm || !reviewers {
				t.Errorf("route %s %s must be for reviewers only", r.Method, r.Path)
			}
		} else if strings.HasPrefix(r.Path, Prefix+"/webhooks") {
			// A firm admin's webhooks and the admins' are apart: the store
			// scopes each to its owner (no firm's data is written).
		} else if strings.HasPrefix(r.Path, Prefix+"/notifications/") || r.Path == Prefix+"/notification-preferences" {
			// Everyone marks their own notifications read and chooses how
			// they are told: no firm's data.
		} else if r.Method != http.MethodGet && reviewers && (firm || strings.HasPrefix(r.Path, Prefix+"/assessments")) {
			t.Errorf("route %s %s lets reviewers write", r.Method, r.Path)
		}
	}
}

func TestChecklists(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	r := ta.get("/api/v1/checklists", ta.auditorToken)
	want(t, r, http.StatusOK)
	var out struct {
		Checklists []struct {
			ID        string `json:"id"`
			Version   string `json:"version"`
			ItemCount int    `json:"item_count"`
			Title     struct{ ZH, EN string }
		} `json:"checklists"`
	}
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Checklists) != 7 {
		t.Fatalf("%d checklists, want the 7 built-in themes", len(out.Checklists))
	}
	total := 0
	for _, cl := range out.Checklists {
		if cl.ID == "" || cl.Version == "" || cl.Title.ZH == "" || cl.Title.EN == "" || cl.ItemCount == 0 {
			t.Errorf("incomplete checklist %+v", cl)
		}
		total += cl.ItemCount
	}
	if total < 100 {
		t.Errorf("%d items in all, want at least 100", total)
	}
}

func TestUnknownRoutesAnswerJSON(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	want(t, ta.get("/api/v1/nope", ta.memberToken), http.StatusNotFound, "not_found")
	want(t, ta.get("/api/v1/assessments/abc", ta.memberToken), http.StatusNotFound, "not_found")
	r := ta.request(http.MethodDelete, "/api/v1/checklists", ta.memberToken, nil)
	want(t, r, http.StatusMethodNotAllowed, "method_not_allowed")
	if r.Header.Get("Allow") != "GET, POST" { // the list, and an admin's upload
		t.Errorf("Allow = %q", r.Header.Get("Allow"))
	}
	r = ta.request(http.MethodGet, "/api/v1/assessments/1/submit", ta.memberToken, nil)
	want(t, r, http.StatusMethodNotAllowed, "method_not_allowed")

	// The web app keeps its own HTML error pages.
	r = ta.get("/no-such-page", "")
	if r.Status != http.StatusNotFound || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Errorf("web 404: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
}

func TestMalformedRequests(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	a := ta.start(map[string]any{"themes": []string{"popups"}, "profile": []string{"app"}})
	item := a.Items[0].ID
	answer := assessmentPath(a.ID, "/answers/", item)
	tests := []struct {
		name, method, path, body string
		status                   int
		code, message            string
	}{
		{"bad JSON", http.MethodPut, answer, `{"response": "compliant"`, 400, "bad_request", "malformed JSON"},
		{"not JSON", http.MethodPut, answer, `response=compliant`, 400, "bad_request", "malformed JSON"},
		{"unknown field", http.MethodPut, answer, `{"response": "compliant", "answer": "x"}`, 400, "bad_request", `unknown field "answer"`},
		{"wrong type", http.MethodPut, answer, `{"response": "compliant", "version": "1"}`, 400, "bad_request", `"version" must be an integer`},
		{"array body", http.MethodPut, answer, `[]`, 400, "bad_request", "must be a JSON object"},
		{"two objects", http.MethodPut, answer, `{"response": "compliant"} {}`, 400, "bad_request", "single JSON object"},
		{"empty body", http.MethodPut, answer, ``, 400, "bad_request", "empty"},
		{"unknown field on create", http.MethodPost, "/api/v1/assessments", `{"themes": ["popups"], "firm": 2}`, 400, "bad_request", `unknown field "firm"`},
		{"negative campaign", http.MethodPost, "/api/v1/assessments", `{"campaign": -1}`, 400, "bad_request", `"campaign"`},
		{"unknown plan field", http.MethodPut, answer + "/plan", `{"measure": "m", "owner": "o", "due": "2030-01-01", "cost": 1}`, 400, "bad_request", `unknown field "cost"`},
		{"too large", http.MethodPut, answer, `{"response": "compliant", "note": "` + strings.Repeat("x", 1<<20) + `"}`, 413, "too_large", "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ta.request(tt.method, tt.path, ta.memberToken, tt.body)
			want(t, r, tt.status, tt.code)
			if msg, _ := r.errorOf(t)["message"].(string); !strings.Contains(msg, tt.message) {
				t.Errorf("message %q lacks %q", msg, tt.message)
			}
		})
	}
	// A body over the limit without a Content-Length is stopped while read.
	req, _ := http.NewRequest(http.MethodPut, ta.url+answer, &chunked{n: 2 << 20})
	req.Header.Set("Authorization", "Bearer "+ta.memberToken)
	req.ContentLength = -1
	want(t, ta.send(req), http.StatusRequestEntityTooLarge, "too_large")
}

// chunked is a body of unknown length: n bytes of a JSON string.
type chunked struct{ n, read int }

func (c *chunked) Read(p []byte) (int, error) {
	if c.read == 0 && len(p) > 0 {
		p[0] = '"'
		c.read = 1
		return 1, nil
	}
	if c.read >= c.n {
		return 0, io.EOF
	}
	k := min(len(p), c.n-c.read)
	for i := range k {
		p[i] = 'x'
	}
	c.read += k
	return k, nil
}

func TestInvalidValues(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	a := ta.start(map[string]any{"themes": []string{"popups"}, "profile": []string{"app"}})
	item := a.Items[0].ID
	answer := assessmentPath(a.ID, "/answers/", item)
	tests := []struct {
		name, method, path string
		body               any
		field, message     string
	}{
		{"bad response", http.MethodPut, answer, map[string]any{"response": "na"}, "response",
			"response must be one of compliant, partial, non_compliant, not_applicable"},
		{"missing response", http.MethodPut, answer, map[string]any{"note": "x"}, "response", "response is required"},
		{"note too long", http.MethodPut, answer, map[string]any{"response": "compliant", "note": strings.Repeat("长", assessment.MaxNoteLen+1)}, "note", "at most 5000"},
		{"bad plan date", http.MethodPut, answer + "/plan", map[string]any{"measure": "m", "owner": "o", "due": "31/12/2030"}, "due", "due must be a date"},
		{"impossible plan date", http.MethodPut, answer + "/plan", map[string]any{"measure": "m", "owner": "o", "due": "2030-02-30"}, "due", "due must be a date"},
		{"empty plan", http.MethodPut, answer + "/plan", map[string]any{"measure": " ", "owner": "", "due": ""}, "measure", "measure is required"},
		{"bad plan status", http.MethodPut, answer + "/plan", map[string]any{"measure": "m", "owner": "o", "due": "2030-01-01", "status": "closed"}, "status", "status must be one of open, in_progress, done"},
		{"no themes", http.MethodPost, "/api/v1/assessments", map[string]any{"themes": []string{}}, "themes", "themes must name at least one"},
		{"unknown theme", http.MethodPost, "/api/v1/assessments", map[string]any{"themes": []string{"nope"}}, "themes", `no checklist "nope"`},
		{"unknown service", http.MethodPost, "/api/v1/assessments", map[string]any{"themes": []string{"popups"}, "profile": []string{"tv"}}, "profile", `"tv" is not a known service`},
		{"report language", http.MethodGet, assessmentPath(a.ID, "/report.pdf?lang=fr"), nil, "lang", "lang must be zh or en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ta.request(tt.method, tt.path, ta.memberToken, tt.body)
			want(t, r, http.StatusUnprocessableEntity, "invalid")
			e := r.errorOf(t)
			if msg, _ := e["message"].(string); !strings.Contains(msg, tt.message) {
				t.Errorf("message %q lacks %q", msg, tt.message)
			}
			if e["field"] != tt.field {
				t.Errorf("field = %v, want %s", e["field"], tt.field)
			}
		})
	}

	// Evidence is judged by its content: HTML named .pdf is refused.
	r := ta.upload(answer+"/evidence", ta.memberToken, "policy.pdf", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"))
	want(t, r, http.StatusUnprocessableEntity, "evidence_refused")
	e := r.errorOf(t)
	if e["reason"] != "html" || e["detail"] == "" || e["field"] != "file" {
		t.Errorf("refusal: %v", e)
	}
	r = ta.upload(answer+"/evidence", ta.memberToken, "empty.txt", nil)
	want(t, r, http.StatusUnprocessableEntity, "evidence_refused")
	if reason := r.errorOf(t)["reason"]; reason != "empty" {
		t.Errorf("empty file refused for %v", reason)
	}
	// No file field at all, or no multipart body.
	r = ta.request(http.MethodPost, answer+"/evidence", ta.memberToken, `{"file": "x"}`)
	want(t, r, http.StatusBadRequest, "bad_request")
	var sh, _ = ta.store.Sheet(context.Background(), ta.member, a.ID)
	if len(sh.Evidence) != 0 {
		t.Errorf("refused files were stored: %v", sh.Evidence)
	}
}

// TestEvidenceSizeLimits: a file over the evidence limit is a 422 refusal
// like the web form's; a body over the limit plus 1 MiB is a 413.
func TestEvidenceSizeLimits(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	a := ta.start(map[string]any{"themes": []string{"popups"}, "profile": []string{"app"}})
	path := assessmentPath(a.ID, "/answers/", a.Items[0].ID, "/evidence")
	r := ta.upload(path, ta.memberToken, "big.txt", []byte(strings.Repeat("a", 20<<20+1)))
	want(t, r, http.StatusUnprocessableEntity, "evidence_refused")
	if reason := r.errorOf(t)["reason"]; reason != "too_large" {
		t.Errorf("reason = %v", reason)
	}
	r = ta.upload(path, ta.memberToken, "huge.txt", []byte(strings.Repeat("a", 22<<20)))
	want(t, r, http.StatusRequestEntityTooLarge, "too_large")
}

func TestReviewersMayNotWrite(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	a := ta.start(map[string]any{"themes": []string{"popups"}, "profile": []string{"app"}})
	item := a.Items[0].ID
	for _, tok := range []struct{ role, token string }{{"auditor", ta.auditorToken}, {"admin", ta.adminToken}} {
		tests := []struct {
			method, path string
			body         any
		}{
			{http.MethodPost, "/api/v1/assessments", map[string]any{"themes": []string{"popups"}}},
			{http.MethodPut, assessmentPath(a.ID, "/answers/", item), map[string]any{"response": "compliant"}},
			{http.MethodPut, assessmentPath(a.ID, "/answers/", item, "/plan"), map[string]any{"measure": "m", "owner": "o", "due": "2030-01-01"}},
			{http.MethodPost, assessmentPath(a.ID, "/submit"), nil},
		}
		for _, tt := range tests {
			t.Run(tok.role+" "+tt.method+" "+tt.path, func(t *testing.T) {
				want(t, ta.request(tt.method, tt.path, tok.token, tt.body), http.StatusForbidden, "forbidden")
			})
		}
		t.Run(tok.role+" upload", func(t *testing.T) {
			want(t, ta.upload(assessmentPath(a.ID, "/answers/", item, "/evidence"), tok.token, "a.txt", []byte("text")), http.StatusForbidden, "forbidden")
		})
	}
	sh, _ := ta.store.Sheet(context.Background(), ta.member, a.ID)
	if len(sh.Answers) != 0 || len(sh.Plans) != 0 || len(sh.Evidence) != 0 {
		t.Error("a refused write was stored")
	}
	// Reviewers do not see a draft either.
	want(t, ta.get(assessmentPath(a.ID), ta.auditorToken), http.StatusNotFound, "not_found")
	want(t, ta.get(assessmentPath(a.ID), ta.adminToken), http.StatusNotFound, "not_found")
}

func TestAnotherFirmGets404(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	other := ta.otherFirm()
	a := ta.start(map[string]any{"themes": []string{"popups"}, "profile": []string{"app"}})
	item := a.Items[0].ID
	want(t, ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", item), ta.memberToken, map[string]any{"response": "partial", "note": "机密"}), http.StatusOK)
	want(t, ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", item, "/plan"), ta.memberToken,
		map[string]any{"measure": "整改", "owner": "张三", "due": "2030-01-01"}), http.StatusOK)
	up := ta.upload(assessmentPath(a.ID, "/answers/", item, "/evidence"), ta.memberToken, "机密.txt", []byte("内部材料"))
	want(t, up, http.StatusCreated)
	download, _ := up.json(t)["url"].(string)

	tests := []struct {
		name, method, path string
		body               any
	}{
		{"assessment", http.MethodGet, assessmentPath(a.ID), nil},
		{"answer", http.MethodPut, assessmentPath(a.ID, "/answers/", item), map[string]any{"response": "compliant"}},
		{"answer keeping the note", http.MethodPut, assessmentPath(a.ID, "/answers/", item), map[string]any{"response": "compliant", "version": 1}},
		{"plan", http.MethodPut, assessmentPath(a.ID, "/answers/", item, "/plan"), map[string]any{"measure": "m", "owner": "o", "due": "2030-01-01"}},
		{"evidence download", http.MethodGet, download, nil},
		{"report", http.MethodGet, assessmentPath(a.ID, "/report.pdf"), nil},
		{"submission package", http.MethodGet, assessmentPath(a.ID, "/package.zip"), nil},
		{"submit", http.MethodPost, assessmentPath(a.ID, "/submit"), nil},
		{"campaign it does not take part in", http.MethodPost, "/api/v1/assessments", map[string]any{"campaign": ta.campaign}},
		{"nonexistent assessment", http.MethodGet, "/api/v1/assessments/99999", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ta.request(tt.method, tt.path, other, tt.body)
			want(t, r, http.StatusNotFound, "not_found")
			if strings.Contains(string(r.Body), "机密") || strings.Contains(string(r.Body), "示例") {
				t.Errorf("404 leaks data: %s", r.Body)
			}
		})
	}
	t.Run("evidence upload", func(t *testing.T) {
		want(t, ta.upload(assessmentPath(a.ID, "/answers/", item, "/evidence"), other, "x.txt", []byte("x")), http.StatusNotFound, "not_found")
	})
	r := ta.get("/api/v1/assessments", other)
	want(t, r, http.StatusOK)
	if strings.Contains(string(r.Body), "示例") {
		t.Errorf("another firm's list shows the demo firm: %s", r.Body)
	}
	r = ta.get("/api/v1/campaigns", other)
	want(t, r, http.StatusOK)
	if strings.Contains(string(r.Body), "示例") || len(r.json(t)["campaigns"].([]any)) != 0 {
		t.Errorf("another firm sees the demo campaign: %s", r.Body)
	}
	// An item or evidence id of the right assessment under the wrong path is no way round.
	want(t, ta.get(assessmentPath(a.ID, "/answers/", a.Items[1].ID, download[strings.LastIndex(download, "/evidence/"):]), ta.memberToken), http.StatusNotFound, "not_found")
	want(t, ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/no-such-item"), ta.memberToken, map[string]any{"response": "compliant"}), http.StatusNotFound, "not_found")
	sh, _ := ta.store.Sheet(context.Background(), ta.member, a.ID)
	if sh.Answers[item].Value != scoring.Partial || sh.Plans[item].Owner != "张三" {
		t.Error("another firm changed the assessment")
	}
}
