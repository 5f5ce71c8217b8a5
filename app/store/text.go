package store

import (
	"strings"
	"unicode/utf8"
)

// storable reports whether s can be text in the database on every engine:
// PostgreSQL refuses a NUL byte or invalid UTF-8 in a text value, query
// parameters included. Nothing the store writes is otherwise (typed text
// is cleaned before it is stored: see audit.Clip), so a lookup by text
// that is not storable finds nothing, and answers so without asking the
// database, on SQLite as on PostgreSQL.
func storable(s ...string) bool {
	for _, v := range s {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return false
		}
	}
	return true
}
