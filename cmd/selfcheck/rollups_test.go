package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"selfcheck/app/testdb"
)

// `selfcheck rollups rebuild` recomputes every campaign's running totals on
// an existing database and says how many; bad use gets the usage, a missing
// database a clear error. (What a rebuild repairs is tested in the store:
// TestRebuildAllRollupsRepairsAnOlderReleasesWrites.)
func TestRollupsRebuild(t *testing.T) {
	db := testdb.URL(t, "cli.db")
	openTestStore(t, db).Close()
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := rollupsCmd(context.Background(), args, &out, &errOut)
		return code, out.String(), errOut.String()
	}
	if code, out, errOut := run("rebuild", "--db", db); code != 0 || !strings.HasPrefix(out, "rebuilt the running totals of ") {
		t.Errorf("rebuild: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, bad := range [][]string{{}, {"rebiuld"}, {"rebuild", "extra", "--db", db}} {
		if code, _, errOut := run(bad...); code != 2 || !strings.Contains(errOut, "rollups rebuild") {
			t.Errorf("%q: exit %d, stderr %q", bad, code, errOut)
		}
	}
	if code, _, errOut := run("rebuild", "--db", t.TempDir()+"/none.db"); code != 1 || !strings.Contains(errOut, "rollups rebuild") {
		t.Errorf("missing database: exit %d, stderr %q", code, errOut)
	}
}
