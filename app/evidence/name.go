package evidence

import (
	"fmt"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

const maxNameBytes = 200

// CleanName returns a file name safe to display and to put in a download's
// Content-Disposition: the base name, without control characters, quotes,
// slashes, backslashes or the bidirectional override characters that can
// disguise an extension (U+202A–U+202E, U+2066–U+2069), cut to 200 bytes at
// a rune boundary, keeping a short extension, and "file" when nothing is
// left.
func CleanName(name string) string {
	name = strings.TrimRight(name, `/\`)
	name = name[strings.LastIndexAny(name, `/\`)+1:]
	name = strings.ToValidUTF8(name, "")
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || isBidiControl(r) || strings.ContainsRune(`"'/\`, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		return "file"
	}
	return cutName(name, maxNameBytes)
}

func isBidiControl(r rune) bool {
	return 0x202A <= r && r <= 0x202E || 0x2066 <= r && r <= 0x2069
}

// cutName shortens the valid UTF-8 name to at most n bytes at a rune
// boundary, keeping an extension of up to 16 bytes so the name still opens
// with the right program.
func cutName(name string, n int) string {
	if len(name) <= n {
		return name
	}
	ext := path.Ext(name)
	if len(ext) > 16 || len(ext) == len(name) {
		ext = ""
	}
	stem := name[:len(name)-len(ext)]
	cut := n - len(ext)
	for cut > 0 && !utf8.RuneStart(stem[cut]) {
		cut--
	}
	return strings.TrimSpace(stem[:cut]) + ext
}

// extensions are the file name endings that match each kind; the first is
// the one added when a name has none of them.
var extensions = map[Kind][]string{
	PDF: {".pdf"}, PNG: {".png"}, JPEG: {".jpg", ".jpeg"}, DOCX: {".docx"}, XLSX: {".xlsx"}, TXT: {".txt"}, ZIP: {".zip"},
}

// SafeName is the name to keep and serve a checked file under: CleanName,
// with an extension that matches the kind its content was checked to be, so
// a script uploaded as text downloads as .txt and never runs on a
// double-click.
func SafeName(name string, k Kind) string {
	name = CleanName(name)
	ext := strings.ToLower(path.Ext(name))
	for _, e := range extensions[k] {
		if ext == e {
			return name
		}
	}
	if len(extensions[k]) == 0 {
		return name
	}
	return name + extensions[k][0]
}

// ContentDisposition is the header value that serves a file as an
// attachment named name: a plain-ASCII fallback and the UTF-8 name encoded
// per RFC 5987 (only attr-chars left bare), neither able to break out of the
// header.
func ContentDisposition(name string) string { return disposition("attachment", name) }

// ContentDispositionAs is ContentDisposition with the name that clients
// reading only the plain filename parameter get: ascii, made safe.
func ContentDispositionAs(name, ascii string) string {
	if ascii == "" {
		return ContentDisposition(name)
	}
	d := disposition("attachment", name)
	plain := disposition("attachment", ascii)
	// Both start "attachment; filename=\"…\";": keep the filename of the
	// ASCII name and the filename* of the full one.
	return plain[:strings.Index(plain, "; filename*=")] + d[strings.Index(d, "; filename*="):]
}

func disposition(how, name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == ';' || r == '%' {
			return '_'
		}
		return r
	}, name)
	var enc strings.Builder
	for _, b := range []byte(name) {
		if isAttrChar(b) {
			enc.WriteByte(b)
		} else {
			fmt.Fprintf(&enc, "%%%02X", b)
		}
	}
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, how, ascii, enc.String())
}

// isAttrChar reports whether b may stand unencoded in an RFC 5987 value.
func isAttrChar(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}

// SetDownloadHeaders prepares a response that serves an evidence file named
// name: an attachment the browser must not sniff, cache or run script in,
// whoever uploaded it.
func SetDownloadHeaders(h http.Header, name string) {
	h.Set("Content-Disposition", ContentDisposition(name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
}

// SetViewHeaders prepares a response that shows an evidence file of an
// inline kind (k.Inline: PDF, PNG, JPEG, each checked by its content) in the
// browser, for an auditor to look at without downloading. It may be framed
// by our own pages only. Every kind is sandboxed like downloads, PDFs too
// (issue 19): a PDF a firm uploaded may carry script and forms, and must
// not run them with this site's origin. The price: Chromium does not run
// its PDF viewer in a sandboxed document and shows it blocked, so a
// Chromium user downloads the file (the download link beside it) instead
// of viewing it; Firefox shows it.
func SetViewHeaders(h http.Header, name string, k Kind) {
	h.Set("Content-Disposition", disposition("inline", name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	if k == PDF {
		h.Set("Content-Security-Policy", "default-src 'none'; object-src 'self'; frame-ancestors 'self'; sandbox")
		return
	}
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; frame-ancestors 'self'; sandbox")
}
