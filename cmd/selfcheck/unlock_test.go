package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"selfcheck/app/auth"
	"selfcheck/app/store"
	"selfcheck/app/testdb"
)

// Issue 19, item 2: `selfcheck user unlock --email E` lets a locked-out
// person in at once, from every address, and the audit log says so.
func TestUserUnlock(t *testing.T) {
	ctx := context.Background()
	db := testdb.URL(t, "cli.db")
	st := openTestStore(t, db)
	now := time.Now()
	for _, ip := range []string{"203.0.113.1", "203.0.113.2"} {
		for range auth.MaxPairFailures {
			if err := st.RecordLoginFailure(ctx, "ops@x.local", ip, now); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, ok, _ := st.LoginAllowed(ctx, "ops@x.local", "203.0.113.1", now); ok {
		t.Fatal("not locked to begin with")
	}
	exit, out, errOut := cli(t, db, "", "user", "unlock", "--email", "OPS@x.local")
	if exit != 0 || out != "ops@x.local: 10 failed logins forgotten\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", exit, out, errOut)
	}
	for _, ip := range []string{"203.0.113.1", "203.0.113.2"} {
		if _, ok, err := st.LoginAllowed(ctx, "ops@x.local", ip, now); !ok || err != nil {
			t.Errorf("still locked from %s: %v", ip, err)
		}
	}
	if locks, _ := st.LoginLocks(ctx, now); len(locks) != 0 {
		t.Errorf("locks left: %+v", locks)
	}
	admin := &store.User{Role: auth.Admin}
	evs, _, err := st.AuditLog(ctx, admin, store.AuditFilter{Action: store.AuditLoginUnlocked})
	if err != nil || len(evs) != 1 || evs[0].Object != "account:ops@x.local" || evs[0].ActorID != nil {
		t.Errorf("audit log: %+v %v", evs, err)
	}
	if exit, _, errOut := cli(t, db, "", "user", "unlock"); exit != 2 || !strings.Contains(errOut, "user unlock --email") {
		t.Errorf("no email: exit %d, stderr %q", exit, errOut)
	}
}
