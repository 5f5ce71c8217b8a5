package assessment

import (
	"strings"
	"time"
	"unicode/utf8"

	"selfcheck/app/clean"
	"selfcheck/app/fault"
)

// MaxCommentLen bounds a comment on an item, in characters.
const MaxCommentLen = 2000

// CommentEditWindow is how long the author may still edit or delete a
// comment; after it the comment is part of the record.
const CommentEditWindow = 5 * time.Minute

// NormalizeComment is how a comment is kept: cleaned like all typed text,
// line breaks as "\n", surrounding space trimmed.
func NormalizeComment(body string) string {
	return strings.TrimSpace(strings.ReplaceAll(clean.Text(body), "\r\n", "\n"))
}

// ValidateComment refuses an empty comment or one over MaxCommentLen, as a
// *fault.FieldError on "body". body must be normalized.
func ValidateComment(body string) error {
	if body == "" {
		return fault.Field("body", fault.Required)
	}
	if utf8.RuneCountInString(body) > MaxCommentLen {
		return fault.Field("body", fault.TooLong, MaxCommentLen)
	}
	return nil
}

// CommentFinal reports whether a comment written at created can no longer
// be edited or deleted at now.
func CommentFinal(created, now time.Time) bool {
	return now.Sub(created) > CommentEditWindow
}
