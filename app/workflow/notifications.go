package workflow

import (
	"context"

	"selfcheck/app/access"
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
