// The test binary reads forms as cmd/selfcheck does (see its go:debug note).
//
//go:debug multipartmaxparts=10000
package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"selfcheck"
	"selfcheck/app/access"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/store"
	"selfcheck/app/testenv"
)

// testApp is a real server on a real SQLite file in a temp dir.
type testApp struct {
	t       *testing.T
	srv     *httptest.Server
	server  *Server
	store   *store.Store
	catalog *checklist.Catalog
}

func newTestApp(t *testing.T) *testApp {
	t.Helper()
	env := testenv.New(t)
	s, err := New(Deps{Work: env.Work, Messages: env.Messages,
		Templates: selfcheck.Templates, Static: selfcheck.Static, Log: env.Log})
	if err != nil {
		t.Fatal(err)
	}
	st, cat := env.Store, env.Builtin
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return &testApp{t: t, srv: hs, server: s, store: st, catalog: cat}
}

// addFirmUser creates another firm with one member, for isolation tests.
func (a *testApp) addFirmUser(email, firmName, code string) {
	a.t.Helper()
	ctx := context.Background()
	f, err := a.store.CreateFirm(ctx, firmName, code)
	if err != nil {
		a.t.Fatal(err)
	}
	if _, err := a.store.CreateUser(ctx, store.NewUser{Email: email, Name: "Other", Password: store.DemoPassword, Role: auth.FirmMember, FirmID: &f.ID}); err != nil {
		a.t.Fatal(err)
	}
}

// client is one browser: a cookie jar, no automatic redirects.
type client struct {
	t    *testing.T
	base string
	http *http.Client
	lang string
}

func (a *testApp) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: a.t, base: a.srv.URL, lang: "zh-CN", http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type resp struct {
	Status int
	Header http.Header
	Body   string
}

func (c *client) do(req *http.Request) resp {
	c.t.Helper()
	req.Header.Set("Accept-Language", c.lang)
	r, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp{Status: r.StatusCode, Header: r.Header, Body: string(b)}
}

func (c *client) get(path string) resp {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	return c.do(req)
}

// post sends a form; the CSRF token is added unless the form has one.
func (c *client) post(path string, form url.Values) resp {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["_csrf"]; !ok {
		form.Set("_csrf", c.csrf())
	}
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// fetch posts like autosave.js does: token in a header, JSON back.
func (c *client) fetch(path string, form url.Values) resp {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", c.csrf())
	req.Header.Set("X-Requested-With", "fetch")
	req.Header.Set("Accept", "application/json")
	return c.do(req)
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf reads the token from a rendered form, as a browser would have it.
func (c *client) csrf() string {
	c.t.Helper()
	r := c.get("/login")
	if r.Status == http.StatusSeeOther { // logged in: any page's forms carry it
		r = c.get("/")
	}
	m := csrfField.FindStringSubmatch(r.Body)
	if m == nil {
		c.t.Fatalf("no CSRF token in the login form:\n%s", r.Body)
	}
	return m[1]
}

func (c *client) login(email string) {
	c.t.Helper()
	r := c.post("/login", url.Values{"email": {email}, "password": {store.DemoPassword}})
	if r.Status != http.StatusSeeOther {
		c.t.Fatalf("login %s: status %d\n%s", email, r.Status, r.Body)
	}
}

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("response lacks %q", w)
		}
	}
}

// upload posts a file as a browser's multipart form does.
func (c *client) upload(path, field, name string, content []byte) resp {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("_csrf", c.csrf())
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		c.t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// uploadJSON posts a file as autosave.js does: multipart, token in a header.
func (c *client) uploadJSON(path, name string, content []byte) resp {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if name != "empty.pdf" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			c.t.Fatal(err)
		}
		fw.Write(content)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", c.csrf())
	req.Header.Set("X-Requested-With", "fetch")
	req.Header.Set("Accept", "application/json")
	return c.do(req)
}

// principal is the identity of a stored account, as the session middleware
// makes it.
func principal(u *store.User) access.Principal {
	p := access.Principal{ID: u.ID, Role: u.Role, Name: u.Name, Email: u.Email, Lang: "zh"}
	if u.FirmID != nil {
		p.Firm = &access.Firm{ID: *u.FirmID}
	}
	return p
}
