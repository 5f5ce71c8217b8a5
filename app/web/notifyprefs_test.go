package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"selfcheck/app/notify"
	"selfcheck/app/store"
)

// A user chooses per event on the profile: the choice shows again and an
// unknown mode is refused with a message naming the choices.
func TestNotificationPreferencesOnProfile(t *testing.T) {
	a := newTestApp(t)
	c := a.client()
	c.login("firm@demo.local")
	mustContain(t, c.get("/profile").Body, "邮件通知", `name="mode.submitted"`, `name="mode.deadline_soon"`, "每日摘要")
	if r := c.post("/profile/notifications", url.Values{"mode.rejected": {"digest"}, "mode.comment": {"inapp"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.Status, r.Body)
	}
	body := c.get("/profile").Body
	for ev, mode := range map[string]string{"rejected": "digest", "comment": "inapp", "approved": "email"} {
		i := strings.Index(body, `name="mode.`+ev+`"`)
		end := strings.Index(body[i:], "</select>")
		if !strings.Contains(body[i:i+end], `value="`+mode+`" selected`) {
			t.Errorf("%s does not show %s chosen: %s", ev, mode, body[i:i+end])
		}
	}
	r := c.post("/profile/notifications", url.Values{"mode.rejected": {"pigeon"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="prefs-errors"`) {
		t.Errorf("an unknown mode: %d", r.Status)
	}
}

// An e-mail's unsubscribe link works without signing in: it asks, then
// sets that event to in-app only for the user it names, and says so. A
// link whose token was changed is a 404.
func TestUnsubscribeLink(t *testing.T) {
	a := newTestApp(t)
	ctx := context.Background()
	u, err := a.store.Authenticate(ctx, "firm@demo.local", store.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	key, err := a.server.Work.UnsubscribeKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	token := notify.UnsubscribeToken(key, u.ID, "changes_requested")
	anon := a.client()
	r := anon.get("/unsubscribe?t=" + url.QueryEscape(token))
	if r.Status != http.StatusOK {
		t.Fatalf("the link: %d", r.Status)
	}
	mustContain(t, r.Body, "被要求修改", `action="/unsubscribe"`)
	if p, _ := a.store.NotifyPrefs(ctx, u.ID); p.Of("changes_requested") != notify.Immediate {
		t.Fatal("following the link alone unsubscribed")
	}
	r = anon.post("/unsubscribe", url.Values{"t": {token}})
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="unsubscribed"`) {
		t.Fatalf("confirm: %d %s", r.Status, r.Body)
	}
	p, err := a.store.NotifyPrefs(ctx, u.ID)
	if err != nil || p.Of("changes_requested") != notify.InApp || p.Of("approved") != notify.Immediate {
		t.Errorf("after unsubscribing: %v %v", p, err)
	}
	forged := token[:len(token)-2] + "AA"
	if r := anon.post("/unsubscribe", url.Values{"t": {forged}}); r.Status != http.StatusNotFound {
		t.Errorf("a forged token: %d", r.Status)
	}
	other := notify.UnsubscribeToken([]byte("not this server's key at all...."), u.ID, "approved")
	if r := anon.get("/unsubscribe?t=" + url.QueryEscape(other)); r.Status != http.StatusNotFound {
		t.Errorf("another key's token: %d", r.Status)
	}
}
