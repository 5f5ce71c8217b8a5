package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"selfcheck"
	"selfcheck/app/auth"
	"selfcheck/app/catalog"
	"selfcheck/app/store"
	"selfcheck/app/testenv"
	"selfcheck/app/web"
)

// testAPI is the whole app (web server with the API mounted, as
// cmd/selfcheck builds it) on a real SQLite file in a temp dir, with the
// demo data and a token for each demo role.
type testAPI struct {
	t        *testing.T
	url      string
	api      *API
	echo     *echo.Echo
	store    *store.Store
	catalog  *catalog.Source
	member   *store.User
	auditor  *store.User
	admin    *store.User
	campaign uint // the demo campaign: the demo firm takes part, the demo auditor reviews

	memberToken, auditorToken, adminToken string
}

func newTestAPI(t *testing.T) *testAPI {
	t.Helper()
	env := testenv.New(t)
	st, src, msgs, log := env.Store, env.Catalog, env.Messages, env.Log
	srv, err := web.New(web.Deps{Work: env.Work, Messages: msgs,
		Templates: selfcheck.Templates, Static: selfcheck.Static, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	ta := &testAPI{t: t, store: st, catalog: src}
	ta.api = New(Deps{Work: env.Work, Messages: msgs, Log: log})
	srv.Mount(func(e *echo.Echo) {
		ta.echo = e
		ta.api.Register(e)
	})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	ta.url = hs.URL

	ta.member, ta.memberToken = ta.user("firm@demo.local")
	ta.auditor, ta.auditorToken = ta.user("auditor@demo.local")
	ta.admin, ta.adminToken = ta.user("admin@demo.local")
	camps, err := st.Campaigns(context.Background(), ta.member)
	if err != nil || len(camps) != 1 {
		t.Fatalf("demo campaign: %v %v", camps, err)
	}
	ta.campaign = camps[0].ID
	return ta
}

// user finds a demo account and gives it a token.
func (ta *testAPI) user(email string) (*store.User, string) {
	ta.t.Helper()
	u, err := ta.store.UserByEmail(context.Background(), email)
	if err != nil {
		ta.t.Fatal(err)
	}
	tok, err := ta.store.CreateToken(context.Background(), u.ID, "test")
	if err != nil {
		ta.t.Fatal(err)
	}
	return u, tok
}

// otherFirm creates a second firm with one member and returns its token.
func (ta *testAPI) otherFirm() string {
	ta.t.Helper()
	ctx := context.Background()
	f, err := ta.store.CreateFirm(ctx, "别家科技有限公司", "91350100M000100Y43")
	if err != nil {
		ta.t.Fatal(err)
	}
	u, err := ta.store.CreateUser(ctx, store.NewUser{Email: "other@firm.test", Name: "Other", Password: "password1", Role: auth.FirmMember, FirmID: &f.ID})
	if err != nil {
		ta.t.Fatal(err)
	}
	tok, err := ta.store.CreateToken(ctx, u.ID, "other")
	if err != nil {
		ta.t.Fatal(err)
	}
	return tok
}

// apiTestChecklist is a small theme uploaded in tests: its first item
// requires evidence, which no built-in item does.
const apiTestChecklist = `id: apitest
version: "1.0"
title:
  zh: 接口测试清单
  en: API test checklist
sources:
  - id: pipl
    title:
      zh: 中华人民共和国个人信息保护法
      en: Personal Information Protection Law
sections:
  - id: main
    title:
      zh: 主要
      en: Main
    items:
      - id: apitest-evidence
        text:
          zh: 留存隐私政策的历史版本。
          en: Past versions of the privacy policy are kept.
        guidance:
          zh: 查看存档。
          en: Check the archive.
        basis:
          - source: pipl
        evidence:
          zh: 存档截图
          en: Archive screenshots
        weight: 3
        severity: high
        evidence_required: true
      - id: apitest-gap
        text:
          zh: 告知处理规则。
          en: Processing rules are notified.
        guidance:
          zh: 阅读隐私政策。
          en: Read the privacy policy.
        basis:
          - source: pipl
        evidence:
          zh: 隐私政策文本
          en: The privacy policy
        weight: 2
        severity: medium
      - id: apitest-open
        text:
          zh: 提供撤回同意的方式。
          en: Consent can be withdrawn.
        guidance:
          zh: 检查设置页面。
          en: Check the settings page.
        basis:
          - source: pipl
        evidence:
          zh: 设置页面截图
          en: Settings screenshots
        weight: 2
        severity: low
      - id: apitest-minors
        text:
          zh: 儿童个人信息单独同意。
          en: Separate consent for children's information.
        guidance:
          zh: 检查同意流程。
          en: Check the consent flow.
        basis:
          - source: pipl
        evidence:
          zh: 流程截图
          en: Flow screenshots
        weight: 2
        severity: high
        applies_to: [minors]
`

// uploadTestChecklist adds apiTestChecklist to the catalog, as an admin does.
func (ta *testAPI) uploadTestChecklist() {
	ta.t.Helper()
	if _, err := ta.catalog.Upload(context.Background(), ta.admin, "apitest.yaml", []byte(apiTestChecklist)); err != nil {
		ta.t.Fatal(err)
	}
}

type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

// json decodes the body into a generic value.
func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object (%v): %.300s", err, r.Body)
	}
	return m
}

// errorOf returns the "error" object of an error answer.
func (r resp) errorOf(t *testing.T) map[string]any {
	t.Helper()
	e, ok := r.json(t)["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object: %.300s", r.Body)
	}
	return e
}

// request sends body (a string is sent as is, anything else as JSON) with
// the token as a bearer token when it is not empty.
func (ta *testAPI) request(method, path, token string, body any, header ...string) resp {
	ta.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			ta.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, ta.url+path, rd)
	if err != nil {
		ta.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return ta.send(req)
}

func (ta *testAPI) send(req *http.Request) resp {
	ta.t.Helper()
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		ta.t.Fatal(err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		ta.t.Fatal(err)
	}
	return resp{Status: r.StatusCode, Header: r.Header, Body: b}
}

// upload posts a file in the multipart field "file".
func (ta *testAPI) upload(path, token, name string, content []byte) resp {
	ta.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		ta.t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, ta.url+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return ta.send(req)
}

// want fails the test unless r has the status (and, for errors, the code).
func want(t *testing.T, r resp, status int, code ...string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %.500s", r.Status, status, r.Body)
	}
	if len(code) > 0 {
		if got := r.errorOf(t)["code"]; got != code[0] {
			t.Fatalf("error code %v, want %s: %.500s", got, code[0], r.Body)
		}
	}
}

// assessmentJSON is the part of an assessment the tests read.
type assessmentJSON struct {
	ID          uint    `json:"id"`
	State       string  `json:"state"`
	SubmittedAt *string `json:"submitted_at"`
	Campaign    *struct {
		ID uint `json:"id"`
	} `json:"campaign"`
	Firm struct {
		Name       string `json:"name"`
		CreditCode string `json:"credit_code"`
	} `json:"firm"`
	Themes []struct {
		ID string `json:"id"`
	} `json:"themes"`
	Items []struct {
		ID               string `json:"id"`
		Theme            string `json:"theme"`
		EvidenceRequired bool   `json:"evidence_required"`
		Answer           struct {
			Response *string `json:"response"`
			Note     string  `json:"note"`
			Version  int     `json:"version"`
		} `json:"answer"`
		Plan *struct {
			Measure string `json:"measure"`
			Version int    `json:"version"`
		} `json:"plan"`
		Evidence []struct {
			ID  uint   `json:"id"`
			URL string `json:"url"`
		} `json:"evidence"`
	} `json:"items"`
	Excluded []struct {
		ID        string   `json:"id"`
		AppliesTo []string `json:"applies_to"`
	} `json:"excluded"`
	Score struct {
		Overall  *float64 `json:"overall"`
		Grade    *string  `json:"grade"`
		Answered int      `json:"answered"`
		Total    int      `json:"total"`
	} `json:"score"`
}

func decodeAssessment(t *testing.T, r resp) assessmentJSON {
	t.Helper()
	var a assessmentJSON
	if err := json.Unmarshal(r.Body, &a); err != nil {
		t.Fatalf("assessment: %v: %.300s", err, r.Body)
	}
	return a
}

// start creates an assessment with the member's token and returns it.
func (ta *testAPI) start(body any) assessmentJSON {
	ta.t.Helper()
	r := ta.request(http.MethodPost, "/api/v1/assessments", ta.memberToken, body)
	want(ta.t, r, http.StatusCreated)
	return decodeAssessment(ta.t, r)
}

func (ta *testAPI) get(path, token string) resp {
	ta.t.Helper()
	return ta.request(http.MethodGet, path, token, nil)
}

func assessmentPath(id uint, rest ...string) string {
	return fmt.Sprintf("/api/v1/assessments/%d", id) + strings.Join(rest, "")
}

// attachRequired attaches a file to every item of assessment id that
// requires evidence and has none, as a firm must before it submits.
func (ta *testAPI) attachRequired(id uint, token string) {
	ta.t.Helper()
	r := ta.get(assessmentPath(id), token)
	want(ta.t, r, http.StatusOK)
	for _, it := range decodeAssessment(ta.t, r).Items {
		if it.EvidenceRequired && len(it.Evidence) == 0 {
			want(ta.t, ta.upload(assessmentPath(id, "/answers/", it.ID, "/evidence"), token, "证明材料.txt", []byte("证明材料 "+it.ID)), http.StatusCreated)
		}
	}
}
