package auth

import "time"

// Session lifetimes: a session ends after IdleTimeout without use or
// MaxSessionAge after login, whichever comes first.
const (
	IdleTimeout   = 8 * time.Hour
	MaxSessionAge = 7 * 24 * time.Hour
	// TouchEvery is how stale a session's (or a token's) stored last use
	// may be. Writing
	// it on every request would serialise reads behind the write lock; a
	// minute's precision is plenty for an idle timeout of hours.
	TouchEvery = time.Minute
)

// SessionTimes are the moments a session's life is decided by.
type SessionTimes struct {
	Created, LastSeen, Expires time.Time
}

// NewSession is the times of a session begun at now.
func NewSession(now time.Time) SessionTimes {
	return SessionTimes{Created: now, LastSeen: now, Expires: now.Add(MaxSessionAge)}
}

// Expired reports whether the session has ended by now, by age or by idleness.
func (t SessionTimes) Expired(now time.Time) bool {
	return now.After(t.Expires) || now.Sub(t.LastSeen) > IdleTimeout
}

// NeedsTouch reports whether a use at now should be stored as the last.
func (t SessionTimes) NeedsTouch(now time.Time) bool { return now.Sub(t.LastSeen) > TouchEvery }
