package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"selfcheck/app/assessment"
	"selfcheck/app/fault"
	"selfcheck/app/i18n"
	"selfcheck/app/notify"
	"selfcheck/app/store"
)

type hookCall struct {
	path  string
	query map[string][]string
	hdr   http.Header
	body  []byte
}

// hookServer is a real HTTP server standing for the bots and a generic
// receiver; /generic answers 500 to its first call.
type hookServer struct {
	mu    sync.Mutex
	calls []hookCall
	fails int
}

func (h *hookServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.calls = append(h.calls, hookCall{path: r.URL.Path, query: r.URL.Query(), hdr: r.Header.Clone(), body: b})
	fail := r.URL.Path == "/generic" && h.fails == 0
	if fail {
		h.fails++
	}
	h.mu.Unlock()
	switch {
	case fail:
		http.Error(w, "upstream busy", http.StatusInternalServerError)
	case r.URL.Path == "/feishu":
		fmt.Fprint(w, `{"code":0,"msg":"success","data":{}}`)
	case r.URL.Path == "/generic", r.URL.Path == "/admin":
		w.WriteHeader(http.StatusNoContent)
	default:
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
	}
}

func (h *hookServer) of(path string) []hookCall {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []hookCall
	for _, c := range h.calls {
		if c.path == path {
			out = append(out, c)
		}
	}
	return out
}

func b64mac(key, msg string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// A rejection reaches the firm admin's four webhooks, each in its
// platform's format with its signature (recomputed here), and the
// submission the admin's campaign webhook; the generic receiver's 500 is
// retried, with the same delivery id, until it takes the call once.
func TestWebhooksFormatsSignaturesAndRetry(t *testing.T) {
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	ctx := context.Background()
	hs := &hookServer{}
	srv := httptest.NewServer(hs)
	t.Cleanup(srv.Close)
	register := func(u *store.User, w notify.Webhook) {
		t.Helper()
		if err := notify.ValidateWebhook(w); err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.CreateWebhook(ctx, u, w); err != nil {
			t.Fatal(err)
		}
	}
	rejected := []string{"rejected"}
	register(f.firmAdmin, notify.Webhook{Kind: notify.DingTalk, URL: srv.URL + "/dingtalk?access_token=tok123", Secret: "SECding", Events: rejected})
	register(f.firmAdmin, notify.Webhook{Kind: notify.Feishu, URL: srv.URL + "/feishu", Secret: "feishu-secret", Events: rejected})
	register(f.firmAdmin, notify.Webhook{Kind: notify.WeCom, URL: srv.URL + "/wecom", Events: rejected})
	register(f.firmAdmin, notify.Webhook{Kind: notify.Generic, URL: srv.URL + "/generic", Secret: "generic-secret", Events: rejected})
	register(f.admin, notify.Webhook{Kind: notify.Generic, URL: srv.URL + "/admin", Events: []string{"submitted"}, CampaignID: f.campaign})
	// Not matched: an admin's webhook of another event.
	register(f.admin, notify.Webhook{Kind: notify.Generic, URL: srv.URL + "/never", Events: []string{"approved"}})

	id := f.submitted(t, &f.campaign)
	if err := f.st.Review(ctx, f.auditor, id, store.Decision{Action: assessment.Reject, Comment: "不符合"}); err != nil {
		t.Fatal(err)
	}
	f.deliverAll(t, notify.Subscriber{Store: f.st, Webhooks: true})
	poster := notify.NewPoster("https://sc.example.com", msgs, true)
	run(t, &notify.Sender{Store: f.st, Channels: map[string]notify.Channel{notify.WebhookChannel: poster}, Log: quiet,
		Poll: 5 * time.Millisecond, MinBackoff: 5 * time.Millisecond, MaxBackoff: 10 * time.Millisecond, Timeout: 5 * time.Second})
	for _, d := range waitDone(t, f.st, 5) {
		if d.Status != store.DeliverySent {
			t.Errorf("delivery %s: %s %s", d.IdemKey, d.Status, d.LastError)
		}
	}
	link := fmt.Sprintf("https://sc.example.com/assessments/%d", id)

	ding := hs.of("/dingtalk")
	if len(ding) != 1 {
		t.Fatalf("%d DingTalk calls", len(ding))
	}
	ts, sign := ding[0].query["timestamp"], ding[0].query["sign"]
	if len(ts) != 1 || len(sign) != 1 || sign[0] != b64mac("SECding", ts[0]+"\nSECding") || ding[0].query["access_token"][0] != "tok123" {
		t.Errorf("DingTalk query %v: sign does not check", ding[0].query)
	}
	if ms := ts[0]; len(ms) != 13 {
		t.Errorf("DingTalk timestamp %q is not in milliseconds", ms)
	}
	var dm struct {
		Msgtype  string
		Markdown struct{ Title, Text string }
	}
	json.Unmarshal(ding[0].body, &dm)
	if dm.Msgtype != "markdown" || dm.Markdown.Title == "" || !strings.Contains(dm.Markdown.Text, link) || !strings.Contains(dm.Markdown.Text, "驳回") {
		t.Errorf("DingTalk body %s", ding[0].body)
	}

	fs := hs.of("/feishu")
	if len(fs) != 1 {
		t.Fatalf("%d Feishu calls", len(fs))
	}
	var fm struct {
		Timestamp, Sign string
		MsgType         string `json:"msg_type"`
		Content         struct {
			Post map[string]struct {
				Title   string
				Content [][]map[string]string
			}
		}
	}
	if err := json.Unmarshal(fs[0].body, &fm); err != nil {
		t.Fatal(err)
	}
	if fm.Sign != b64mac(fm.Timestamp+"\nfeishu-secret", "") || len(fm.Timestamp) != 10 {
		t.Errorf("Feishu timestamp %q sign %q does not check", fm.Timestamp, fm.Sign)
	}
	if post := fm.Content.Post["zh_cn"]; fm.MsgType != "post" || len(post.Content) != 1 || post.Content[0][1]["href"] != link {
		t.Errorf("Feishu body %s", fs[0].body)
	}

	wc := hs.of("/wecom")
	var wm struct {
		Msgtype  string
		Markdown struct{ Content string }
	}
	if len(wc) != 1 || json.Unmarshal(wc[0].body, &wm) != nil || wm.Msgtype != "markdown" || !strings.Contains(wm.Markdown.Content, "("+link+")") {
		t.Errorf("WeCom calls %d: %s", len(wc), wc)
	}

	gen := hs.of("/generic")
	if len(gen) != 2 {
		t.Fatalf("%d generic calls, want 2 (a 500, then the retry)", len(gen))
	}
	for _, c := range gen {
		mac := hmac.New(sha256.New, []byte("generic-secret"))
		mac.Write(c.body)
		if c.hdr.Get("X-Selfcheck-Signature") != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
			t.Errorf("generic signature %q does not check", c.hdr.Get("X-Selfcheck-Signature"))
		}
	}
	if d0, d1 := gen[0].hdr.Get("X-Selfcheck-Delivery"), gen[1].hdr.Get("X-Selfcheck-Delivery"); d0 == "" || d0 != d1 {
		t.Errorf("delivery ids %q, %q: want one id for both attempts", d0, d1)
	}
	var gm map[string]any
	json.Unmarshal(gen[1].body, &gm)
	if gm["event"] != "rejected" || gm["link"] != link || gm["assessment"] != float64(id) {
		t.Errorf("generic body %s", gen[1].body)
	}
	adm := hs.of("/admin")
	if len(adm) != 1 || !strings.Contains(string(adm[0].body), link+"/review") || adm[0].hdr.Get("X-Selfcheck-Signature") != "" {
		t.Errorf("the admin's campaign webhook: %v", adm)
	}
	if n := len(hs.of("/never")); n != 0 {
		t.Errorf("an unmatched webhook was called %d times", n)
	}
}

// Webhooks reach only public addresses unless the operator allows private
// ones; a URL that is not http(s), or carries a password, is refused when
// registered.
func TestWebhookGuards(t *testing.T) {
	msgs, _ := i18n.Load()
	srv := httptest.NewServer(&hookServer{})
	t.Cleanup(srv.Close)
	w := notify.Webhook{Kind: notify.Generic, URL: srv.URL + "/admin", Events: []string{"submitted"}}
	_, err := notify.NewPoster("http://x", msgs, false).SendTest(context.Background(), w)
	if err == nil || !notify.IsPermanent(err) || !strings.Contains(err.Error(), "refusing") {
		t.Errorf("a loopback webhook without --webhook-allow-private: %v", err)
	}
	if _, err := notify.NewPoster("http://x", msgs, true).SendTest(context.Background(), w); err != nil {
		t.Errorf("allowed: %v", err)
	}
	for _, c := range []struct {
		w     notify.Webhook
		field string
	}{
		{notify.Webhook{Kind: "slack", URL: "https://x.example", Events: []string{"submitted"}}, "kind"},
		{notify.Webhook{Kind: "generic", URL: "ftp://x.example/", Events: []string{"submitted"}}, "url"},
		{notify.Webhook{Kind: "generic", URL: "file:///etc/passwd", Events: []string{"submitted"}}, "url"},
		{notify.Webhook{Kind: "generic", URL: "https://u:p@x.example/", Events: []string{"submitted"}}, "url"},
		{notify.Webhook{Kind: "generic", URL: "https://x.example/", Events: nil}, "events"},
		{notify.Webhook{Kind: "generic", URL: "https://x.example/", Events: []string{"lunch"}}, "events"},
	} {
		fe, ok := fault.AsField(notify.ValidateWebhook(c.w))
		if !ok || fe.Field != c.field {
			t.Errorf("%+v: %v, want a refusal of %s", c.w, fe, c.field)
		}
	}
}
