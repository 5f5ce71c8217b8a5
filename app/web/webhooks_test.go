package web

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"selfcheck/app/notify"
)

// A firm admin adds a Feishu bot on the settings page, sends a test that
// reaches it (the page shows the bot's answer), and is told what is wrong
// with a URL that is not http(s).
func TestWebhookSettingsPage(t *testing.T) {
	a := newTestApp(t)
	var got []string
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, string(b))
		fmt.Fprint(w, `{"code":0,"msg":"success"}`)
	}))
	t.Cleanup(bot.Close)
	a.server.Work.Poster = notify.NewPoster("https://sc.example.com", a.server.Messages, true)
	c := a.client()
	c.login("firmadmin@demo.local")
	mustContain(t, c.get("/settings/webhooks").Body, "群机器人与 Webhook", "飞书自定义机器人", `name="event"`)
	r := c.post("/settings/webhooks", url.Values{"kind": {"feishu"}, "url": {bot.URL + "/open-apis/bot/v2/hook/x"}, "secret": {"s3"}, "event": {"rejected", "changes_requested"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("add: %d %s", r.Status, r.Body)
	}
	page := c.get("/settings/webhooks").Body
	mustContain(t, page, "/open-apis/bot/v2/hook/x", "已签名", "被要求修改")
	if strings.Contains(page, `value="s3"`) {
		t.Error("the page shows the secret")
	}
	m := regexp.MustCompile(`action="(/settings/webhooks/\d+/test)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no test button")
	}
	r = c.post(m[1], nil)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="webhook-answer"`) || !strings.Contains(r.Body, "200 ") {
		t.Errorf("test: %d %s", r.Status, r.Body)
	}
	if len(got) != 1 || !strings.Contains(got[0], `"sign"`) || !strings.Contains(got[0], "测试消息") {
		t.Errorf("the bot got %q", got)
	}
	r = c.post("/settings/webhooks", url.Values{"kind": {"generic"}, "url": {"javascript:alert(1)"}, "event": {"submitted"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="webhook-errors"`) {
		t.Errorf("a javascript: URL: %d", r.Status)
	}
}
