package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"selfcheck/app/reporting"
	"selfcheck/app/store"
	"selfcheck/app/testdb"
)

// Issue 19, finding 1: when every report render is taken and no queue is
// left, a report or export is refused at once with 503 and Retry-After,
// on the web (a page in the user's language) and in the API (its JSON
// error), instead of piling another document into memory; once a render
// is free, the same request succeeds.
func TestReportsBeyondTheRenderLimitGet503(t *testing.T) {
	ctx := context.Background()
	app, err := Open(ctx, Config{DB: testdb.URL(t, "app.db"), Demo: true, Location: time.UTC,
		MaxEvidence: 1 << 20, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Renders: reporting.GateLimits{Renders: 1, Queue: 0, Wait: 30 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	hs := httptest.NewServer(app.Handler)
	defer hs.Close()

	firm, err := app.Store.UserByEmail(ctx, "firm@demo.local")
	if err != nil {
		t.Fatal(err)
	}
	cat, _, err := app.Catalog.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id, err := app.Store.CreateAssessment(ctx, firm, cat.Checklists[:1], nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	token, err := app.Store.CreateToken(ctx, firm.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	browser := signIn(t, hs.URL, "firm@demo.local")
	base := hs.URL + "/assessments/" + itoa(id)
	apiBase := hs.URL + "/api/v1/assessments/" + itoa(id)

	auditor, err := app.Store.UserByEmail(ctx, "auditor@demo.local")
	if err != nil {
		t.Fatal(err)
	}
	auditorToken, err := app.Store.CreateToken(ctx, auditor.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	camps, err := app.Store.Campaigns(ctx, auditor)
	if err != nil || len(camps) == 0 {
		t.Fatalf("demo campaign: %v %v", camps, err)
	}
	results := hs.URL + "/api/v1/campaigns/" + itoa(camps[0].ID) + "/results."

	leave, err := app.Reports.Gate.Enter(ctx) // a render in progress
	if err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{"pdf", "xlsx", "csv", "json", "oscal.json"} {
		r := get(t, browser, base+"/report."+ext, "zh-CN", "")
		if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") != "30" ||
			!strings.Contains(r.body, "正在生成的报告过多") || strings.Contains(r.body, "Too many reports") {
			t.Errorf("web report.%s while rendering is full: %d Retry-After %q\n%.300s", ext, r.status, r.header.Get("Retry-After"), r.body)
		}
		r = get(t, http.DefaultClient, apiBase+"/report."+ext, "en", token)
		var body struct {
			Error struct {
				Code       string `json:"code"`
				Message    string `json:"message"`
				RetryAfter int    `json:"retry_after"`
			} `json:"error"`
		}
		_ = json.Unmarshal([]byte(r.body), &body)
		if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") != "30" ||
			body.Error.Code != "busy" || body.Error.RetryAfter != 30 || !strings.Contains(body.Error.Message, "Too many reports") {
			t.Errorf("API report.%s while rendering is full: %d Retry-After %q %s", ext, r.status, r.header.Get("Retry-After"), r.body)
		}
	}
	// The submission package takes one slot for all the reports inside.
	if r := get(t, browser, base+"/package.zip", "zh-CN", ""); r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") != "30" {
		t.Errorf("web package.zip while rendering is full: %d %.300s", r.status, r.body)
	}
	if r := get(t, http.DefaultClient, apiBase+"/package.zip", "en", token); r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, `"busy"`) {
		t.Errorf("API package.zip while rendering is full: %d %s", r.status, r.body)
	}
	// A campaign's workbook is rendered through the gate too; its CSV
	// streams a row at a time to the client and is not held back.
	if r := get(t, http.DefaultClient, results+"xlsx", "en", auditorToken); r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") != "30" {
		t.Errorf("API results.xlsx while rendering is full: %d %s", r.status, r.body)
	}
	if r := get(t, http.DefaultClient, results+"csv", "en", auditorToken); r.status != http.StatusOK {
		t.Errorf("API results.csv while rendering is full: %d %s", r.status, r.body)
	}
	leave()
	if r := get(t, http.DefaultClient, results+"xlsx", "en", auditorToken); r.status != http.StatusOK {
		t.Errorf("API results.xlsx once a render is free: %d", r.status)
	}
	if r := get(t, browser, base+"/report.pdf", "zh-CN", ""); r.status != http.StatusOK || !strings.HasPrefix(r.body, "%PDF-") {
		t.Errorf("web report.pdf once a render is free: %d", r.status)
	}
	if r := get(t, http.DefaultClient, apiBase+"/report.xlsx", "en", token); r.status != http.StatusOK {
		t.Errorf("API report.xlsx once a render is free: %d", r.status)
	}
	// Its reports are rendered within the package's slot: a gate of one
	// slot must not make the package wait for itself.
	if r := get(t, http.DefaultClient, apiBase+"/package.zip?lang=en", "en", token); r.status != http.StatusOK || !strings.HasPrefix(r.body, "PK") {
		t.Errorf("API package.zip once a render is free: %d %.200s", r.status, r.body)
	}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, c *http.Client, u, lang, token string) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept-Language", lang)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	r, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{r.StatusCode, r.Header, string(b)}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signIn logs a browser in through the login form.
func signIn(t *testing.T, base, email string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	m := csrfField.FindStringSubmatch(get(t, c, base+"/login", "zh-CN", "").body)
	if m == nil {
		t.Fatal("no CSRF token in the login form")
	}
	r, err := c.PostForm(base+"/login", url.Values{"_csrf": {m[1]}, "email": {email}, "password": {store.DemoPassword}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: %d", email, r.StatusCode)
	}
	return c
}

func itoa(n uint) string { return strconv.FormatUint(uint64(n), 10) }
