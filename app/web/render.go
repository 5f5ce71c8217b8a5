package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// pages holds one parsed template set per page: the layout, every partial
// and the page itself, parsed once at start.
type pages struct {
	sets map[string]*template.Template
}

// pageNames are the pages the handlers render; start-up fails if one is missing.
var pageNames = []string{"login", "home", "assessment", "score", "error", "admin_checklists", "timeline", "plans", "review",
	"admin_firms", "admin_users", "admin_campaigns", "team", "profile", "queue", "admin_audit", "dashboard", "verify", "verify_key",
	"login_code", "twofactor", "admin_locks",
	"submit", "notifications", "unsubscribe", "admin_smtp", "admin_deliveries", "webhooks", "rectification"}

func loadPages(fsys fs.FS) (*pages, error) {
	shared, err := fs.Glob(fsys, "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: list partials: %w", err)
	}
	shared = append([]string{"templates/layouts/base.html"}, shared...)
	p := &pages{sets: map[string]*template.Template{}}
	for _, name := range pageNames {
		file := "templates/pages/" + name + ".html"
		t, err := template.New("base.html").Funcs(funcs).ParseFS(fsys, shared...)
		if err != nil {
			return nil, fmt.Errorf("web: parse page %s: %w", name, err)
		}
		src, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("web: read page %s: %w", name, err)
		}
		if compactPages[name] {
			src = collapseIndent(src)
		}
		if _, err := t.New(path.Base(file)).Parse(string(src)); err != nil {
			return nil, fmt.Errorf("web: parse page %s: %w", name, err)
		}
		p.sets[name] = t
	}
	return p, nil
}

// compactPages are the pages whose template loses its indentation when
// parsed (collapseIndent). The fill-in page repeats its item template once
// per item, so the indentation was a noticeable share of its size.
var compactPages = map[string]bool{"assessment": true}

// collapseIndent replaces every line break of a template's text, with the
// blank lines and the indentation after it, by a single line break. A
// browser shows any run of white space between words or tags as one space
// or none, so the page looks the same; the template must not break lines
// inside a <pre> or <textarea>, where white space shows.
func collapseIndent(src []byte) []byte {
	out := make([]byte, 0, len(src))
	for i := 0; i < len(src); i++ {
		out = append(out, src[i])
		if src[i] != '\n' {
			continue
		}
		for i+1 < len(src) && (src[i+1] == ' ' || src[i+1] == '\t' || src[i+1] == '\n' || src[i+1] == '\r') {
			i++
		}
	}
	return out
}

// Page is what every template receives: shared fields plus the page's own Data.
type Page struct {
	Title string
	User  *access.Principal
	Lang  string
	CSRF  string
	Path  string
	Flash string
	// Unread counts the user's unread notifications: the bell.
	Unread int64
	Data   any
	s      *Server
}

// T translates a message key into the page's language.
func (p *Page) T(key string, args ...any) string { return p.s.Messages.T(p.Lang, key, args...) }

// Text picks the page's language from bilingual checklist text.
func (p *Page) Text(t checklist.Text) string { return t.In(p.Lang) }

// Answer names an answer in the page's language ("not answered" for none).
func (p *Page) Answer(v any) string {
	a := scoring.Answer(fmt.Sprint(v))
	if a == scoring.Unanswered {
		return p.T("answer.none")
	}
	return p.T("answer." + string(a))
}

// storedEvidence is how the history records a file attached or removed
// (store.AttachEvidence): in English, whatever the page's language.
var storedEvidence = regexp.MustCompile(`^(.*) \((\d+) bytes, sha256 ([0-9a-f]{12})[0-9a-f]*\)$`)

// Change shows a value of the history (an old or a new value of field) in
// the page's language: a plan's status by its name, a file by its name,
// size and the start of its hash; other values as they were typed.
func (p *Page) Change(field, value string) string {
	switch {
	case value == "":
		return ""
	case field == "plan.status":
		return p.T("plan.status." + value)
	case field == "evidence" || field == "plan.evidence":
		if m := storedEvidence.FindStringSubmatch(value); m != nil {
			n, _ := strconv.ParseInt(m[2], 10, 64)
			return p.T("timeline.evidence_value", m[1], p.Size(n), m[3])
		}
	}
	return value
}

// TagList names profile tags in the page's language, joined.
func (p *Page) TagList(tags []checklist.Tag) string {
	sep := "、"
	if p.Lang == "en" {
		sep = ", "
	}
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = checklist.Label(t, p.Lang)
	}
	return strings.Join(names, sep)
}

// MaxNote is the longest note accepted, in characters.
func (p *Page) MaxNote() int { return assessment.MaxNoteLen }

// Time shows a moment in the configured time zone (China Standard Time by
// default), the same on every page and in the PDF whatever the server's zone.
func (p *Page) Time(t time.Time) string {
	return t.In(p.s.Config.Location).Format("2006-01-02 15:04")
}

// Size shows a byte count the way people read file sizes.
func (p *Page) Size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// Asset returns the content-hashed URL of a static file.
func (p *Page) Asset(name string) string { return p.s.assets.url(name) }

// render executes a page into a buffer first, so a template error never
// leaves half a page on the wire.
func (s *Server) render(c echo.Context, status int, name, title string, data any) error {
	buf := getBuffer()
	defer putBuffer(buf)
	if err := s.execute(buf, c, name, title, data); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// execute writes page name, with the shared fields of the request, to buf.
func (s *Server) execute(buf *bytes.Buffer, c echo.Context, name, title string, data any) error {
	set, ok := s.pages.sets[name]
	if !ok {
		return fmt.Errorf("web: no page %q", name)
	}
	p := &Page{Title: title, User: currentUser(c), Lang: lang(c), Path: c.Request().URL.Path, Data: data, s: s}
	p.CSRF, _ = c.Get(ctxCSRF).(string)
	if p.User != nil {
		// The bell is no reason to fail a page: a failed count shows none.
		if n, err := s.Work.UnreadNotifications(c.Request().Context(), *p.User); err == nil {
			p.Unread = n
		} else {
			s.Log.Warn("web: unread notifications", "user", p.User.ID, "err", err)
		}
	}
	if f := takeFlash(c); f != "" {
		p.Flash = s.Messages.T(p.Lang, f)
	}
	if err := set.ExecuteTemplate(buf, "base", p); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	return nil
}

// renderBuffers are reused between pages: the fill-in page is large, and
// growing a fresh buffer to it on every request showed in its profile.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return renderBuffers.Get().(*bytes.Buffer) }

func putBuffer(buf *bytes.Buffer) {
	if buf.Cap() <= 4<<20 { // a rare huge page is not kept
		buf.Reset()
		renderBuffers.Put(buf)
	}
}

// T translates key for the request's language.
func (s *Server) T(c echo.Context, key string, args ...any) string {
	return s.Messages.T(lang(c), key, args...)
}

const flashCookie = "selfcheck_flash"

// flash leaves a message key for the next page; the cookie holds only a key
// from the catalog, never user text.
func flash(c echo.Context, key string) { setCookie(c, flashCookie, key, 0) }

func takeFlash(c echo.Context) string {
	ck, err := c.Cookie(flashCookie)
	if err != nil || ck.Value == "" {
		return ""
	}
	clearCookie(c, flashCookie)
	return ck.Value
}

// assets indexes the embedded static files by path with a short content
// hash, so URLs change when content does and can be cached for a year.
type assets struct {
	fsys   fs.FS
	hashes map[string]string
}

func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{fsys: fsys, hashes: map[string]string{}}
	err := fs.WalkDir(fsys, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.hashes[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: index static files: %w", err)
	}
	for _, need := range []string{"css/app.css", "js/autosave.js", "favicon.svg"} {
		if _, ok := a.hashes[need]; !ok {
			return nil, fmt.Errorf("web: static file %s missing", need)
		}
	}
	return a, nil
}

// favicon sends browsers that ask for /favicon.ico without reading the
// page's icon link (bookmarks, feed readers) to the icon.
func (s *Server) favicon(c echo.Context) error {
	return c.Redirect(http.StatusMovedPermanently, s.assets.url("favicon.svg"))
}

func (a *assets) url(name string) string {
	return "/static/" + name + "?v=" + a.hashes[name]
}

func (s *Server) static(c echo.Context) error {
	name := path.Clean(c.Param("*"))
	hash, ok := s.assets.hashes[name]
	if !ok || strings.HasPrefix(name, "fonts/") {
		return fail(http.StatusNotFound, "error.not_found")
	}
	b, err := fs.ReadFile(s.assets.fsys, "static/"+name)
	if err != nil {
		return err
	}
	if c.QueryParam("v") == hash {
		c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Response().Header().Set("Cache-Control", "no-cache")
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	return c.Blob(http.StatusOK, ct, b)
}

// funcs are the template helpers that need no request.
var funcs = template.FuncMap{
	"score": func(f *float64) string {
		if f == nil {
			return "—"
		}
		return fmt.Sprintf("%.1f", *f)
	},
	"add": func(a, b int) int { return a + b },
	// refs renders an item's standard clauses (国标对照) in the page's language.
	"refs": checklist.RefsText,
	"list": func(v ...string) []string { return v },
	"pct": func(part, whole int) int {
		if whole == 0 {
			return 0
		}
		return part * 100 / whole
	},
}
