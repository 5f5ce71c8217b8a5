package web

import (
	"net/http"
	"strings"
	"testing"
)

// The fill-in page's frame is cached (frameParts), and its body carries the
// CSRF token: two sessions opening the same view of the same assessment
// each get their own token in the form.
func TestFillFrameCarriesEachSessionsToken(t *testing.T) {
	a := newTestApp(t)
	first := a.client()
	first.login("firm@demo.local")
	id := startCampaign(t, first)
	second := a.client()
	second.login("firm@demo.local")
	var tokens []string
	for _, c := range []*client{first, second, first} {
		r := c.get("/assessments/" + id)
		if r.Status != http.StatusOK {
			t.Fatalf("fill-in page: %d", r.Status)
		}
		// The fill-in form's own token: the header's forms come first.
		form := strings.Index(r.Body, `id="fill-form"`)
		if form < 0 {
			t.Fatal("no fill-in form")
		}
		m := csrfField.FindStringSubmatch(r.Body[form:])
		if m == nil {
			t.Fatal("no CSRF token in the fill-in form")
		}
		if want := c.csrf(); m[1] != want {
			t.Errorf("the page's token %q is not its session's %q", m[1], want)
		}
		tokens = append(tokens, m[1])
	}
	if tokens[0] == tokens[1] {
		t.Errorf("two sessions got the same token in the form: %q", tokens[0])
	}
	if tokens[0] != tokens[2] {
		t.Errorf("the first session's token changed between loads: %q, %q", tokens[0], tokens[2])
	}
}
