package checklist

import (
	"errors"
	"fmt"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	yamlparser "github.com/goccy/go-yaml/parser"
)

// node is the small part of a YAML tree the loader needs: kind, line and
// value. goccy/go-yaml is used because its errors point at the exact line
// (yaml.v3 often reports the line where the enclosing block began).
type node struct {
	kind    nodeKind
	line    int
	value   string  // scalars
	null    bool    // scalar written as null or ~ or left empty
	keys    []*node // mappings: keys[i] maps to items[i]
	items   []*node // mappings: values; sequences: elements
	unknown string  // a construct the loader refuses (aliases)
}

type nodeKind int

const (
	scalarNode nodeKind = iota
	mappingNode
	sequenceNode
)

// parseYAML parses data into a node tree. A syntax error comes back with its
// line and message.
func parseYAML(data []byte) (*node, int, error) {
	// Repeated keys are left to the loader, which reports them with every
	// other problem instead of stopping at the first.
	f, err := yamlparser.ParseBytes(data, 0, yamlparser.AllowDuplicateMapKey())
	if err != nil {
		var se *yaml.SyntaxError
		if errors.As(err, &se) && se.Token != nil {
			return nil, se.Token.Position.Line, errors.New(se.Message)
		}
		return nil, 0, err
	}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return nil, 0, errors.New("file is empty")
	}
	if len(f.Docs) > 1 {
		return nil, docLine(f.Docs[1]), errors.New("one YAML document per file")
	}
	return convert(f.Docs[0].Body), 0, nil
}

// docLine is the line a document starts on: its "---", or its first token.
// A document may have neither a "---" nor a body ("0\n---" ends with an
// empty one), and GetToken would dereference the missing body.
func docLine(d *ast.DocumentNode) int {
	switch {
	case d.Start != nil:
		return d.Start.Position.Line
	case d.Body != nil:
		return lineOf(d.Body)
	}
	return 0
}

func lineOf(n ast.Node) int {
	if t := n.GetToken(); t != nil {
		return t.Position.Line
	}
	return 0
}

func convert(n ast.Node) *node {
	switch v := n.(type) {
	case *ast.MappingNode:
		m := &node{kind: mappingNode, line: lineOf(v)}
		for _, mv := range v.Values {
			m.keys = append(m.keys, convert(mv.Key))
			m.items = append(m.items, convert(mv.Value))
		}
		if len(m.keys) > 0 {
			m.line = m.keys[0].line
		}
		return m
	case *ast.MappingValueNode:
		k := convert(v.Key)
		return &node{kind: mappingNode, line: k.line, keys: []*node{k}, items: []*node{convert(v.Value)}}
	case *ast.MappingKeyNode:
		return convert(v.Value)
	case *ast.SequenceNode:
		s := &node{kind: sequenceNode, line: lineOf(v)}
		for _, e := range v.Values {
			s.items = append(s.items, convert(e))
		}
		return s
	case *ast.TagNode:
		return convert(v.Value)
	case *ast.AnchorNode:
		return convert(v.Value)
	case *ast.AliasNode:
		return &node{line: lineOf(v), unknown: "aliases (*name) are not supported in checklists"}
	case *ast.NullNode:
		return &node{line: lineOf(v), null: true}
	case *ast.StringNode:
		return &node{line: lineOf(v), value: v.Value}
	case *ast.LiteralNode:
		return &node{line: lineOf(v), value: v.Value.Value}
	case nil:
		return &node{null: true}
	default:
		// Numbers, booleans and the like: keep the text as written.
		t := v.GetToken()
		if t == nil {
			return &node{line: 0, unknown: fmt.Sprintf("unsupported YAML value %T", v)}
		}
		return &node{line: t.Position.Line, value: t.Value}
	}
}
