package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"selfcheck"
	"selfcheck/app/auth"
	"selfcheck/app/catalog"
	"selfcheck/app/checklist"
	"selfcheck/app/i18n"
	"selfcheck/app/notify"
	"selfcheck/app/report"
	"selfcheck/app/reporting"
	"selfcheck/app/store"
	"selfcheck/app/testdb"
	"selfcheck/app/testenv"
	"selfcheck/app/web"
	"selfcheck/app/workflow"
)

// The API's authorization matrix: every route under /api/v1, called with
// the token of every kind of caller. Each call that may change something
// goes to a server on its own copy of one fixture database; GETs share one.
// The expected statuses are in apiAuthz, one row per route.

// The callers, in the order of the matrix's columns.
const (
	asAnonymous    = iota // no token
	asMember              // firm@demo.local, of the demo firm
	asFirmAdmin           // firmadmin@demo.local, of the demo firm
	asOtherMember         // a member of another firm
	asOtherAdmin          // the firm admin of that other firm
	asAuditor             // auditor@demo.local, assigned to the demo campaign
	asOtherAuditor        // an auditor assigned to another campaign only
	asAdmin               // admin@demo.local
	callers
)

var callerNames = [callers]string{"no token", "member", "firm admin", "other firm's member", "other firm's admin",
	"auditor", "other campaign's auditor", "admin"}

var callerEmails = [callers]string{"", "firm@demo.local", "firmadmin@demo.local", "other@firm.test", "otheradmin@firm.test",
	"auditor@demo.local", "auditor2@demo.local", "admin@demo.local"}

// statuses are the statuses the callers get, in the order of the columns.
type statuses [callers]int

type authzRow struct {
	want  statuses
	route string // "METHOD /path" as registered, under Prefix
}

// apiAuthz is who gets what. Paths name the demo firm's objects: the demo
// campaign's submitted assessment for reading and reviewing, a draft with
// every item answered for writing and submitting. 401 is no token; 403 a
// role the route is not for; another firm's or campaign's object is 404.
var apiAuthz = []authzRow{
	// anon mem  fadm oMem oAdm aud  oAud admin
	{statuses{200, 200, 200, 200, 200, 200, 200, 200}, "GET /openapi.json"},
	{statuses{401, 200, 200, 200, 200, 200, 200, 200}, "GET /checklists"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 201}, "POST /checklists"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 204}, "DELETE /checklists/:id"},
	{statuses{401, 200, 200, 200, 200, 200, 200, 200}, "GET /campaigns"},
	{statuses{401, 200, 200, 200, 200, 200, 200, 200}, "GET /assessments"},
	{statuses{401, 201, 201, 201, 201, 403, 403, 403}, "POST /assessments"},
	{statuses{401, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id"},
	{statuses{401, 200, 200, 404, 404, 403, 403, 403}, "PUT /assessments/:id/answers/:item"},
	{statuses{401, 200, 200, 404, 404, 403, 403, 403}, "PUT /assessments/:id/answers/:item/plan"},
	{statuses{401, 201, 201, 404, 404, 403, 403, 403}, "POST /assessments/:id/answers/:item/evidence"},
	{statuses{401, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/answers/:item/evidence/:evidenceID"},
	{statuses{401, 200, 200, 404, 404, 403, 403, 403}, "POST /assessments/:id/submit"},
	{statuses{401, 403, 403, 403, 403, 200, 404, 200}, "POST /assessments/:id/review"},
	{statuses{401, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/activity"},
	{statuses{401, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/report.pdf"},
	{statuses{401, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/report.xlsx"},
	{statuses{401, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/report.csv"},
	{statuses{401, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/report.json"},
	{statuses{401, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/report.oscal.json"},
	{statuses{401, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/package.zip"},
	{statuses{401, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/rectification.pdf"},
	{statuses{401, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/rectification.xlsx"},
	{statuses{401, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/rectification.csv"},
	{statuses{401, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/history"},
	{statuses{401, 204, 204, 404, 404, 403, 403, 403}, "DELETE /assessments/:id/answers/:item/evidence/:evidenceID"},
	{statuses{401, 200, 200, 404, 404, 403, 403, 403}, "PUT /assessments/:id/answers/:item/evidence/:evidenceID"},
	{statuses{401, 200, 200, 200, 200, 403, 403, 403}, "GET /plans"},
	{statuses{401, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/plans/:item"},
	{statuses{401, 200, 200, 404, 404, 403, 403, 403}, "POST /assessments/:id/plans/:item/progress"},
	// The submitted assessment's plan is done: only its campaign's auditor decides.
	{statuses{401, 403, 403, 403, 403, 200, 404, 403}, "POST /assessments/:id/plans/:item/verify"},
	{statuses{401, 201, 201, 404, 404, 403, 403, 403}, "POST /assessments/:id/plans/:item/evidence"},
	{statuses{401, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/plans/:item/evidence/:evidenceID"},
	{statuses{401, 200, 200, 404, 404, 403, 403, 403}, "PUT /assessments/:id/assignments"},
	{statuses{401, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/answers/:item/comments"},
	{statuses{401, 201, 201, 404, 404, 404, 404, 404}, "POST /assessments/:id/answers/:item/comments"},
	// No fixture comment: the matrix checks authentication only; team_test.go
	// checks who may edit and delete.
	{statuses{401, 404, 404, 404, 404, 404, 404, 404}, "PUT /assessments/:id/comments/:commentID"},
	{statuses{401, 404, 404, 404, 404, 404, 404, 404}, "DELETE /assessments/:id/comments/:commentID"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 201}, "POST /campaigns"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 201}, "POST /campaigns/:id/follow-up"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 200}, "PUT /campaigns/:id/auditors"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 200}, "PUT /campaigns/:id/firms"},
	{statuses{401, 403, 403, 403, 403, 200, 404, 200}, "GET /campaigns/:id/dashboard"},
	{statuses{401, 403, 403, 403, 403, 200, 404, 200}, "GET /campaigns/:id/results.csv"},
	{statuses{401, 403, 403, 403, 403, 200, 404, 200}, "GET /campaigns/:id/results.xlsx"},
	{statuses{401, 403, 403, 403, 403, 200, 200, 200}, "GET /review-queue"},
	{statuses{401, 403, 200, 403, 200, 403, 403, 403}, "GET /team"},
	{statuses{401, 403, 201, 403, 201, 403, 403, 403}, "POST /team"},
	{statuses{401, 403, 204, 403, 404, 403, 403, 403}, "DELETE /team/:userID"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 200}, "GET /firms"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 201}, "POST /firms"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 200}, "GET /users"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 201}, "POST /users"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 204}, "POST /users/:id/disable"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 200}, "PUT /users/:id/role"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 200}, "GET /login-locks"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 200}, "POST /login-locks/clear"},
	{statuses{401, 200, 200, 200, 200, 200, 200, 200}, "GET /notifications"},
	{statuses{401, 204, 204, 204, 204, 204, 204, 204}, "POST /notifications/read-all"},
	// The demo auditor's notice of the submission: everyone else's 404.
	{statuses{401, 404, 404, 404, 404, 204, 404, 404}, "POST /notifications/:id/read"},
	{statuses{401, 200, 200, 200, 200, 200, 200, 200}, "GET /notification-preferences"},
	{statuses{401, 200, 200, 200, 200, 200, 200, 200}, "PUT /notification-preferences"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 200}, "PUT /campaigns/:id/reminders"},
	// Webhooks: a firm admin's are their firm's, the admins' are theirs.
	{statuses{401, 403, 200, 403, 200, 403, 403, 200}, "GET /webhooks"},
	{statuses{401, 403, 201, 403, 201, 403, 403, 201}, "POST /webhooks"},
	{statuses{401, 403, 204, 403, 404, 403, 403, 404}, "DELETE /webhooks/:id"},
	{statuses{401, 403, 200, 403, 404, 403, 403, 404}, "POST /webhooks/:id/test"},
}

// authzSecret is a note on the demo firm's assessments: no refusal may show it.
const authzSecret = "机密备注-authz"

// authzKit is what every copy of the fixture's application shares.
type authzKit struct {
	builtin  *checklist.Catalog
	themes   []string
	messages *i18n.Catalog
	renderer *report.Renderer
	log      *slog.Logger
}

func newAuthzKit(t *testing.T) *authzKit {
	t.Helper()
	cat, _, err := checklist.Load(selfcheck.Checklists, "checklists")
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	font, err := selfcheck.Static.ReadFile("static/fonts/wqy-microhei.ttf")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := report.New(font)
	if err != nil {
		t.Fatal(err)
	}
	k := &authzKit{builtin: cat, messages: msgs, renderer: rep, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, cl := range cat.Checklists {
		k.themes = append(k.themes, cl.ID)
	}
	return k
}

// served is the whole application (the web server with the API mounted, as
// cmd/selfcheck builds it) on one database.
type served struct {
	url    string
	store  *store.Store
	source *catalog.Source
	echo   *echo.Echo
	stop   func()
}

// serve serves the database at path as testenv does; it may be called
// from any goroutine.
func (k *authzKit) serve(path string) (*served, error) {
	st, err := store.Open(context.Background(), path, k.log)
	if err != nil {
		return nil, err
	}
	src, err := catalog.New(selfcheck.Checklists, "checklists", st)
	if err != nil {
		st.Close()
		return nil, err
	}
	reports := &reporting.Service{Store: st, Renderer: k.renderer, Messages: k.messages, PublicURL: testenv.PublicURL}
	// Webhooks to loopback are refused (no --webhook-allow-private): a
	// test call answers without leaving the machine.
	work := workflow.New(workflow.Deps{Store: st, Catalog: src, Reports: reports, Log: k.log,
		Poster: notify.NewPoster(testenv.PublicURL, k.messages, false)})
	srv, err := web.New(web.Deps{Work: work, Messages: k.messages,
		Templates: selfcheck.Templates, Static: selfcheck.Static, Log: k.log})
	if err != nil {
		st.Close()
		return nil, err
	}
	s := &served{store: st, source: src}
	a := New(Deps{Work: work, Messages: k.messages, Log: k.log})
	srv.Mount(func(e *echo.Echo) {
		s.echo = e
		a.Register(e)
	})
	hs := httptest.NewServer(srv)
	s.url, s.stop = hs.URL, func() { hs.Close(); st.Close() }
	return s, nil
}

// apiFixture is a closed database holding, besides the demo data, the demo
// campaign's assessment of the demo firm (a note, a plan and an evidence
// file on one item, every item answered, submitted); a draft of the demo
// firm answered the same way; another firm with a member and a firm admin
// and its own submitted assessment in a second campaign, which another
// auditor reviews; and a token for each caller.
type apiFixture struct {
	kit   *authzKit
	db    string
	reads string // the URL of a server on a copy, for GET requests
	echo  *echo.Echo

	tokens [callers]string

	submitted, draft, otherAssessment uint
	submittedItem, draftItem          string
	otherItem                         string
	submittedEv, otherEv, draftEv     uint
	submittedPlanEv                   uint   // a rectification file of the submitted assessment's plan, marked done
	campaign, otherCampaign           uint   // the demo campaign, and the other firm's
	member                            uint   // the demo firm's member: whom accounts routes change
	firmCode                          string // the demo firm's credit code
	notice, otherNotice               int64  // the demo auditor's notification of the submission, and the other auditor's of theirs
	webhook, otherWebhook             int64  // the demo firm admin's webhook, the other firm admin's
}

func newAPIFixture(t *testing.T) *apiFixture {
	t.Helper()
	ctx := context.Background()
	f := &apiFixture{kit: newAuthzKit(t), db: testdb.URL(t, "fixture.db")}
	s, err := f.kit.serve(f.db)
	if err != nil {
		t.Fatal(err)
	}
	st := s.store
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.EnsureDemo(ctx, f.kit.themes))
	user := func(email string) *store.User {
		t.Helper()
		u, err := st.UserByEmail(ctx, email)
		must(err)
		return u
	}
	other, err := st.CreateFirm(ctx, "别家科技有限公司", "91350100M000100Y43")
	must(err)
	for _, nu := range []store.NewUser{
		{Email: "other@firm.test", Name: "别家专员", Role: auth.FirmMember, FirmID: &other.ID},
		{Email: "otheradmin@firm.test", Name: "别家负责人", Role: auth.FirmAdmin, FirmID: &other.ID},
		{Email: "auditor2@demo.local", Name: "另一审核员", Role: auth.Auditor},
	} {
		nu.Password = store.DemoPassword
		_, err := st.CreateUser(ctx, nu)
		must(err)
	}
	now := time.Now().UTC()
	otherCamp, err := st.CreateCampaign(ctx, user("admin@demo.local"), store.NewCampaign{
		NameZH: "另一专项", NameEN: "Another campaign", Themes: []string{"popups"},
		StartsOn: now.Format("2006-01-02"), Deadline: now.AddDate(0, 1, 0).Format("2006-01-02"),
		FirmIDs: []uint{other.ID}, AuditorIDs: []uint{user("auditor2@demo.local").ID},
	})
	must(err)
	for i, email := range callerEmails {
		if email != "" {
			f.tokens[i], err = st.CreateToken(ctx, user(email).ID, "authz")
			must(err)
		}
	}
	ta := &testAPI{t: t, url: s.url, store: st, catalog: s.source}
	camps, err := st.Campaigns(ctx, user("firm@demo.local"))
	must(err)
	f.submitted, f.submittedItem, f.submittedEv = f.prepare(ta, f.tokens[asMember], map[string]any{"campaign": camps[0].ID}, true)
	// The submitted plan is done, with a rectification file: plans live on.
	want(t, ta.request(http.MethodPost, assessmentPath(f.submitted, "/plans/", f.submittedItem, "/progress"), f.tokens[asMember],
		map[string]any{"status": "done", "note": "已完成", "version": 1}), http.StatusOK)
	pev := ta.upload(assessmentPath(f.submitted, "/plans/", f.submittedItem, "/evidence"), f.tokens[asMember], "整改.txt", []byte("整改材料"))
	want(t, pev, http.StatusCreated)
	var pe struct{ ID uint }
	must(json.Unmarshal(pev.Body, &pe))
	f.submittedPlanEv = pe.ID
	f.draft, f.draftItem, f.draftEv = f.prepare(ta, f.tokens[asMember], map[string]any{"themes": []string{"popups"}, "profile": []string{"app"}}, false)
	f.otherAssessment, f.otherItem, f.otherEv = f.prepare(ta, f.tokens[asOtherMember], map[string]any{"campaign": otherCamp, "profile": []string{"app"}}, true)
	f.campaign, f.otherCampaign = camps[0].ID, otherCamp
	f.member = user("firm@demo.local").ID
	firm := user("firm@demo.local").Firm
	f.firmCode = firm.CreditCode
	// An uploaded theme, for the route that deletes one.
	want(t, ta.upload(Prefix+"/checklists", f.tokens[asAdmin], "authz-extra.yaml", []byte(miniChecklist("authz-extra"))), http.StatusCreated)
	// The notifications the outbox would have made by now.
	evs, err := st.EventsAfter(ctx, 0, 100000)
	must(err)
	must(notify.Subscriber{Store: st}.Handle(ctx, evs))
	notices, _, err := st.Notices(ctx, user("auditor@demo.local"), 0, 0)
	must(err)
	if len(notices) != 1 {
		t.Fatalf("the demo auditor has %d notifications, want 1", len(notices))
	}
	f.notice = notices[0].ID
	notices, _, err = st.Notices(ctx, user("auditor2@demo.local"), 0, 0)
	must(err)
	if len(notices) != 1 {
		t.Fatalf("the other auditor has %d notifications, want 1", len(notices))
	}
	f.otherNotice = notices[0].ID
	hook := notify.Webhook{Kind: notify.Generic, URL: "http://127.0.0.1:9/hook", Events: []string{"submitted"}}
	f.webhook, err = st.CreateWebhook(ctx, user("firmadmin@demo.local"), hook)
	must(err)
	f.otherWebhook, err = st.CreateWebhook(ctx, user("otheradmin@firm.test"), hook)
	must(err)
	f.echo = s.echo
	s.stop()

	db, err := testdb.Copy(t, f.db)
	must(err)
	reads, err := f.kit.serve(db)
	must(err)
	t.Cleanup(reads.stop)
	f.reads = reads.url
	return f
}

// prepare creates an assessment with body, puts a note, a plan and a file
// on its first item, answers every other item and, if submit, submits it.
func (f *apiFixture) prepare(ta *testAPI, token string, body map[string]any, submit bool) (id uint, item string, ev uint) {
	t := ta.t
	t.Helper()
	r := ta.request(http.MethodPost, "/api/v1/assessments", token, body)
	want(t, r, http.StatusCreated)
	a := decodeAssessment(t, r)
	item = a.Items[0].ID
	want(t, ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", item), token, map[string]any{"response": "partial", "note": authzSecret}), http.StatusOK)
	want(t, ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", item, "/plan"), token,
		map[string]any{"measure": "整改", "owner": "张三", "due": "2030-01-01"}), http.StatusOK)
	up := ta.upload(assessmentPath(a.ID, "/answers/", item, "/evidence"), token, "机密.txt", []byte("内部材料"))
	want(t, up, http.StatusCreated)
	var e struct{ ID uint }
	json.Unmarshal(up.Body, &e)
	for _, it := range a.Items[1:] {
		want(t, ta.request(http.MethodPut, assessmentPath(a.ID, "/answers/", it.ID), token, map[string]any{"response": "compliant"}), http.StatusOK)
	}
	ta.attachRequired(a.ID, token)
	if submit {
		want(t, ta.request(http.MethodPost, assessmentPath(a.ID, "/submit"), token, nil), http.StatusOK)
	}
	return a.ID, item, e.ID
}

// path puts the fixture's objects into a route's path: the draft for
// writing and submitting, the submitted assessment otherwise.
func (f *apiFixture) path(method, pattern string) string {
	id, item, ev := f.submitted, f.submittedItem, f.submittedEv
	if strings.Contains(pattern, "/plans/") && strings.Contains(pattern, ":evidenceID") {
		ev = f.submittedPlanEv
	}
	if method != http.MethodGet && strings.HasPrefix(pattern, "/assessments/") && !strings.HasSuffix(pattern, "/review") && !strings.HasSuffix(pattern, "/verify") {
		id, item, ev = f.draft, f.draftItem, f.draftEv
	}
	switch {
	case strings.HasPrefix(pattern, "/campaigns/"):
		id = f.campaign
	case strings.HasPrefix(pattern, "/users/"):
		id = f.member
	case strings.HasPrefix(pattern, "/notifications/"):
		return Prefix + strings.Replace(pattern, ":id", fmt.Sprint(f.notice), 1)
	case strings.HasPrefix(pattern, "/webhooks/"):
		return Prefix + strings.Replace(pattern, ":id", fmt.Sprint(f.webhook), 1)
	}
	if strings.HasPrefix(pattern, "/checklists/") {
		return Prefix + strings.Replace(pattern, ":id", "authz-extra", 1)
	}
	r := strings.NewReplacer(":id", fmt.Sprint(id), ":item", item, ":evidenceID", fmt.Sprint(ev), ":userID", fmt.Sprint(f.member))
	return Prefix + r.Replace(pattern)
}

// body is a minimal valid body for a route: what an allowed call needs to
// be carried out rather than refused for its input.
func (f *apiFixture) body(route string) (body any, file []byte) {
	switch route {
	case "POST /campaigns":
		return map[string]any{"name": map[string]string{"zh": "新专项", "en": "New campaign"}, "themes": []string{"popups"},
			"starts_on": "2030-01-01", "deadline": "2030-03-31", "firms": []string{f.firmCode}, "auditors": []string{"auditor@demo.local"}}, nil
	case "POST /campaigns/:id/follow-up":
		return map[string]any{"name": map[string]string{"zh": "复查"}, "starts_on": "2030-01-01", "deadline": "2030-03-31"}, nil
	case "PUT /campaigns/:id/auditors":
		return map[string]any{"auditors": []string{"auditor@demo.local", "auditor2@demo.local"}}, nil
	case "PUT /campaigns/:id/firms":
		return map[string]any{"firms": []string{f.firmCode, "91350100M000100Y43"}}, nil
	case "POST /team":
		return map[string]any{"email": "new@member.test", "name": "新成员", "role": "firm_member", "generate": true}, nil
	case "POST /users":
		return map[string]any{"email": "new@auditor.test", "name": "新审核员", "role": "auditor", "password": "long enough"}, nil
	case "POST /firms":
		return map[string]any{"name": "新公司", "credit_code": testCreditCode}, nil
	case "PUT /users/:id/role":
		return map[string]any{"role": "firm_admin"}, nil
	case "POST /login-locks/clear":
		return map[string]any{"kind": "account", "account": "firm@demo.local"}, nil
	case "POST /checklists":
		return nil, []byte(miniChecklist("authz-api"))
	case "PUT /assessments/:id/assignments":
		return map[string]any{"assignments": []map[string]any{{"item": f.draftItem, "user": "firm@demo.local"}}}, nil
	case "PUT /campaigns/:id/reminders":
		return map[string]any{"days": []int{14, 3}}, nil
	case "POST /webhooks":
		return map[string]any{"kind": "generic", "url": "https://hooks.example.com/selfcheck", "events": []string{"submitted"}}, nil
	case "PUT /notification-preferences":
		return map[string]any{"preferences": map[string]string{"submitted": "digest"}}, nil
	}
	return apiBody(route)
}

// testCreditCode is a valid credit code no fixture firm has.
const testCreditCode = "91110000600037341L"

func apiBody(route string) (body any, file []byte) {
	switch route {
	case "POST /assessments":
		return map[string]any{"themes": []string{"popups"}, "profile": []string{"app"}}, nil
	case "PUT /assessments/:id/answers/:item":
		return map[string]any{"response": "compliant", "note": "已整改"}, nil
	case "PUT /assessments/:id/answers/:item/plan":
		return map[string]any{"measure": "补充说明", "owner": "李四", "due": "2030-06-30", "status": "in_progress"}, nil
	case "POST /assessments/:id/answers/:item/evidence", "POST /assessments/:id/plans/:item/evidence":
		return nil, []byte("截图说明")
	case "PUT /assessments/:id/answers/:item/evidence/:evidenceID":
		return map[string]any{"valid_until": "2030-06-30"}, nil
	case "POST /assessments/:id/plans/:item/progress":
		return map[string]any{"status": "in_progress", "note": "进行中", "version": 1}, nil
	case "POST /assessments/:id/plans/:item/verify":
		return map[string]any{"decision": "accept", "comment": "材料齐全", "version": 2}, nil
	case "POST /assessments/:id/review":
		return map[string]any{"decision": "request_changes", "comment": "请补充材料"}, nil
	case "POST /assessments/:id/answers/:item/comments", "PUT /assessments/:id/comments/:commentID":
		return map[string]any{"body": "请看一下"}, nil
	}
	return nil, nil
}

// call sends one request with the caller's token to the server for reads
// or, for anything else, to a server on a copy of the fixture made for t.
func (f *apiFixture) call(t testing.TB, who int, method, pattern string) (resp, error) {
	base := f.reads
	if method != http.MethodGet {
		db, err := testdb.Copy(t, f.db)
		if err != nil {
			return resp{}, err
		}
		s, err := f.kit.serve(db)
		if err != nil {
			return resp{}, err
		}
		defer s.stop()
		base = s.url
	}
	body, file := f.body(method + " " + pattern)
	var rd io.Reader
	contentType := ""
	switch {
	case file != nil:
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		name := "说明.txt"
		if pattern == "/checklists" {
			name = "authz-api.yaml"
		}
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(file)
		mw.Close()
		rd, contentType = &b, mw.FormDataContentType()
	case body != nil:
		j, err := json.Marshal(body)
		if err != nil {
			return resp{}, err
		}
		rd, contentType = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, base+f.path(method, pattern), rd)
	if err != nil {
		return resp{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if f.tokens[who] != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[who])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return resp{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return resp{Status: res.StatusCode, Header: res.Header, Body: b}, err
}

// callAll sends the request as each of the callers at once.
func (f *apiFixture) callAll(t *testing.T, method, pattern string, who ...int) [callers]resp {
	t.Helper()
	if len(who) == 0 {
		for c := range callers {
			who = append(who, c)
		}
	}
	var out [callers]resp
	var wg sync.WaitGroup
	for _, c := range who {
		wg.Go(func() {
			r, err := f.call(t, c, method, pattern)
			if err != nil {
				t.Errorf("%s: %v", callerNames[c], err)
			}
			out[c] = r
		})
	}
	wg.Wait()
	return out
}

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	f := newAPIFixture(t)
	rows := map[string]statuses{}
	for _, r := range apiAuthz {
		if _, dup := rows[r.route]; dup {
			t.Errorf("%s has two rows", r.route)
		}
		rows[r.route] = r.want
	}
	seen := map[string]bool{}
	for _, r := range f.echo.Routes() {
		if !strings.HasPrefix(r.Path, Prefix+"/") || strings.HasPrefix(r.Method, "echo_") || r.Path == Prefix+"/*" {
			continue
		}
		key := r.Method + " " + strings.TrimPrefix(r.Path, Prefix)
		seen[key] = true
		if _, ok := rows[key]; !ok {
			t.Errorf("route %s %s has no row in the authorization matrix (apiAuthz)", r.Method, r.Path)
		}
	}
	for key := range rows {
		if !seen[key] {
			t.Errorf("apiAuthz has a row for %s, which is not a registered route", key)
		}
	}

	t.Run("every route as every caller", func(t *testing.T) {
		for _, r := range apiAuthz {
			method, pattern, _ := strings.Cut(r.route, " ")
			t.Run(r.route, func(t *testing.T) {
				t.Parallel()
				var got statuses
				for who, res := range f.callAll(t, method, pattern) {
					got[who] = res.Status
					if refused(res.Status) {
						if strings.Contains(string(res.Body), authzSecret) {
							t.Errorf("%s: the %d answer shows the firm's note", callerNames[who], res.Status)
						}
						if code, _ := res.errorOf(t)["code"].(string); code == "" {
							t.Errorf("%s: the %d answer has no error code: %.200s", callerNames[who], res.Status, res.Body)
						}
					}
				}
				if got != r.want {
					for who := range callers {
						if got[who] != r.want[who] {
							t.Errorf("%s: %d, want %d", callerNames[who], got[who], r.want[who])
						}
					}
					t.Errorf("row is %v", got)
				}
			})
		}
	})

	// The other firm's objects, in the demo firm's paths: 404 for every
	// role of the demo firm and campaign that may use the route.
	t.Run("another firm's objects", func(t *testing.T) {
		other := *f
		other.submitted, other.draft = f.otherAssessment, f.otherAssessment
		other.submittedItem, other.draftItem = f.otherItem, f.otherItem
		other.submittedEv = f.otherEv
		other.campaign = f.otherCampaign
		other.notice = f.otherNotice
		other.webhook = f.otherWebhook
		for _, r := range apiAuthz {
			method, pattern, _ := strings.Cut(r.route, " ")
			if !strings.Contains(pattern, ":id") {
				continue
			}
			t.Run(r.route, func(t *testing.T) {
				t.Parallel()
				got := other.callAll(t, method, pattern, asMember, asFirmAdmin, asAuditor)
				for _, who := range []int{asMember, asFirmAdmin, asAuditor} {
					if r.want[who] == http.StatusForbidden {
						continue // the role may not use the route at all
					}
					if got[who].Status != http.StatusNotFound {
						t.Errorf("%s: %d, want 404: %.200s", callerNames[who], got[who].Status, got[who].Body)
					}
				}
			})
		}
	})
}

// refused reports whether a status turns the caller away.
func refused(status int) bool {
	return status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound
}

// miniChecklist is the loader's smallest valid checklist, given the id id
// (its items' ids made unique to it), as an admin would upload it.
func miniChecklist(id string) string {
	b, err := os.ReadFile("../checklist/testdata/valid/mini.yaml")
	if err != nil {
		panic(err) // the test data is part of the repository
	}
	return strings.NewReplacer("id: mini\n", "id: "+id+"\n", "id: mini-", "id: "+id+"-").Replace(string(b))
}
