package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"selfcheck"
	"selfcheck/app/api"
	"selfcheck/app/auth"
	"selfcheck/app/store"
	"selfcheck/app/testenv"
)

// Sessions, Secure cookies behind TLS or a proxy, and login throttling.

// secClock is the server's clock in these tests, moved between requests.
type secClock struct{ ns atomic.Int64 }

func (c *secClock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *secClock) set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *secClock) add(d time.Duration) { c.ns.Add(int64(d)) }

// secApp is a test app with the given configuration, the JSON API mounted
// as cmd/selfcheck mounts it, and a clock the test sets; over TLS when
// useTLS.
func secApp(t *testing.T, cfg Config, useTLS bool) (*testApp, *secClock) {
	t.Helper()
	env := testenv.New(t)
	s, err := New(Deps{Work: env.Work, Messages: env.Messages,
		Templates: selfcheck.Templates, Static: selfcheck.Static, Log: env.Log, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	s.Mount(api.New(api.Deps{Work: env.Work, Messages: env.Messages, Log: env.Log}).Register)
	clock := &secClock{}
	clock.set(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	env.Work.Now = clock.now
	hs := httptest.NewUnstartedServer(s)
	if useTLS {
		hs.StartTLS()
	} else {
		hs.Start()
	}
	t.Cleanup(hs.Close)
	return &testApp{t: t, srv: hs, server: s, store: env.Store, catalog: env.Builtin}, clock
}

// secClient is a browser of a, over TLS when a's server speaks it.
func secClient(a *testApp) *client {
	c := a.client()
	if a.srv.TLS != nil {
		c.http.Transport = a.srv.Client().Transport
	}
	return c
}

// secPost posts a form as client.post does, with extra request headers
// (X-Forwarded-For, X-Forwarded-Proto).
func secPost(c *client, path string, form url.Values, header map[string]string) resp {
	c.t.Helper()
	if _, ok := form["_csrf"]; !ok {
		form.Set("_csrf", c.csrf())
	}
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return c.do(req)
}

// secLogin tries a password, from the address in X-Forwarded-For when from
// is not "" (heeded only behind a proxy).
func secLogin(c *client, email, password, from string) resp {
	c.t.Helper()
	h := map[string]string{}
	if from != "" {
		h["X-Forwarded-For"] = from
	}
	return secPost(c, "/login", url.Values{"email": {email}, "password": {password}}, h)
}

// secCookie finds the Set-Cookie of name in a response.
func secCookie(t *testing.T, r resp, name string) *http.Cookie {
	t.Helper()
	for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	t.Fatalf("no %s cookie set; Set-Cookie: %q", name, r.Header.Values("Set-Cookie"))
	return nil
}

// withSessionCookie is a GET carrying only the given session cookie, as someone
// holding an old copy of it would send.
func withSessionCookie(t *testing.T, a *testApp, token, path string) resp {
	t.Helper()
	c := secClient(a)
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
	return c.do(req)
}

func mustBeLoginRedirect(t *testing.T, r resp, what string) {
	t.Helper()
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("%s: status %d, Location %q; want the login page", what, r.Status, r.Header.Get("Location"))
	}
}

// The session cookie is HttpOnly and SameSite; Secure when the browser used
// HTTPS: over TLS, or through a trusted proxy saying so. Without
// --behind-proxy, X-Forwarded-Proto is anyone's to send and is ignored.
func TestSessionCookieSecurity(t *testing.T) {
	https := map[string]string{"X-Forwarded-Proto": "https"}
	tests := []struct {
		name   string
		cfg    Config
		tls    bool
		header map[string]string
		secure bool
	}{
		{"plain HTTP", Config{}, false, nil, false},
		{"forged X-Forwarded-Proto, no proxy configured", Config{}, false, https, false},
		{"behind a proxy, X-Forwarded-Proto https", Config{BehindProxy: true}, false, https, true},
		{"behind a proxy, plain HTTP", Config{BehindProxy: true}, false, nil, false},
		{"TLS", Config{}, true, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := secApp(t, tt.cfg, tt.tls)
			c := secClient(a)
			prefix := ""
			if tt.secure {
				prefix = "__Host-" // issue 19: a cookie only this host, over HTTPS, can set
			}
			// The login form as the browser gets it, through the proxy when
			// there is one; the jar, talking plain HTTP to the proxy's
			// side, would not send back a Secure cookie, so it is sent here.
			form := url.Values{"email": {"firm@demo.local"}, "password": {store.DemoPassword}}
			header := map[string]string{}
			if tt.header != nil {
				req, _ := http.NewRequest(http.MethodGet, c.base+"/login", nil)
				for k, v := range tt.header {
					req.Header.Set(k, v)
					header[k] = v
				}
				page := c.do(req)
				form.Set("_csrf", csrfField.FindStringSubmatch(page.Body)[1])
				header["Cookie"] = prefix + csrfCookie + "=" + secCookie(t, page, prefix+csrfCookie).Value
			}
			r := secPost(c, "/login", form, header)
			if r.Status != http.StatusSeeOther {
				t.Fatalf("login: %d", r.Status)
			}
			for _, name := range []string{prefix + sessionCookie, prefix + csrfCookie} {
				ck := secCookie(t, r, name)
				if ck.Secure != tt.secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
					t.Errorf("%s: Secure %v HttpOnly %v SameSite %v; want Secure %v, HttpOnly, Lax", name, ck.Secure, ck.HttpOnly, ck.SameSite, tt.secure)
				}
			}
			if tt.secure {
				// The browser keeps the Secure cookie only over HTTPS: over TLS
				// here the session works.
				if tt.tls && c.get("/profile").Status != http.StatusOK {
					t.Error("the session does not work over TLS")
				}
			}
			// Logging out clears the cookie the same way. (Behind the proxy
			// the test's cookie jar, talking plain HTTP, keeps the Secure
			// cookies to itself, so there is no session to end.)
			if tt.secure && !tt.tls {
				return
			}
			ck := secCookie(t, secPost(c, "/logout", url.Values{}, tt.header), prefix+sessionCookie)
			if ck.MaxAge >= 0 || ck.Secure != tt.secure {
				t.Errorf("logout cookie: MaxAge %d Secure %v", ck.MaxAge, ck.Secure)
			}
		})
	}
}

// A new token at every login; after logout the old cookie is worthless.
func TestLogoutEndsTheSession(t *testing.T) {
	a, _ := secApp(t, Config{}, false)
	c := secClient(a)
	first := secCookie(t, secLogin(c, "firm@demo.local", store.DemoPassword, ""), sessionCookie).Value
	second := secCookie(t, secLogin(c, "firm@demo.local", store.DemoPassword, ""), sessionCookie).Value
	if first == second {
		t.Error("a second login kept the session token")
	}
	mustBeLoginRedirect(t, withSessionCookie(t, a, first, "/profile"), "the token replaced by a new login")
	if r := withSessionCookie(t, a, second, "/profile"); r.Status != http.StatusOK {
		t.Fatalf("the live session: %d", r.Status)
	}
	if r := c.post("/logout", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.Status)
	}
	mustBeLoginRedirect(t, withSessionCookie(t, a, second, "/profile"), "the cookie after logout")
}

// Changing the password ends every session of the account; the browser
// that changed it gets a new one.
func TestPasswordChange(t *testing.T) {
	a, _ := secApp(t, Config{}, false)
	ctx := context.Background()
	c, other := secClient(a), secClient(a)
	old := secCookie(t, secLogin(c, "firm@demo.local", store.DemoPassword, ""), sessionCookie).Value
	other.login("firm@demo.local")
	mustContain(t, c.get("/profile").Body, `action="/profile/password"`, "修改密码", `name="current_password"`, `autocomplete="new-password"`)

	change := func(current, next, repeat string) resp {
		return c.post("/profile/password", url.Values{"current_password": {current}, "new_password": {next}, "repeat_password": {repeat}})
	}
	for _, tt := range []struct{ current, next, repeat, says string }{
		{"wrong-password", "new-password-1", "new-password-1", "当前密码：不正确，未作任何修改。"},
		{"", "new-password-1", "new-password-1", "当前密码：请填写"},
		{store.DemoPassword, "short", "short", "新密码：至少 8 个字符。"},
		{store.DemoPassword, strings.Repeat("长", 25), strings.Repeat("长", 25), "新密码：最多 72 字节"},
		{store.DemoPassword, "new-password-1", "new-password-2", "两次输入不一致"},
	} {
		r := change(tt.current, tt.next, tt.repeat)
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%q → %q/%q: status %d, want 422", tt.current, tt.next, tt.repeat, r.Status)
		}
		mustContain(t, r.Body, `id="password-errors"`, tt.says)
	}
	// Nothing changed: both browsers are still in, the old password works.
	if other.get("/profile").Status != http.StatusOK || c.get("/profile").Status != http.StatusOK {
		t.Fatal("a refused change ended a session")
	}
	if _, err := a.store.Authenticate(ctx, "firm@demo.local", store.DemoPassword); err != nil {
		t.Fatalf("a refused change changed the password: %v", err)
	}

	r := change(store.DemoPassword, "new-password-1", "new-password-1")
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/profile" {
		t.Fatalf("change: %d %q\n%s", r.Status, r.Header.Get("Location"), r.Body)
	}
	fresh := secCookie(t, r, sessionCookie).Value
	if fresh == old {
		t.Error("the session token was kept")
	}
	page := c.get("/profile")
	if page.Status != http.StatusOK {
		t.Fatalf("the browser that changed the password is logged out: %d", page.Status)
	}
	mustContain(t, page.Body, "密码已修改")
	mustBeLoginRedirect(t, other.get("/profile"), "another browser after the change")
	mustBeLoginRedirect(t, withSessionCookie(t, a, old, "/profile"), "the old cookie after the change")
	if s := c.loginWith("firm@demo.local", store.DemoPassword); s != http.StatusUnauthorized {
		t.Errorf("the old password: %d", s)
	}
	if s := secClient(a).loginWith("firm@demo.local", "new-password-1"); s != http.StatusSeeOther {
		t.Errorf("the new password: %d", s)
	}
	admin, err := a.store.UserByEmail(ctx, "admin@demo.local")
	if err != nil {
		t.Fatal(err)
	}
	if evs, _, err := a.store.AuditLog(ctx, admin, store.AuditFilter{Action: store.AuditPasswordChanged}); err != nil || len(evs) != 1 || evs[0].Actor != "firm@demo.local" {
		t.Errorf("audit log: %+v %v", evs, err)
	}
}

// A stolen session is no way round the throttle: wrong current passwords
// count as failed logins of the account.
func TestPasswordChangeIsThrottled(t *testing.T) {
	a, _ := secApp(t, Config{}, false)
	c := secClient(a)
	c.login("firm@demo.local")
	form := url.Values{"current_password": {"guess"}, "new_password": {"new-password-1"}, "repeat_password": {"new-password-1"}}
	for i := 0; i < auth.MaxPairFailures; i++ {
		if r := c.post("/profile/password", form); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("guess %d: %d", i+1, r.Status)
		}
	}
	form.Set("current_password", store.DemoPassword)
	r := c.post("/profile/password", form)
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "900" {
		t.Fatalf("the right password during the lock: %d, Retry-After %q", r.Status, r.Header.Get("Retry-After"))
	}
	mustContain(t, r.Body, "密码验证已暂停至 2026-03-01 09:15")
	if _, err := a.store.Authenticate(context.Background(), "firm@demo.local", store.DemoPassword); err != nil {
		t.Error("the password changed during the lock")
	}
}

// Issue 19, item 2: five wrong passwords for an account lock the address
// that made them out of it, not its owner at another address, who waits
// at most the account's delay (a second here).
func TestLoginThrottleLocksThePairNotTheAccount(t *testing.T) {
	a, clock := secApp(t, Config{BehindProxy: true}, false)
	c := secClient(a)
	for i := 0; i < auth.MaxPairFailures; i++ {
		if r := secLogin(c, "admin@demo.local", "wrong-password", "203.0.113.1"); r.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, r.Status)
		}
		clock.add(time.Second)
	}
	sixth := secLogin(c, "admin@demo.local", "wrong-password", "203.0.113.1")
	if sixth.Status != http.StatusTooManyRequests {
		t.Fatalf("sixth failure: %d", sixth.Status)
	}
	// The first failure leaves the window at 09:15:00, 895 s from now.
	if ra := sixth.Header.Get("Retry-After"); ra != "895" {
		t.Errorf("Retry-After %q, want 895", ra)
	}
	mustContain(t, sixth.Body, "失败次数过多", "密码验证已暂停至 2026-03-01 09:15", `value="admin@demo.local"`)
	// The right password from the guessing address is refused the same way.
	right := secLogin(c, "admin@demo.local", store.DemoPassword, "203.0.113.1")
	if right.Status != http.StatusTooManyRequests || right.Body != sixth.Body {
		t.Errorf("the right password from the locked address: %d\n%s", right.Status, right.Body)
	}
	c.lang = "en"
	mustContain(t, secLogin(c, "admin@demo.local", store.DemoPassword, "203.0.113.1").Body, "Too many failed attempts", "paused until 2026-03-01 09:15")
	// The owner, elsewhere, gets in with the right password.
	if r := secLogin(secClient(a), "admin@demo.local", store.DemoPassword, "198.51.100.1"); r.Status != http.StatusSeeOther {
		t.Errorf("the right password from another address: %d\n%s", r.Status, r.Body)
	}
	// Once the first failure has left the window, the address may try again.
	clock.set(time.Date(2026, 3, 1, 9, 15, 0, 0, time.UTC))
	if r := secLogin(secClient(a), "admin@demo.local", store.DemoPassword, "203.0.113.1"); r.Status != http.StatusSeeOther {
		t.Errorf("after the window: %d\n%s", r.Status, r.Body)
	}
}

// Issue 19, item 2: many failures from one address (every user behind a
// proxy, or someone guessing at many accounts) do not lock out the others
// behind it.
func TestLoginThrottleDoesNotLockAnAddress(t *testing.T) {
	a, _ := secApp(t, Config{BehindProxy: true}, false)
	c := secClient(a)
	for i := 0; i < 25; i++ {
		if r := secLogin(c, "guess"+strconv.Itoa(i)+"@demo.local", "wrong-password", "203.0.113.5"); r.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, r.Status)
		}
	}
	if r := secLogin(secClient(a), "firm@demo.local", store.DemoPassword, "203.0.113.5"); r.Status != http.StatusSeeOther {
		t.Errorf("a colleague behind the same address: %d", r.Status)
	}
}

// Issue 19, item 2: simultaneous correct logins from one address all pass,
// up to auth.MaxPairFailures at once per account: attempts in progress
// are not failures, they only hold a place.
func TestSimultaneousLoginsFromOneAddress(t *testing.T) {
	a, _ := secApp(t, Config{}, false)
	emails := []string{"firm@demo.local", "firmadmin@demo.local", "auditor@demo.local", "admin@demo.local"}
	var clients []*client
	var tokens []string
	for range auth.MaxPairFailures {
		for range emails {
			c := secClient(a)
			clients, tokens = append(clients, c), append(tokens, c.csrf())
		}
	}
	statuses := make([]int, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			statuses[i] = secPost(c, "/login", url.Values{"email": {emails[i%len(emails)]}, "password": {store.DemoPassword}, "_csrf": {tokens[i]}}, nil).Status
		})
	}
	wg.Wait()
	for i, st := range statuses {
		if st != http.StatusSeeOther {
			t.Errorf("login %d of %d at once from one address: %d", i+1, len(statuses), st)
		}
	}
}

// Without --behind-proxy X-Forwarded-For is ignored: an attacker cannot
// spread guesses over made-up addresses.
func TestForgedForwardedForIsIgnored(t *testing.T) {
	a, _ := secApp(t, Config{}, false)
	c := secClient(a)
	for i := 0; i < auth.MaxPairFailures; i++ {
		secLogin(c, "firm@demo.local", "wrong-password", "203.0.113."+strconv.Itoa(i+1))
	}
	if r := secLogin(c, "firm@demo.local", store.DemoPassword, "198.51.100.1"); r.Status != http.StatusTooManyRequests {
		t.Errorf("the made-up addresses were believed: %d", r.Status)
	}
}

// A lock says and costs the same whether or not the account exists.
func TestLoginThrottleDoesNotRevealAccounts(t *testing.T) {
	a, _ := secApp(t, Config{}, false)
	c := secClient(a)
	const known, unknown = "firm@demo.local", "nobody@demo.local"
	answers := map[string][]resp{}
	for _, email := range []string{known, unknown} {
		for i := 0; i <= auth.MaxPairFailures; i++ {
			answers[email] = append(answers[email], secLogin(c, email, "wrong-password", ""))
		}
	}
	for i := range answers[known] {
		k, u := answers[known][i], answers[unknown][i]
		if k.Status != u.Status || k.Header.Get("Retry-After") != u.Header.Get("Retry-After") ||
			strings.ReplaceAll(k.Body, known, "EMAIL") != strings.ReplaceAll(u.Body, unknown, "EMAIL") {
			t.Errorf("attempt %d: known account %d %q, unknown %d %q; bodies equal: %v", i+1,
				k.Status, k.Header.Get("Retry-After"), u.Status, u.Header.Get("Retry-After"),
				strings.ReplaceAll(k.Body, known, "EMAIL") == strings.ReplaceAll(u.Body, unknown, "EMAIL"))
		}
	}
	if s := answers[unknown][auth.MaxPairFailures].Status; s != http.StatusTooManyRequests {
		t.Errorf("the unknown email is not locked: %d", s)
	}
	// Timing: a refused attempt runs one bcrypt comparison, as a real check
	// does. Compare with the cost of one comparison on this machine.
	bcryptCost := time.Hour
	for i := 0; i < 3; i++ {
		start := time.Now()
		auth.CheckPassword("", "x")
		bcryptCost = min(bcryptCost, time.Since(start))
	}
	median := func(email string) time.Duration {
		var ds []time.Duration
		for i := 0; i < 5; i++ {
			start := time.Now()
			if r := secLogin(c, email, store.DemoPassword, ""); r.Status != http.StatusTooManyRequests {
				t.Fatalf("%s: %d", email, r.Status)
			}
			ds = append(ds, time.Since(start))
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[len(ds)/2]
	}
	for _, email := range []string{known, unknown} {
		if d := median(email); d < bcryptCost/2 {
			t.Errorf("a refused login for %s took %s, less than half a bcrypt comparison (%s): the lock answers faster than a check", email, d, bcryptCost)
		}
	}
}

// Issue 19, item 2: refused API tokens (an integration retrying a
// revoked one) are counted apart from passwords. Past the limit a refused
// token from that address answers 429, while a valid token from the same
// address and the login form keep working.
func TestAPITokenThrottle(t *testing.T) {
	a, _ := secApp(t, Config{BehindProxy: true}, false)
	ctx := context.Background()
	u, err := a.store.UserByEmail(ctx, "firm@demo.local")
	if err != nil {
		t.Fatal(err)
	}
	good, err := a.store.CreateToken(ctx, u.ID, "ci")
	if err != nil {
		t.Fatal(err)
	}
	call := func(token, from string) (*http.Response, map[string]map[string]string) {
		req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/api/v1/checklists", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("X-Forwarded-For", from)
		r, err := a.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		var body map[string]map[string]string
		json.NewDecoder(r.Body).Decode(&body)
		return r, body
	}
	for i := 0; i < auth.MaxTokenFailures; i++ {
		if r, _ := call("sc_revoked", "203.0.113.7"); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("revoked token %d: %d", i+1, r.StatusCode)
		}
	}
	r, body := call("sc_revoked", "203.0.113.7")
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("the revoked token past the limit: %d, Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	if body["error"]["code"] != "too_many_failures" || !strings.Contains(body["error"]["message"], "retry after 20") {
		t.Errorf("error body %v", body)
	}
	if r, _ := call(good, "203.0.113.7"); r.StatusCode != http.StatusOK {
		t.Errorf("a valid token from the same address: %d", r.StatusCode)
	}
	if r := secLogin(secClient(a), "firm@demo.local", store.DemoPassword, "203.0.113.7"); r.Status != http.StatusSeeOther {
		t.Errorf("the login form from the same address: %d", r.Status)
	}
}

// Behind a proxy the client's address is the X-Forwarded-For entry the
// proxy added; what the client wrote before it is never read.
func TestForwardedFor(t *testing.T) {
	tests := []struct {
		peer string
		xff  []string
		want string
	}{
		{"127.0.0.1:5000", nil, "127.0.0.1"},
		{"127.0.0.1:5000", []string{"203.0.113.5"}, "203.0.113.5"},
		{"127.0.0.1:5000", []string{"198.51.100.1, 203.0.113.5"}, "203.0.113.5"},
		{"127.0.0.1:5000", []string{"198.51.100.1", "203.0.113.5"}, "203.0.113.5"},
		{"10.0.0.2:5000", []string{"203.0.113.1, 10.0.0.5"}, "10.0.0.5"}, // a client on the proxy's network
		{"[::1]:5000", []string{" [2001:db8::1] "}, "2001:db8::1"},
		{"203.0.113.9:5000", []string{"198.51.100.1"}, "203.0.113.9"}, // not from a proxy: ignored
		{"127.0.0.1:5000", []string{"198.51.100.1, garbage"}, "127.0.0.1"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tt.peer
		for _, v := range tt.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := forwardedFor(r); got != tt.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %q, want %q", tt.peer, tt.xff, got, tt.want)
		}
	}
}

// Made-up entries before the proxy's own do not spread guesses over
// addresses.
func TestForgedForwardedForBehindProxy(t *testing.T) {
	a, _ := secApp(t, Config{BehindProxy: true}, false)
	c := secClient(a)
	for i := 0; i < auth.MaxPairFailures; i++ {
		secLogin(c, "firm@demo.local", "wrong-password", "198.51.100."+strconv.Itoa(i+1)+", 203.0.113.5")
	}
	if r := secLogin(c, "firm@demo.local", store.DemoPassword, "198.51.100.200, 203.0.113.5"); r.Status != http.StatusTooManyRequests {
		t.Errorf("the forged entries were believed: %d", r.Status)
	}
}

// Over HTTPS every response tells the browser to keep to HTTPS; over plain
// HTTP (where the header would be ignored or, behind a misconfigured proxy,
// wrong) it is not sent.
func TestStrictTransportSecurity(t *testing.T) {
	for _, tt := range []struct {
		name   string
		useTLS bool
		want   bool
	}{{"https", true, true}, {"http", false, false}} {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := secApp(t, Config{}, tt.useTLS)
			r := secClient(a).get("/login")
			if got := r.Header.Get("Strict-Transport-Security") != ""; got != tt.want {
				t.Errorf("Strict-Transport-Security present = %v, want %v (%q)", got, tt.want, r.Header.Get("Strict-Transport-Security"))
			}
		})
	}
}
