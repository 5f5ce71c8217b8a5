// Package server assembles the application from its parts: the store, the
// checklist catalog, the messages, the report renderer, the web pages and
// the API. `selfcheck serve` and the benchmark command start the same
// application through Open, so what the benchmark measures is what runs.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"selfcheck"
	"selfcheck/app/api"
	"selfcheck/app/auth"
	"selfcheck/app/catalog"
	"selfcheck/app/checklist"
	"selfcheck/app/i18n"
	"selfcheck/app/notify"
	"selfcheck/app/outbox"
	"selfcheck/app/report"
	"selfcheck/app/reporting"
	"selfcheck/app/store"
	"selfcheck/app/twofactor"
	"selfcheck/app/web"
	"selfcheck/app/workflow"
)

// Config is what Open needs. The command checks it before (flags, files).
type Config struct {
	DB          string         // SQLite database file
	Demo        bool           // create the demo firm, accounts and campaign
	Checklists  fs.FS          // the catalog's files; nil for the built-in ones
	ChecklistsD string         // the directory of them inside Checklists
	Location    *time.Location // dates on pages and in reports
	MaxEvidence int64          // largest evidence file, bytes
	PublicURL   string         // the base of reports' verification links
	BehindProxy bool           // trust X-Forwarded-For and X-Forwarded-Proto
	// TOTPKey seals two-factor secrets (twofactor.KeySize bytes); nil: no
	// new enrolments.
	TOTPKey []byte
	// RequireTwoFactor are the roles that must sign in with a code.
	RequireTwoFactor []auth.Role
	// SMTP sends notifications by e-mail; URL "" for in-app only.
	SMTP notify.SMTPConfig
	// WebhookAllowPrivate lets webhooks reach loopback and private
	// addresses (an intranet bot, tests); off, they are refused.
	WebhookAllowPrivate bool
	// Renders bounds the report and export renders at once and their
	// queue; zero fields take reporting.DefaultGateLimits (from the CPUs).
	Renders reporting.GateLimits
	Log     *slog.Logger
	Stdout  io.Writer // where the demo accounts or a new admin's password are printed
}

// App is the assembled application. Handler serves every page and the API.
type App struct {
	Store   *store.Store
	Catalog *catalog.Source
	Reports *reporting.Service
	Handler http.Handler

	stopEvents func() // stops the outbox dispatcher and waits for it
}

// ErrReadOnly refuses to start on a database that takes no writes (a
// read-only file or directory, a full disk, a PostgreSQL role without
// write rights).
var ErrReadOnly = errors.New("the database cannot be written, refusing to start")

// eventGather is how long the dispatcher lets events gather after a commit
// wakes it: an activity feed a tenth of a second behind is not noticed,
// and under many saves it delivers once for many batches.
const eventGather = 100 * time.Millisecond

// eventPoll is how often the dispatcher looks for events it was not woken
// for: those another instance committed, and retries.
const eventPoll = 2 * time.Second

// Open opens (and migrates) the database, seeds it, and builds the
// handlers. Close the App when done.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Checklists == nil {
		cfg.Checklists, cfg.ChecklistsD = selfcheck.Checklists, "checklists"
	}
	if cfg.Stdout == nil {
		cfg.Stdout = io.Discard
	}
	messages, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	font, err := selfcheck.Static.ReadFile("static/fonts/wqy-microhei.ttf")
	if err != nil {
		return nil, fmt.Errorf("server: read embedded font: %w", err)
	}
	reports, err := report.New(font)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.DB, cfg.Log)
	if err != nil {
		return nil, err
	}
	// A database that cannot be written would fail every login and save
	// while the pages still answered; better not to start at all.
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err = st.CheckWrite(wctx)
	cancel()
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("%w: %s (%v)", ErrReadOnly, cfg.DB, err)
	}
	app, err := assemble(ctx, cfg, st, messages, reports)
	if err != nil {
		st.Close()
		return nil, err
	}
	return app, nil
}

func assemble(ctx context.Context, cfg Config, st *store.Store, messages *i18n.Catalog, reports *report.Renderer) (*App, error) {
	source, err := catalog.New(cfg.Checklists, cfg.ChecklistsD, st)
	if err != nil {
		return nil, err
	}
	cat, _, err := source.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	if err := seed(ctx, st, cfg.Demo, cat, cfg.Stdout); err != nil {
		return nil, err
	}
	if err := source.Problem(); err != nil {
		cfg.Log.Warn("uploaded checklists clash with the built-in ones and are not offered; an admin can delete them at /admin/checklists", "problems", err.Error())
	}
	issuer := &reporting.Service{Store: st, Renderer: reports, Messages: messages, Location: cfg.Location, PublicURL: cfg.PublicURL,
		Gate: reporting.NewGate(cfg.Renders)}
	// The package signing key is made at first start, not at the first
	// package, so /verify/key shows the key from the outset.
	if _, err := issuer.SigningKey(ctx); err != nil {
		return nil, fmt.Errorf("server: package signing key: %w", err)
	}
	var sealer *twofactor.Sealer
	if cfg.TOTPKey != nil {
		if sealer, err = twofactor.NewSealer(cfg.TOTPKey); err != nil {
			return nil, err
		}
	}
	var mailer *notify.Mailer
	if cfg.SMTP.URL != "" {
		if mailer, err = notify.NewMailer(cfg.SMTP, cfg.PublicURL, messages); err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
	}
	poster := notify.NewPoster(cfg.PublicURL, messages, cfg.WebhookAllowPrivate)
	work := workflow.New(workflow.Deps{Store: st, Catalog: source, Reports: issuer, Log: cfg.Log, MaxEvidenceBytes: cfg.MaxEvidence,
		Sealer: sealer, RequireTwoFactor: cfg.RequireTwoFactor, Mailer: mailer, Poster: poster, Location: cfg.Location})
	switch inUse, err := work.CheckTwoFactorKey(ctx); {
	case err != nil:
		return nil, fmt.Errorf("server: %w", err)
	case inUse && sealer == nil:
		cfg.Log.Warn("users have two-factor sign-in on and this server has no key: they can sign in with recovery codes only; give --totp-key-file")
	}
	srv, err := web.New(web.Deps{
		Work: work, Messages: messages,
		Templates: selfcheck.Templates, Static: selfcheck.Static, Log: cfg.Log,
		Config: web.Config{Location: cfg.Location, MaxEvidenceBytes: cfg.MaxEvidence, PublicURL: cfg.PublicURL, BehindProxy: cfg.BehindProxy},
	})
	if err != nil {
		return nil, err
	}
	channels := []notify.Channel{poster}
	if mailer != nil {
		if mailer.UnsubscribeKey, err = work.UnsubscribeKey(ctx); err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
		channels = append(channels, mailer)
	}
	srv.Mount(api.New(api.Deps{
		Work: work, Messages: messages, Log: cfg.Log,
		Config: api.Config{Location: cfg.Location, MaxEvidenceBytes: cfg.MaxEvidence},
	}).Register)
	return &App{Store: st, Catalog: source, Reports: issuer, Handler: srv, stopEvents: startEvents(st, cfg.Log, channels, cfg.Location)}, nil
}

// startEvents runs the outbox dispatcher, with its subscribers, until the
// returned function stops it. Its context is not the caller's: Open's ctx
// may end once start-up is done, and the dispatcher must live until Close.
//
// The notifications subscriber makes a delivery over each of channels,
// which a Sender's bounded workers send.
//
// The scheduler, on one instance at a time, emits the events time makes
// (deadlines, plans due) and the daily digests.
func startEvents(st *store.Store, log *slog.Logger, channels []notify.Channel, loc *time.Location) (stop func()) {
	sender := &notify.Sender{Store: st, Channels: map[string]notify.Channel{}, Log: log}
	sub := notify.Subscriber{Store: st, Added: sender.Wake}
	for _, ch := range channels {
		if ch.Name() == notify.WebhookChannel {
			sub.Webhooks = true
			sender.Channels[ch.Name()] = ch
		}
	}
	for _, ch := range channels {
		if ch.Name() != notify.WebhookChannel { // per recipient; webhooks are per event
			sender.Channels[ch.Name()] = ch
			sub.Channels = append(sub.Channels, ch.Name())
		}
	}
	d := outbox.New(st, log, eventPoll, outbox.ActivityFeed{Store: st}, sub)
	d.Gather = eventGather
	st.OnEventsCommitted(d.Notify)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { d.Run(ctx) })
	sched := &notify.Scheduler{Store: st, Log: log, Location: loc, DigestHour: notify.DefaultDigestHour, Digested: sender.Wake}
	wg.Go(func() { sched.Run(ctx) })
	if len(channels) > 0 {
		wg.Go(func() { sender.Run(ctx) })
	}
	return func() {
		cancel()
		wg.Wait()
	}
}

// Close stops the dispatcher, then closes the database. Events committed
// but not yet delivered stay in the outbox for the next start.
func (a *App) Close() error {
	if a.stopEvents != nil {
		a.stopEvents()
	}
	return a.Store.Close()
}

// seed creates the demo data, or on a first start the admin account.
func seed(ctx context.Context, st *store.Store, demo bool, cat *checklist.Catalog, stdout io.Writer) error {
	if demo {
		var themes []string
		for _, cl := range cat.Checklists {
			themes = append(themes, cl.ID)
		}
		if err := st.EnsureDemo(ctx, themes); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Demo firm: %s (%s). Demo accounts, password %q:\n", store.DemoFirmName, store.DemoCreditCode, store.DemoPassword)
		for _, a := range store.DemoAccounts {
			fmt.Fprintf(stdout, "  %-20s %s\n", a.Email, a.Role)
		}
		return nil
	}
	password := os.Getenv("SELFCHECK_ADMIN_PASSWORD")
	generated := password == ""
	if generated {
		var err error
		if password, err = auth.RandomPassword(); err != nil {
			return err
		}
	}
	created, err := st.EnsureAdmin(ctx, password)
	if err != nil {
		return fmt.Errorf("create admin: %w", err)
	}
	if created {
		if generated {
			fmt.Fprintf(stdout, "Created admin %s with password %s (shown once; change it after logging in).\n", store.AdminEmail, password)
		} else {
			fmt.Fprintf(stdout, "Created admin %s with the password from SELFCHECK_ADMIN_PASSWORD.\n", store.AdminEmail)
		}
	}
	return nil
}

// DefaultMemoryLimitMiB is the soft limit on the Go runtime's memory that
// serve sets unless told otherwise. Without a limit the collector lets the
// heap grow to twice its live size after bursts (several reports at once)
// and keeps the pages, and the benchmark's RSS ratcheted over its target.
// The limit must stay well above the live heap of a busy server: too close
// to it, the collector runs without pause and autosave loses most of its
// throughput. It is soft: work that needs more (the XLSX export of a large
// campaign) still gets it, with more collections. docs/BENCHMARKS.md has
// the figures behind this value.
const DefaultMemoryLimitMiB = 96

// LimitMemory sets the Go runtime's soft memory limit to mib MiB (0: no
// limit) and returns the limit in effect, in bytes. GOMEMLIMIT, when set,
// wins: it is the runtime's own setting, which operators already know.
func LimitMemory(mib int) (limit int64, fromEnv bool) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1), true
	}
	limit = math.MaxInt64
	if mib > 0 {
		limit = int64(mib) << 20
	}
	debug.SetMemoryLimit(limit)
	return limit, false
}
