package checklist

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

// FuzzLoad feeds the loader arbitrary bytes as a checklist file. It must
// never panic; it either loads the file or returns Problems, each naming
// the file and, unless it is about the file as a whole, a line of it; and
// a checklist it loads is complete and survives its snapshot.
//
// Seeds: testdata/fuzz/FuzzLoad (the valid mini checklist and broken ones).
func FuzzLoad(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		const file = "checklists/mini.yaml"
		cat, _, err := Load(fstest.MapFS{file: {Data: data}}, "checklists")
		if err != nil {
			var probs Problems
			if !errors.As(err, &probs) || len(probs) == 0 {
				t.Fatalf("Load returned %T %v, want Problems", err, err)
			}
			lines := lineCount(data)
			for _, p := range probs {
				if p.File != file || p.Msg == "" {
					t.Errorf("problem without a file or a message: %+v", p)
				}
				if p.Line < 0 || p.Line > lines+1 {
					t.Errorf("problem at line %d of a %d-line file: %s", p.Line, lines, p)
				}
				if p.Line == 0 && !wholeFile(p.Msg) {
					t.Errorf("problem without a line: %s", p)
				}
			}
			return
		}
		if len(cat.Checklists) != 1 || cat.Checklists[0].ID != "mini" {
			t.Fatalf("loaded %d checklists", len(cat.Checklists))
		}
		cl := cat.Checklists[0]
		if len(cl.Sections) == 0 || cl.Title.ZH == "" || cl.Title.EN == "" {
			t.Errorf("an incomplete checklist loaded: %+v", cl)
		}
		for _, it := range cl.Items() {
			if it.ID == "" || it.Text.ZH == "" || it.Text.EN == "" || it.Weight < 1 || it.Weight > 5 || !it.Severity.Valid() || len(it.Basis) == 0 {
				t.Errorf("an incomplete item loaded: %+v", it)
			}
		}
		snap, err := cl.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		back, err := FromSnapshot(snap)
		if err != nil {
			t.Fatalf("the snapshot does not load back: %v", err)
		}
		if again, _ := back.Snapshot(); !bytes.Equal(again, snap) {
			t.Errorf("the snapshot changed on the way back:\n%s\n%s", snap, again)
		}
	})
}

// lineCount counts lines as YAML does: "\r\n", "\r" and "\n" each end
// one (and, leniently here, so do NEL, LS and PS).
func lineCount(data []byte) int {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	return 1 + strings.Count(s, "\n") + strings.Count(s, "\r") + strings.Count(s, "\u0085") + strings.Count(s, "\u2028") + strings.Count(s, "\u2029")
}

// wholeFile reports whether a problem is about the file as a whole, which
// has no line to point at.
func wholeFile(msg string) bool {
	return msg == "file is empty" || strings.HasPrefix(msg, "no checklist files")
}
