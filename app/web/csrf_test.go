package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"selfcheck/app/store"
	"selfcheck/app/testdb"
)

// tokensOf is how many API tokens email's account holds.
func tokensOf(t *testing.T, st *store.Store, email string) int {
	t.Helper()
	u, err := st.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := st.Tokens(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(tokens)
}

// Issue 19, item 3: an attacker who can set a cookie for the host (a
// sibling subdomain, plain HTTP, another port) sets the CSRF cookie to a
// value of its choice and posts a form carrying that value with the
// victim's session. The double-submit check took it; the session-bound
// token refuses it, and so does the attacker's own valid token.
func TestCSRFCookiePlantedByAnAttackerIsRefused(t *testing.T) {
	a, _ := secApp(t, Config{}, false)
	victim := secClient(a)
	victim.login("firm@demo.local")
	base, _ := url.Parse(a.srv.URL)
	planted := strings.Repeat("A", 43)
	victim.http.Jar.SetCookies(base, []*http.Cookie{{Name: csrfCookie, Value: planted, Path: "/"}})

	attacker := secClient(a)
	attacker.login("auditor@demo.local")
	for name, token := range map[string]string{"the planted value": planted, "the attacker's own token": attacker.csrf()} {
		r := victim.post("/profile/tokens", url.Values{"name": {"forged"}, "_csrf": {token}})
		if r.Status != http.StatusForbidden {
			t.Errorf("a forged post with %s: %d, want 403", name, r.Status)
		}
	}
	if n := tokensOf(t, a.store, "firm@demo.local"); n != 0 {
		t.Fatalf("the forged post made %d tokens", n)
	}
	// The victim's own form still works, planted cookie or not.
	if r := victim.post("/profile/tokens", url.Values{"name": {"mine"}}); r.Status != http.StatusSeeOther && r.Status != http.StatusOK {
		t.Errorf("the victim's own post: %d", r.Status)
	}
	if n := tokensOf(t, a.store, "firm@demo.local"); n != 1 {
		t.Errorf("the victim's post made %d tokens, want 1", n)
	}
}

// Issue 19, item 3: the key lives in the database, so a token made by one
// instance is good on another on the same database (two servers here).
func TestCSRFTokenFromOneInstanceWorksOnAnother(t *testing.T) {
	kit := newAppKit(t)
	path := testdb.URL(t, "instances.db")
	instA, stopA := kit.open(t, path)
	defer stopA()
	if err := instA.store.EnsureDemo(context.Background(), kit.themes); err != nil {
		t.Fatal(err)
	}
	instB, stopB := kit.open(t, path)
	defer stopB()

	onA := instA.client()
	onA.login("firm@demo.local")
	token := onA.csrf()
	// One browser: the cookie jar holds A's session for B's host too.
	onB := instB.client()
	onB.http.Jar = onA.http.Jar
	if r := onB.post("/profile/tokens", url.Values{"name": {"via B"}, "_csrf": {token}}); r.Status >= 400 {
		t.Fatalf("A's token on B: %d", r.Status)
	}
	if onB.csrf() != token {
		t.Error("the instances derive different tokens for one session")
	}
	if n := tokensOf(t, instA.store, "firm@demo.local"); n != 1 {
		t.Errorf("%d tokens made through B, want 1", n)
	}
}

// Issue 19, item 3: under HTTPS the session is read only from the
// __Host- cookie, which plain HTTP or a sibling subdomain cannot set; a
// cookie of the plain name is ignored.
func TestHostPrefixedCookiesUnderHTTPS(t *testing.T) {
	a, _ := secApp(t, Config{}, true)
	c := secClient(a)
	c.login("firm@demo.local")
	base, _ := url.Parse(a.srv.URL)
	var session string
	for _, ck := range c.http.Jar.Cookies(base) {
		switch ck.Name {
		case "__Host-" + sessionCookie:
			session = ck.Value
		case sessionCookie, csrfCookie:
			t.Errorf("a plain %s cookie under HTTPS", ck.Name)
		}
	}
	if session == "" {
		t.Fatal("no __Host- session cookie under HTTPS")
	}
	if r := c.get("/profile"); r.Status != http.StatusOK {
		t.Errorf("the __Host- session does not work: %d", r.Status)
	}
	plain := secClient(a)
	plain.http.Jar.SetCookies(base, []*http.Cookie{{Name: sessionCookie, Value: session, Path: "/"}})
	if r := plain.get("/profile"); r.Status != http.StatusSeeOther {
		t.Errorf("a plain-named session cookie was read under HTTPS: %d", r.Status)
	}
}
