package web

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
)

func TestAdminUploadsAChecklist(t *testing.T) {
	a := newTestApp(t)
	b, err := os.ReadFile("../checklist/testdata/valid/mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	good := strings.NewReplacer("id: mini\n", "id: regulator-extra\n", "id: mini-", "id: rx-", "迷你清单", "监管补充清单").Replace(string(b))
	bad := strings.Replace(good, "weight: 5", "weight: 0", 1)

	firm := a.client()
	firm.login("firm@demo.local")
	if r := firm.get("/admin/checklists"); r.Status != http.StatusForbidden {
		t.Errorf("firm member sees checklist admin: %d", r.Status)
	}
	if r := firm.upload("/admin/checklists", "file", "regulator-extra.yaml", []byte(good)); r.Status != http.StatusForbidden {
		t.Errorf("firm member uploads: %d", r.Status)
	}

	admin := a.client()
	admin.login("admin@demo.local")
	r := admin.upload("/admin/checklists", "file", "regulator-extra.yaml", []byte(bad))
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid upload: %d", r.Status)
	}
	mustContain(t, r.Body, "未通过校验", "regulator-extra.yaml:34: weight 0 is out of range 1–5")
	if strings.Contains(firm.get("/").Body, "监管补充清单") {
		t.Fatal("a refused upload reached the catalog")
	}
	if r := admin.upload("/admin/checklists", "file", "notes.txt", []byte(good)); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, ".yaml") {
		t.Errorf("wrong extension: %d", r.Status)
	}

	r = admin.upload("/admin/checklists", "file", "regulator-extra.yaml", []byte(good))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("valid upload: %d\n%s", r.Status, r.Body)
	}
	mustContain(t, admin.get("/admin/checklists").Body, "regulator-extra", "admin@demo.local")
	// Firms can start with it at once.
	mustContain(t, firm.get("/").Body, `value="regulator-extra"`, "监管补充清单")
	id := start(t, firm, "regulator-extra")
	mustContain(t, firm.get("/assessments/"+id).Body, "rx-consent")

	// Deleting it leaves the started assessment whole.
	if r := admin.post("/admin/checklists/regulator-extra/delete", url.Values{}); r.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.Status)
	}
	if strings.Contains(firm.get("/").Body, `value="regulator-extra"`) {
		t.Error("deleted theme still offered")
	}
	mustContain(t, firm.get("/assessments/"+id).Body, "rx-consent")
	if r := admin.post("/admin/checklists/popups/delete", url.Values{}); r.Status != http.StatusNotFound {
		t.Errorf("deleting a built-in theme: %d", r.Status)
	}
}
