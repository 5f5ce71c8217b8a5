package main

// The load that the load test and the crash test drive: many clients, each
// with its own session (a browser's cookie jar, saving through the
// autosave route) or its own API token, saving answers with the version
// they last saw, retrying with the current version when refused with 409;
// and the check that the database holds every save acknowledged.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"selfcheck"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/store"
	"selfcheck/app/testdb"
)

// loadConfig sizes a load from the environment: SELFCHECK_LOAD_CLIENTS
// (default 100) clients for SELFCHECK_LOAD_SECONDS (default 20) seconds.
func loadConfig(t *testing.T) (clients int, duration time.Duration) {
	t.Helper()
	clients, seconds := 100, 20.0
	if v := os.Getenv("SELFCHECK_LOAD_CLIENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 {
			t.Fatalf("SELFCHECK_LOAD_CLIENTS=%q: want a whole number of at least 2", v)
		}
		clients = n
	}
	if v := os.Getenv("SELFCHECK_LOAD_SECONDS"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 {
			t.Fatalf("SELFCHECK_LOAD_SECONDS=%q: want a positive number", v)
		}
		seconds = f
	}
	return clients, time.Duration(seconds * float64(time.Second))
}

// loadAssessment is one firm's assessment and the items its clients save.
type loadAssessment struct {
	id    uint
	items []string
}

// loadClient is one client: a browser session or an API token of a firm
// user, working on one assessment.
type loadClient struct {
	n          int
	web        bool   // autosave route with a session cookie; else the API
	credential string // session token or API token
	assessment int    // index into loadFixture.assessments
}

// loadFixture is the data a load runs against.
type loadFixture struct {
	assessments []loadAssessment
	clients     []loadClient
}

// Shape of the load. The first firm's assessment is shared by a third of
// the clients on a handful of items, so saves there collide all the time;
// the others spread over more items of their own firm's assessment, and
// collide now and then.
const (
	loadFirms       = 5
	loadUsersByFirm = 2
	sharedItems     = 4
	ownItems        = 12
)

// firstClients is the fixture with its first n clients only.
func (fx *loadFixture) firstClients(n int) *loadFixture {
	return &loadFixture{assessments: fx.assessments, clients: fx.clients[:min(n, len(fx.clients))]}
}

// loadTemplate is the fixture database built once per test run: the tests
// that need one get a copy of the file, since building it costs seconds
// under the race detector (a bcrypt hash per user).
var loadTemplate struct {
	sync.Mutex
	clients int
	data    []byte
	fx      *loadFixture
}

// setupLoad writes to db a database holding the firms, users, one
// assessment per firm and a credential per client, and returns what the
// clients need. Users are few (each costs a bcrypt hash); every client
// still has its own session or token. A SQLite db is a copy of a file
// built once; a PostgreSQL one (from testdb) is built for each test, as a
// template database would have to outlive the test that made it.
func setupLoad(t *testing.T, db string, clients int) *loadFixture {
	t.Helper()
	if !testdb.IsSQLite(db) {
		return buildLoadFixture(t, db, clients)
	}
	loadTemplate.Lock()
	defer loadTemplate.Unlock()
	if loadTemplate.data == nil || loadTemplate.clients != clients {
		path := filepath.Join(t.TempDir(), "template.db")
		fx := buildLoadFixture(t, path, clients)
		data, err := os.ReadFile(path) // closed: the WAL is checkpointed into it
		if err != nil {
			t.Fatal(err)
		}
		loadTemplate.clients, loadTemplate.data, loadTemplate.fx = clients, data, fx
	}
	if err := os.WriteFile(db, loadTemplate.data, 0o600); err != nil {
		t.Fatal(err)
	}
	return loadTemplate.fx
}

func buildLoadFixture(t *testing.T, db string, clients int) *loadFixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cat, _, err := checklist.Load(selfcheck.Checklists, "checklists")
	if err != nil {
		t.Fatal(err)
	}
	profile := store.DemoProfile
	fx := &loadFixture{}
	users := make([][]*store.User, loadFirms)
	for f := range loadFirms {
		firm, err := st.CreateFirm(ctx, fmt.Sprintf("负载测试公司 %d", f), goodCode(t, fmt.Sprintf("91310115MA1K3YJ%02d", f)))
		if err != nil {
			t.Fatal(err)
		}
		for u := range loadUsersByFirm {
			user, err := st.CreateUser(ctx, store.NewUser{Email: fmt.Sprintf("load%d.%d@firm.test", f, u), Name: fmt.Sprintf("用户 %d-%d", f, u),
				Password: "load-password", Role: auth.FirmMember, FirmID: &firm.ID})
			if err != nil {
				t.Fatal(err)
			}
			users[f] = append(users[f], user)
		}
		id, err := st.CreateAssessment(ctx, users[f][0], cat.Checklists, profile, nil)
		if err != nil {
			t.Fatal(err)
		}
		sh, err := st.Sheet(ctx, users[f][0], id)
		if err != nil {
			t.Fatal(err)
		}
		var items []string
		for _, cl := range sh.Checklists {
			for _, it := range cl.Items() {
				items = append(items, it.ID)
			}
		}
		want := ownItems
		if f == 0 {
			want = sharedItems
		}
		if len(items) < want {
			t.Fatalf("assessment %d asks %d items, the load needs %d", id, len(items), want)
		}
		fx.assessments = append(fx.assessments, loadAssessment{id: id, items: items[:want]})
	}
	for n := range clients {
		// A third on the shared assessment, the rest spread over the others.
		f := 0
		if n%3 != 0 {
			f = 1 + n%(loadFirms-1)
		}
		u := users[f][n%loadUsersByFirm]
		c := loadClient{n: n, web: n%2 == 0, assessment: f}
		if c.web {
			c.credential, err = st.CreateSession(ctx, u.ID)
		} else {
			c.credential, err = st.CreateToken(ctx, u.ID, fmt.Sprintf("load %d", n))
		}
		if err != nil {
			t.Fatal(err)
		}
		fx.clients = append(fx.clients, c)
	}
	return fx
}

// save is one save a client sent: what it asked for and, when answered
// with 2xx, the version the server acknowledged.
type save struct {
	client     int
	assessment uint
	item       string
	value      string // as stored: compliant, partial, non_compliant, na
	note       string
	version    int       // acknowledged version
	ackedAt    time.Time // when the acknowledgement arrived
}

// loadResult is what the clients saw.
type loadResult struct {
	mu        sync.Mutex
	acked     []save
	unknown   []save // sent, but no response came back (crash test)
	conflicts int    // 409: a stale version refused, retried with the current one
	statuses  map[int]int
	problems  []string // 5xx, other unexpected statuses, "locked"/"busy" bodies
	latencies []time.Duration
	elapsed   time.Duration
}

func (r *loadResult) problem(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.problems) < 50 {
		r.problems = append(r.problems, fmt.Sprintf(format, args...))
	}
}

// lockedBody matches what SQLite says when a writer gave up waiting.
var lockedBody = regexp.MustCompile(`(?i)database is locked|database table is locked|sqlite_busy|\bbusy\b`)

var storedValues = []string{"compliant", "partial", "non_compliant", "na"}

// apiResponse maps a stored answer to the API's word for it.
func apiResponse(v string) string {
	if v == "na" {
		return "not_applicable"
	}
	return v
}

// driveLoad runs every client against base until ctx ends or duration
// passes. With crashing set, a request that gets no response is recorded
// as unknown (the server was killed under it) and ends its client;
// without, it is a problem.
func driveLoad(ctx context.Context, t *testing.T, base string, fx *loadFixture, duration time.Duration, crashing bool) *loadResult {
	t.Helper()
	return driveLoadWith(ctx, t, base, fx, duration, loadOptions{crashing: crashing})
}

// loadOptions are the ways a load's clients differ from the default.
type loadOptions struct {
	crashing bool        // see driveLoad
	tls      *tls.Config // for an https base
	// lost, when set, tells whether a response with status to a request
	// sent at sent and answered at done is a proxy's answer for an instance
	// killed under the request (nginx's 502). That save may or may not be
	// stored: it is recorded as unknown, and the client goes on.
	lost func(status int, sent, done time.Time) bool
	// run tells this load's notes from an earlier one's on the same
	// database, so that no save repeats a note already stored.
	run string
}

// driveLoadWith is driveLoad with options.
func driveLoadWith(ctx context.Context, t *testing.T, base string, fx *loadFixture, duration time.Duration, opt loadOptions) *loadResult {
	t.Helper()
	crashing := opt.crashing
	res := &loadResult{statuses: map[int]int{}}
	baseURL, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: len(fx.clients) + 10, TLSClientConfig: opt.tls}
	defer tr.CloseIdleConnections()
	// Clients stop sending at the deadline but let requests under way
	// finish: cutting them off would leave saves stored but never
	// acknowledged. ctx cuts everything off (the crash test's kill).
	start := time.Now()
	deadline := start.Add(duration)
	var wg sync.WaitGroup
	for _, c := range fx.clients {
		wg.Go(func() {
			jar, _ := cookiejar.New(nil)
			hc := &http.Client{Transport: tr, Jar: jar, Timeout: time.Minute,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			lc := &loadRunner{c: c, hc: hc, base: strings.TrimSuffix(base, "/"), fx: fx, res: res, crashing: crashing, lost: opt.lost, tag: opt.run, deadline: deadline}
			if c.web {
				jar.SetCookies(baseURL, []*http.Cookie{{Name: sessionCookieOf(baseURL), Value: c.credential, Path: "/"}})
				if !lc.readCSRF(ctx) {
					return
				}
			}
			lc.run(ctx)
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// loadRunner is one client at work.
type loadRunner struct {
	c        loadClient
	hc       *http.Client
	base     string
	csrf     string
	fx       *loadFixture
	res      *loadResult
	crashing bool
	lost     func(status int, sent, done time.Time) bool // see loadOptions
	tag      string                                      // loadOptions.run
	deadline time.Time
}

// going reports whether the client should send another request.
func (lc *loadRunner) going(ctx context.Context) bool {
	return ctx.Err() == nil && time.Now().Before(lc.deadline)
}

var loadCSRFField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// readCSRF opens the assessment page, as a browser does before autosaving,
// and keeps the CSRF token of its form.
func (lc *loadRunner) readCSRF(ctx context.Context) bool {
	a := lc.fx.assessments[lc.c.assessment]
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/assessments/%d", lc.base, a.id), nil)
	r, err := lc.hc.Do(req)
	if err != nil {
		if !lc.crashing && ctx.Err() == nil {
			lc.res.problem("client %d: open the assessment page: %v", lc.c.n, err)
		}
		return false
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	m := loadCSRFField.FindSubmatch(body)
	if r.StatusCode != http.StatusOK || m == nil {
		lc.res.problem("client %d: assessment page: status %d, no CSRF token", lc.c.n, r.StatusCode)
		return false
	}
	lc.csrf = string(m[1])
	return true
}

func (lc *loadRunner) run(ctx context.Context) {
	a := lc.fx.assessments[lc.c.assessment]
	rng := rand.New(rand.NewPCG(uint64(lc.c.n), 7))
	known := map[string]int{} // item → the version this client last saw
	for seq := 0; lc.going(ctx); seq++ {
		s := save{client: lc.c.n, assessment: a.id, item: a.items[rng.IntN(len(a.items))],
			value: storedValues[rng.IntN(len(storedValues))],
			// Every note is new, so every save changes the answer and
			// acknowledged saves have distinct versions and history rows.
			note: fmt.Sprintf("%s客户端 %03d 第 %05d 次保存 <b>&amp;", lc.tag, lc.c.n, seq)}
		// A save refused as stale is sent again with the version the
		// server returned, as autosave.js and an API client do.
		for lc.going(ctx) {
			status, version, ok := lc.send(ctx, s, known[s.item])
			if !ok {
				if lc.crashing {
					return
				}
				break
			}
			if status == http.StatusConflict {
				known[s.item] = version
				continue
			}
			if status == http.StatusOK {
				known[s.item] = version
			}
			break
		}
	}
}

// send makes one save with the given version. It returns the status and
// the version the answer now has (the saved one on 200, the current one on
// 409); ok is false when no usable response came back.
func (lc *loadRunner) send(ctx context.Context, s save, version int) (status, current int, ok bool) {
	var req *http.Request
	if lc.c.web {
		form := url.Values{"answer": {s.value}, "note": {s.note}, "version": {strconv.Itoa(version)}}
		req, _ = http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf("%s/assessments/%d/answers/%s", lc.base, s.assessment, s.item), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-CSRF-Token", lc.csrf)
		req.Header.Set("X-Requested-With", "fetch")
	} else {
		body, _ := json.Marshal(map[string]any{"response": apiResponse(s.value), "note": s.note, "version": version})
		req, _ = http.NewRequestWithContext(ctx, http.MethodPut, fmt.Sprintf("%s/api/v1/assessments/%d/answers/%s", lc.base, s.assessment, s.item), bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+lc.c.credential)
	}
	req.Header.Set("Accept", "application/json")
	begin := time.Now()
	r, err := lc.hc.Do(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(r.Body)
		r.Body.Close()
	}
	took := time.Since(begin)
	if err == nil && lc.lost != nil && lc.lost(r.StatusCode, begin, begin.Add(took)) {
		lc.res.mu.Lock()
		lc.res.unknown = append(lc.res.unknown, s)
		lc.res.mu.Unlock()
		return 0, 0, false
	}
	if err != nil {
		switch {
		case lc.crashing && errors.Is(err, syscall.ECONNREFUSED):
			// Sent after the kill: it never reached a server.
		case lc.crashing:
			lc.res.mu.Lock()
			lc.res.unknown = append(lc.res.unknown, s)
			lc.res.mu.Unlock()
		default:
			lc.res.problem("client %d: %s %s: %v", lc.c.n, req.Method, req.URL.Path, err)
		}
		return 0, 0, false
	}
	lc.res.mu.Lock()
	lc.res.statuses[r.StatusCode]++
	lc.res.latencies = append(lc.res.latencies, took)
	lc.res.mu.Unlock()
	if lockedBody.Match(body) {
		lc.res.problem("client %d: %s %s: %d mentions a lock: %s", lc.c.n, req.Method, req.URL.Path, r.StatusCode, body)
	}
	switch r.StatusCode {
	case http.StatusOK:
		got, err := decodeSaved(lc.c.web, body)
		switch {
		case err != nil:
			lc.res.problem("client %d: 200 with an unreadable body: %v: %s", lc.c.n, err, body)
			return 0, 0, false
		case got.note != s.note || got.value != s.value || got.version <= version:
			lc.res.problem("client %d: saved %q/%q at version %d, server acknowledged %q/%q at version %d", lc.c.n, s.value, s.note, version, got.value, got.note, got.version)
		}
		s.version, s.ackedAt = got.version, time.Now()
		lc.res.mu.Lock()
		lc.res.acked = append(lc.res.acked, s)
		lc.res.mu.Unlock()
		return r.StatusCode, got.version, true
	case http.StatusConflict:
		cur, err := decodeConflict(lc.c.web, body)
		if err != nil {
			lc.res.problem("client %d: 409 without the current version: %v: %s", lc.c.n, err, body)
			return 0, 0, false
		}
		lc.res.mu.Lock()
		lc.res.conflicts++
		lc.res.mu.Unlock()
		return r.StatusCode, cur, true
	}
	lc.res.problem("client %d: %s %s: status %d: %.300s", lc.c.n, req.Method, req.URL.Path, r.StatusCode, body)
	return r.StatusCode, 0, false
}

type savedAnswer struct {
	value, note string
	version     int
}

// decodeSaved reads the answer a 200 acknowledges, from the autosave
// route's or the API's JSON.
func decodeSaved(web bool, body []byte) (savedAnswer, error) {
	if web {
		var v struct {
			Answer  string `json:"answer"`
			Note    string `json:"note"`
			Version int    `json:"version"`
		}
		err := json.Unmarshal(body, &v)
		return savedAnswer{v.Answer, v.Note, v.Version}, err
	}
	var v struct {
		Response *string `json:"response"`
		Note     string  `json:"note"`
		Version  int     `json:"version"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return savedAnswer{}, err
	}
	if v.Response == nil {
		return savedAnswer{}, fmt.Errorf("no response in the answer")
	}
	value := *v.Response
	if value == "not_applicable" {
		value = "na"
	}
	return savedAnswer{value, v.Note, v.Version}, nil
}

// decodeConflict reads the current version from a 409.
func decodeConflict(web bool, body []byte) (int, error) {
	if web {
		var v struct {
			Version *int `json:"version"`
		}
		if err := json.Unmarshal(body, &v); err != nil {
			return 0, err
		}
		if v.Version == nil {
			return 0, fmt.Errorf("no version")
		}
		return *v.Version, nil
	}
	var v struct {
		Error struct {
			Code    string `json:"code"`
			Current *struct {
				Version int `json:"version"`
			} `json:"current"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return 0, err
	}
	if v.Error.Code != "conflict" || v.Error.Current == nil {
		return 0, fmt.Errorf("code %q", v.Error.Code)
	}
	return v.Error.Current.Version, nil
}

// summary is the figures of a load, one line.
func (r *loadResult) summary(clients int) string {
	lat := slices.Clone(r.latencies)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))].Round(100 * time.Microsecond)
	}
	secs := r.elapsed.Seconds()
	return fmt.Sprintf("%d clients, %.1f s: %d saves acknowledged (%.0f/s), %d requests (%.0f/s), %d refused with 409 and retried; latency p50 %v, p99 %v, max %v; statuses %v",
		clients, secs, len(r.acked), float64(len(r.acked))/secs, len(lat), float64(len(lat))/secs, r.conflicts, pct(0.50), pct(0.99), pct(1), r.statuses)
}

// checkNoProblems fails on any 5xx, unexpected status, lost response or
// mention of a lock.
func (r *loadResult) checkNoProblems(t *testing.T) {
	t.Helper()
	for code, n := range r.statuses {
		if code != http.StatusOK && code != http.StatusConflict {
			t.Errorf("%d responses with status %d", n, code)
		}
	}
	for _, p := range r.problems {
		t.Error(p)
	}
	if len(r.acked) == 0 {
		t.Error("no save was acknowledged")
	}
}

// rawDB opens the database (a SQLite file or a PostgreSQL URL) without the
// store, to read rows as they are.
func rawDB(t *testing.T, path string) *gorm.DB {
	t.Helper()
	dialector := sqlite.Open("file:" + path + "?mode=rw&_busy_timeout=5000")
	if !testdb.IsSQLite(path) {
		dialector = postgres.Open(path)
	}
	g, err := gorm.Open(dialector, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if sqlDB, err := g.DB(); err == nil {
			sqlDB.Close()
		}
	})
	return g
}

type itemKey struct {
	assessment uint
	item       string
}

// checkAcknowledged checks that the database file at path holds every save
// acknowledged in res: for each item, the last acknowledged one (highest
// version) exactly, value, note and version, and a history row for each
// acknowledged change.
//
// With exact set, every request got its response, so the acknowledged
// versions of an item must be 1, 2, … with no gap, the item's history must
// be exactly the acknowledged changes in order, and the audit log must
// hold one answer_changed entry per acknowledged save. Without (crash
// test), a save whose response was lost may or may not be there: an item
// may be at a higher version than acknowledged only with the value and
// note of one of those saves.
func checkAcknowledged(t *testing.T, path string, fx *loadFixture, res *loadResult, exact bool) {
	t.Helper()
	db := rawDB(t, path)
	acked := map[itemKey][]save{}
	for _, s := range res.acked {
		k := itemKey{s.assessment, s.item}
		acked[k] = append(acked[k], s)
	}
	unknown := map[itemKey][]save{}
	for _, s := range res.unknown {
		k := itemKey{s.assessment, s.item}
		unknown[k] = append(unknown[k], s)
	}
	var lost, unacknowledged int
	for _, a := range fx.assessments {
		for _, item := range a.items {
			k := itemKey{a.id, item}
			saves := acked[k]
			slices.SortFunc(saves, func(x, y save) int { return x.version - y.version })
			for i := 1; i < len(saves); i++ {
				if saves[i].version == saves[i-1].version {
					t.Errorf("%v: version %d acknowledged twice (clients %d and %d): one save overwrote the other", k, saves[i].version, saves[i-1].client, saves[i].client)
				}
			}
			var rows []store.Answer
			if err := db.Where("assessment_id = ? AND item_id = ?", a.id, item).Find(&rows).Error; err != nil {
				t.Fatal(err)
			}
			var row store.Answer
			if len(rows) == 1 {
				row = rows[0]
			}
			var changes []store.Change
			if err := db.Where("assessment_id = ? AND item_id = ?", a.id, item).Order("id").Find(&changes).Error; err != nil {
				t.Fatal(err)
			}
			if len(saves) == 0 {
				if row.Version != 0 && (exact || len(unknown[k]) == 0) {
					t.Errorf("%v: at version %d, but no save of it was acknowledged", k, row.Version)
				}
				continue
			}
			last := saves[len(saves)-1]
			switch {
			case row.Version < last.version:
				lost++
				t.Errorf("%v: LOST: version %d (%q) acknowledged to client %d, the database has version %d (%q)", k, last.version, last.note, last.client, row.Version, row.Note)
			case row.Version == last.version:
				if row.Value != last.value || row.Note != last.note {
					lost++
					t.Errorf("%v: version %d acknowledged as %q/%q, the database has %q/%q", k, last.version, last.value, last.note, row.Value, row.Note)
				}
			case exact:
				t.Errorf("%v: at version %d, the last acknowledged is %d", k, row.Version, last.version)
			default:
				unacknowledged++
			}
			if !exact && row.Version > last.version && !slices.ContainsFunc(unknown[k], func(u save) bool { return u.value == row.Value && u.note == row.Note }) {
				t.Errorf("%v: at version %d with %q/%q, which is neither the last acknowledged save (version %d) nor one whose response was lost", k, row.Version, row.Value, row.Note, last.version)
			}
			if exact {
				checkExactHistory(t, k, saves, changes)
			} else {
				notes := map[string]bool{}
				for _, c := range changes {
					if c.Field == "note" {
						notes[c.NewValue] = true
					}
				}
				for _, s := range saves {
					if !notes[s.note] {
						t.Errorf("%v: no history row for the note of version %d (%q), acknowledged to client %d", k, s.version, s.note, s.client)
					}
				}
			}
			if exact {
				var n int64
				if err := db.Table("audit_events").Where("action = ? AND object = ?", store.AuditAnswerChanged, fmt.Sprintf("assessment:%d item:%s", a.id, item)).Count(&n).Error; err != nil {
					t.Fatal(err)
				}
				if n != int64(len(saves)) {
					t.Errorf("%v: %d answer_changed audit entries, %d saves acknowledged", k, n, len(saves))
				}
			}
		}
	}
	if lost > 0 {
		t.Errorf("%d acknowledged saves lost", lost)
	}
	if !exact {
		t.Logf("%d items hold a save stored whose response was lost", unacknowledged)
	}
}

// checkExactHistory compares an item's history rows with the changes its
// acknowledged saves made, in version order.
func checkExactHistory(t *testing.T, k itemKey, saves []save, changes []store.Change) {
	t.Helper()
	type change struct{ field, old, new string }
	var want []change
	prev := save{}
	for i, s := range saves {
		if s.version != i+1 {
			t.Errorf("%v: acknowledged versions skip from %d to %d: a save was stored without its acknowledgement", k, prev.version, s.version)
			return
		}
		if s.value != prev.value {
			want = append(want, change{"answer", prev.value, s.value})
		}
		if s.note != prev.note {
			want = append(want, change{"note", prev.note, s.note})
		}
		prev = s
	}
	var got []change
	for _, c := range changes {
		if c.Field == "answer" || c.Field == "note" { // not evidence or plans
			got = append(got, change{c.Field, c.OldValue, c.NewValue})
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%v: history has %d rows, the acknowledged saves made %d changes", k, len(got), len(want))
	}
}

// checkDatabase runs PRAGMA integrity_check on a SQLite file (PostgreSQL
// checks its pages as it reads them) and verifies the audit log's hash
// chain of the database at path.
func checkDatabase(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	if testdb.IsSQLite(path) {
		if _, err := store.InspectFile(ctx, path); err != nil {
			t.Errorf("integrity: %v", err)
		}
	}
	st, err := store.Open(ctx, path, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := st.VerifyAudit(ctx)
	if err != nil || !r.OK {
		t.Errorf("audit log: %+v %v", r, err)
	}
}

// syncBuffer collects a server's log lines from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// checkServerLog fails on logged errors and on any mention of a lock.
func checkServerLog(t *testing.T, log string) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if (strings.Contains(line, "level=ERROR") || lockedBody.MatchString(line)) && n < 20 {
			t.Errorf("server log: %s", line)
			n++
		}
	}
}

// sessionCookieOf is the name of the session cookie at u: over HTTPS the
// server uses the __Host- prefix.
func sessionCookieOf(u *url.URL) string {
	if u.Scheme == "https" {
		return "__Host-selfcheck_session"
	}
	return "selfcheck_session"
}
