package web

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestFillPageShowsEveryChange: the fill-in page, built of cached parts,
// shows each save at once, and each session its own CSRF token and name.
func TestFillPageShowsEveryChange(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	id := start(t, c, "popups")
	page := c.get("/assessments/" + id)
	m := itemField.FindStringSubmatch(page.Body)
	if page.Status != http.StatusOK || m == nil {
		t.Fatalf("fill page: %d", page.Status)
	}
	item := m[1]
	mustContain(t, page.Body, `value="`+c.csrf()+`"`)
	for _, note := range []string{"第一次 <b>x</b>", "第二次"} {
		if r := c.fetch("/assessments/"+id+"/answers/"+item, url.Values{"answer": {"partial"}, "note": {note}}); r.Status != http.StatusOK {
			t.Fatalf("autosave: %d %s", r.Status, r.Body)
		}
		page = c.get("/assessments/" + id)
		mustContain(t, page.Body, `>`+template.HTMLEscapeString(note)+`</textarea>`, `value="partial" checked`)
	}
	if strings.Contains(page.Body, "第一次") {
		t.Error("the page still shows the note replaced")
	}
	other := a.client()
	other.login("firm@demo.local")
	if c.csrf() == other.csrf() {
		t.Fatal("two sessions share a CSRF token")
	}
	second := other.get("/assessments/" + id)
	mustContain(t, second.Body, `value="`+other.csrf()+`"`, "第二次")
	if strings.Contains(second.Body, c.csrf()) {
		t.Error("a session's page shows another session's CSRF token")
	}
	// The same page in English has its texts in English.
	en := a.client()
	en.login("firm@demo.local")
	en.post("/lang", url.Values{"lang": {"en"}, "back": {"/"}})
	english := en.get("/assessments/" + id)
	popups, _ := a.catalog.Get("popups")
	mustContain(t, english.Body, popups.Items()[0].Text.EN, popups.Title.EN)
}

func TestCollapseIndent(t *testing.T) {
	for in, want := range map[string]string{
		"":                               "",
		"a\n    b":                       "a\nb",
		"<p>\n\n\t  {{.X}}\n  </p>\n":    "<p>\n{{.X}}\n</p>\n",
		"<textarea>{{.N}}</textarea>  x": "<textarea>{{.N}}</textarea>  x",
		"trailing\n  ":                   "trailing\n",
	} {
		if got := string(collapseIndent([]byte(in))); got != want {
			t.Errorf("collapseIndent(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplice(t *testing.T) {
	var w bytes.Buffer
	a := spliced{"<!--a-->", []template.HTML{"<a>", "<A>"}}
	b := spliced{"<!--b-->", []template.HTML{"<b>"}}
	if err := splice(&w, []byte("head<!--a-->mid<!--b-->tail"), a, b); err != nil || w.String() != "head<a><A>mid<b>tail" {
		t.Errorf("splice: %q %v", w.String(), err)
	}
	for _, page := range []string{"no mark", "<!--a--><!--a--><!--b-->", "<!--b--><!--a-->", "<!--a-->"} {
		w.Reset()
		if err := splice(&w, []byte(page), a, b); err == nil {
			t.Errorf("%q spliced: %q", page, w.String())
		}
	}
}
