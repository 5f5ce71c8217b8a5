package main

// The multi-instance test: two `serve` processes on one PostgreSQL
// database, behind nginx run with docs/nginx-selfcheck.conf, as
// docs/DEPLOYMENT.md describes. It needs PostgreSQL (the suite's
// SELFCHECK_TEST_DATABASE_URL) and nginx (Debian's package); without them
// it skips, unless SELFCHECK_MULTI=1, which CI sets in its PostgreSQL pass,
// makes it fail instead.
//
//	SELFCHECK_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable \
//	SELFCHECK_MULTI=1 go test -run TestMultiInstance -v ./cmd/selfcheck

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/store"
	"selfcheck/app/testdb"
)

// The multi-instance load: how many clients, how long they autosave with
// both instances up, and how long the second run lasts, in whose middle one
// instance is killed. Shorter under -short.
const (
	multiClients      = 100
	multiLoadDuration = 20 * time.Second
	multiKillDuration = 10 * time.Second
	multiShortLoad    = 5 * time.Second
	multiShortKill    = 4 * time.Second
)

// TestMultiInstance runs two instances on one PostgreSQL database behind
// nginx and checks what the proof asks: a session and a CSRF token
// made on one instance work on the other; failed logins on one count on
// the other; a firm, its colleague and the auditor work at once through
// different instances; 100 clients autosave through nginx with no error
// but deliberate version conflicts and every acknowledged save stored; one
// instance SIGKILLed mid-load loses nothing it acknowledged; and
// `audit verify` passes afterwards.
func TestMultiInstance(t *testing.T) {
	need := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("SELFCHECK_MULTI") == "1" {
			t.Fatalf("SELFCHECK_MULTI=1 but "+format, args...)
		}
		t.Skipf("multi-instance test skipped: "+format+" (SELFCHECK_MULTI=1 makes this a failure)", args...)
	}
	if !testdb.Postgres() {
		need("%s does not name a PostgreSQL server", testdb.Env)
	}
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		for _, p := range []string{"/usr/sbin/nginx", "/sbin/nginx"} {
			if _, serr := os.Stat(p); serr == nil {
				nginx, err = p, nil
				break
			}
		}
	}
	if err != nil {
		need("nginx is not installed (apt-get install nginx)")
	}

	dir := t.TempDir()
	bin := buildSelfcheck(t, dir)
	db := testdb.URL(t)
	httpsPort, httpPort := freePort(t), freePort(t)
	public := fmt.Sprintf("https://127.0.0.1:%d/", httpsPort)

	// The first instance migrates the empty database and seeds the demo;
	// the second starts once it is up.
	common := []string{"--db", db, "--behind-proxy", "--public-url", strings.TrimSuffix(public, "/")}
	_, baseA, logA := startServeChild(t, bin, append(common, "--demo")...)
	waitHealthy(t, baseA, nil)
	procB, baseB, logB := startServeChild(t, bin, common...)
	waitHealthy(t, baseB, nil)

	certFile, keyFile, cert := selfSigned(t, dir, "nginx")
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	tlsConfig := &tls.Config{RootCAs: roots}
	accessLog := startNginx(t, nginx, dir, nginxConfig{
		instances: []string{hostPort(baseA), hostPort(baseB)},
		https:     httpsPort, http: httpPort, cert: certFile, key: keyFile,
	})
	waitHealthy(t, public, tlsConfig)

	A, B := baseA, baseB
	t.Run("a session and a CSRF token from one instance work on the other", func(t *testing.T) {
		jar, _ := cookiejar.New(nil) // cookies are per host, not per port: both instances get them
		onA, onB := newBrowser(t, A, jar, nil), newBrowser(t, B, jar, nil)
		onA.login("firm@demo.local", store.DemoPassword, http.StatusSeeOther)
		if r := onB.get("/"); r.status != http.StatusOK {
			t.Fatalf("home page on B with A's session: %d", r.status)
		}
		id := onA.start("popups") // the campaign is the next subtest's
		items := onA.items(id)
		token := onA.csrfOf("/assessments/" + id)
		if r := onB.autosave(id, items[0], "compliant", "令牌来自 A", 0, token); r.status != http.StatusOK {
			t.Errorf("autosave on B with A's CSRF token: %d %s", r.status, r.body)
		}
		if r := onB.autosave(id, items[1], "compliant", "", 0, "forged-token-0123456789012345678901234567890"); r.status != http.StatusForbidden {
			t.Errorf("autosave on B with a wrong CSRF token: %d, want 403", r.status)
		}
		session := onA.session()
		if r := onB.post("/logout", url.Values{"_csrf": {token}}); r.status != http.StatusSeeOther {
			t.Fatalf("logout on B: %d", r.status)
		}
		// The logout on B ended the session for A too, even for a browser
		// that kept the cookie.
		jar.SetCookies(mustURL(t, A), []*http.Cookie{{Name: "selfcheck_session", Value: session, Path: "/"}})
		if r := onA.get("/"); r.status != http.StatusSeeOther {
			t.Errorf("home page on A after logging out on B: %d, want a redirect to the login", r.status)
		}
	})

	t.Run("a firm and its colleague save at once through A and B, the auditor reviews through B", func(t *testing.T) {
		firm := newBrowser(t, A, nil, nil)
		firm.login("firm@demo.local", store.DemoPassword, http.StatusSeeOther)
		colleague := newBrowser(t, B, nil, nil)
		colleague.login("firmadmin@demo.local", store.DemoPassword, http.StatusSeeOther)
		auditor := newBrowser(t, B, nil, nil)
		auditor.login("auditor@demo.local", store.DemoPassword, http.StatusSeeOther)

		id := firm.startCampaign()
		items := colleague.items(id) // B sees the assessment A just created
		if len(items) < 3 {
			t.Fatalf("the assessment asks %d items", len(items))
		}
		// Both save the first item from version 0 at once: one is stored,
		// the other is refused as a conflict. Then each fills in half.
		tokens := []string{firm.csrfOf("/assessments/" + id), colleague.csrfOf("/assessments/" + id)}
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i, who := range []*browser{firm, colleague} {
			wg.Go(func() {
				statuses[i] = who.autosave(id, items[0], "compliant", fmt.Sprintf("同时保存 %d", i), 0, tokens[i]).status
				for k := 1 + i; k < len(items); k += 2 {
					if r := who.autosave(id, items[k], "compliant", "", 0, tokens[i]); r.status != http.StatusOK {
						t.Errorf("%s saves %s: %d %s", who.base, items[k], r.status, r.body)
					}
				}
			})
		}
		wg.Wait()
		if !(statuses[0] == http.StatusOK && statuses[1] == http.StatusConflict || statuses[0] == http.StatusConflict && statuses[1] == http.StatusOK) {
			t.Errorf("two saves of one item from version 0 on A and B: statuses %v, want one 200 and one 409", statuses)
		}
		// The colleague attaches, through B, the documents the items that
		// need one ask for.
		colleague.attachRequired(id, tokens[1])
		// A sees every answer saved through B: the submission is complete.
		if r := firm.post("/assessments/"+id, url.Values{"action": {"submit"}, "_csrf": {tokens[0]}}); r.status != http.StatusSeeOther {
			t.Fatalf("submit through A: %d\n%.2000s", r.status, r.body)
		}
		if r := auditor.get("/review"); r.status != http.StatusOK || !strings.Contains(r.body, `/assessments/`+id+`/review"`) {
			t.Fatalf("the review queue on B lacks the submission: %d", r.status)
		}
		decision := url.Values{"decision": {"approve"}, "_csrf": {auditor.csrfOf("/assessments/" + id + "/review")}}
		for _, it := range items {
			decision.Set("verdict."+it, "accepted")
		}
		if r := auditor.post("/assessments/"+id+"/review", decision); r.status != http.StatusSeeOther {
			t.Fatalf("approve through B: %d\n%.2000s", r.status, r.body)
		}
		var state string
		if err := rawDB(t, db).Table("assessments").Where("id = ?", id).Pluck("state", &state).Error; err != nil || state != "approved" {
			t.Errorf("state after the review: %q %v", state, err)
		}
		if r := firm.get("/assessments/" + id + "/score"); r.status != http.StatusOK {
			t.Errorf("the firm's score page on A after approval: %d", r.status)
		}
	})

	t.Run("through nginx", func(t *testing.T) {
		c := newBrowser(t, strings.TrimSuffix(public, "/"), nil, tlsConfig)
		secure := c.login("auditor@demo.local", store.DemoPassword, http.StatusSeeOther)
		if !secure {
			t.Error("the session cookie set through nginx over HTTPS is not Secure: X-Forwarded-Proto did not reach the instance")
		}
		// Round-robin: consecutive requests alternate between the instances.
		for i := range 4 {
			if r := c.get("/review"); r.status != http.StatusOK {
				t.Errorf("request %d with the session through nginx: %d", i, r.status)
			}
		}
		plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		r, err := plain.Get(fmt.Sprintf("http://127.0.0.1:%d/login", httpPort))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if loc := r.Header.Get("Location"); r.StatusCode != http.StatusMovedPermanently || !strings.HasPrefix(loc, "https://") {
			t.Errorf("plain HTTP: %d to %q, want 301 to https", r.StatusCode, loc)
		}
	})

	t.Run("failed logins on one instance count on the other", func(t *testing.T) {
		onA, onB := newBrowser(t, A, nil, nil), newBrowser(t, B, nil, nil)
		// One after the other, alternating: the limit holds over both.
		const account = "admin@demo.local"
		for i := range auth.MaxPairFailures {
			at := []*browser{onA, onB}[i%2]
			at.login(account, "wrong password", http.StatusUnauthorized)
		}
		for _, at := range []*browser{onB, onA} {
			at.login(account, store.DemoPassword, http.StatusTooManyRequests)
		}
		// Issue 19: the lock is the address's, not the account's. The owner
		// elsewhere (an address the instances, behind a proxy, take from
		// X-Forwarded-For) gets in on either instance once the account's
		// delay has passed.
		time.Sleep(auth.AccountDelay(auth.MaxPairFailures))
		elsewhere := newBrowser(t, B, nil, nil)
		req, _ := http.NewRequest(http.MethodPost, elsewhere.base+"/login", strings.NewReader(url.Values{
			"email": {account}, "password": {store.DemoPassword}, "_csrf": {elsewhere.csrfOf("/login")}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", "198.51.100.19")
		if r := elsewhere.do(req); r.status != http.StatusSeeOther {
			t.Errorf("the right password from another address after the account's delay: %d, want 303", r.status)
		}
		// At once, half on each: still no more password checks than the limit.
		const attempts = 12
		statuses := make([]int, attempts)
		var wg sync.WaitGroup
		for i := range attempts {
			at := newBrowser(t, []string{A, B}[i%2], nil, nil)
			token := at.csrfOf("/login")
			wg.Go(func() {
				statuses[i] = at.post("/login", url.Values{"email": {"parallel@throttle.test"}, "password": {"wrong"}, "_csrf": {token}}).status
			})
		}
		wg.Wait()
		checked := 0
		for _, s := range statuses {
			switch s {
			case http.StatusUnauthorized:
				checked++
			case http.StatusTooManyRequests:
			default:
				t.Errorf("parallel failed login: status %d", s)
			}
		}
		if checked > auth.MaxPairFailures {
			t.Errorf("%d parallel wrong passwords for one account over two instances were checked (401), the limit is %d: the others must be refused with 429 (statuses %v)", checked, auth.MaxPairFailures, statuses)
		}
	})

	// The load: a fixture of firms, users and one session or API token per
	// client, made beside the running instances.
	fx := buildLoadFixture(t, db, multiClients)
	load, kill := multiLoadDuration, multiKillDuration
	if testing.Short() {
		load, kill = multiShortLoad, multiShortKill
	}
	var first *loadResult
	t.Run("100 clients autosave through nginx over both instances", func(t *testing.T) {
		before := countUpstreams(t, accessLog, A, B)
		first = driveLoadWith(context.Background(), t, public, fx, load, loadOptions{tls: tlsConfig})
		t.Logf("both instances: %s", first.summary(multiClients))
		first.checkNoProblems(t)
		after := countUpstreams(t, accessLog, A, B)
		onA, onB := after[0]-before[0], after[1]-before[1]
		t.Logf("nginx sent %d requests to A and %d to B", onA, onB)
		if total := onA + onB; onA < total/4 || onB < total/4 {
			t.Errorf("nginx sent %d requests to A and %d to B: not round-robin", onA, onB)
		}
		checkServerLog(t, logA.String())
		checkServerLog(t, logB.String())
		checkAcknowledged(t, db, fx, first, true)
	})
	if first == nil {
		t.FailNow()
	}

	t.Run("one instance killed mid-load loses nothing it acknowledged", func(t *testing.T) {
		logged := len(logA.String())
		var killedAt atomic.Pointer[time.Time]
		lost := func(status int, sent, done time.Time) bool {
			k := killedAt.Load()
			// nginx's answer for a request the killed instance had taken, or
			// took on a connection of its that nginx had not yet seen die.
			return status == http.StatusBadGateway && k != nil && done.After(*k) && sent.Before(k.Add(3*time.Second))
		}
		done := make(chan *loadResult)
		go func() {
			done <- driveLoadWith(context.Background(), t, public, fx, kill, loadOptions{tls: tlsConfig, lost: lost, run: "第二轮 "})
		}()
		time.Sleep(kill / 2)
		now := time.Now()
		killedAt.Store(&now)
		if err := procB.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		procB.Wait()
		res := <-done
		t.Logf("B killed after %v: %s; %d saves whose instance died under them", kill/2, res.summary(multiClients), len(res.unknown))
		res.checkNoProblems(t)
		checkServerLog(t, logA.String()[logged:])
		if r, err := (&http.Client{Transport: &http.Transport{TLSClientConfig: tlsConfig}}).Get(public + "healthz"); err != nil || r.StatusCode != http.StatusOK {
			t.Errorf("healthz through nginx with B dead: %v %v", r, err)
		}
		// Every save acknowledged in either run, by either instance.
		all := &loadResult{acked: append(append([]save{}, first.acked...), res.acked...), unknown: res.unknown}
		checkAcknowledged(t, db, fx, all, false)
	})

	t.Run("audit verify", func(t *testing.T) {
		out, err := exec.Command(bin, "audit", "verify", "--db", db).CombinedOutput()
		if err != nil {
			t.Errorf("selfcheck audit verify: %v\n%s", err, out)
		}
	})
}

// nginxConfig is what the test puts into docs/nginx-selfcheck.conf.
type nginxConfig struct {
	instances   []string // host:port of the two instances
	https, http int      // nginx's ports
	cert, key   string   // its certificate and key files
}

// startNginx renders docs/nginx-selfcheck.conf with cfg's addresses and
// paths, runs nginx with it from dir until the test ends, and returns the
// path of its access log, whose lines start with the instance that served
// the request.
func startNginx(t *testing.T, nginx, dir string, cfg nginxConfig) (accessLog string) {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "nginx-selfcheck.conf"))
	if err != nil {
		t.Fatal(err)
	}
	site := string(doc)
	for _, r := range []struct{ old, new string }{
		{"server 127.0.0.1:8081 ", "server " + cfg.instances[0] + " "},
		{"server 127.0.0.1:8082 ", "server " + cfg.instances[1] + " "},
		{"listen 80;", fmt.Sprintf("listen 127.0.0.1:%d;", cfg.http)},
		{"listen 443 ssl;", fmt.Sprintf("listen 127.0.0.1:%d ssl;", cfg.https)},
		{"/etc/ssl/selfcheck/fullchain.pem", cfg.cert},
		{"/etc/ssl/selfcheck/privkey.pem", cfg.key},
	} {
		if n := strings.Count(site, r.old); n != 1 {
			t.Fatalf("docs/nginx-selfcheck.conf holds %q %d times; the test replaces it and needs it exactly once", r.old, n)
		}
		site = strings.Replace(site, r.old, r.new, 1)
	}
	ngx := filepath.Join(dir, "nginx")
	if err := os.MkdirAll(ngx, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ngx, "selfcheck.conf"), []byte(site), 0o644); err != nil {
		t.Fatal(err)
	}
	accessLog = filepath.Join(ngx, "access.log")
	user := ""
	if os.Getuid() == 0 {
		// Workers would run as nobody, who cannot reach the temp dir.
		user = "user root;"
	}
	main := fmt.Sprintf(`%s
worker_processes 1;
events { worker_connections 1024; }
http {
    log_format upstream '$upstream_addr $status $request_method $uri';
    access_log %[2]s/access.log upstream;
    client_body_temp_path %[2]s/body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    include %[2]s/selfcheck.conf;
}
`, user, ngx)
	conf := filepath.Join(ngx, "nginx.conf")
	if err := os.WriteFile(conf, []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	global := fmt.Sprintf("daemon off; pid %s/nginx.pid; error_log %s/error.log;", ngx, ngx)
	if out, err := exec.Command(nginx, "-t", "-p", ngx+"/", "-c", conf, "-g", global).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	cmd := exec.Command(nginx, "-p", ngx+"/", "-c", conf, "-g", global)
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGQUIT) // graceful: the workers go too
		stopped := make(chan struct{})
		go func() { cmd.Wait(); close(stopped) }()
		select {
		case <-stopped:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-stopped
		}
		if t.Failed() {
			if b, err := os.ReadFile(filepath.Join(ngx, "error.log")); err == nil {
				t.Logf("nginx error log:\n%s", tail(string(b), 4000))
			}
		}
	})
	return accessLog
}

// tail is the end of s, at most n bytes.
func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// countUpstreams counts the requests of nginx's access log served by each
// of the instances at a and b.
func countUpstreams(t *testing.T, accessLog, a, b string) [2]int {
	t.Helper()
	data, err := os.ReadFile(accessLog)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var n [2]int
	for _, line := range strings.Split(string(data), "\n") {
		first, _, _ := strings.Cut(line, " ")
		switch first {
		case hostPort(a):
			n[0]++
		case hostPort(b):
			n[1]++
		}
	}
	return n
}

// freePort is a TCP port free on 127.0.0.1 a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// hostPort is the host:port of a base URL.
func hostPort(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	return u.Host
}

// waitHealthy waits up to 30 s for base's /healthz to answer 200.
func waitHealthy(t *testing.T, base string, tlsConfig *tls.Config) {
	t.Helper()
	hc := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsConfig}}
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, err := hc.Get(strings.TrimSuffix(base, "/") + "/healthz")
		if err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/healthz: %v %v", base, r, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// browser is one person's browser pointed at one address (an instance or
// nginx): a cookie jar, no automatic redirects.
type browser struct {
	t    *testing.T
	base string
	jar  http.CookieJar
	hc   *http.Client
}

func newBrowser(t *testing.T, base string, jar http.CookieJar, tlsConfig *tls.Config) *browser {
	if jar == nil {
		jar, _ = cookiejar.New(nil)
	}
	return &browser{t: t, base: strings.TrimSuffix(base, "/"), jar: jar, hc: &http.Client{
		Jar: jar, Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: tlsConfig},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type page struct {
	status  int
	body    string
	cookies []*http.Cookie
}

// do sends req; a request that gets no response comes back with status 0
// and the error as its body (do may run outside the test's goroutine, so it
// does not stop the test itself).
func (b *browser) do(req *http.Request) page {
	r, err := b.hc.Do(req)
	if err != nil {
		return page{body: fmt.Sprintf("%s %s: %v", req.Method, req.URL, err)}
	}
	defer r.Body.Close()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return page{body: fmt.Sprintf("%s %s: reading the body: %v", req.Method, req.URL, err)}
	}
	return page{status: r.StatusCode, body: string(body), cookies: r.Cookies()}
}

func (b *browser) get(path string) page {
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	return b.do(req)
}

// post sends a form as the browser does; form carries its _csrf.
func (b *browser) post(path string, form url.Values) page {
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// csrfOf is the CSRF token of the form on the page at path.
func (b *browser) csrfOf(path string) string {
	b.t.Helper()
	r := b.get(path)
	m := loadCSRFField.FindStringSubmatch(r.body)
	if m == nil {
		b.t.Fatalf("%s%s: %d, no CSRF token", b.base, path, r.status)
	}
	return m[1]
}

// login signs in through the login form and expects status; it reports
// whether the session cookie it got, if any, is Secure.
func (b *browser) login(email, password string, status int) (secure bool) {
	b.t.Helper()
	r := b.post("/login", url.Values{"email": {email}, "password": {password}, "_csrf": {b.csrfOf("/login")}})
	if r.status != status {
		b.t.Fatalf("login %s on %s: %d, want %d", email, b.base, r.status, status)
	}
	for _, ck := range r.cookies {
		if strings.TrimPrefix(ck.Name, "__Host-") == "selfcheck_session" {
			secure = ck.Secure
		}
	}
	return secure
}

// session is the session cookie the browser holds for its address.
func (b *browser) session() string {
	for _, ck := range b.jar.Cookies(mustURL(b.t, b.base)) {
		if strings.TrimPrefix(ck.Name, "__Host-") == "selfcheck_session" {
			return ck.Value
		}
	}
	return ""
}

var (
	multiCampaign   = regexp.MustCompile(`<option value="(\d+)" selected>`)
	multiAssessment = regexp.MustCompile(`^/assessments/(\d+)$`)
	multiItem       = regexp.MustCompile(`name="answer\.([a-z0-9-]+)" value="compliant"`)
)

// startCampaign starts the firm's assessment of the campaign its home page
// offers, with every profile tag, and returns its id.
func (b *browser) startCampaign() string {
	b.t.Helper()
	home := b.get("/")
	m := multiCampaign.FindStringSubmatch(home.body)
	if m == nil {
		b.t.Fatalf("%s: the start form offers no campaign (%d)", b.base, home.status)
	}
	return b.startWith(url.Values{"campaign": {m[1]}})
}

// start starts an assessment of the themes, outside any campaign.
func (b *browser) start(themes ...string) string {
	b.t.Helper()
	return b.startWith(url.Values{"theme": themes})
}

// startWith posts the start form with every profile tag and returns the
// new assessment's id.
func (b *browser) startWith(form url.Values) string {
	b.t.Helper()
	form.Set("_csrf", b.csrfOf("/"))
	for _, ti := range checklist.Tags {
		form.Add("profile", string(ti.Tag))
	}
	req, _ := http.NewRequest(http.MethodPost, b.base+"/assessments", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	r.Body.Close()
	loc := multiAssessment.FindStringSubmatch(r.Header.Get("Location"))
	if r.StatusCode != http.StatusSeeOther || loc == nil {
		b.t.Fatalf("start: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	return loc[1]
}

// requiredEvidence finds the items the fill-in page marks as needing a file.
var requiredEvidence = regexp.MustCompile(`(?s)<fieldset class="item[^"]*" id="item-([a-z0-9-]+)".*?</p>`)

// attachRequired uploads a file, as autosave.js does, to every item the
// fill-in page marks as needing evidence.
func (b *browser) attachRequired(id, csrf string) {
	b.t.Helper()
	for _, m := range requiredEvidence.FindAllStringSubmatch(b.get("/assessments/"+id+"?filter=all").body, -1) {
		if !strings.Contains(m[0], `class="req"`) {
			continue
		}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "证明材料.txt")
		fw.Write([]byte("证明材料 " + m[1]))
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, b.base+"/assessments/"+id+"/answers/"+m[1]+"/evidence", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("X-CSRF-Token", csrf)
		req.Header.Set("X-Requested-With", "fetch")
		req.Header.Set("Accept", "application/json")
		if r := b.do(req); r.status != http.StatusCreated {
			b.t.Fatalf("%s: evidence for %s: %d %s", b.base, m[1], r.status, r.body)
		}
	}
}

// items are the ids of the items on the assessment's fill-in page.
func (b *browser) items(id string) []string {
	b.t.Helper()
	r := b.get("/assessments/" + id + "?filter=all") // every item, not the default view
	var out []string
	for _, m := range multiItem.FindAllStringSubmatch(r.body, -1) {
		out = append(out, m[1])
	}
	if r.status != http.StatusOK || len(out) == 0 {
		b.t.Fatalf("%s: fill-in page of %s: %d, %d items", b.base, id, r.status, len(out))
	}
	return out
}

// autosave saves one answer as autosave.js does.
func (b *browser) autosave(id, item, value, note string, version int, csrf string) page {
	form := url.Values{"answer": {value}, "note": {note}, "version": {fmt.Sprint(version)}}
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/assessments/%s/answers/%s", b.base, id, item), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", csrf)
	req.Header.Set("X-Requested-With", "fetch")
	req.Header.Set("Accept", "application/json")
	return b.do(req)
}
