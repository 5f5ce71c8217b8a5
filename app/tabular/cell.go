package tabular

import "strings"

// SafeCell returns s as WriteXLSX and XLSXStream write it into a cell:
// neutralized by Safe, with invalid UTF-8 replaced by U+FFFD. Callers that
// build their own workbook use it so their cells stay as safe as this
// package's.
func SafeCell(s string) string { return strings.ToValidUTF8(Safe(s), "\uFFFD") }
