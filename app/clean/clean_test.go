package clean

import (
	"testing"
)

func TestText(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"plain Chinese", "已建立个人信息保护制度。", "已建立个人信息保护制度。"},
		{"line breaks and tabs stay", "第一行\r\n第二行\t完", "第一行\r\n第二行\t完"},
		{"NUL removed", "a\x00b", "ab"},
		{"other C0 controls removed", "a\x01\x08\x0b\x0c\x1fb", "ab"},
		{"DEL and C1 controls removed", "a\x7fb\u0085c\u009fd", "abcd"},
		{"invalid UTF-8 replaced", "a\xffb\xc3", "a\uFFFDb\uFFFD"},
		{"a run of GBK bytes is one replacement, not dropped", "\xc4\xe3\xba\xc3", "\uFFFD"},
		{"bidi controls are text here (isolated where shown)", "a\u202eb", "a\u202eb"},
		{"empty", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Text(c.in); got != c.want {
				t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
			}
			if got := Text(Text(c.in)); got != c.want {
				t.Errorf("cleaning twice gives %q", got)
			}
		})
	}
}

func TestStringsReachesEveryField(t *testing.T) {
	type item struct {
		Note  string
		Owner *string
	}
	type body struct {
		Name     string
		Items    []item
		Tags     map[string]string
		Any      any
		Nested   map[string]any
		Count    int
		private  string
		Fixed    [1]string
		Named    kind
		NilPtr   *string
		Pointers []*item
	}
	owner := "负责人\x00"
	b := body{
		Name:     "名\x00称",
		Items:    []item{{Note: "x\xffy", Owner: &owner}},
		Tags:     map[string]string{"k\x00": "v\x01"},
		Any:      "a\x00",
		Nested:   map[string]any{"n": "b\x00", "list": []any{"c\x00"}},
		Count:    3,
		private:  "p\x00",
		Fixed:    [1]string{"f\x00"},
		Named:    kind("k\x00"),
		Pointers: []*item{{Note: "q\x00"}},
	}
	Strings(&b)
	if b.Name != "名称" || b.Items[0].Note != "x\uFFFDy" || owner != "负责人" || b.Fixed[0] != "f" || b.Named != "k" || b.Pointers[0].Note != "q" {
		t.Errorf("fields not cleaned: %+v (owner %q)", b, owner)
	}
	if v, ok := b.Tags["k"]; !ok || v != "v" || len(b.Tags) != 1 {
		t.Errorf("map not cleaned: %q", b.Tags)
	}
	if b.Any != "a" {
		t.Errorf("interface not cleaned: %q", b.Any)
	}
	if b.Nested["n"] != "b" || b.Nested["list"].([]any)[0] != "c" {
		t.Errorf("nested JSON values not cleaned: %q", b.Nested)
	}
	if b.private != "p\x00" {
		t.Errorf("an unexported field was touched")
	}
}

type kind string

func BenchmarkTextClean(b *testing.B) {
	s := "已建立个人信息保护制度，并于每年复核；见附件一。"
	for b.Loop() {
		Text(s)
	}
}
