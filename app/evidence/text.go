package evidence

import (
	"bytes"
	"unicode"
	"unicode/utf8"
)

// checkText accepts b as plain text: valid UTF-8 (after an optional BOM),
// no NUL bytes, and nothing a browser could take for HTML or SVG.
func checkText(b []byte) *RefusedError {
	if hasAnyPrefix(b, "\xff\xfe", "\xfe\xff") {
		return refuse(reasonUnknownType, "the content is UTF-16 text, which is not accepted as evidence; save it as UTF-8 text")
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(b, 0) >= 0 || !utf8.Valid(b) {
		return refuse(reasonUnknownType, "the content is neither a known file type nor UTF-8 text; %s", accepted)
	}
	switch markup(b) {
	case reasonHTML:
		return refuse(reasonHTML, "the content is HTML, which is not accepted as evidence")
	case reasonSVG:
		return refuse(reasonSVG, "the content is SVG, which is not accepted as evidence")
	}
	return nil
}

// htmlStarts are the tags that make a browser sniff a document as HTML when
// they open it (WHATWG MIME Sniffing, "identifying a resource with an
// unknown MIME type"), each to be followed by a space or ">".
var htmlStarts = []string{
	"<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div",
	"<font", "<table", "<a", "<style", "<title", "<b", "<body", "<br", "<p", "<!--",
}

// markers are refused anywhere in the first bytes of a text, with the reason
// each stands for.
var markers = []struct{ text, reason string }{
	{"<!doctype html", reasonHTML},
	{"<html", reasonHTML},
	{"<script", reasonHTML},
	{"<iframe", reasonHTML},
	{"<body", reasonHTML},
	{"<head", reasonHTML},
	{"http://www.w3.org/1999/xhtml", reasonHTML},
	{"<svg", reasonSVG},
	{"http://www.w3.org/2000/svg", reasonSVG},
}

// markup returns reasonHTML or reasonSVG when the valid UTF-8 text b looks
// like HTML or SVG, "" otherwise. The first 512 bytes after leading space
// are searched, or the first 4 KiB when the text starts with "<" (an XML
// prologue, a doctype or a comment can push the root element that far).
// The earliest marker decides, so an SVG that holds a script is "svg".
func markup(b []byte) string {
	b = bytes.TrimLeftFunc(b, unicode.IsSpace)
	window := 512
	if bytes.HasPrefix(b, []byte("<")) {
		window = 4096
	}
	head := asciiLower(b[:min(len(b), window)])
	for _, tag := range htmlStarts {
		if rest, ok := bytes.CutPrefix(head, []byte(tag)); ok && (len(rest) == 0 || rest[0] == ' ' || rest[0] == '>') {
			return reasonHTML
		}
	}
	reason, first := "", len(head)
	for _, m := range markers {
		if i := bytes.Index(head, []byte(m.text)); i >= 0 && i < first {
			reason, first = m.reason, i
		}
	}
	return reason
}

// asciiLower lowercases ASCII letters only, as HTML parsers match tag names.
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}
