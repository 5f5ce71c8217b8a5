package tabular

import "strings"

// XLSXText returns s as a text cell of an XLSX holds it: bidirectional
// controls dropped (StripBidi) and invalid UTF-8 replaced by U+FFFD. It adds
// no apostrophe, unlike Safe: a text cell is never read as a formula, so a
// guard would only change the data (issue 20). The CSV keeps Safe's guard.
func XLSXText(s string) string { return strings.ToValidUTF8(StripBidi(s), "\uFFFD") }
