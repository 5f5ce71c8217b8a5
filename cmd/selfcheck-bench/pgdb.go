package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the driver of the admin connection

	"selfcheck/app/store/postgres"
)

// dbEnv names the PostgreSQL server to benchmark on when --db is not given.
const dbEnv = "SELFCHECK_BENCH_DB"

// benchDatabase is a database the bench created for its run on a
// PostgreSQL server, and how to drop it.
type benchDatabase struct {
	admin string // the server as --db names it: where to create and drop
	name  string // selfcheck_bench_<random>
	URL   string // the new database's URL, for store.Open
}

// createDatabase creates an empty database with a random name on the
// server server names (a postgres:// URL of any database on it), so that
// a run never reads or writes anything it did not seed itself.
func createDatabase(ctx context.Context, server string) (*benchDatabase, error) {
	u, err := url.Parse(server)
	if err != nil || !postgres.Is(server) {
		return nil, fmt.Errorf("--db must be a postgres:// URL, not %q", server)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	d := &benchDatabase{admin: server, name: "selfcheck_bench_" + hex.EncodeToString(b[:])}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+d.name); err != nil {
		return nil, fmt.Errorf("create the bench's database on %s: %w", u.Redacted(), err)
	}
	u.Path = "/" + d.name
	d.URL = u.String()
	return d, nil
}

// drop removes the database, ending any connection still open on it. It
// runs after an error or an interrupt too, so it takes no context of the
// run's.
func (d *benchDatabase) drop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", d.admin)
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+d.name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop the bench's database %s: %w", d.name, err)
	}
	return nil
}

// redacted is the database's URL without its password, for the log.
func (d *benchDatabase) redacted() string {
	u, err := url.Parse(d.URL)
	if err != nil {
		return d.name
	}
	return u.Redacted()
}
