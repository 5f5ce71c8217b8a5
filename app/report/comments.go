package report

import "time"

// Comment is one message of an item's thread, as the JSON export lists it.
type Comment struct {
	ItemID string
	Author string
	Role   string
	Body   string
	At     time.Time
}

// jsonComment is a comment in the JSON export.
type jsonComment struct {
	Item   string     `json:"item"`
	Author string     `json:"author"`
	Role   string     `json:"role"`
	Body   string     `json:"body"`
	At     *time.Time `json:"at"`
}

// jsonComments are the threads of d, oldest first. They are left out of the
// canonical content: a discussion may go on after a report is issued (in
// every state), and must not change the report's verification code.
func jsonComments(d Data) *[]jsonComment {
	out := make([]jsonComment, len(d.Comments))
	for i, c := range d.Comments {
		out[i] = jsonComment{Item: c.ItemID, Author: c.Author, Role: c.Role, Body: c.Body, At: xTime(c.At)}
	}
	return &out
}
