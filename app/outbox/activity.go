package outbox

import "context"

// ActivityStore keeps the activity feed. AddActivities stores one entry per
// event of an assessment, keyed by the event's id, and ignores an event it
// already holds, so a redelivered batch changes nothing.
type ActivityStore interface {
	AddActivities(ctx context.Context, events []Event) error
}

// ActivityFeed is the subscriber that keeps each assessment's in-app
// activity feed.
type ActivityFeed struct {
	Store ActivityStore
}

// Name is the feed's cursor key.
func (ActivityFeed) Name() string { return "activity" }

// Handle adds the events that concern an assessment to its feed; events of
// a campaign as a whole have no feed to go to.
func (f ActivityFeed) Handle(ctx context.Context, events []Event) error {
	kept := make([]Event, 0, len(events))
	for _, e := range events {
		if e.AssessmentID != 0 {
			kept = append(kept, e)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return f.Store.AddActivities(ctx, kept)
}
