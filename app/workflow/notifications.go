package workflow

import (
	"context"
	"strings"

	"selfcheck/app/access"
	"selfcheck/app/fault"
	"selfcheck/app/notify"
	"selfcheck/app/store"
)

// Notice is one in-app notification (app/notify).
type Notice = notify.Notice

// MaxNoticePage bounds a page of notifications.
const MaxNoticePage = store.MaxNoticePage

// Notifications is a page of p's own notifications, newest first: up to
// limit (at most MaxNoticePage) with an id below before (0: the newest),
// and whether older ones remain.
func (s *Service) Notifications(ctx context.Context, p access.Principal, before int64, limit int) ([]Notice, bool, error) {
	return s.Store.Notices(ctx, actor(p), before, limit)
}

// UnreadNotifications counts p's unread notifications: the bell's number.
func (s *Service) UnreadNotifications(ctx context.Context, p access.Principal) (int64, error) {
	if p.ID == 0 {
		return 0, nil
	}
	return s.Store.UnreadNotices(ctx, actor(p))
}

// MarkNotificationRead marks p's notification id read and returns the
// path of the page it is about; another user's is ErrNotFound, as one that
// does not exist.
func (s *Service) MarkNotificationRead(ctx context.Context, p access.Principal, id int64) (string, error) {
	return s.Store.MarkNoticeRead(ctx, actor(p), id)
}

// MarkAllNotificationsRead marks every notification of p read.
func (s *Service) MarkAllNotificationsRead(ctx context.Context, p access.Principal) error {
	return s.Store.MarkAllNoticesRead(ctx, actor(p))
}

// SetLanguage records the language p reads in (zh or en), so that what is
// sent to them outside a page (e-mail) is in it too.
func (s *Service) SetLanguage(ctx context.Context, p access.Principal, lang string) error {
	if p.ID == 0 {
		return nil
	}
	return s.Store.SetUserLanguage(ctx, p.ID, lang)
}

// NotificationPrefs are p's modes of every event, defaults included, in
// the order of notify.Events.
func (s *Service) NotificationPrefs(ctx context.Context, p access.Principal) ([]EventMode, error) {
	prefs, err := s.Store.NotifyPrefs(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	var out []EventMode
	for _, e := range notify.Events() {
		out = append(out, EventMode{Event: e, Mode: prefs.Of(e)})
	}
	return out, nil
}

// EventMode is how a user hears of one event.
type EventMode struct {
	Event string
	Mode  notify.Mode
}

// SetNotificationPrefs sets p's modes of the events given (the others keep
// theirs). An unknown event or mode is a *fault.FieldError naming it.
func (s *Service) SetNotificationPrefs(ctx context.Context, p access.Principal, modes map[string]string) error {
	prefs := notify.Prefs{}
	for e, m := range modes {
		if !notify.ValidEvent(e) {
			return fault.Field("event", fault.Unknown, e)
		}
		if !notify.ValidMode(notify.Mode(m)) {
			return fault.Field("mode", fault.OneOf, strings.Join(modeNames(), ", "))
		}
		prefs[e] = notify.Mode(m)
	}
	return s.Store.SetNotifyPrefs(ctx, p.ID, prefs)
}

func modeNames() []string {
	var out []string
	for _, m := range notify.Modes {
		out = append(out, string(m))
	}
	return out
}

// unsubscribeKey names the server key that signs unsubscribe links.
const unsubscribeKey = "unsubscribe"

// UnsubscribeKey is the key that signs the unsubscribe links of e-mails
// (the same on every instance).
func (s *Service) UnsubscribeKey(ctx context.Context) ([]byte, error) {
	return s.Store.ServerKey(ctx, unsubscribeKey)
}

// CheckUnsubscribe reads an unsubscribe link's token: the event it turns
// e-mail off for. A token this server did not sign is ErrNotFound.
func (s *Service) CheckUnsubscribe(ctx context.Context, token string) (string, error) {
	key, err := s.UnsubscribeKey(ctx)
	if err != nil {
		return "", err
	}
	_, event, err := notify.ParseUnsubscribeToken(key, token)
	if err != nil {
		return "", ErrNotFound
	}
	return event, nil
}

// Unsubscribe sets the event of an unsubscribe link's token to in-app
// only for the user it names, without a sign-in: the signed token is the
// proof. It returns the event.
func (s *Service) Unsubscribe(ctx context.Context, token string) (string, error) {
	key, err := s.UnsubscribeKey(ctx)
	if err != nil {
		return "", err
	}
	user, event, err := notify.ParseUnsubscribeToken(key, token)
	if err != nil {
		return "", ErrNotFound
	}
	if err := s.Store.SetNotifyPrefs(ctx, user, notify.Prefs{event: notify.InApp}); err != nil {
		return "", err
	}
	s.Log.Info("unsubscribed by e-mail link", "user", user, "event", event)
	return event, nil
}
