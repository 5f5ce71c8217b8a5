package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Evidence valid until a date through the API: the optional multipart
// field valid_until at upload (before or after the file), PUT to change or
// clear it, the validity judged today in GET /assessments/{id}, a bad date
// refused naming the field, and another firm's file is 404.
func TestEvidenceValidityAPI(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	a := ta.start(map[string]any{"themes": []string{"popups"}, "profile": []string{"app"}})
	item := a.Items[0].ID
	day := func(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format("2006-01-02") }

	upload := func(until string, fileFirst bool) resp {
		t.Helper()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		file := func() {
			fw, _ := mw.CreateFormFile("file", "许可证.txt")
			fw.Write([]byte("增值电信业务经营许可证"))
		}
		if fileFirst {
			file()
		}
		mw.WriteField("valid_until", until)
		if !fileFirst {
			file()
		}
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, ta.url+assessmentPath(a.ID, "/answers/", item, "/evidence"), &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+ta.memberToken)
		return ta.send(req)
	}
	type evidenceJSON struct {
		ID         uint    `json:"id"`
		URL        string  `json:"url"`
		ValidUntil *string `json:"valid_until"`
		Validity   string  `json:"validity"`
	}
	decode := func(r resp) evidenceJSON {
		t.Helper()
		var e evidenceJSON
		if err := json.Unmarshal(r.Body, &e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	r := upload(day(-1), false)
	want(t, r, http.StatusCreated)
	lapsed := decode(r)
	if lapsed.ValidUntil == nil || *lapsed.ValidUntil != day(-1) || lapsed.Validity != "expired" {
		t.Errorf("uploaded: %s", r.Body)
	}
	r = upload(day(30), true)
	want(t, r, http.StatusCreated)
	if e := decode(r); e.Validity != "expiring" {
		t.Errorf("valid for 30 more days: %s", r.Body)
	}
	r = upload("", false)
	want(t, r, http.StatusCreated)
	if e := decode(r); e.ValidUntil != nil || e.Validity != "none" {
		t.Errorf("no date: %s", r.Body)
	}
	r = upload("2030-13-01", false)
	want(t, r, http.StatusUnprocessableEntity, "invalid")
	if e := r.errorOf(t); e["field"] != "valid_until" || !strings.Contains(fmt.Sprint(e["message"]), "YYYY-MM-DD") {
		t.Errorf("a bad date: %s", r.Body)
	}

	put := func(token string, body any) resp {
		return ta.request(http.MethodPut, lapsed.URL, token, body)
	}
	r = put(ta.memberToken, map[string]any{"valid_until": day(31)})
	want(t, r, http.StatusOK)
	if e := decode(r); e.ValidUntil == nil || *e.ValidUntil != day(31) || e.Validity != "valid" {
		t.Errorf("renewed: %s", r.Body)
	}
	want(t, put(ta.memberToken, map[string]any{"valid_until": "明天"}), http.StatusUnprocessableEntity, "invalid")
	want(t, put(ta.otherFirm(), map[string]any{"valid_until": day(1)}), http.StatusNotFound, "not_found")
	r = put(ta.memberToken, map[string]any{"valid_until": nil})
	want(t, r, http.StatusOK)
	if e := decode(r); e.ValidUntil != nil || e.Validity != "none" {
		t.Errorf("cleared: %s", r.Body)
	}
	// The file under another item's path is no way round.
	other := strings.Replace(lapsed.URL, "/answers/"+item+"/", "/answers/"+a.Items[1].ID+"/", 1)
	want(t, ta.request(http.MethodPut, other, ta.memberToken, map[string]any{"valid_until": day(1)}), http.StatusNotFound, "not_found")

	var sheet struct {
		Items []struct {
			ID       string         `json:"id"`
			Evidence []evidenceJSON `json:"evidence"`
		} `json:"items"`
	}
	json.Unmarshal(ta.get(assessmentPath(a.ID), ta.memberToken).Body, &sheet)
	var got []string
	for _, it := range sheet.Items {
		if it.ID == item {
			for _, e := range it.Evidence {
				got = append(got, e.Validity)
			}
		}
	}
	if strings.Join(got, ",") != "none,expiring,none" {
		t.Errorf("validities in the assessment: %v", got)
	}
}
