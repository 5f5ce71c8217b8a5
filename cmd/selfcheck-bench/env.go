package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"

	"selfcheck/app/server"
	"selfcheck/app/store"
)

// bench is the server under test, running in this process on loopback,
// and what the scenarios share.
type bench struct {
	db   string // the SQLite file or the PostgreSQL URL
	log  *slog.Logger
	app  *server.App
	hs   *http.Server
	base string // http://127.0.0.1:PORT
	// tr is the clients' transport: one connection per client, kept alive
	// as a browser keeps them.
	tr *http.Transport
}

// start opens the database and serves the application on a free loopback port.
func (b *bench) start(ctx context.Context) error {
	app, hs, base, err := serveInstance(ctx, b.db, true, b.log)
	if err != nil {
		return err
	}
	b.app, b.hs, b.base = app, hs, base
	if b.tr == nil {
		b.tr = &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}
	}
	return nil
}

// serveInstance opens the application on db (demo accounts too when demo)
// and serves it on a free loopback port, whose base URL it returns. Every
// instance has its own store: its own connection pool and committer.
func serveInstance(ctx context.Context, db string, demo bool, log *slog.Logger) (*server.App, *http.Server, string, error) {
	app, err := server.Open(ctx, server.Config{DB: db, Demo: demo, Location: time.UTC, MaxEvidence: 20 << 20,
		PublicURL: "https://selfcheck.bench", Log: log})
	if err != nil {
		return nil, nil, "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		app.Close()
		return nil, nil, "", fmt.Errorf("listen: %w", err)
	}
	hs := &http.Server{Handler: app.Handler, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	return app, hs, "http://" + ln.Addr().String(), nil
}

// stopInstance shuts an instance's server down and closes its store.
func stopInstance(app *server.App, hs *http.Server) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := hs.Shutdown(ctx)
	return errors.Join(err, app.Close())
}

// stop shuts the server down and closes the database.
func (b *bench) stop() error {
	if b.app == nil {
		return nil
	}
	b.tr.CloseIdleConnections()
	err := stopInstance(b.app, b.hs)
	b.app = nil
	return err
}

// store is the running application's store.
func (b *bench) store() *store.Store { return b.app.Store }

// client is one browser: its own session cookie and CSRF token. A client
// is used by one goroutine at a time.
type client struct {
	hc   *http.Client
	base string
	csrf string
	// body holds the last response. Reading each page into a fresh slice
	// (io.ReadAll, growing from 512 bytes) made the client's CPU a large
	// part of the fill-in scenario's cost; a browser reuses its buffers too.
	body bytes.Buffer
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// session signs user in (a new session, as a login makes) and opens page,
// as a browser does before it posts, to read its CSRF token.
func (b *bench) session(ctx context.Context, user *store.User, page string) (*client, error) {
	return b.sessionAt(ctx, b.base, user, page)
}

// sessionAt is session on the instance serving base. Sessions live in the
// database, so one made through this instance's store is valid on every
// instance of the same database.
func (b *bench) sessionAt(ctx context.Context, base string, user *store.User, page string) (*client, error) {
	token, err := b.store().CreateSession(ctx, user.ID)
	if err != nil {
		return nil, err
	}
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(base)
	name := "selfcheck_session"
	if u.Scheme == "https" {
		name = "__Host-selfcheck_session" // the server's name for it over HTTPS
	}
	jar.SetCookies(u, []*http.Cookie{{Name: name, Value: token, Path: "/"}})
	c := &client{base: base, hc: &http.Client{Transport: b.tr, Jar: jar, Timeout: 2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if page == "" {
		return c, nil
	}
	body, status, err := c.get(ctx, page)
	if err != nil {
		return nil, err
	}
	m := csrfField.FindSubmatch(body)
	if status != http.StatusOK || m == nil {
		return nil, fmt.Errorf("GET %s as %s: status %d, no CSRF token in the page", page, user.Email, status)
	}
	c.csrf = string(m[1])
	// The page is read once, for its token. Its buffer goes: the clients
	// share the server's process and its memory limit, and 64 of them
	// keeping a fill-in page each made the server's garbage collector run
	// as if the server held them. A reader's buffer grows back once.
	c.body = bytes.Buffer{}
	return c, nil
}

// get fetches path and reads the whole body.
func (c *client) get(ctx context.Context, path string) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return nil, 0, err
	}
	return c.do(req)
}

// postForm posts form fields as autosave.js does (fetch, CSRF header).
func (c *client) postForm(ctx context.Context, path string, form url.Values) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", c.csrf)
	req.Header.Set("X-Requested-With", "fetch")
	req.Header.Set("Accept", "application/json")
	return c.do(req)
}

// do sends req and reads the whole response. The body returned is valid
// until the client's next request.
func (c *client) do(req *http.Request) ([]byte, int, error) {
	r, err := c.hc.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer r.Body.Close()
	c.body.Reset()
	if r.ContentLength > 0 {
		c.body.Grow(int(r.ContentLength))
	}
	_, err = c.body.ReadFrom(r.Body)
	return c.body.Bytes(), r.StatusCode, err
}
