package main

import (
	"encoding/json"
	"strings"
)

// node is a YAML value: a mapping with ordered keys, a sequence (list), or
// a scalar written as it is. Strings are written as JSON strings, which are
// valid YAML double-quoted scalars, so no escaping rule of YAML's own is
// needed.
type node struct {
	keys   []string
	values map[string]*node
	list   bool
	items  []*node
	scalar string
	isLeaf bool
}

func str(s string) *node {
	q, _ := json.Marshal(s)
	return &node{scalar: string(q), isLeaf: true}
}

func raw(s string) *node { return &node{scalar: s, isLeaf: true} }

func list(items ...*node) *node { return &node{list: true, items: items} }

func (n *node) set(key string, v *node) {
	if n.values == nil {
		n.values = map[string]*node{}
	}
	if _, ok := n.values[key]; !ok {
		n.keys = append(n.keys, key)
	}
	n.values[key] = v
}

// child returns the mapping under key, creating it.
func (n *node) child(key string) *node {
	if c, ok := n.values[key]; ok {
		return c
	}
	c := &node{}
	n.set(key, c)
	return c
}

func (n *node) add(v *node) { n.items = append(n.items, v) }

func (n *node) empty() bool { return !n.isLeaf && len(n.keys) == 0 && len(n.items) == 0 }

// key writes a mapping key: plain when it is a simple word, quoted
// otherwise (digits alone, "$ref" and paths would mean something else).
func key(k string) string {
	plain := k != ""
	for i, c := range k {
		ok := c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || (i > 0 && (c == '.' || c == '-' || ('0' <= c && c <= '9')))
		plain = plain && ok
	}
	if plain && k != "true" && k != "false" && k != "null" {
		return k
	}
	q, _ := json.Marshal(k)
	return string(q)
}

// write writes n as a block at indent; the caller has written the key.
func (n *node) write(b *strings.Builder, indent int) {
	pad := strings.Repeat("  ", indent)
	switch {
	case n.list:
		for _, it := range n.items {
			if it.isLeaf || it.list || it.empty() {
				b.WriteString(pad + "-")
				it.inline(b, indent+1)
				continue
			}
			// A mapping item starts on the dash's line: "- name: x".
			for i, k := range it.keys {
				if i == 0 {
					b.WriteString(pad + "- " + key(k) + ":")
				} else {
					b.WriteString(pad + "  " + key(k) + ":")
				}
				it.values[k].inline(b, indent+2)
			}
		}
	default:
		for _, k := range n.keys {
			b.WriteString(pad + key(k) + ":")
			n.values[k].inline(b, indent+1)
		}
	}
}

// inline writes n after a "key:" or "-" on the same line.
func (n *node) inline(b *strings.Builder, indent int) {
	switch {
	case n.isLeaf:
		b.WriteString(" " + n.scalar + "\n")
	case n.empty() && n.list:
		b.WriteString(" []\n")
	case n.empty():
		b.WriteString(" {}\n")
	default:
		b.WriteString("\n")
		n.write(b, indent)
	}
}
