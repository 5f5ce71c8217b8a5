package reporting_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"selfcheck/app/report"
	"selfcheck/app/testenv"
)

// The JSON export carries the items' threads, and a comment written after
// a report was issued leaves its verification content as it was.
func TestJSONExportCarriesComments(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	id, firm, auditor, gap := returnedAndResubmitted(t, env)
	d, err := env.Reports.Data(ctx, firm, id, "zh")
	if err != nil {
		t.Fatal(err)
	}
	before, err := report.Canonical(d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.AddComment(ctx, auditor, id, gap, "请补充截图"); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.AddComment(ctx, firm, id, gap, "已补充 \"v2\""); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := env.Reports.Export(ctx, firm, id, "en", "json", &buf); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Comments []struct {
			Item, Author, Role, Body, At string
		} `json:"comments"`
		Reviews []json.RawMessage `json:"reviews"`
		Items   []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Comments) != 2 || doc.Comments[0].Body != "请补充截图" || doc.Comments[0].Role != "auditor" ||
		doc.Comments[1].Body != `已补充 "v2"` || doc.Comments[1].Item != gap || doc.Comments[1].At == "" || doc.Comments[1].Author != firm.Name {
		t.Errorf("comments %+v", doc.Comments)
	}
	if len(doc.Reviews) == 0 || len(doc.Items) == 0 {
		t.Error("the export lost its other fields")
	}
	d, err = env.Reports.Data(ctx, firm, id, "zh")
	if err != nil {
		t.Fatal(err)
	}
	after, err := report.Canonical(d)
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("a comment changed the verification content (%v)", err)
	}
}
