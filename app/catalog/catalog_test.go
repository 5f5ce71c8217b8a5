package catalog

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"selfcheck"
	"selfcheck/app/checklist"
	"selfcheck/app/fault"
	"selfcheck/app/store"
	"selfcheck/app/testdb"
)

func setup(t *testing.T) (*Source, *store.User, *store.User) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, testdb.URL(t, "c.db"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.EnsureDemo(ctx, nil); err != nil {
		t.Fatal(err)
	}
	admin, _ := st.Authenticate(ctx, "admin@demo.local", store.DemoPassword)
	firm, _ := st.Authenticate(ctx, "firm@demo.local", store.DemoPassword)
	src, err := New(selfcheck.Checklists, "checklists", st)
	if err != nil {
		t.Fatal(err)
	}
	return src, admin, firm
}

// mini returns a valid checklist file for the given id.
func mini(t *testing.T, id, version string) []byte {
	t.Helper()
	b, err := os.ReadFile("../checklist/testdata/valid/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), "id: mini\n", "id: "+id+"\n", 1)
	s = strings.Replace(s, `version: "1.0"`, `version: "`+version+`"`, 1)
	s = strings.ReplaceAll(s, "id: mini-", "id: "+id+"-")
	return []byte(s)
}

func TestUploadAddsAThemeForEveryone(t *testing.T) {
	src, admin, _ := setup(t)
	ctx := context.Background()
	before, _, err := src.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := len(before.Checklists)
	cl, err := src.Upload(ctx, admin, "regulator-extra.yaml", mini(t, "regulator-extra", "1.0"))
	if err != nil || cl.ID != "regulator-extra" {
		t.Fatalf("upload: %v", err)
	}
	after, origin, err := src.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Checklists) != n+1 || !origin["regulator-extra"].Uploaded || origin["popups"].Uploaded {
		t.Fatalf("catalog has %d themes (was %d), origin %+v", len(after.Checklists), n, origin["regulator-extra"])
	}
	// A second instance on the same database sees it too: nothing lives
	// only in this process.
	other, err := New(selfcheck.Checklists, "checklists", src.store)
	if err != nil {
		t.Fatal(err)
	}
	if cat, _, _ := other.Catalog(ctx); len(cat.Checklists) != n+1 {
		t.Error("another instance does not see the upload")
	}
	// A new version replaces the old one.
	if _, err := src.Upload(ctx, admin, "regulator-extra.yml", mini(t, "regulator-extra", "2.0")); err != nil {
		t.Fatal(err)
	}
	cat, _, _ := src.Catalog(ctx)
	if cl, _ := cat.Get("regulator-extra"); cl.Version != "2.0" || len(cat.Checklists) != n+1 {
		t.Errorf("replacement: version %s, %d themes", cl.Version, len(cat.Checklists))
	}
	if err := src.store.DeleteCustomChecklist(ctx, admin, "regulator-extra"); err != nil {
		t.Fatal(err)
	}
	if cat, _, _ := src.Catalog(ctx); len(cat.Checklists) != n {
		t.Error("deleted theme still offered")
	}
}

func TestUploadRefusals(t *testing.T) {
	src, admin, firm := setup(t)
	ctx := context.Background()
	popups, _, _ := src.Catalog(ctx)
	pw, _ := popups.Get("popups")
	dupItem := strings.Replace(string(mini(t, "dup", "1")), "id: dup-notice", "id: "+pw.Items()[0].ID, 1)
	tests := []struct {
		name, file string
		content    []byte
		want       string // the fault code on "file", or the loader's problem
	}{
		{"not yaml", "list.txt", []byte("x"), fault.OneOf},
		{"empty", "e.yaml", nil, fault.Required},
		{"too large", "big.yaml", make([]byte, MaxFileBytes+1), fault.TooLong},
		{"binary", "b.yaml", []byte{0xff, 0xfe, 0}, fault.Invalid},
		{"built-in name", "popups.yaml", mini(t, "popups", "9"), fault.Taken},
		{"loader error with line", "bad.yaml", []byte(strings.Replace(string(mini(t, "bad", "1")), "weight: 5", "weight: 9", 1)), "bad.yaml:34: weight 9 is out of range"},
		{"item id clashes with a built-in item", "dup.yaml", []byte(dupItem), `duplicate item id "` + pw.Items()[0].ID + `"`},
		{"id and file name differ", "other.yaml", mini(t, "mini", "1"), `must match the file name "other.yaml"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := src.Upload(ctx, admin, tt.file, tt.content)
			if fe, ok := fault.AsField(err); ok {
				if !errors.Is(err, ErrBadFile) || fe.Field != "file" || fe.Code != tt.want {
					t.Errorf("err = %v, want ErrBadFile with file/%s", err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := src.Upload(ctx, firm, "ok.yaml", mini(t, "ok", "1")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a firm member uploaded: %v", err)
	}
	cat, _, _ := src.Catalog(ctx)
	if len(cat.Checklists) != len(popups.Checklists) {
		t.Error("a refused upload changed the catalog")
	}
	var probs checklist.Problems
	if _, err := src.Upload(ctx, admin, "bad.yaml", []byte("id: [")); !errors.As(err, &probs) {
		t.Errorf("syntax error: %v", err)
	}
}

// An upload that a later release's built-in files clash with does not take
// the app down: the built-in catalog is served and the clash is reported.
func TestClashWithLaterBuiltinFallsBack(t *testing.T) {
	src, admin, _ := setup(t)
	ctx := context.Background()
	if _, err := src.Upload(ctx, admin, "extra.yaml", mini(t, "extra", "1")); err != nil {
		t.Fatal(err)
	}
	// The next release ships a theme reusing the uploaded item id.
	next, err := New(selfcheck.Checklists, "checklists", src.store)
	if err != nil {
		t.Fatal(err)
	}
	next.builtin["newer.yaml"] = mini(t, "newer", "1")
	next.builtin["newer.yaml"] = []byte(strings.ReplaceAll(string(next.builtin["newer.yaml"]), "id: newer-", "id: extra-"))
	cat, origin, err := next.Catalog(ctx)
	if err != nil {
		t.Fatalf("the catalog must still load: %v", err)
	}
	if _, ok := cat.Get("extra"); ok {
		t.Error("the clashing upload is still offered")
	}
	if _, ok := cat.Get("newer"); !ok || !origin["extra"].Uploaded {
		t.Error("built-in themes must be offered and the upload still known")
	}
	if p := next.Problem(); p == nil || !strings.Contains(p.Error(), `duplicate item id "extra-consent"`) {
		t.Errorf("Problem() = %v", p)
	}
	if err := src.store.DeleteCustomChecklist(ctx, admin, "extra"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := next.Catalog(ctx); err != nil || next.Problem() != nil {
		t.Errorf("after deleting the upload: %v %v", err, next.Problem())
	}
}
