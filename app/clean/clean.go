// Package clean is the one normalization of text that people type or send,
// applied wherever text enters (the web's forms, the API's JSON, uploaded
// checklists, the command line): bytes that are not UTF-8 become U+FFFD,
// and control characters other than tab, line feed and carriage return are
// removed. Text is replaced rather than refused because an autosave must
// never lose what was typed over a character nobody can see; and nothing a
// compliance note means is a NUL or a form feed. PostgreSQL refuses both a
// NUL and invalid UTF-8 in a text value, spreadsheets refuse most control
// characters, and a CSV with invalid UTF-8 is unreadable: cleaning at the
// door keeps every engine and every export the same.
package clean

import (
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text returns s cleaned. Text that needs nothing is returned as it is,
// without allocating.
func Text(s string) string {
	if !needs(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if unwanted(r) {
			return -1
		}
		return r
	}, s)
}

func needs(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' || b == 0x7f {
			return true
		}
		if b >= utf8.RuneSelf {
			// Multi-byte: invalid UTF-8 or a C1 control (U+0080–U+009F).
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 || unwanted(r) {
				return true
			}
			i += size - 1
		}
	}
	return false
}

func unwanted(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
}

// Strings cleans, in place, every string that v (a pointer) holds: in
// structs, slices, arrays, maps and through pointers. It is for a request
// decoded into its Go value, so that no field can be missed.
func Strings(v any) {
	walk(reflect.ValueOf(v))
}

func walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			elem := v.Elem()
			if v.Kind() == reflect.Interface && elem.Kind() == reflect.String {
				if v.CanSet() {
					v.Set(reflect.ValueOf(Text(elem.String())).Convert(elem.Type()))
				}
				return
			}
			walk(elem)
		}
	case reflect.String:
		if v.CanSet() {
			if s := v.String(); needs(s) {
				v.SetString(Text(s))
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walk(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walk(v.Index(i))
		}
	case reflect.Map:
		if v.Type().Key().Kind() == reflect.String || v.Type().Elem().Kind() == reflect.String || v.Type().Elem().Kind() == reflect.Interface {
			cleanMap(v)
		}
	}
}

// cleanMap rebuilds the entries of a map whose keys or values are text:
// map entries cannot be set in place.
func cleanMap(v reflect.Value) {
	type entry struct{ old, k, v reflect.Value }
	var redo []entry
	for iter := v.MapRange(); iter.Next(); {
		nk := reflect.New(iter.Key().Type()).Elem()
		nk.Set(iter.Key())
		walk(nk)
		nv := reflect.New(iter.Value().Type()).Elem()
		nv.Set(iter.Value())
		walk(nv)
		redo = append(redo, entry{iter.Key(), nk, nv})
	}
	for _, e := range redo {
		if !e.old.Equal(e.k) {
			v.SetMapIndex(e.old, reflect.Value{})
		}
		v.SetMapIndex(e.k, e.v)
	}
}
