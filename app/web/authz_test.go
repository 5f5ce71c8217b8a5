package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
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
	"selfcheck/app/scoring"
	"selfcheck/app/store"
	"selfcheck/app/testdb"
	"selfcheck/app/testenv"
	"selfcheck/app/uscc"
	"selfcheck/app/verify"
	"selfcheck/app/workflow"
)

// The authorization matrix: every route of the Echo router, called by every
// kind of caller. Each call that may change something goes to a server on
// its own copy of one fixture database, so that no call sees what another
// changed; GETs share one. The expected status of each call is in webAuthz,
// one row per route.

// The callers, in the order of the matrix's columns.
const (
	asAnonymous    = iota
	asMember       // firm@demo.local, of the demo firm
	asFirmAdmin    // firmadmin@demo.local, of the demo firm
	asOtherMember  // a member of another firm
	asOtherAdmin   // the firm admin of that other firm
	asAuditor      // auditor@demo.local, assigned to the demo campaign
	asOtherAuditor // an auditor assigned to another campaign only
	asAdmin        // admin@demo.local
	callers
)

var callerNames = [callers]string{"anonymous", "member", "firm admin", "other firm's member", "other firm's admin",
	"auditor", "other campaign's auditor", "admin"}

// statuses are the statuses the callers get, in the order of the columns.
type statuses [callers]int

type authzRow struct {
	want  statuses
	route string // "METHOD /path" as registered
}

// webAuthz is who gets what. The objects a path names are the demo firm's
// (see authzFixture.path): the demo campaign's submitted assessment for
// reading and reviewing, a draft of the demo firm for writing. 303 for an
// anonymous GET is the redirect to the login form; 401/403/404 are refusals,
// and another firm's or campaign's object is always 404.
var webAuthz = []authzRow{
	// anon mem  fadm oMem oAdm aud  oAud admin
	{statuses{200, 200, 200, 200, 200, 200, 200, 200}, "GET /healthz"},
	{statuses{200, 200, 200, 200, 200, 200, 200, 200}, "GET /livez"},
	{statuses{200, 200, 200, 200, 200, 200, 200, 200}, "GET /readyz"},
	{statuses{200, 200, 200, 200, 200, 200, 200, 200}, "GET /static/*"},
	{statuses{301, 301, 301, 301, 301, 301, 301, 301}, "GET /favicon.ico"},
	{statuses{200, 303, 303, 303, 303, 303, 303, 303}, "GET /login"},
	{statuses{303, 303, 303, 303, 303, 303, 303, 303}, "POST /login"},
	{statuses{401, 303, 303, 303, 303, 303, 303, 303}, "POST /logout"},
	{statuses{303, 303, 303, 303, 303, 303, 303, 303}, "POST /lang"},
	{statuses{200, 200, 200, 200, 200, 200, 200, 200}, "GET /verify/key"},
	{statuses{200, 200, 200, 200, 200, 200, 200, 200}, "GET /verify/:code"},

	{statuses{303, 200, 200, 200, 200, 200, 200, 200}, "GET /"},
	{statuses{401, 303, 303, 303, 303, 403, 403, 403}, "POST /assessments"},
	{statuses{303, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id"},
	{statuses{401, 303, 303, 404, 404, 403, 403, 403}, "POST /assessments/:id"},
	{statuses{303, 200, 200, 404, 404, 403, 403, 403}, "GET /assessments/:id/submit"},
	{statuses{401, 200, 200, 404, 404, 403, 403, 403}, "POST /assessments/:id/answers/:item"},
	{statuses{401, 200, 200, 404, 404, 403, 403, 403}, "POST /assessments/:id/answers/:item/plan"},
	{statuses{401, 303, 303, 404, 404, 403, 403, 403}, "POST /assessments/:id/answers/:item/evidence"},
	{statuses{303, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/evidence/:eid"},
	{statuses{303, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/evidence/:eid/view"},
	{statuses{401, 303, 303, 404, 404, 403, 403, 403}, "POST /assessments/:id/evidence/:eid/delete"},
	{statuses{401, 303, 303, 404, 404, 403, 403, 403}, "POST /assessments/:id/evidence/:eid/valid-until"},
	{statuses{303, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/timeline"},
	{statuses{401, 303, 303, 404, 404, 403, 403, 403}, "POST /assessments/:id/assignments"},
	{statuses{401, 303, 303, 404, 404, 404, 404, 404}, "POST /assessments/:id/comments"},
	{statuses{401, 303, 403, 404, 404, 404, 404, 404}, "POST /assessments/:id/comments/edit"},
	{statuses{401, 303, 403, 404, 404, 404, 404, 404}, "POST /assessments/:id/comments/delete"},
	{statuses{303, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/score"},
	{statuses{303, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/report.pdf"},
	{statuses{303, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/report.xlsx"},
	{statuses{303, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/report.csv"},
	{statuses{303, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/report.json"},
	{statuses{303, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/report.oscal.json"},
	{statuses{303, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/package.zip"},
	{statuses{303, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/rectification.pdf"},
	{statuses{303, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/rectification.xlsx"},
	{statuses{303, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/rectification.csv"},
	{statuses{303, 200, 200, 200, 200, 403, 403, 403}, "GET /plans"},
	{statuses{303, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/rectification"},
	{statuses{401, 303, 303, 404, 404, 403, 403, 403}, "POST /assessments/:id/plans/:item/progress"},
	// The submitted assessment's plan is done: only its campaign's auditor decides.
	{statuses{401, 403, 403, 403, 403, 303, 404, 403}, "POST /assessments/:id/plans/:item/verify"},
	{statuses{401, 303, 303, 404, 404, 403, 403, 403}, "POST /assessments/:id/plans/:item/evidence"},
	{statuses{303, 200, 200, 404, 404, 200, 404, 200}, "GET /assessments/:id/plans/:item/evidence/:eid"},
	{statuses{303, 403, 403, 403, 403, 200, 200, 200}, "GET /review"},
	{statuses{303, 403, 403, 403, 403, 200, 404, 200}, "GET /assessments/:id/review"},
	{statuses{401, 403, 403, 403, 403, 303, 404, 303}, "POST /assessments/:id/review"},

	{statuses{303, 403, 403, 403, 403, 403, 403, 200}, "GET /admin/checklists"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 303}, "POST /admin/checklists"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 303}, "POST /admin/checklists/:id/delete"},
	{statuses{303, 403, 403, 403, 403, 403, 403, 200}, "GET /admin/firms"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 303}, "POST /admin/firms"},
	{statuses{303, 403, 403, 403, 403, 403, 403, 200}, "GET /admin/users"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 200}, "POST /admin/users"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 303}, "POST /admin/users/:id/disable"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 303}, "POST /admin/users/:id/role"},
	{statuses{303, 403, 403, 403, 403, 403, 403, 200}, "GET /admin/campaigns"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 303}, "POST /admin/campaigns"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 303}, "POST /admin/campaigns/:id/auditors"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 303}, "POST /admin/campaigns/:id/follow-up"},
	{statuses{303, 403, 403, 403, 403, 403, 403, 200}, "GET /admin/audit"},
	{statuses{303, 403, 403, 403, 403, 403, 403, 200}, "GET /admin/locks"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 303}, "POST /admin/locks/clear"},
	// Webhooks: a firm admin's are their firm's, the admins' are theirs.
	{statuses{303, 403, 200, 403, 200, 403, 403, 200}, "GET /settings/webhooks"},
	{statuses{401, 403, 303, 403, 303, 403, 403, 303}, "POST /settings/webhooks"},
	{statuses{401, 403, 303, 403, 404, 403, 403, 404}, "POST /settings/webhooks/:id/delete"},
	{statuses{401, 403, 200, 403, 404, 403, 403, 404}, "POST /settings/webhooks/:id/test"},
	{statuses{303, 403, 403, 403, 403, 403, 403, 200}, "GET /admin/smtp"},
	// The fixture has no SMTP server: the admin is told so.
	{statuses{401, 403, 403, 403, 403, 403, 403, 422}, "POST /admin/smtp/test"},
	{statuses{303, 403, 403, 403, 403, 403, 403, 200}, "GET /admin/deliveries"},
	{statuses{401, 403, 403, 403, 403, 403, 403, 303}, "POST /admin/deliveries/:id/retry"},

	{statuses{303, 403, 200, 403, 200, 403, 403, 403}, "GET /team"},
	{statuses{401, 403, 200, 403, 200, 403, 403, 403}, "POST /team"},
	{statuses{401, 403, 303, 403, 404, 403, 403, 403}, "POST /team/:id/remove"},
	{statuses{303, 200, 200, 200, 200, 200, 200, 200}, "GET /notifications"},
	{statuses{401, 303, 303, 303, 303, 303, 303, 303}, "POST /notifications/read-all"},
	// The demo auditor's notice of the submission: everyone else's 404.
	{statuses{401, 404, 404, 404, 404, 303, 404, 404}, "POST /notifications/:id/read"},
	{statuses{303, 200, 200, 200, 200, 200, 200, 200}, "GET /profile"},
	{statuses{401, 303, 303, 303, 303, 303, 303, 303}, "POST /profile/password"},
	{statuses{401, 303, 303, 303, 303, 303, 303, 303}, "POST /profile/notifications"},
	// Without a token signed by the server, an unsubscribe link is nobody's;
	// with one, it is anyone's who holds it (the e-mail's reader).
	{statuses{404, 404, 404, 404, 404, 404, 404, 404}, "GET /unsubscribe"},
	{statuses{200, 200, 200, 200, 200, 200, 200, 200}, "POST /unsubscribe"},
	{statuses{401, 200, 200, 200, 200, 200, 200, 200}, "POST /profile/tokens"},
	{statuses{401, 303, 404, 404, 404, 404, 404, 404}, "POST /profile/tokens/:id/revoke"},
	// Two-factor sign-in. The fixture has no sign-in awaiting a code and
	// nobody with an authenticator begun or on, and no test can know a code
	// of a secret made during the call: the code step sends everyone back
	// to the password (303), confirming and turning off find nothing (409).
	{statuses{303, 303, 303, 303, 303, 303, 303, 303}, "GET /login/code"},
	{statuses{303, 303, 303, 303, 303, 303, 303, 303}, "POST /login/code"},
	{statuses{303, 200, 200, 200, 200, 200, 200, 200}, "GET /profile/2fa"},
	{statuses{401, 303, 303, 303, 303, 303, 303, 303}, "POST /profile/2fa"},
	{statuses{401, 409, 409, 409, 409, 409, 409, 409}, "POST /profile/2fa/confirm"},
	{statuses{401, 409, 409, 409, 409, 409, 409, 409}, "POST /profile/2fa/disable"},

	{statuses{303, 403, 403, 403, 403, 200, 404, 200}, "GET /campaigns/:id/dashboard"},
	{statuses{303, 403, 403, 403, 403, 200, 404, 200}, "GET /campaigns/:id/results.csv"},
	{statuses{303, 403, 403, 403, 403, 200, 404, 200}, "GET /campaigns/:id/results.xlsx"},
}

// authzSecret is a note on the demo firm's assessments: no refusal may show it.
const authzSecret = "机密备注-authz"

// appKit is what every copy of the fixture's application shares: the parts
// that hold no data.
type appKit struct {
	builtin  *checklist.Catalog
	themes   []string
	messages *i18n.Catalog
	renderer *report.Renderer
	log      *slog.Logger
}

func newAppKit(t testing.TB) *appKit {
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
	k := &appKit{builtin: cat, messages: msgs, renderer: rep, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, cl := range cat.Checklists {
		k.themes = append(k.themes, cl.ID)
	}
	return k
}

// open serves the database at path as testenv does, until stop is called.
func (k *appKit) open(t testing.TB, path string) (a *testApp, stop func()) {
	t.Helper()
	a, stop, err := k.serve(path)
	if err != nil {
		t.Fatal(err)
	}
	a.t, _ = t.(*testing.T)
	return a, stop
}

// serve is open for a goroutine other than the test's.
func (k *appKit) serve(path string) (a *testApp, stop func(), err error) {
	st, err := store.Open(context.Background(), path, k.log)
	if err != nil {
		return nil, nil, err
	}
	src, err := catalog.New(selfcheck.Checklists, "checklists", st)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	reports := &reporting.Service{Store: st, Renderer: k.renderer, Messages: k.messages, PublicURL: testenv.PublicURL}
	work := workflow.New(workflow.Deps{Store: st, Catalog: src, Reports: reports, Log: k.log, Sealer: testenv.Sealer()})
	s, err := New(Deps{Work: work, Messages: k.messages,
		Templates: selfcheck.Templates, Static: selfcheck.Static, Log: k.log})
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	hs := httptest.NewServer(s)
	return &testApp{srv: hs, server: s, store: st, catalog: k.builtin}, func() { hs.Close(); st.Close() }, nil
}

// authzFixture is a closed database holding, besides the demo data:
//   - the demo campaign's assessment of the demo firm, with an evidence file
//     and a note, submitted (read and reviewed in the matrix);
//   - a draft of the demo firm with an evidence file, every item answered
//     (written in the matrix);
//   - another firm with a member and a firm admin, taking part with its own
//     submitted assessment in a second campaign, which another auditor reviews;
//   - a colleague in the demo firm (removed, disabled, given a role), a
//     personal token of the member, an uploaded checklist and an issued report;
//
// and the session of each caller.
type authzFixture struct {
	kit   *appKit
	db    string // the closed database
	reads string // the URL of a server on a copy, for GET requests

	sessions [callers]string // session cookie values; "" for the anonymous caller
	csrfKey  []byte          // the database's key of CSRF tokens

	submitted, draft       uint // the demo firm's assessments
	submittedItem          string
	draftItem              string
	submittedEv, draftEv   uint
	submittedPlanEv        uint // a rectification file of the submitted plan, which is done
	draftComment           uint // the member's comment on draftItem
	otherAssessment        uint // the other firm's
	otherItem              string
	otherEv                uint
	campaign, otherCamp    uint
	colleague, otherMember uint // user ids
	otherAuditor           uint
	memberToken            uint // id of the member's personal token
	checklistID            string
	verifyCode             string
	notice, otherNotice    int64  // the demo auditor's notification of the submission, the other auditor's of theirs
	unsubscribe            string // the member's token of an unsubscribe link
	delivery               int64  // an e-mail of a notification, pending
	webhook, otherWebhook  int64  // the demo firm admin's webhook, the other firm admin's
}

var authzEmails = [callers]string{"", "firm@demo.local", "firmadmin@demo.local", "other@firm.local", "otheradmin@firm.local",
	"auditor@demo.local", "auditor2@demo.local", "admin@demo.local"}

var uploadedURL = regexp.MustCompile(`"url":"/assessments/\d+/evidence/(\d+)"`)

func newAuthzFixture(t *testing.T) *authzFixture {
	t.Helper()
	ctx := context.Background()
	f := &authzFixture{kit: newAppKit(t), db: testdb.URL(t, "fixture.db")}
	a, stop := f.kit.open(t, f.db)
	st := a.store
	if err := st.EnsureDemo(ctx, f.kit.themes); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	user := func(email string) *store.User {
		t.Helper()
		u, err := st.UserByEmail(ctx, email)
		must(err)
		return u
	}
	demoFirm := user("firm@demo.local").FirmID
	other, err := st.CreateFirm(ctx, "另一家公司", "91350100M000100Y43")
	must(err)
	for _, nu := range []store.NewUser{
		{Email: "other@firm.local", Name: "别家专员", Role: auth.FirmMember, FirmID: &other.ID},
		{Email: "otheradmin@firm.local", Name: "别家负责人", Role: auth.FirmAdmin, FirmID: &other.ID},
		{Email: "auditor2@demo.local", Name: "另一审核员", Role: auth.Auditor},
		{Email: "colleague@demo.local", Name: "同事", Role: auth.FirmMember, FirmID: demoFirm},
	} {
		nu.Password = store.DemoPassword
		_, err := st.CreateUser(ctx, nu)
		must(err)
	}
	f.csrfKey, err = st.ServerKey(ctx, "csrf")
	must(err)
	f.colleague, f.otherMember = user("colleague@demo.local").ID, user("other@firm.local").ID
	f.otherAuditor = user("auditor2@demo.local").ID
	admin := user("admin@demo.local")
	now := time.Now().UTC()
	f.otherCamp, err = st.CreateCampaign(ctx, admin, store.NewCampaign{
		NameZH: "另一专项", NameEN: "Another campaign", Themes: []string{"popups"},
		StartsOn: now.Format("2006-01-02"), Deadline: now.AddDate(0, 1, 0).Format("2006-01-02"),
		FirmIDs: []uint{other.ID}, AuditorIDs: []uint{user("auditor2@demo.local").ID},
	})
	must(err)
	camps, err := st.Campaigns(ctx, user("firm@demo.local"))
	must(err)
	f.campaign = camps[0].ID

	var clients [callers]*client
	for i, email := range authzEmails {
		if email == "" {
			continue
		}
		clients[i] = a.client()
		clients[i].login(email)
		base, _ := url.Parse(a.srv.URL)
		for _, ck := range clients[i].http.Jar.Cookies(base) {
			if ck.Name == sessionCookie {
				f.sessions[i] = ck.Value
			}
		}
	}

	// An assessment, with a note and an evidence file on one item, every
	// item answered; submitted unless it stays a draft.
	pdf := []byte("%PDF-1.4\n% authz\n%%EOF\n")
	prepare := func(c *client, id string, submit bool) (item string, ev uint) {
		t.Helper()
		item = itemField.FindStringSubmatch(c.get("/assessments/" + id).Body)[1]
		if r := c.fetch("/assessments/"+id+"/answers/"+item, url.Values{"answer": {"partial"}, "note": {authzSecret}}); r.Status != http.StatusOK {
			t.Fatalf("note: %d %s", r.Status, r.Body)
		}
		if r := c.fetch("/assessments/"+id+"/answers/"+item+"/plan", url.Values{"measure": {"整改"}, "owner": {"张三"}, "due": {"2030-01-01"}, "status": {"open"}}); r.Status != http.StatusOK {
			t.Fatalf("plan: %d %s", r.Status, r.Body)
		}
		r := c.uploadJSON("/assessments/"+id+"/answers/"+item+"/evidence", "机密.pdf", pdf)
		m := uploadedURL.FindStringSubmatch(r.Body)
		if r.Status != http.StatusCreated || m == nil {
			t.Fatalf("upload: %d %s", r.Status, r.Body)
		}
		n, _ := strconv.Atoi(m[1])
		attachRequired(t, c, id)
		form := url.Values{"action": {"save"}}
		if submit {
			form.Set("action", "submit")
		}
		for _, m := range itemField.FindAllStringSubmatch(c.get("/assessments/"+id+"?filter=all").Body, -1) {
			if m[1] != item {
				form.Set("answer."+m[1], "compliant")
			}
		}
		if r := c.post("/assessments/"+id, form); r.Status != http.StatusSeeOther {
			t.Fatalf("save %s: %d %s", id, r.Status, r.Body)
		}
		return item, uint(n)
	}
	id := func(s string) uint { n, _ := strconv.Atoi(s); return uint(n) }
	sub := startCampaign(t, clients[asMember])
	f.submitted = id(sub)
	f.submittedItem, f.submittedEv = prepare(clients[asMember], sub, true)
	// Plans live on: the submitted plan is done, with a rectification file.
	if r := clients[asMember].post("/assessments/"+sub+"/plans/"+f.submittedItem+"/progress", url.Values{"status": {"done"}, "version": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("plan progress: %d %s", r.Status, r.Body)
	}
	pev, err := a.server.Work.AttachPlanEvidence(ctx, principal(user("firm@demo.local")), f.submitted, f.submittedItem, "整改.pdf", pdf)
	must(err)
	f.submittedPlanEv = pev.ID
	dr := start(t, clients[asMember], "popups")
	f.draft = id(dr)
	f.draftItem, f.draftEv = prepare(clients[asMember], dr, false)
	cm, err := a.server.Work.AddComment(ctx, principal(user("firm@demo.local")), f.draft, f.draftItem, "草稿讨论")
	must(err)
	f.draftComment = cm.ID
	oth := startCampaign(t, clients[asOtherMember])
	f.otherAssessment = id(oth)
	f.otherItem, f.otherEv = prepare(clients[asOtherMember], oth, true)

	_, err = st.CreateToken(ctx, user("firm@demo.local").ID, "ci")
	must(err)
	toks, err := st.Tokens(ctx, user("firm@demo.local").ID)
	must(err)
	f.memberToken = toks[0].ID

	b, err := os.ReadFile("../checklist/testdata/valid/mini.yaml")
	must(err)
	_, err = a.server.Work.UploadChecklist(ctx, principal(admin), "authz-extra.yaml", []byte(authzChecklist(string(b))))
	must(err)
	f.checklistID = "authz-extra"

	// A report of the submitted assessment, as the PDF handler records it.
	member := user("firm@demo.local")
	sh, err := st.Sheet(ctx, member, f.submitted)
	must(err)
	score := 90.0
	rep := store.IssuedReport{AssessmentID: f.submitted, FirmName: sh.FirmName, CreditCode: sh.CreditCode, State: sh.State,
		Score: &score, Grade: scoring.Excellent, Lang: "zh", ContentHash: strings.Repeat("ab", 32), PDFSHA256: strings.Repeat("cd", 32), GeneratedAt: now}
	rep.Code = verify.Code(rep.ContentHash, now)
	must(st.RecordReport(ctx, member, rep))
	f.verifyCode = rep.Code

	// The notifications the outbox would have made by now.
	evs, err := st.EventsAfter(ctx, 0, 100000)
	must(err)
	must(notify.Subscriber{Store: st, Channels: []string{notify.MailChannel}}.Handle(ctx, evs))
	ds, err := st.Deliveries(ctx)
	must(err)
	f.delivery = ds[0].ID
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
	unsub, err := st.ServerKey(ctx, "unsubscribe")
	must(err)
	f.unsubscribe = notify.UnsubscribeToken(unsub, user("firm@demo.local").ID, "approved")
	hook := notify.Webhook{Kind: notify.Generic, URL: "http://127.0.0.1:9/hook", Events: []string{"submitted"}}
	f.webhook, err = st.CreateWebhook(ctx, user("firmadmin@demo.local"), hook)
	must(err)
	f.otherWebhook, err = st.CreateWebhook(ctx, user("otheradmin@firm.local"), hook)
	must(err)

	stop()
	db, err := testdb.Copy(t, f.db)
	must(err)
	reads, stopReads := f.kit.open(t, db)
	t.Cleanup(stopReads)
	f.reads = reads.srv.URL
	return f
}

// authzChecklist turns the loader's test checklist into an upload of its own id.
func authzChecklist(mini string) string {
	return strings.NewReplacer("id: mini\n", "id: authz-extra\n", "id: mini-", "id: ax-").Replace(mini)
}

// path puts the fixture's objects into a route's path. Reading and
// reviewing name the submitted assessment, writing names the draft.
func (f *authzFixture) path(method, pattern string) string {
	// The submission's confirmation step is read, but only of a draft.
	writes := (method != http.MethodGet && !strings.HasSuffix(pattern, "/review") && !strings.HasSuffix(pattern, "/verify")) || strings.HasSuffix(pattern, "/submit")
	id := func() string {
		switch {
		case strings.HasPrefix(pattern, "/assessments/") && writes:
			return fmt.Sprint(f.draft)
		case strings.HasPrefix(pattern, "/assessments/"):
			return fmt.Sprint(f.submitted)
		case strings.HasPrefix(pattern, "/admin/users/"), strings.HasPrefix(pattern, "/team/"):
			return fmt.Sprint(f.colleague)
		case strings.HasPrefix(pattern, "/admin/campaigns/"), strings.HasPrefix(pattern, "/campaigns/"):
			return fmt.Sprint(f.campaign)
		case strings.HasPrefix(pattern, "/admin/checklists/"):
			return f.checklistID
		case strings.HasPrefix(pattern, "/profile/tokens/"):
			return fmt.Sprint(f.memberToken)
		case strings.HasPrefix(pattern, "/notifications/"):
			return fmt.Sprint(f.notice)
		case strings.HasPrefix(pattern, "/admin/deliveries/"):
			return fmt.Sprint(f.delivery)
		case strings.HasPrefix(pattern, "/settings/webhooks/"):
			return fmt.Sprint(f.webhook)
		}
		return ""
	}
	item, ev := f.submittedItem, f.submittedEv
	if writes {
		item, ev = f.draftItem, f.draftEv
	}
	if strings.Contains(pattern, "/plans/") && strings.HasSuffix(pattern, ":eid") {
		ev = f.submittedPlanEv
	}
	var out []string
	for _, seg := range strings.Split(pattern, "/") {
		switch seg {
		case ":id":
			seg = id()
		case ":item":
			seg = item
		case ":eid":
			seg = fmt.Sprint(ev)
		case ":code":
			seg = verify.Format(f.verifyCode)
		case "*":
			seg = "css/app.css"
		}
		out = append(out, seg)
	}
	return strings.Join(out, "/")
}

// body is a minimal valid request body for a route: what its form needs so
// that an allowed call is carried out, not refused for its input.
func (f *authzFixture) body(route string) (form url.Values, file *upload) {
	today := time.Now().UTC().Format("2006-01-02")
	switch route {
	case "POST /login":
		return url.Values{"email": {"colleague@demo.local"}, "password": {store.DemoPassword}}, nil
	case "POST /lang":
		return url.Values{"lang": {"en"}, "back": {"/"}}, nil
	case "POST /profile/notifications":
		return url.Values{"mode.submitted": {"digest"}}, nil
	case "POST /settings/webhooks":
		return url.Values{"kind": {"generic"}, "url": {"https://hooks.example.com/selfcheck"}, "event": {"submitted", "approved"}}, nil
	case "POST /unsubscribe":
		return url.Values{"t": {f.unsubscribe}}, nil
	case "POST /assessments":
		return url.Values{"theme": {"popups"}, "profile": {"app"}}, nil
	case "POST /assessments/:id":
		return url.Values{"action": {"save"}, "answer." + f.draftItem: {"compliant"}}, nil
	case "POST /assessments/:id/answers/:item":
		return url.Values{"answer": {"compliant"}, "note": {"已整改"}}, nil
	case "POST /assessments/:id/answers/:item/plan":
		return url.Values{"measure": {"补充说明"}, "owner": {"李四"}, "due": {"2030-06-30"}, "status": {"in_progress"}}, nil
	case "POST /assessments/:id/answers/:item/evidence", "POST /assessments/:id/plans/:item/evidence":
		return nil, &upload{field: "file", name: "截图.pdf", content: []byte("%PDF-1.4\n% more\n%%EOF\n")}
	case "POST /assessments/:id/evidence/:eid/valid-until":
		return url.Values{"valid_until": {"2030-06-30"}}, nil
	case "POST /assessments/:id/plans/:item/progress":
		return url.Values{"status": {"in_progress"}, "note": {"进行中"}, "version": {"1"}}, nil
	case "POST /assessments/:id/plans/:item/verify":
		return url.Values{"decision": {"accept"}, "comment": {"材料齐全"}, "version": {"2"}}, nil
	case "POST /assessments/:id/review":
		return url.Values{"decision": {"request_changes"}, "comment": {"请补充材料"}}, nil
	case "POST /assessments/:id/assignments":
		return url.Values{"target": {"item:" + f.draftItem}, "assignee.item:" + f.draftItem: {"firm@demo.local"}}, nil
	case "POST /assessments/:id/comments":
		return url.Values{"item": {f.draftItem}, "thread." + f.draftItem: {"请看一下"}}, nil
	case "POST /assessments/:id/comments/edit":
		return url.Values{"comment": {fmt.Sprint(f.draftComment)}, "edit." + fmt.Sprint(f.draftComment): {"改一下"}}, nil
	case "POST /assessments/:id/comments/delete":
		return url.Values{"comment": {fmt.Sprint(f.draftComment)}, "item": {f.draftItem}}, nil
	case "POST /admin/checklists":
		b, _ := os.ReadFile("../checklist/testdata/valid/mini.yaml")
		yaml := strings.NewReplacer("id: mini\n", "id: authz-new\n", "id: mini-", "id: an-").Replace(string(b))
		return nil, &upload{field: "file", name: "authz-new.yaml", content: []byte(yaml)}
	case "POST /admin/firms":
		check, _ := uscc.CheckChar("91110000100000000")
		return url.Values{"name": {"新公司"}, "credit_code": {"91110000100000000" + string(check)}}, nil
	case "POST /admin/users":
		return url.Values{"email": {"new@demo.local"}, "name": {"新人"}, "role": {"auditor"}, "generate": {"1"}}, nil
	case "POST /admin/users/:id/role":
		return url.Values{"role": {"firm_admin"}}, nil
	case "POST /admin/campaigns":
		return url.Values{"name_zh": {"新专项"}, "theme": {"popups"}, "starts_on": {today}, "deadline": {"2099-12-31"}}, nil
	case "POST /admin/campaigns/:id/auditors":
		return url.Values{"auditor": {fmt.Sprint(f.otherAuditor)}}, nil
	case "POST /admin/campaigns/:id/follow-up":
		return url.Values{"name_zh": {"复查专项"}, "starts_on": {today}, "deadline": {"2099-12-31"}}, nil
	case "POST /team":
		return url.Values{"email": {"new@demo.local"}, "name": {"新人"}, "role": {"firm_member"}, "generate": {"1"}}, nil
	case "POST /profile/password":
		return url.Values{"current_password": {store.DemoPassword}, "new_password": {"another-password-1"}, "repeat_password": {"another-password-1"}}, nil
	case "POST /login/code", "POST /profile/2fa/confirm":
		return url.Values{"code": {"000000"}}, nil
	case "POST /profile/2fa/disable":
		return url.Values{"password": {store.DemoPassword}, "code": {"000000"}}, nil
	case "POST /profile/tokens":
		return url.Values{"name": {"脚本"}}, nil
	case "POST /admin/locks/clear":
		return url.Values{"kind": {"account"}, "account": {"firm@demo.local"}}, nil
	}
	return url.Values{}, nil
}

type upload struct {
	field, name string
	content     []byte
}

// callAll sends the request as each of the callers at once, with a valid
// CSRF token. A GET goes to a server shared by all reads; anything else to a
// server on a fresh copy of the fixture for each caller, so that no call
// sees what another changed.
func (f *authzFixture) callAll(t *testing.T, method, pattern string, who ...int) [callers]resp {
	t.Helper()
	if len(who) == 0 {
		for c := range callers {
			who = append(who, c)
		}
	}
	var out [callers]resp
	var wg sync.WaitGroup
	for _, c := range who {
		var copyFor testing.TB
		if method != http.MethodGet {
			copyFor = t
		}
		wg.Go(func() {
			r, err := f.call(copyFor, c, method, pattern, csrfValid)
			if err != nil {
				t.Errorf("%s: %v", callerNames[c], err)
			}
			out[c] = r
		})
	}
	wg.Wait()
	return out
}

// csrfSent is what a request carries of the CSRF token.
type csrfSent int

const (
	csrfValid        csrfSent = iota // the token the server derives for the caller, in the form field
	csrfNone                         // the cookie, no token in the form or a header
	csrfWrongField                   // another token in the form field
	csrfWrongHeader                  // another token in X-CSRF-Token, the right one in the form
	csrfPlanted                      // issue 19: a CSRF cookie of the attacker's choice and its value in the form
	csrfOtherSession                 // the token of another session (the attacker's own)
)

// call sends one request as caller who, carrying token as said, to a
// server on a copy of the fixture made for copyFor, or with no copyFor to
// the server for reads.
func (f *authzFixture) call(copyFor testing.TB, who int, method, pattern string, token csrfSent) (resp, error) {
	base := f.reads
	if copyFor != nil {
		db, err := testdb.Copy(copyFor, f.db)
		if err != nil {
			return resp{}, err
		}
		a, stop, err := f.kit.serve(db)
		if err != nil {
			return resp{}, err
		}
		defer stop()
		base = a.srv.URL
	}
	csrf, err := auth.NewToken()
	if err != nil {
		return resp{}, err
	}
	sent := auth.CSRFToken(f.csrfKey, csrfAnonymousBinding(csrf))
	if f.sessions[who] != "" {
		sent = auth.CSRFToken(f.csrfKey, csrfSessionBinding(f.sessions[who]))
	}
	switch token {
	case csrfNone:
		sent = ""
	case csrfWrongField:
		if sent, err = auth.NewToken(); err != nil {
			return resp{}, err
		}
	case csrfPlanted:
		sent = csrf
	case csrfOtherSession:
		sent = auth.CSRFToken(f.csrfKey, csrfSessionBinding(f.sessions[(who+1)%callers]))
	}
	form, file := f.body(method + " " + pattern)
	var body io.Reader
	contentType := ""
	switch {
	case file != nil:
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		if sent != "" {
			mw.WriteField("_csrf", sent)
		}
		fw, _ := mw.CreateFormFile(file.field, file.name)
		fw.Write(file.content)
		mw.Close()
		body, contentType = &b, mw.FormDataContentType()
	case method != http.MethodGet:
		if sent != "" {
			form.Set("_csrf", sent)
		}
		body, contentType = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequest(method, base+f.path(method, pattern), body)
	if err != nil {
		return resp{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept-Language", "zh-CN")
	if token == csrfWrongHeader {
		other, err := auth.NewToken()
		if err != nil {
			return resp{}, err
		}
		req.Header.Set("X-CSRF-Token", other)
	}
	req.AddCookie(&http.Cookie{Name: csrfCookie, Value: csrf})
	if f.sessions[who] != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: f.sessions[who]})
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.Do(req)
	if err != nil {
		return resp{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return resp{Status: res.StatusCode, Header: res.Header, Body: string(b)}, err
}

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	f := newAuthzFixture(t)
	s, stop := f.kit.open(t, f.db)
	registered := s.server.echo.Routes()
	stop()

	rows := map[string]statuses{}
	for _, r := range webAuthz {
		if _, dup := rows[r.route]; dup {
			t.Errorf("%s has two rows", r.route)
		}
		rows[r.route] = r.want
	}
	seen := map[string]bool{}
	for _, r := range registered {
		if strings.HasPrefix(r.Method, "echo_") || strings.HasPrefix(r.Path, "/api/") { // the fallback; the API has its own matrix
			continue
		}
		key := r.Method + " " + r.Path
		seen[key] = true
		if _, ok := rows[key]; !ok {
			t.Errorf("route %s has no row in the authorization matrix (webAuthz)", key)
		}
	}
	for key := range rows {
		if !seen[key] {
			t.Errorf("webAuthz has a row for %s, which is not a registered route", key)
		}
	}

	t.Run("every route as every caller", func(t *testing.T) {
		for _, r := range webAuthz {
			method, pattern, _ := strings.Cut(r.route, " ")
			t.Run(r.route, func(t *testing.T) {
				t.Parallel()
				var got statuses
				for who, res := range f.callAll(t, method, pattern) {
					got[who] = res.Status
					if res.Status == http.StatusForbidden && strings.Contains(res.Body, "安全令牌") {
						t.Errorf("%s: refused for its CSRF token", callerNames[who])
					}
					if refused(res.Status) && strings.Contains(res.Body, authzSecret) {
						t.Errorf("%s: the %d answer shows the firm's note", callerNames[who], res.Status)
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

	// Every object of another firm, and of a campaign the auditor does not
	// review, is a 404 at every route that names one, for every role that
	// may use the route.
	t.Run("another firm's objects", func(t *testing.T) {
		other := *f
		other.submitted, other.draft = f.otherAssessment, f.otherAssessment
		other.submittedItem, other.draftItem = f.otherItem, f.otherItem
		other.submittedEv, other.draftEv = f.otherEv, f.otherEv
		other.campaign, other.colleague = f.otherCamp, f.otherMember
		other.notice = f.otherNotice
		other.webhook = f.otherWebhook
		for _, r := range webAuthz {
			method, pattern, _ := strings.Cut(r.route, " ")
			if !strings.Contains(pattern, ":id") || strings.HasPrefix(pattern, "/admin/") || strings.HasPrefix(pattern, "/profile/") {
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
						t.Errorf("%s: %d, want 404", callerNames[who], got[who].Status)
					}
				}
			})
		}
	})

	// Last, as the requests go to the server for reads: CSRF (see checkCSRF).
	t.Run("CSRF token on every state-changing route", func(t *testing.T) { checkCSRF(t, f, registered) })
}

// checkCSRF: every route that is not a GET refuses a request without the
// CSRF token, with a wrong one in the form or in the header, and without
// the token's cookie, from a caller whose role may use the route (the first
// caller of its row that the route does not turn away). A refusal changes
// nothing, so these requests share the server for reads.
func checkCSRF(t *testing.T, f *authzFixture, registered []*echo.Route) {
	rows := map[string]statuses{}
	for _, r := range webAuthz {
		rows[r.route] = r.want
	}
	checked := 0
	for _, r := range registered {
		if r.Method == http.MethodGet || strings.HasPrefix(r.Method, "echo_") || strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		key := r.Method + " " + r.Path
		who := -1
		for c, status := range rows[key] {
			if !refused(status) {
				who = c
				break
			}
		}
		if who < 0 {
			t.Errorf("%s: no caller may use it (or it has no row in webAuthz)", key)
			continue
		}
		checked++
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			for _, sent := range []struct {
				name  string
				token csrfSent
			}{{"no token", csrfNone}, {"wrong token in the form", csrfWrongField}, {"wrong token in the header", csrfWrongHeader},
				{"a planted cookie and its value", csrfPlanted}, {"another session's token", csrfOtherSession}} {
				res, err := f.call(nil, who, r.Method, r.Path, sent.token)
				if err != nil {
					t.Fatal(err)
				}
				if res.Status != http.StatusForbidden || !strings.Contains(res.Body, "安全令牌") {
					t.Errorf("%s, %s: %d, want 403 for the CSRF token\n%.300s", callerNames[who], sent.name, res.Status, res.Body)
				}
			}
		})
	}
	if checked < 20 {
		t.Errorf("only %d state-changing routes checked", checked)
	}
}

// refused reports whether a status turns the caller away.
func refused(status int) bool {
	return status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound
}
