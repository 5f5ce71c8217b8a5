package server

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"selfcheck/app/testdb"
)

// The assembled application runs the dispatcher: a change shows in the
// activity feed without anything else, and Close stops it.
func TestOpenRunsTheActivityFeed(t *testing.T) {
	ctx := context.Background()
	app, err := Open(ctx, Config{DB: testdb.URL(t, "app.db"), Demo: true, Location: time.UTC,
		MaxEvidence: 1 << 20, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	u, err := app.Store.UserByEmail(ctx, "firm@demo.local")
	if err != nil {
		t.Fatal(err)
	}
	cat, _, err := app.Catalog.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id, err := app.Store.CreateAssessment(ctx, u, cat.Checklists[:1], nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		feed, _, err := app.Store.Activities(ctx, u, id, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(feed) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the feed holds %d entries, want the start", len(feed))
		}
	}
	closed := make(chan error)
	go func() { closed <- app.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not stop the dispatcher")
	}
}
