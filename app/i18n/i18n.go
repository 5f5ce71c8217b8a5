// Package i18n is the message catalog: every UI string, in Chinese (the
// default) and English, kept as one JSON file per language.
package i18n

import (
	"selfcheck/app/fault"

	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed messages/*.json
var files embed.FS

// Languages lists the supported languages, default first.
var Languages = []string{"zh", "en"}

// Default is the language used when nothing else is known.
const Default = "zh"

// Catalog holds the messages of every language.
type Catalog struct {
	msgs map[string]map[string]string
}

// Load reads the embedded message files and checks that every language has
// the same keys, so a missing translation fails at start, not on a page.
func Load() (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[string]string{}}
	for _, lang := range Languages {
		// A language is every messages/*<lang>.json file merged: zh.json for
		// the pages, report.zh.json for the PDF, and so on.
		names, err := fs.Glob(files, "messages/*"+lang+".json")
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		m := map[string]string{}
		for _, name := range names {
			b, err := files.ReadFile(name)
			if err != nil {
				return nil, fmt.Errorf("i18n: %w", err)
			}
			part := map[string]string{}
			if err := json.Unmarshal(b, &part); err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", name, err)
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("i18n: %s: key %q defined twice", name, k)
				}
				m[k] = v
			}
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("i18n: no messages for %s", lang)
		}
		c.msgs[lang] = m
	}
	for _, lang := range Languages[1:] {
		if d := diff(c.msgs[Default], c.msgs[lang]); d != "" {
			return nil, fmt.Errorf("i18n: %s and %s differ: %s", Default, lang, d)
		}
	}
	return c, nil
}

// oneSuffix marks the singular form of a message with a count, in a
// language that has one: "audit.total" is "%d entries", "audit.total.one"
// is "%d entry". A language without number (Chinese) has none; T uses it
// when the message's first integer argument is 1.
const oneSuffix = ".one"

// count is the first integer argument of a message: what its singular or
// plural form depends on.
func count(args []any) (int64, bool) {
	for _, a := range args {
		switch v := a.(type) {
		case int:
			return int64(v), true
		case int64:
			return v, true
		case int32:
			return int64(v), true
		case uint:
			return int64(v), true
		}
	}
	return 0, false
}

// diff names the keys one language has and the other lacks; a singular
// form may be in one only, but never without its message.
func diff(a, b map[string]string) string {
	var out []string
	for k := range a {
		if _, ok := b[k]; !ok && !strings.HasSuffix(k, oneSuffix) {
			out = append(out, "missing "+k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok && !strings.HasSuffix(k, oneSuffix) {
			out = append(out, "extra "+k)
		}
	}
	for _, m := range []map[string]string{a, b} {
		for k := range m {
			if base, ok := strings.CutSuffix(k, oneSuffix); ok {
				if _, ok := m[base]; !ok {
					out = append(out, "singular without its message "+k)
				}
			}
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// Has reports whether key exists.
func (c *Catalog) Has(key string) bool {
	_, ok := c.msgs[Default][key]
	return ok
}

// T returns the message key in lang, formatted with args. An unknown key
// comes back as itself so a gap shows on the page instead of breaking it.
func (c *Catalog) T(lang, key string, args ...any) string {
	m, ok := c.msgs[lang]
	if !ok {
		m = c.msgs[Default]
	}
	s, ok := m[key]
	if !ok {
		return key
	}
	if n, ok := count(args); ok && n == 1 {
		if one, ok := m[key+oneSuffix]; ok {
			s = one
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Match picks a supported language from an Accept-Language header.
func Match(acceptLanguage string) string {
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "zh"):
			return "zh"
		case strings.HasPrefix(tag, "en"):
			return "en"
		}
	}
	return Default
}

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Fault is the message of a refused field in lang: the message of its
// field and code when the catalog has one ("fault.due.invalid"), else the
// code's ("fault.invalid") naming the field by its label ("field.due", or
// the field's own name). A refusal about one checklist item names it; an
// argument that is a fault.Term is translated first.
func (c *Catalog) Fault(lang string, fe *fault.FieldError) string {
	args := make([]any, len(fe.Args))
	for i, a := range fe.Args {
		if t, ok := a.(fault.Term); ok {
			a = c.T(lang, string(t))
		}
		args[i] = a
	}
	var msg string
	if key := "fault." + fe.Field + "." + fe.Code; c.Has(key) {
		msg = c.T(lang, key, args...)
	} else {
		label := fe.Field
		if c.Has("field." + fe.Field) {
			label = c.T(lang, "field."+fe.Field)
		}
		msg = c.T(lang, "fault."+fe.Code, append([]any{label}, args...)...)
	}
	if fe.Item != "" {
		return c.T(lang, "fault.item", fe.Item, msg)
	}
	return msg
}
